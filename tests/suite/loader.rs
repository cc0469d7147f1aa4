//! Bad check files and bad mock worlds give every problem, located.

use crate::root;
use auditscope::checks;
use std::fs;

fn checks_dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join("frameworks")).expect("mkdir");
    for entry in fs::read_dir(root().join("checks/frameworks")).expect("frameworks") {
        let entry = entry.expect("entry");
        fs::copy(
            entry.path(),
            dir.path().join("frameworks").join(entry.file_name()),
        )
        .expect("copy");
    }
    for (name, text) in files {
        fs::write(dir.path().join(name), text).expect("write");
    }
    dir
}

const GOOD: &str = r#"id: ID
title: t
severity: low
description: d
rationale: r
scope: trail
parameters:
  limit: 3
assert: ASSERT
messages:
  pass: ok
  fail: bad
remediation:
  text: fix
references: [https://example.com]
frameworks:
  nist-800-53-r5: [AU-2]
"#;

fn check(id: &str, assert: &str) -> String {
    GOOD.replace("ID", id).replace("ASSERT", assert)
}

#[test]
fn all_problems_in_all_files_are_reported_with_positions() {
    let dir = checks_dir_with(&[
        (
            "good.yaml",
            &check("good", "trail.log_file_validation_enabled"),
        ),
        (
            "cel-error.yaml",
            &check("cel-error", "trail.name == 'x' &&"),
        ),
        (
            "unknown-var.yaml",
            &check("unknown-var", "trial.name == 'x'"),
        ),
        (
            "unknown-param.yaml",
            &check("unknown-param", "size(trail.insight_types) < params.limt"),
        ),
        ("stem.yaml", &check("not-the-stem", "true")),
        (
            "unknown-key.yaml",
            &check("unknown-key", "true").replace("rationale: r", "rationale: r\nasert: true"),
        ),
        (
            "wrong-type.yaml",
            &check("wrong-type", "true").replace("severity: low", "severity: [low]"),
        ),
        (
            "bad-control.yaml",
            &check("bad-control", "true").replace("[AU-2]", "[AU-2, AU-99]"),
        ),
        (
            "bad-framework.yaml",
            &check("bad-framework", "true").replace("nist-800-53-r5:", "nist-800-53-r4:"),
        ),
        ("syntax.yaml", "id: syntax\ntitle: [unclosed\n"),
        ("dup-a.yaml", &check("dup-a", "true")),
    ]);
    // a second file claiming the id of another
    fs::write(dir.path().join("dup-a.yml"), check("dup-a", "true")).expect("write");
    let problems = checks::load_dir(dir.path())
        .expect_err("must fail")
        .to_string();
    let expect = [
        ("cel-error.yaml:9:", "invalid CEL in `assert`"),
        ("unknown-var.yaml:9:9", "unknown variable `trial`"),
        ("unknown-param.yaml:9:", "unknown parameter `params.limt`"),
        ("stem.yaml:1:5", "must equal the file name `stem`"),
        ("unknown-key.yaml:6:1", "unknown field `asert`"),
        ("wrong-type.yaml:3:", "severity"),
        ("bad-control.yaml:17:", "unknown control `AU-99`"),
        (
            "bad-framework.yaml:17:",
            "unknown framework `nist-800-53-r4`",
        ),
        ("syntax.yaml:2:", "expected"),
        ("dup-a.yml:1:", "duplicate check id"),
    ];
    for (location, message) in expect {
        let hit = problems
            .split("\nerror: ")
            .any(|block| block.contains(location) && block.contains(message));
        assert!(hit, "expected `{message}` at `{location}` in:\n{problems}");
    }
    assert!(
        problems.contains("(check unknown-var)"),
        "diagnostics name the check:\n{problems}"
    );
    assert!(
        problems.contains("^"),
        "diagnostics show a caret:\n{problems}"
    );
    assert!(!problems.contains("good.yaml"), "{problems}");
}

#[test]
fn bundled_checks_validate() {
    let catalogue = crate::catalogue();
    assert_eq!(catalogue.checks.len(), 50);
    assert_eq!(
        catalogue
            .checks
            .iter()
            .filter(|c| c.monitor.is_some())
            .count(),
        18
    );
    assert_eq!(catalogue.frameworks.len(), 4);
}

#[test]
fn bad_mock_files_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("world.yaml");
    fs::write(
        &path,
        "accounts:\n  - id: '111111111111'\n    regions: [us-east-1]\n    trials: []\n",
    )
    .expect("write");
    let error = auditscope::collect::mock::load(&path)
        .expect_err("unknown field")
        .to_string();
    assert!(
        error.contains("world.yaml:4:5") && error.contains("unknown field `trials`"),
        "{error}"
    );

    fs::write(
        &path,
        "accounts:\n  - id: '111111111111'\n    regions: us-east-1\n",
    )
    .expect("write");
    let error = auditscope::collect::mock::load(&path)
        .expect_err("wrong type")
        .to_string();
    assert!(error.contains("world.yaml:3:"), "{error}");

    fs::write(&path, "accounts:\n  - id: '12'\n").expect("write");
    let error = auditscope::collect::mock::load(&path)
        .expect_err("bad id")
        .to_string();
    assert!(error.contains("not 12 digits"), "{error}");
}

