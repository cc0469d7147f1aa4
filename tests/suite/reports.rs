//! Reports: snapshots, determinism, escaping of AWS strings.

use crate::{catalogue, english, scan};
use auditscope::report::{Format, RenderOptions, Renderer};

fn render(format: Format) -> String {
    let result = scan("acme");
    Renderer::new(None, english())
        .expect("embedded templates")
        .render(format, &result, &catalogue(), &RenderOptions::default())
        .expect("render")
}

#[test]
fn markdown_report_snapshot() {
    insta::assert_snapshot!("acme_report_md", render(Format::Markdown));
}

#[test]
fn html_report_snapshot() {
    insta::assert_snapshot!("acme_report_html", render(Format::Html));
}

#[test]
fn reports_are_deterministic() {
    for format in [Format::Markdown, Format::Html, Format::Json] {
        assert_eq!(
            render(format),
            render(format),
            "{format:?} differs between runs"
        );
    }
}

#[test]
fn html_escapes_every_aws_string() {
    let html = render(Format::Html);
    assert!(
        !html.contains("<script>alert(1)</script>"),
        "raw script from a log group name"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;")
            || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
    );
    assert!(
        !html.contains("http://") || !html.contains("<link"),
        "no external assets"
    );
    assert!(!html.contains("src=\"http"), "no external assets");
}

#[test]
fn markdown_escapes_pipes_backticks_and_html() {
    let md = render(Format::Markdown);
    assert!(!md.contains("<script>"), "raw html from AWS names");
    assert!(
        md.contains("\\|\\`x\\`"),
        "pipes and backticks in names are escaped"
    );
}

#[test]
fn json_result_follows_schema_v1() {
    let json: serde_json::Value = serde_json::from_str(&render(Format::Json)).expect("valid json");
    assert_eq!(json["schema_version"], 1);
    for key in ["tool", "scan", "findings", "errors", "summary"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    let finding = &json["findings"][0];
    for key in [
        "check_id",
        "title",
        "severity",
        "status",
        "account_id",
        "region",
        "resource",
        "message",
        "evidence",
        "remediation",
        "controls",
        "waiver",
    ] {
        assert!(finding.get(key).is_some(), "finding misses {key}");
    }
    assert!(
        json["findings"]
            .as_array()
            .expect("array")
            .iter()
            .any(|f| f["region"].is_null()),
        "account-scoped findings have null region"
    );
}
