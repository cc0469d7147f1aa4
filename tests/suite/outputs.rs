//! Waivers, OCSF events, the baseline diff inside every format, and
//! per-account Markdown pages.

use crate::cli::{auditscope, path, scan_acme};
use auditscope::result::{ScanResult, Status, WaiverState};
use serde_json::Value;

fn result(dir: &tempfile::TempDir) -> ScanResult {
    ScanResult::load(&dir.path().join("result.json")).expect("result.json loads")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let file = dir.path().join(name);
    std::fs::write(&file, text).expect("write");
    file.to_string_lossy().into_owned()
}

#[test]
fn waivers_waive_until_they_expire_and_are_listed() {
    let files = tempfile::tempdir().expect("tempdir");
    let waivers = write(
        &files,
        "waivers.yaml",
        r#"waivers:
  - check: cloudtrail-bucket-not-public
    account: "555555555555"
    resource: "arn:aws:s3:::acme-dev-*"
    reason: Public read is a <b>test</b> | fixture
    owner: dev-team
    expires: 2099-01-01
  - check: guardduty-enabled
    account: "555555555555"
    reason: old exception
    owner: sandbox
    expires: 2020-01-01
  - check: cloudtrail-log-file-validation
    account: "*"
    region: us-west-2
    reason: nothing fails there
    owner: nobody
    expires: 2099-01-01
"#,
    );
    let out = scan_acme(&["--waivers", &waivers, "--fail-on", "critical"]);
    let result = result(&out);
    let waived: Vec<_> = result
        .findings
        .iter()
        .filter(|f| f.status == Status::Waived)
        .collect();
    assert_eq!(waived.len(), 1, "{waived:?}");
    assert_eq!(&*waived[0].check_id, "cloudtrail-bucket-not-public");
    assert_eq!(
        waived[0].waiver.as_ref().map(|w| w.owner.as_str()),
        Some("dev-team")
    );
    // The expired waiver does not apply: GuardDuty still fails.
    assert!(result
        .findings
        .iter()
        .any(|f| &*f.check_id == "guardduty-enabled" && f.status == Status::Fail));
    let states: Vec<(WaiverState, u64)> = result
        .waivers
        .iter()
        .map(|w| (w.state, w.matched))
        .collect();
    assert_eq!(
        states,
        [
            (WaiverState::Active, 1),
            (WaiverState::Expired, 1),
            (WaiverState::Unused, 0)
        ]
    );
    assert_eq!(result.summary.by_status["WAIVED"], 1);
    let md = std::fs::read_to_string(out.path().join("report.md")).expect("md");
    assert!(md.contains("## Waived"), "waived section");
    assert!(
        md.contains("Public read is a &lt;b&gt;test&lt;/b&gt; \\| fixture"),
        "reason escaped in Markdown"
    );
    assert!(md.contains("| waivers.yaml:8 | `guardduty-enabled` | 555555555555 | expired |"));
    assert!(md.contains("| waivers.yaml:13 | `cloudtrail-log-file-validation` | \\* | unused |"));
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("html");
    assert!(html.contains("Public read is a &lt;b&gt;test&lt;&#x2f;b&gt; | fixture"));

    // The public bucket was acme's only critical failure: waived, the
    // critical gate passes; without the waivers it fails.
    let gated = auditscope(&[
        "scan",
        "--mock",
        "mock/acme",
        "--format",
        "json",
        "--fail-on",
        "critical",
        "--out",
        &path(&files, "gated"),
    ]);
    assert_eq!(gated.status.code(), Some(1));
}

