//! The binary: exit codes and clear errors, never a panic.

use crate::root;
use std::process::Command;

fn auditscope(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_auditscope"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("run auditscope")
}

/// Scans `mock/acme` with `extra` arguments into a new directory and
/// asserts that the command succeeded.
fn scan_acme(extra: &[&str]) -> tempfile::TempDir {
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
            && text.contains("CredentialVerification by Root (AwsServiceEvent)")
            && text.contains("$.userIdentity.invokedBy NOT EXISTS"),
        "a monitor check shows its events and recommended pattern:\n{text}"
    );
    let output = auditscope(&["frameworks", "list"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("pci-dss-4.0"));
}
