//! Every check on a compliant and a non-compliant world: (check, world,
//! account, region, expected status). All findings of that check for that
//! account and region must have the status, and at least one must exist.

use crate::{catalogue, scan};
use auditscope::result::{ScanResult, Status};
use std::collections::{BTreeMap, BTreeSet};

use Status::{Error as E, Fail as F, Pass as P, Skip as S};

const ACME: &str = "acme";
const GAPS: &str = "scenarios/gaps.yaml";
const OUTSIDE: &str = "scenarios/outside-scan.yaml";
const DENIED: &str = "scenarios/access-denied.yaml";
const MONITORING: &str = "scenarios/monitoring.yaml";

const MGMT: &str = "111111111111";
const ARCHIVE: &str = "222222222222";
const SECURITY: &str = "333333333333";
const PROD: &str = "444444444444";
const DEV: &str = "555555555555";

const USE1: Option<&str> = Some("us-east-1");
const EUW1: Option<&str> = Some("eu-west-1");
const APNE1: Option<&str> = Some("ap-northeast-1");

#[rustfmt::skip]
const TABLE: &[(&str, &str, &str, Option<&str>, Status)] = &[
    ("cloudtrail-multi-region-logging", ACME, DEV, None, P), // the org trail covers a member whose own trail is single-region
    ("cloudtrail-multi-region-logging", GAPS, MGMT, None, F),
    ("cloudtrail-multi-region-logging", OUTSIDE, PROD, None, E),
    ("cloudtrail-region-coverage", ACME, PROD, APNE1, P),
    ("cloudtrail-region-coverage", GAPS, MGMT, USE1, P),
    ("cloudtrail-region-coverage", GAPS, MGMT, EUW1, F),
    ("cloudtrail-region-coverage", OUTSIDE, PROD, USE1, E),
    ("cloudtrail-log-file-validation", ACME, MGMT, USE1, P),
    ("cloudtrail-log-file-validation", ACME, DEV, USE1, F),
    ("cloudtrail-kms-encryption", ACME, MGMT, USE1, P),
    ("cloudtrail-kms-encryption", ACME, DEV, USE1, F),
    ("cloudtrail-kms-encryption", OUTSIDE, PROD, USE1, E),
    ("cloudtrail-kms-key-rotation", ACME, MGMT, USE1, P),
    ("cloudtrail-kms-key-rotation", GAPS, MGMT, USE1, F),
    ("cloudtrail-kms-key-rotation", ACME, DEV, USE1, S),
    ("cloudtrail-cloudwatch-logs", ACME, MGMT, USE1, P),
    ("cloudtrail-cloudwatch-logs", ACME, DEV, USE1, F),
    ("cloudtrail-cloudwatch-logs", GAPS, MGMT, USE1, F),
    ("cloudtrail-s3-delivery-healthy", ACME, MGMT, USE1, P),
    ("cloudtrail-s3-delivery-healthy", ACME, DEV, USE1, F),
    ("cloudtrail-s3-delivery-healthy", OUTSIDE, PROD, USE1, E),
    ("cloudtrail-log-retention", ACME, MGMT, USE1, P),
    ("cloudtrail-log-retention", ACME, DEV, USE1, P), // the organization's Lake event data store keeps 7 years
    ("cloudtrail-log-retention", GAPS, MGMT, USE1, F), // the bucket expires logs after 90 days
    ("cloudtrail-s3-data-events-write", ACME, PROD, None, P),
    ("cloudtrail-s3-data-events-write", GAPS, MGMT, None, F),
    ("cloudtrail-s3-data-events-write", OUTSIDE, PROD, None, E),
    ("cloudtrail-s3-data-events-read", ACME, DEV, None, P),
    ("cloudtrail-s3-data-events-read", GAPS, MGMT, None, F),
    ("cloudtrail-bucket-not-public", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-not-public", ACME, DEV, None, F),
    ("cloudtrail-bucket-not-public", DENIED, MGMT, None, E),
    ("cloudtrail-bucket-not-public", OUTSIDE, PROD, None, E),
    ("cloudtrail-bucket-access-logging", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-access-logging", ACME, DEV, None, F),
    ("cloudtrail-bucket-versioning", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-versioning", ACME, DEV, None, F),
    ("cloudtrail-bucket-immutable", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-immutable", ACME, DEV, None, F),
    ("cloudtrail-bucket-secure-transport", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-secure-transport", ACME, DEV, None, F),
    ("cloudtrail-bucket-secure-transport", DENIED, MGMT, None, E),
    ("cloudtrail-lake-event-data-store-protected", ACME, MGMT, USE1, P),
    ("cloudtrail-lake-event-data-store-protected", ACME, DEV, USE1, F),
    ("cloudtrail-bucket-replication", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-replication", ACME, DEV, None, F),
    ("cloudtrail-bucket-separate-account", ACME, ARCHIVE, None, P),
    ("cloudtrail-bucket-separate-account", ACME, DEV, None, F),
    ("cloudtrail-organization-trail", ACME, MGMT, None, P),
    ("cloudtrail-organization-trail", GAPS, MGMT, None, F),
    ("cloudtrail-organization-trail", OUTSIDE, MGMT, None, S),
    ("cloudtrail-organization-trail", DENIED, MGMT, None, S),
    ("logs-retention-minimum", ACME, PROD, EUW1, P),
    ("logs-retention-minimum", ACME, DEV, USE1, F),
    ("logs-kms-encryption", ACME, PROD, EUW1, P),
    ("logs-kms-encryption", ACME, DEV, USE1, F),
    ("logs-data-protection-policy", ACME, PROD, EUW1, P),
    ("logs-data-protection-policy", ACME, DEV, USE1, F),
    ("guardduty-enabled", ACME, PROD, EUW1, P),
    ("guardduty-enabled", ACME, DEV, EUW1, F),
    ("guardduty-enabled", DENIED, MGMT, EUW1, E),
    ("guardduty-enabled", DENIED, MGMT, USE1, P), // the error was in eu-west-1 only
    ("guardduty-org-auto-enable", ACME, MGMT, None, P),
    ("guardduty-org-auto-enable", GAPS, MGMT, None, F),
    ("guardduty-org-auto-enable", OUTSIDE, MGMT, None, E),
    ("guardduty-org-auto-enable", DENIED, MGMT, None, S),
    ("securityhub-org-auto-enable", ACME, MGMT, None, P), // central configuration
    ("securityhub-org-auto-enable", GAPS, MGMT, None, F),
    ("securityhub-org-auto-enable", OUTSIDE, MGMT, None, E),
    ("securityhub-org-auto-enable", DENIED, MGMT, None, S),
    ("guardduty-high-findings-unresolved", ACME, PROD, USE1, P),
    ("guardduty-high-findings-unresolved", ACME, DEV, USE1, F),
    ("guardduty-high-findings-unresolved", ACME, DEV, EUW1, S),
    ("guardduty-findings-notified", ACME, SECURITY, USE1, P),
    ("guardduty-findings-notified", GAPS, MGMT, USE1, F),
    ("guardduty-findings-notified", ACME, PROD, USE1, S),
    ("vpc-flow-logs-enabled", ACME, PROD, EUW1, P),
    ("vpc-flow-logs-enabled", ACME, PROD, APNE1, P), // the payments VPC: REJECT flow logs on every subnet
    ("vpc-flow-logs-enabled", ACME, DEV, EUW1, F), // ACCEPT only
    ("vpc-flow-logs-enabled", GAPS, MGMT, USE1, F), // delivery FAILED
    ("vpc-flow-logs-enabled", DENIED, MGMT, EUW1, E), // ec2:DescribeVpcs denied
    ("vpc-flow-logs-enabled", MONITORING, MGMT, USE1, E), // VPCs not collected
    ("route53-resolver-query-logging", ACME, PROD, APNE1, P), // shared from the log archive through RAM
    ("route53-resolver-query-logging", ACME, DEV, EUW1, F), // association FAILED
    ("route53-resolver-query-logging", GAPS, MGMT, USE1, F),
    ("route53-resolver-query-logging", DENIED, MGMT, EUW1, E),
    ("securityhub-enabled", ACME, PROD, USE1, P),
    ("securityhub-enabled", ACME, DEV, APNE1, F), // not enabled
    ("securityhub-enabled", ACME, DEV, EUW1, F), // enabled without a standard
    ("securityhub-enabled", GAPS, MGMT, EUW1, F),
    ("securityhub-enabled", DENIED, MGMT, USE1, E), // securityhub:GetEnabledStandards denied
    ("securityhub-enabled", MONITORING, MGMT, USE1, E), // not collected
    ("securitylake-enabled", ACME, PROD, USE1, P), // the security account's rollup region
    ("securitylake-enabled", ACME, PROD, EUW1, P), // a contributing region
    ("securitylake-enabled", ACME, DEV, EUW1, F), // no ROUTE53 source for dev
    ("securitylake-enabled", ACME, PROD, APNE1, F), // not in Security Lake
    ("securitylake-enabled", MONITORING, MGMT, USE1, E), // not collected
    ("config-recorder-enabled", ACME, PROD, APNE1, P),
    ("config-recorder-enabled", ACME, DEV, APNE1, F),
    ("alarm-unauthorized-api-calls", MONITORING, MGMT, None, P),
    ("alarm-unauthorized-api-calls", ACME, DEV, None, F), // the CIS v1.4.0 all-|| filter matches nearly every event
    ("alarm-console-signin-without-mfa", MONITORING, MGMT, None, P),
    ("alarm-console-signin-without-mfa", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-console-signin-without-mfa", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-root-account-usage", MONITORING, MGMT, None, P),
    ("alarm-root-account-usage", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-root-account-usage", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-iam-policy-changes", MONITORING, MGMT, None, P),
    ("alarm-iam-policy-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-iam-policy-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-cloudtrail-changes", MONITORING, MGMT, None, P),
    ("alarm-cloudtrail-changes", ACME, DEV, None, F), // alarm actions disabled
    ("alarm-console-auth-failures", MONITORING, MGMT, None, P),
    ("alarm-console-auth-failures", ACME, DEV, None, F), // topic with only a pending subscription
    ("alarm-kms-cmk-disable-or-deletion", MONITORING, MGMT, None, P),
    ("alarm-kms-cmk-disable-or-deletion", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-kms-cmk-disable-or-deletion", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-s3-bucket-policy-changes", MONITORING, MGMT, None, P),
    ("alarm-s3-bucket-policy-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-s3-bucket-policy-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-config-changes", MONITORING, MGMT, None, P),
    ("alarm-config-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-config-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-security-group-changes", MONITORING, MGMT, None, P),
    ("alarm-security-group-changes", ACME, DEV, None, F), // alarm in another namespace
    ("alarm-nacl-changes", MONITORING, MGMT, None, P),
    ("alarm-nacl-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-nacl-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-network-gateway-changes", MONITORING, MGMT, None, P),
    ("alarm-network-gateway-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-network-gateway-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-route-table-changes", MONITORING, MGMT, None, P),
    ("alarm-route-table-changes", ACME, DEV, None, F), // filter lacks CreateRoute (has CreateRouteTable)
    ("alarm-vpc-changes", MONITORING, MGMT, None, P),
    ("alarm-vpc-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-vpc-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-organizations-changes", MONITORING, MGMT, None, P),
    ("alarm-organizations-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-organizations-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-snapshot-sharing", MONITORING, MGMT, None, P),
    ("alarm-snapshot-sharing", ACME, DEV, None, F), // no filter
    ("alarm-ec2-instance-changes", MONITORING, MGMT, None, P),
    ("alarm-ec2-instance-changes", ACME, DEV, None, P), // via the organization trail's log group
    ("alarm-ec2-instance-changes", GAPS, MGMT, None, F), // no trail delivers to CloudWatch Logs
    ("alarm-root-account-usage", OUTSIDE, PROD, None, E),
    ("alarm-vpc-flow-log-rejects", ACME, PROD, EUW1, P), // custom format, REJECT-only flow log to CloudWatch Logs
    ("alarm-vpc-flow-log-rejects", ACME, DEV, EUW1, F), // flow log only to S3
    ("alarm-vpc-flow-log-rejects", GAPS, MGMT, USE1, F), // delivery FAILED
    ("alarm-vpc-flow-log-rejects", DENIED, MGMT, EUW1, E), // ec2:DescribeVpcs denied
    ("alarm-vpc-flow-log-rejects", MONITORING, MGMT, USE1, E), // VPCs not collected // the log group is in the unscanned management account
];

#[test]
fn every_check_meets_its_expected_status_on_every_world() {
    let mut results: BTreeMap<&str, ScanResult> = BTreeMap::new();
    let mut problems = Vec::new();
    for (check, world, account, region, expected) in TABLE {
        let result = results.entry(world).or_insert_with(|| scan(world));
        let found: Vec<_> = result
            .findings
            .iter()
            .filter(|f| {
                &*f.check_id == *check
                    && &*f.account_id == *account
                    && f.region.as_deref() == *region
            })
            .collect();
        if found.is_empty() {
            problems.push(format!(
                "{check} on {world} {account} {region:?}: no finding"
            ));
        }
        for finding in found {
            if finding.status != *expected {
                problems.push(format!(
                    "{check} on {world} {account} {region:?}: expected {expected:?}, got {:?}: {}",
                    finding.status, finding.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_check_has_a_passing_and_a_failing_world_in_the_table() {
    let mut statuses: BTreeMap<&str, BTreeSet<Status>> = BTreeMap::new();
    for (check, _, _, _, status) in TABLE {
        statuses.entry(check).or_default().insert(*status);
    }
    let missing: Vec<String> = catalogue()
        .checks
        .iter()
        .filter(|c| {
            let s = statuses.get(c.id.as_str());
            !s.is_some_and(|s| s.contains(&P) && s.contains(&F))
        })
        .map(|c| c.id.clone())
        .collect();
    assert!(
        missing.is_empty(),
        "checks without a PASS and a FAIL row: {missing:?}"
    );
}

#[test]
fn errors_name_the_failed_operation_and_the_action_to_grant() {
    let result = scan(DENIED);
    let finding = result
        .findings
        .iter()
        .find(|f| &*f.check_id == "guardduty-enabled" && f.status == E)
        .expect("an ERROR finding for guardduty-enabled");
    assert!(
        finding.message.contains("guardduty:ListDetectors"),
        "{}",
        finding.message
    );
    assert!(
        finding.message.contains("grant guardduty:ListDetectors"),
        "{}",
        finding.message
    );
    assert_eq!(
        result.errors.len(),
        4,
        "collection errors are carried into the result"
    );
    let vpcs = result
        .findings
        .iter()
        .find(|f| &*f.check_id == "vpc-flow-logs-enabled" && f.status == E)
        .expect("an ERROR finding for vpc-flow-logs-enabled");
    assert!(
        vpcs.message.contains("ec2:DescribeVpcs") && vpcs.message.contains("eu-west-1"),
        "{}",
        vpcs.message
    );
}

#[test]
fn excluded_management_sources_show_in_evidence() {
    let result = scan(ACME);
    let finding = result
        .findings
        .iter()
        .find(|f| &*f.check_id == "cloudtrail-multi-region-logging" && &*f.account_id == DEV)
        .expect("finding");
    let trails = finding.evidence["trails"]
        .as_array()
        .expect("trails evidence");
    assert!(trails.iter().any(|t| t["arn"]
        .as_str()
        .is_some_and(|a| a.ends_with("trail/dev-trail"))
        && t["read"] == false));
}

#[test]
fn findings_are_sorted_and_summary_adds_up() {
    let result = scan(ACME);
    let keys: Vec<_> = result.findings.iter().map(|f| f.key()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let total: u64 = result.summary.by_status.values().sum();
    assert_eq!(total as usize, result.findings.len());
    let nist = &result.summary.by_framework["nist-800-53-r5"];
    assert!(
        nist.controls_manual > 0,
        "uncovered controls are reported as manual"
    );
    assert_eq!(
        nist.controls_total,
        catalogue().frameworks["nist-800-53-r5"].controls.len() as u64
    );
}

#[test]
fn every_message_renders_in_every_world() {
    // A message template that reads an unbound variable must show up here,
    // not as "(message could not be rendered …)" in an auditor's report.
    for world in [
        "acme",
        "scenarios/gaps.yaml",
        "scenarios/outside-scan.yaml",
        "scenarios/access-denied.yaml",
        "scenarios/monitoring.yaml",
    ] {
        let result = scan(world);
        for f in &result.findings {
            assert!(
                !f.message.contains("could not be rendered") && !f.message.trim().is_empty(),
                "{world}: {} on {}: {}",
                f.check_id,
                f.resource.id,
                f.message
            );
        }
    }
}