#[test]
fn waiver_problems_are_located_and_exit_2() {
    let files = tempfile::tempdir().expect("tempdir");
    let waivers = write(
        &files,
        "waivers.yaml",
        "waivers:\n  - check: cloudtrail-log-file-validaton\n    account: '111111111111'\n    reason: r\n    owner: o\n    expires: 2099-01-01\n  - check: guardduty-enabled\n    account: 5555\n    reason: r\n    owner: o\n    expires: next year\n",
    );
    let output = auditscope(&[
        "scan",
        "--mock",
        "mock/acme",
        "--waivers",
        &waivers,
        "--out",
        &path(&files, "o"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "unknown check `cloudtrail-log-file-validaton`; did you mean `cloudtrail-log-file-validation`?",
        "waivers.yaml:2:12",
        "account `5555` is not a 12-digit account id",
        "waivers.yaml:8:14 (check guardduty-enabled)",
        "expiry `next year` is not a date (YYYY-MM-DD)",
        "waivers.yaml:11:14",
    ] {
        assert!(stderr.contains(expected), "{expected}\n{stderr}");
    }
    assert!(
        !files.path().join("o/result.json").exists(),
        "nothing scanned"
    );

    let unknown_key = write(
        &files,
        "typo.yaml",
        "waivers:\n  - check: guardduty-enabled\n    acount: '111111111111'\n",
    );
    let output = auditscope(&["scan", "--mock", "mock/acme", "--waivers", &unknown_key]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("typo.yaml:3:"), "{stderr}");
}

/// Required attributes of OCSF 1.3 Compliance Finding (class 2003) and
/// its base event, with the types the schema gives them.
#[test]
fn ocsf_events_carry_the_required_compliance_finding_fields() {
    let files = tempfile::tempdir().expect("tempdir");
    let waivers = write(
        &files,
        "w.yaml",
        "waivers:\n  - {check: guardduty-enabled, account: '*', reason: r, owner: o, expires: 2099-01-01}\n",
    );
    let out = scan_acme(&["--format", "json,ocsf", "--waivers", &waivers]);
    let text = std::fs::read_to_string(out.path().join("findings.ocsf.json")).expect("ocsf");
    let events: Vec<Value> = serde_json::from_str(&text).expect("a JSON array");
    let result = result(&out);
    assert_eq!(events.len(), result.findings.len(), "one event per finding");
    let int = |e: &Value, key: &str| {
        e.pointer(key)
            .and_then(Value::as_i64)
            .unwrap_or_else(|| panic!("{key} is an integer in {e}"))
    };
    let string = |e: &Value, key: &str| -> String {
        e.pointer(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| panic!("{key} is a non-empty string in {e}"))
            .to_owned()
    };
    let mut uids = std::collections::BTreeSet::new();
    for (event, finding) in events.iter().zip(&result.findings) {
        assert_eq!(int(event, "/class_uid"), 2003);
        assert_eq!(int(event, "/category_uid"), 2);
        assert_eq!(int(event, "/activity_id"), 1);
        assert_eq!(int(event, "/type_uid"), 200301);
        assert!(
            int(event, "/time") > 1_600_000_000_000,
            "epoch milliseconds"
        );
        assert!((0..=6).contains(&int(event, "/severity_id")) || int(event, "/severity_id") == 99);
        assert!(string(event, "/metadata/version").starts_with("1."));
        assert_eq!(string(event, "/metadata/product/name"), "auditscope");
        assert!(
            uids.insert(string(event, "/finding_info/uid")),
            "uids are unique"
        );
        string(event, "/finding_info/title");
        assert_eq!(string(event, "/cloud/provider"), "AWS");
        assert_eq!(string(event, "/cloud/account/uid"), &*finding.account_id);
        assert_eq!(string(event, "/resources/0/uid"), finding.resource.id);
        let standards = event
            .pointer("/compliance/standards")
            .and_then(Value::as_array)
            .expect("compliance.standards is an array");
        assert!(
            !standards.is_empty(),
            "every bundled check maps to a framework"
        );
        let (status_id, compliance_status) = match finding.status {
            Status::Pass => (1, 1),
            Status::Fail => (1, 3),
            Status::Waived => (3, 3),
            Status::Error => (1, 0),
            Status::Skip => (1, 99),
        };
        assert_eq!(int(event, "/status_id"), status_id, "{event}");
        assert_eq!(int(event, "/compliance/status_id"), compliance_status);
        if let Some(region) = &finding.region {
            assert_eq!(string(event, "/cloud/region"), &**region);
        }
    }
    let waived = events
        .iter()
        .find(|e| e["status_code"] == "WAIVED")
        .expect("a waived event");
    assert_eq!(waived["unmapped"]["waiver"]["owner"], "o");
    assert!(waived["compliance"]["requirements"]
        .as_array()
        .is_some_and(|r| r.iter().any(|r| r == "nist-800-53-r5:SI-4")));
}

#[test]
fn baseline_changes_appear_in_every_format() {
    let before = scan_acme(&["--format", "json"]);
    let baseline = path(&before, "result.json");
    let after = tempfile::tempdir().expect("tempdir");
    let output = auditscope(&[
        "scan",
        "--mock",
        "mock/scenarios/monitoring.yaml",
        "--baseline",
        &baseline,
        "--out",
        &path(&after, "o"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result = ScanResult::load(&after.path().join("o/result.json")).expect("result");
    let changes = result.changes.expect("result.json carries the changes");
    assert!(!changes.resolved.is_empty() && !changes.not_assessed.is_empty());
    assert!(changes
        .resolved
        .iter()
        .any(|e| &*e.check_id == "alarm-route-table-changes" && e.after == Some(Status::Pass)));
    let md = std::fs::read_to_string(after.path().join("o/report.md")).expect("md");
    let diff = std::fs::read_to_string(after.path().join("o/diff.md")).expect("diff.md");
    assert!(
        md.contains(&diff),
        "report.md embeds the same diff as diff.md"
    );
    let html = std::fs::read_to_string(after.path().join("o/report.html")).expect("html");
    assert!(html.contains(r#"<h2 id="changes">Changes since the baseline</h2>"#));
    assert!(html.contains(&format!("<h3>Resolved ({})</h3>", changes.resolved.len())));
}

#[test]
fn large_organizations_get_one_markdown_page_per_account() {
    let first = scan_acme(&["--format", "md", "--split-accounts", "2"]);
    let second = scan_acme(&["--format", "md", "--split-accounts", "2"]);
    let pages: Vec<_> = std::fs::read_dir(first.path().join("accounts"))
        .expect("accounts/")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(pages.len(), 5, "{pages:?}");
    for page in pages
        .iter()
        .map(|p| format!("accounts/{p}"))
        .chain(["report.md".into()])
    {
        let a = std::fs::read(first.path().join(&page)).expect("read");
        let b = std::fs::read(second.path().join(&page)).expect("read");
        assert!(a == b, "{page} is deterministic");
    }
    let main = std::fs::read_to_string(first.path().join("report.md")).expect("md");
    assert!(main
        .contains("| [555555555555](accounts/555555555555.md#cloudtrail-bucket-not-public) | 1 |"));
    assert!(
        !main.contains("acme-dev-trail-logs |"),
        "no per-finding rows"
    );
    let page =
        std::fs::read_to_string(first.path().join("accounts/555555555555.md")).expect("page");
    assert!(page.starts_with("# auditscope report: account 555555555555\n"));
    assert!(page.contains("<a id=\"cloudtrail-bucket-not-public\"></a>"));
    assert!(page.contains("arn:aws:s3:::acme-dev-trail-logs"));
    assert!(!page.contains("| 111111111111 |"), "only its own findings");
}

#[test]
fn templates_from_a_directory_override_the_embedded_ones_file_by_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("report.css"), "body { color: #123456; }").expect("css");
    let out = scan_acme(&["--templates", dir.path().to_str().expect("utf-8")]);
    let html = std::fs::read_to_string(out.path().join("report.html")).expect("html");
    assert!(html.contains("body { color: #123456; }"), "restyled");
    assert!(
        html.contains(r#"<h2 id="summary">Executive summary</h2>"#),
        "embedded page"
    );
    assert!(
        out.path().join("report.md").exists(),
        "embedded Markdown template"
    );

    std::fs::write(dir.path().join("report.md.j2"), "# Mine\n{% for x in %}\n").expect("j2");
    let output = auditscope(&[
        "scan",
        "--mock",
        "mock/acme",
        "--templates",
        dir.path().to_str().expect("utf-8"),
        "--out",
        &path(&dir, "o"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("syntax error") && stderr.contains("report.md.j2:2"),
        "{stderr}"
    );
}
