//! The binary: exit codes and clear errors, never a panic.

use crate::root;

pub fn auditscope(args: &[&str]) -> std::process::Output {
    crate::binary()
        .args(args)
        .current_dir(root())
        .output()
        .expect("run auditscope")
}

/// Scans `mock/acme` with `extra` arguments into a new directory and
/// asserts that the command succeeded.
pub fn scan_acme(extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let mut args = vec!["scan", "--mock", "mock/acme"];
    args.extend_from_slice(extra);
    args.extend(["--out", out.path().to_str().expect("utf-8")]);
    let output = auditscope(&args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

#[test]
fn scan_of_the_mock_organization_writes_three_reports() {
    let out = scan_acme(&[]);
    for file in ["result.json", "report.md", "report.html"] {
        assert!(out.path().join(file).exists(), "{file} missing");
    }
}

#[test]
fn bad_input_exits_2_with_a_message_and_no_panic() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "accounts: [{id: '111111111111', regions: [us-east-1], nope: 1}]\n",
    )
    .expect("write");
    let cases: Vec<Vec<&str>> = vec![
        vec![
            "scan",
            "--mock",
            bad.to_str().expect("utf-8"),
            "--out",
            dir.path().to_str().expect("utf-8"),
        ],
        vec!["scan", "--mock", "does/not/exist"],
        vec![
            "scan",
            "--mock",
            "mock/acme",
            "--param",
            "logs-retention-minimum.min_retention_days=soon",
        ],
        vec!["scan", "--mock", "mock/acme", "--framework", "sox"],
        vec!["checks", "show", "no-such-check"],
        vec!["checks", "validate", dir.path().to_str().expect("utf-8")],
    ];
    for args in cases {
        let output = auditscope(&args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}{stdout}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(
            !(stderr.trim().is_empty() && stdout.trim().is_empty()),
            "{args:?} says nothing"
        );
    }
}

#[test]
fn param_override_changes_the_outcome() {
    let out = scan_acme(&[
        "--format",
        "json",
        "--checks",
        "logs-retention-minimum",
        "--param",
        "logs-retention-minimum.min_retention_days=3",
    ]);
    let text = std::fs::read_to_string(out.path().join("result.json")).expect("result");
    let result: serde_json::Value = serde_json::from_str(&text).expect("json");
    let findings = result["findings"].as_array().expect("findings");
    assert!(!findings.is_empty());
    assert!(
        findings.iter().all(|f| f["status"] == "PASS"),
        "7-day retention passes a 3-day minimum"
    );
}

#[test]
fn checks_show_and_frameworks_list_work() {
    let output = auditscope(&["checks", "show", "cloudtrail-multi-region-logging"]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("Passes when") && text.contains("cis-aws-3.0: 3.1"),
        "{text}"
    );
    let output = auditscope(&["checks", "show", "alarm-root-account-usage"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("root-aws-service-event")
            && text.contains(
                "CredentialVerification: userIdentity.type=Root, eventType=AwsServiceEvent"
            )
            && text.contains("$.userIdentity.invokedBy NOT EXISTS"),
        "a monitor check shows its events and recommended pattern:\n{text}"
    );
    let output = auditscope(&["frameworks", "list"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("pci-dss-4.0"));
}

pub fn path(dir: &tempfile::TempDir, file: &str) -> String {
    dir.path().join(file).to_string_lossy().into_owned()
}

#[test]
fn fail_on_gates_on_severity() {
    // acme has a public trail bucket (critical) and no low-severity-only gap.
    let out = tempfile::tempdir().expect("tempdir");
    let run = |extra: &[&str]| {
        let mut args = vec!["scan", "--mock", "mock/acme", "--format", "json"];
        args.extend_from_slice(extra);
        let dir = path(&out, "o");
        args.extend(["--out", dir.as_str()]);
        auditscope(&args)
    };
    let output = run(&["--fail-on", "critical"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("gate:") && stderr.contains("at or above critical"),
        "{stderr}"
    );
    assert!(
        out.path().join("o/result.json").exists(),
        "reports are written before the gate"
    );
    assert_eq!(run(&[]).status.code(), Some(0));
    assert_eq!(run(&["--fail-on", "severe"]).status.code(), Some(2));
}

#[test]
fn baseline_diff_and_fail_on_new() {
    let before = scan_acme(&["--format", "json"]);
    let baseline = path(&before, "result.json");
    // Against itself: nothing new, so --fail-on-new passes even though
    // acme has failures.
    let again = scan_acme(&["--format", "json", "--baseline", &baseline, "--fail-on-new"]);
    let diff = std::fs::read_to_string(again.path().join("diff.md")).expect("diff.md");
    assert!(
        diff.starts_with("## Changes since the baseline\n\nCompared with ")
            && diff.contains("(mock:mock/acme, scanned ")
            && diff.contains("): 0 new failures, 0 resolved,"),
        "{diff}"
    );

    // The monitoring scenario fixes acme's six broken alarms in account
    // 111111111111 and breaks other things.
    let after = tempfile::tempdir().expect("tempdir");
    let after_dir = path(&after, "o");
    let output = auditscope(&[
        "scan",
        "--mock",
        "mock/scenarios/monitoring.yaml",
        "--format",
        "json",
        "--baseline",
        &baseline,
        "--fail-on-new",
        "--out",
        &after_dir,
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = auditscope(&["diff", &baseline, &path(&after, "o/result.json")]);
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    let resolved = text
        .split("### Resolved")
        .nth(1)
        .and_then(|s| s.split("###").next())
        .unwrap_or_else(|| panic!("a Resolved section:\n{text}"));
    assert!(
        resolved.contains("| `alarm-route-table-changes` | 111111111111 | global |"),
        "{resolved}"
    );
    // Failures of accounts not scanned this time are not "resolved".
    assert!(!resolved.contains("| 555555555555 |"), "{resolved}");
    let unassessed = text
        .split("### No longer assessed")
        .nth(1)
        .unwrap_or_else(|| panic!("a not-assessed section:\n{text}"));
    assert!(
        unassessed.contains("| 555555555555 |") && unassessed.contains("account not in this scan"),
        "{unassessed}"
    );
    assert!(text.contains("### New failures"), "{text}");
}