#[test]
fn parameter_overrides_are_type_checked() {
    let mut catalogue = crate::catalogue();
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert(
        "logs-retention-minimum".to_owned(),
        [(
            "min_retention_days".to_owned(),
            checks::ParamValue::Text("a year".into()),
        )]
        .into(),
    );
    overrides.insert("no-such-check".to_owned(), Default::default());
    let problems = catalogue
        .override_parameters(&overrides)
        .expect_err("must fail")
        .join("\n");
    assert!(
        problems.contains("must be a integer") || problems.contains("must be a"),
        "{problems}"
    );
    assert!(
        problems.contains("unknown check `no-such-check`"),
        "{problems}"
    );
}

const MONITORED: &str = r#"id: ID
title: t
severity: low
description: d
rationale: r
scope: SCOPE
monitor:
  metric: Changes
  pattern: PATTERN
  must_match: [MATCH]
  must_not_match: [describe]
assert: monitor.passed
messages:
  pass: ok
  fail: bad
remediation:
  text: fix
references: [https://example.com]
frameworks:
  nist-800-53-r5: [AU-6]
"#;

fn monitored(id: &str, scope: &str, pattern: &str, must_match: &str) -> String {
    MONITORED
        .replace("ID", id)
        .replace("SCOPE", scope)
        .replace("PATTERN", pattern)
        .replace("MATCH", must_match)
}

#[test]
fn monitor_problems_are_located() {
    let dir = checks_dir_with(&[
        (
            "good.yaml",
            &monitored("good", "account", "'{ $.eventName = StopLogging }'", "stop"),
        ),
        (
            "unknown-event.yaml",
            &monitored(
                "unknown-event",
                "account",
                "'{ $.eventName = StopLogging }'",
                "stopp",
            ),
        ),
        (
            "misses.yaml",
            &monitored(
                "misses",
                "account",
                "'{ $.eventName = StartLogging }'",
                "stop",
            ),
        ),
        (
            "too-broad.yaml",
            &monitored("too-broad", "account", "'{ $.eventName = * }'", "stop"),
        ),
        (
            "invalid.yaml",
            &monitored("invalid", "account", "'{ $.eventName = }'", "stop"),
        ),
        (
            "wrong-scope.yaml",
            &monitored(
                "wrong-scope",
                "trail",
                "'{ $.eventName = StopLogging }'",
                "stop",
            ),
        ),
        ("no-monitor.yaml", &check("no-monitor", "monitor.passed")),
    ]);
    fs::create_dir(dir.path().join("events")).expect("mkdir");
    for (name, event) in [("stop", "StopLogging"), ("describe", "DescribeTrails")] {
        let record = serde_json::json!({
            "eventVersion": "1.09", "eventSource": "cloudtrail.amazonaws.com",
            "eventName": event, "readOnly": event.starts_with("Describe"),
        });
        fs::write(
            dir.path().join(format!("events/{name}.json")),
            record.to_string(),
        )
        .expect("write");
    }
    fs::write(
        dir.path().join("events/broken.json"),
        "{\n  \"eventName\": \n}",
    )
    .expect("write");
    let problems = checks::load_dir(dir.path())
        .expect_err("must fail")
        .to_string();
    let expect = [
        ("unknown-event.yaml:10:", "unknown sample event `stopp`"),
        ("unknown-event.yaml:10:", "did you mean `stop`"),
        ("misses.yaml:9:", "does not match must_match event `stop`"),
        (
            "too-broad.yaml:9:",
            "matches must_not_match event `describe`",
        ),
        (
            "invalid.yaml:9:",
            "invalid filter pattern in `monitor.pattern`",
        ),
        ("wrong-scope.yaml:", "must have `scope: account`"),
        ("no-monitor.yaml:9:", "unknown variable `monitor`"),
        ("broken.json:3:", "invalid JSON in sample event"),
    ];
    for (location, message) in expect {
        assert!(
            problems
                .split("\nerror: ")
                .any(|p| p.contains(location) && p.contains(message)),
            "expected `{message}` at `{location}` in:\n{problems}"
        );
    }
    assert!(!problems.contains("good.yaml"), "{problems}");
}
