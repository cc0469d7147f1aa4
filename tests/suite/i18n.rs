//! Languages: every text has a translation in each shipped language, no
//! translation is left in English, translated messages use the English
//! ones' variables, and the Japanese reports are snapshots, deterministic
//! and escaped.

use crate::{catalogue, scan};
use auditscope::i18n::Texts;
use auditscope::report::{Format, RenderOptions, Renderer};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The languages besides English that ship complete.
const LANGUAGES: &[&str] = &["ja"];

/// Fluent ids whose text may equal the English one: symbols and ids.
const SAME_AS_ENGLISH: &[&str] = &["none-dash", "baseline"];

fn variables(template: &str) -> BTreeSet<String> {
    let env = minijinja::Environment::new();
    env.template_from_str(template)
        .map(|t| t.undeclared_variables(true).into_iter().collect())
        .unwrap_or_default()
}

#[test]
fn every_check_and_control_has_a_text_in_every_language() {
    let catalogue = catalogue();
    let mut problems = Vec::new();
    for lang in LANGUAGES {
        let Some(translation) = catalogue.translations.get(*lang) else {
            problems.push(format!("{lang}: no translations at all"));
            continue;
        };
        for check in &catalogue.checks {
            let Some(text) = translation.checks.get(&check.id) else {
                problems.push(format!("{lang}: check {} has no translation", check.id));
                continue;
            };
            for (field, english, translated) in [
                ("title", &check.title, &text.title),
                ("description", &check.description, &text.description),
                ("rationale", &check.rationale, &text.rationale),
                ("remediation", &check.remediation.text, &text.remediation),
            ] {
                if translated.trim().is_empty() || translated.trim() == english.trim() {
                    problems.push(format!("{lang}: {}.{field} is not translated", check.id));
                }
            }
            let english = [
                ("pass", Some(&check.messages.pass)),
                ("fail", Some(&check.messages.fail)),
                ("skip", check.messages.skip.as_ref()),
                ("unknown", check.messages.unknown.as_ref()),
            ];
            for (key, english) in english {
                let Some(english) = english else { continue };
                let translated = text.messages.iter().find(|(k, _)| *k == key);
                let Some((_, translated)) = translated else {
                    problems.push(format!("{lang}: {}.messages.{key} is missing", check.id));
                    continue;
                };
                // A message that is only an expression (`{{ monitor.summary }}`)
                // is translated by the engine's catalogue.
                let only_expression = english.trim().starts_with("{{")
                    && english.trim().ends_with("}}")
                    && english.matches("{{").count() == 1;
                if translated == english && !only_expression {
                    problems.push(format!(
                        "{lang}: {}.messages.{key} is left in English",
                        check.id
                    ));
                }
                if variables(translated) != variables(english) {
                    problems.push(format!(
                        "{lang}: {}.messages.{key} uses {:?}, the English {:?}",
                        check.id,
                        variables(translated),
                        variables(english)
                    ));
                }
            }
        }
        for (id, framework) in &catalogue.frameworks {
            let Some(text) = translation.frameworks.get(id) else {
                problems.push(format!("{lang}: framework {id} has no translation"));
                continue;
            };
            if text.translation_source.trim().is_empty() {
                problems.push(format!(
                    "{lang}: framework {id} names no translation source"
                ));
            }
            for control in &framework.controls {
                match text.controls.get(&control.id) {
                    None => {
                        problems.push(format!("{lang}: control {id} {} has no title", control.id))
                    }
                    Some(title) if title.trim() == control.title.trim() => problems.push(format!(
                        "{lang}: control {id} {} is left in English",
                        control.id
                    )),
                    Some(_) => {}
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_fixed_string_has_a_text_in_every_language() {
    let english = Texts::load("en").expect("English catalogue");
    assert!(english.ids().len() > 100, "{}", english.ids().len());
    let mut problems = Vec::new();
    for lang in LANGUAGES {
        let texts = Texts::load(lang).expect("catalogue parses");
        for id in english.ids() {
            if !texts.ids().contains(id) {
                problems.push(format!("{lang}: `{id}` is missing"));
            } else if texts.get(id) == english.get(id) && !SAME_AS_ENGLISH.contains(&id.as_str()) {
                problems.push(format!("{lang}: `{id}` is left in English"));
            }
        }
        for id in texts.ids() {
            if !english.ids().contains(id) {
                problems.push(format!("{lang}: `{id}` is not an English id"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn japanese(format: Format) -> String {
    let mut catalogue = catalogue();
    catalogue.localize("ja");
    let texts = Arc::new(Texts::load("ja").expect("Japanese"));
    let result = crate::evaluate_file(
        &crate::root().join("mock/acme"),
        &catalogue,
        auditscope::engine::RunInfo {
            source: "mock:acme".into(),
            texts: Some(texts.clone()),
            ..Default::default()
        },
    );
    Renderer::new(None, texts)
        .expect("templates")
        .render(format, &result, &catalogue, &RenderOptions::default())
        .expect("render")
}

#[test]
fn japanese_markdown_report_snapshot() {
    insta::assert_snapshot!("acme_report_md_ja", japanese(Format::Markdown));
}

#[test]
fn japanese_reports_are_deterministic_and_keep_machine_values_english() {
    for format in [Format::Markdown, Format::Html] {
        assert_eq!(japanese(format), japanese(format));
    }
    let json: serde_json::Value =
        serde_json::from_str(&japanese(Format::Json)).expect("result.json");
    assert_eq!(json["scan"]["lang"], "ja");
    let english: serde_json::Value = serde_json::to_value(scan("acme")).expect("json");
    let machine = |v: &serde_json::Value| -> Vec<(String, String, String)> {
        v["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["check_id"].as_str().unwrap_or_default().to_owned(),
                    f["status"].as_str().unwrap_or_default().to_owned(),
                    f["severity"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(machine(&json), machine(&english));
}

/// Every sentence of the Japanese Markdown is Japanese: a line of report
/// text (not code, not a table of ids) with three English words in a row
/// outside backticks is a sentence left in English.
#[test]
fn the_japanese_report_has_no_english_sentences() {
    let report = japanese(Format::Markdown);
    let english_run = regex::Regex::new(r"\b[A-Za-z]{3,} [a-z]{2,} [a-z]{3,}\b").expect("regex");
    let mut in_code = false;
    let mut left = Vec::new();
    for line in report.lines() {
        if line.starts_with("```") || line.starts_with("~~~") {
            in_code = !in_code;
            continue;
        }
        if in_code || line.starts_with('{') || line.starts_with("<details><summary>") {
            continue;
        }
        // Code spans, and the sample events' summaries after them, name
        // API calls and identities, not prose.
        let text: String = line
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect::<Vec<_>>()
            .join(" ");
        if english_run.is_match(&text) {
            left.push(line.chars().take(200).collect::<String>());
        }
    }
    assert!(
        left.len() <= 5,
        "{} lines with English sentences:\n{}",
        left.len(),
        left.join("\n")
    );
}

/// The language comes from `--lang`, else from the locale (`ja_*` gives
/// Japanese); an unknown one is an error that lists the available ones.
#[test]
fn the_language_follows_the_flag_then_the_locale() {
    let show = |lang: Option<&str>, locale: &str| {
        let mut command = crate::binary();
        command.env("LANG", locale);
        command.args(["checks", "show", "cloudtrail-multi-region-logging"]);
        if let Some(lang) = lang {
            command.args(["--lang", lang]);
        }
        let output = command.output().expect("run");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (_, ja, _) = show(None, "ja_JP.UTF-8");
    assert!(
        ja.contains("チェック内容") && ja.contains("マルチリージョン証跡"),
        "{ja}"
    );
    let (_, en, _) = show(Some("en"), "ja_JP.UTF-8");
    assert!(en.contains("What it checks"), "{en}");
    let (_, c, _) = show(None, "C");
    assert!(c.contains("What it checks"), "{c}");
    let (code, _, error) = show(Some("xx"), "C");
    assert_eq!(code, Some(2));
    assert!(error.contains("available: en, ja"), "{error}");
}

/// Japanese sentences are joined as Japanese is written (no space after
/// 。, lists with 、), a status is not said twice, and a baseline is named
/// with a Japanese date.
#[test]
fn japanese_text_is_joined_as_japanese() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scan = |world: &str, out: &str, extra: &[&str]| {
        let out = dir.path().join(out);
        let mut command = crate::binary();
        command
            .current_dir(crate::root())
            .args(["scan", "--mock", world, "--lang", "ja", "--out"])
            .arg(&out)
            .args(extra);
        assert!(command.output().expect("run").status.success());
        out
    };
    let base = scan("mock/acme", "base", &["--format", "json"]);
    let baseline = base.join("result.json");
    let out = scan(
        "mock/scenarios/outside-scan.yaml",
        "outside",
        &[
            "--format",
            "md",
            "--baseline",
            baseline.to_str().expect("utf-8"),
        ],
    );
    let gaps = scan("mock/scenarios/gaps.yaml", "gaps", &["--format", "md"]);
    // A table cell may end "。 |"; inside a sentence no space follows 。.
    let gap = regex::Regex::new(r"。 [^|]").expect("regex");
    for file in [
        out.join("report.md"),
        out.join("diff.md"),
        gaps.join("report.md"),
    ] {
        let text = std::fs::read_to_string(&file).expect("report");
        let line = text.lines().find(|l| gap.is_match(l));
        assert!(
            line.is_none(),
            "{}: space after 。 in {line:?}",
            file.display()
        );
        for bad in ["評価不能: 評価不能", "; "] {
            let line = text.lines().find(|l| l.contains(bad));
            assert!(line.is_none(), "{}: `{bad}` in {line:?}", file.display());
        }
    }
    let diff = std::fs::read_to_string(out.join("diff.md")).expect("diff");
    assert!(diff.contains("にスキャン) との比較"), "{diff}");
    assert!(diff.contains("年") && diff.contains("月"), "{diff}");
}
