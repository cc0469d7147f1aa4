//! The verdict worlds of the shared cases (`tests/fixtures/verdicts/`,
//! copies of `../shared/cases/verdicts/`): each stood for a kind of false
//! PASS or misjudged configuration, and each must keep its right verdict.
//! The kinds themselves are covered further by the table and property
//! tests of `engine::policy`, `engine::alarm`, `event_pattern` and
//! `filter_pattern`.

use crate::{catalogue, root};
use auditscope::engine::RunInfo;
use auditscope::result::{ScanResult, Status};

use Status::{Error as E, Fail as F, Pass as P, Skip as S};

fn scan(name: &str) -> ScanResult {
    crate::evaluate_file(
        &root()
            .join("tests/fixtures/verdicts")
            .join(format!("{name}.yaml")),
        &catalogue(),
        RunInfo {
            source: format!("snapshot:{name}"),
            ..Default::default()
        },
    )
}

/// (world, check, region (None: any), expected status, why).
#[rustfmt::skip]
const TABLE: &[(&str, &str, Option<&str>, Status, &str)] = &[
    ("s3-secure-transport-other-bucket", "cloudtrail-bucket-secure-transport", None, F,
     "the Deny's Resource names another bucket"),
    ("s3-secure-transport-objects-only", "cloudtrail-bucket-secure-transport", None, F,
     "bucket-level requests over HTTP are not denied"),
    ("s3-public-vpce-wildcard", "cloudtrail-bucket-not-public", None, F,
     "a wildcard aws:SourceVpce restricts nothing"),
    ("s3-public-vpce-condition", "cloudtrail-bucket-not-public", None, P,
     "a fixed aws:SourceVpce makes the grant non-public"),
    ("min-unauth-credited-to-ec2-filter", "alarm-unauthorized-api-calls", None, F,
     "a filter for one EC2 error code misses AccessDenied elsewhere"),
    ("ct-advanced-data-only", "cloudtrail-region-coverage", Some("us-east-1"), F,
     "a data-event-only trail records no management events"),
    ("kms-rotation-unsupported-keys", "cloudtrail-kms-key-rotation", None, S,
     "KMS cannot rotate such keys"),
    ("gd-eventbridge-detail-type-only", "guardduty-findings-notified", None, P,
     "a rule on detail-type alone matches every finding"),
    ("logs-account-dp-policy", "logs-data-protection-policy", None, P,
     "an account-level data protection policy covers the group"),
    ("alarm-m-of-n-notbreaching", "alarm-root-account-usage", None, F,
     "2 of 3 datapoints with missing data not breaching never fires on one event"),
    ("alarm-metric-math", "alarm-root-account-usage", None, P,
     "FILL(m, 0) reaches the threshold on one event"),
];

#[test]
fn every_shared_verdict_world_gets_its_right_verdict() {
    let mut problems = Vec::new();
    for (world, check, region, expected, why) in TABLE {
        let result = scan(world);
        let found: Vec<_> = result
            .findings
            .iter()
            .filter(|f| {
                &*f.check_id == *check && region.is_none_or(|r| f.region.as_deref() == Some(r))
            })
            .collect();
        if found.is_empty() {
            problems.push(format!("{world}: no {check} finding"));
        }
        for f in found {
            if f.status != *expected {
                problems.push(format!(
                    "{world}: {check} {:?} is {:?}, expected {expected:?} ({why}): {}",
                    f.region, f.status, f.message
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_shared_verdict_world_is_in_the_table() {
    let dir = root().join("tests/fixtures/verdicts");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("verdict fixtures")
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".yaml"))
                .map(str::to_owned)
        })
        .collect();
    files.sort();
    let missing: Vec<&String> = files
        .iter()
        .filter(|f| !TABLE.iter().any(|(w, ..)| w == f))
        .collect();
    assert!(
        missing.is_empty(),
        "verdict worlds without a row: {missing:?}"
    );
}

/// A trail bucket absent from a one-account scan is "not found in this
/// account" (it may be another account's, or gone), not "outside the
/// scan"; an organization scan says how many accounts it looked in.
#[test]
fn a_missing_trail_bucket_is_described_by_what_the_scan_covered() {
    let one = scan("ct-advanced-data-only");
    let finding = one
        .findings
        .iter()
        .find(|f| &*f.check_id == "cloudtrail-bucket-versioning")
        .expect("bucket finding");
    assert_eq!(finding.status, E);
    assert!(
        finding
            .message
            .contains("was not found in account 111111111111, the only account scanned"),
        "{}",
        finding.message
    );
    assert!(
        !finding.message.contains("outside the scan"),
        "{}",
        finding.message
    );

    let org = crate::scan("scenarios/outside-scan.yaml");
    let messages: Vec<&str> = org
        .findings
        .iter()
        .filter(|f| f.status == E && f.message.contains("was not found in"))
        .map(|f| f.message.as_str())
        .collect();
    assert!(!messages.is_empty());
    assert!(
        messages
            .iter()
            .all(|m| m.contains("scanned accounts: it belongs to an account outside the scan")),
        "{messages:#?}"
    );
}

/// `cloudtrail-bucket-replication`: a rule counts only when it is enabled,
/// not limited by tags, covers where the trails write and goes elsewhere.
#[test]
fn replication_must_cover_every_trails_log_prefix() {
    use auditscope::model::ReplicationRule;
    let base = auditscope::collect::mock::load(&root().join("mock/acme"))
        .unwrap_or_else(|d| panic!("{d}"));
    let status = |edit: &dyn Fn(&mut ReplicationRule)| -> Vec<Status> {
        let mut snapshot = base.clone();
        for bucket in snapshot.accounts.iter_mut().flat_map(|a| &mut a.buckets) {
            if let Some(replication) = &mut bucket.replication {
                replication.rules.iter_mut().for_each(edit);
            }
        }
        auditscope::engine::run(&snapshot, &catalogue(), RunInfo::default())
            .findings
            .iter()
            .filter(|f| {
                &*f.check_id == "cloudtrail-bucket-replication"
                    && f.resource.id.ends_with(":::acme-org-cloudtrail-logs")
            })
            .map(|f| f.status)
            .collect()
    };
    assert_eq!(status(&|_| {}), [P], "a rule for the whole bucket");
    assert_eq!(status(&|r| r.prefix = Some("AWSLogs/".into())), [P]);
    assert_eq!(
        status(&|r| r.prefix = Some("AWSLogs/1111".into())),
        [F],
        "only some accounts' logs"
    );
    assert_eq!(status(&|r| r.prefix = Some("config/".into())), [F]);
    assert_eq!(status(&|r| r.tag_filtered = true), [F]);
    assert_eq!(
        status(&|r| r.replicates_kms_objects = false),
        [F],
        "the logs are SSE-KMS encrypted, which S3 replicates only when asked"
    );
    assert_eq!(status(&|r| r.status = "Disabled".into()), [F]);
    assert_eq!(
        status(&|r| r.destination_bucket = "arn:aws:s3:::acme-org-cloudtrail-logs".into()),
        [F],
        "to itself"
    );
}

/// `securityhub-org-auto-enable`: central configuration counts when it is
/// ENABLED; local configuration needs AutoEnable in every region.
#[test]
fn security_hub_members_are_enabled_centrally_or_in_every_region() {
    use auditscope::model::SecurityHubOrgConfiguration;
    let base = auditscope::collect::mock::load(&root().join("mock/acme"))
        .unwrap_or_else(|d| panic!("{d}"));
    let judge = |edit: &dyn Fn(&str, &mut SecurityHubOrgConfiguration)| {
        let mut snapshot = base.clone();
        for account in &mut snapshot.accounts {
            for facts in &mut account.region_facts {
                let region = facts.region.clone();
                if let Some(config) = facts
                    .security_hub
                    .as_mut()
                    .and_then(|h| h.organization_configuration.as_mut())
                {
                    edit(&region, config);
                }
            }
        }
        let result = auditscope::engine::run(&snapshot, &catalogue(), RunInfo::default());
        let finding = result
            .findings
            .iter()
            .find(|f| &*f.check_id == "securityhub-org-auto-enable")
            .expect("one finding");
        (finding.status, finding.message.clone())
    };
    assert_eq!(judge(&|_, _| {}).0, P, "central configuration, ENABLED");
    assert_eq!(judge(&|_, c| c.status = Some("PENDING".into())).0, F);
    let local = |auto_enable_in_tokyo: bool| {
        move |region: &str, c: &mut SecurityHubOrgConfiguration| {
            c.configuration_type = Some("LOCAL".into());
            c.auto_enable = region != "ap-northeast-1" || auto_enable_in_tokyo;
        }
    };
    assert_eq!(judge(&local(true)).0, P, "local, auto-enable everywhere");
    let (status, message) = judge(&local(false));
    assert_eq!(status, F);
    assert!(message.ends_with("(ap-northeast-1)."), "{message}");
}

/// A CloudTrail Lake event data store keeps a trail's logs only when it
/// is protected, keeps them long enough and the trail records nothing
/// but management events; when the stores were not read, a trail that
/// fails by itself is ERROR, not FAIL.
#[test]
fn a_lake_event_data_store_can_keep_a_trails_logs() {
    use auditscope::model::{DataResource, EventDataStore, Snapshot};
    let base = auditscope::collect::mock::load(&root().join("mock/acme"))
        .unwrap_or_else(|d| panic!("{d}"));
    let judge = |edit: &dyn Fn(&mut Snapshot)| -> Vec<Status> {
        let mut snapshot = base.clone();
        edit(&mut snapshot);
        auditscope::engine::run(&snapshot, &catalogue(), RunInfo::default())
            .findings
            .iter()
            .filter(|f| {
                &*f.check_id == "cloudtrail-log-retention" && f.resource.id.ends_with("/dev-trail")
            })
            .map(|f| f.status)
            .collect()
    };
    let org_store = |snapshot: &mut Snapshot, edit: &dyn Fn(&mut EventDataStore)| {
        for facts in snapshot
            .accounts
            .iter_mut()
            .flat_map(|a| &mut a.region_facts)
        {
            for store in facts.event_data_stores.iter_mut().flatten() {
                if store.organization_enabled == Some(true) {
                    edit(store);
                }
            }
        }
    };
    assert_eq!(
        judge(&|_| {}),
        [P],
        "the organization's store keeps 7 years"
    );
    assert_eq!(
        judge(&|s| org_store(s, &|e| e.termination_protection_enabled = Some(false))),
        [F]
    );
    assert_eq!(
        judge(&|s| org_store(s, &|e| e.retention_period = Some(90))),
        [F]
    );
    assert_eq!(
        judge(&|s| org_store(s, &|e| e.multi_region_enabled = Some(false))),
        [F]
    );
    assert_eq!(
        judge(&|s| org_store(s, &|e| e.status = Some("STOPPED_INGESTION".into()))),
        [F]
    );
    let with_data_events = |s: &mut Snapshot| {
        for trail in s.accounts.iter_mut().flat_map(|a| &mut a.trails) {
            if trail.name == "dev-trail" {
                trail.event_selectors[0].data_resources = vec![DataResource {
                    resource_type: "AWS::S3::Object".into(),
                    values: vec!["arn:aws:s3".into()],
                }];
            }
        }
    };
    assert_eq!(
        judge(&with_data_events),
        [F],
        "the store has no data events"
    );
    let unread = |s: &mut Snapshot| {
        for account in s.accounts.iter_mut().filter(|a| a.id == "555555555555") {
            account.region_facts[0].event_data_stores = None;
        }
        org_store(s, &|e| e.retention_period = Some(90));
    };
    assert_eq!(
        judge(&unread),
        [E],
        "a store of the account could keep them"
    );
}

/// `alarm-vpc-flow-log-rejects` judges filters on records in the flow
/// log's own format: a filter written for the default format does not
/// match a custom-format flow log, and the fix gives the pattern for the
/// flow log's fields; a flow log of ACCEPT traffic writes no REJECT record.
#[test]
fn flow_log_filters_are_judged_in_the_flow_logs_format() {
    use auditscope::model::Snapshot;
    let base = auditscope::collect::mock::load(&root().join("mock/scenarios/network.yaml"))
        .unwrap_or_else(|d| panic!("{d}"));
    let judge = |edit: &dyn Fn(&mut Snapshot)| {
        let mut snapshot = base.clone();
        edit(&mut snapshot);
        let result = auditscope::engine::run(&snapshot, &catalogue(), RunInfo::default());
        let finding = result
            .findings
            .iter()
            .find(|f| &*f.check_id == "alarm-vpc-flow-log-rejects")
            .expect("one finding");
        (
            finding.status,
            finding.message.clone(),
            finding.evidence.clone(),
        )
    };
    assert_eq!(judge(&|_| {}).0, P);
    let default_format_filter = |s: &mut Snapshot| {
        let facts = &mut s.accounts[0].region_facts[0];
        for group in &mut facts.log_groups {
            for filter in &mut group.metric_filters {
                filter.pattern = "[version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action = \"REJECT\", log_status]".into();
            }
        }
    };
    let (status, message, evidence) = judge(&default_format_filter);
    assert_eq!(status, F, "{message}");
    let fix = evidence["fix"].to_string();
    assert!(
        fix.contains("[version, vpc_id, subnet_id, interface_id"),
        "the fix names the flow log's own fields: {fix}"
    );
    let accept_only = |s: &mut Snapshot| {
        for flow_log in &mut s.accounts[0].region_facts[0].flow_logs {
            flow_log.traffic_type = Some("ACCEPT".into());
        }
    };
    let (status, message, _) = judge(&accept_only);
    assert_eq!(status, F);
    assert!(message.contains("records ACCEPT traffic only"), "{message}");

    // The CloudWatch Logs flow log on a subnet instead of the VPC: it
    // covers the VPC only when it is on every subnet.
    let on_subnets = |subnets: &'static [&'static str]| {
        move |s: &mut Snapshot| {
            let facts = &mut s.accounts[0].region_facts[0];
            let vpc = facts.vpcs.as_ref().expect("vpcs")[0].id.clone();
            facts.subnets = subnets
                .iter()
                .map(|id| auditscope::model::Subnet {
                    id: (*id).into(),
                    vpc_id: vpc.clone(),
                })
                .collect();
            for flow_log in &mut facts.flow_logs {
                if flow_log.log_destination_type.as_deref() == Some("cloud-watch-logs") {
                    flow_log.resource_id = "subnet-a".into();
                }
            }
        }
    };
    assert_eq!(judge(&on_subnets(&["subnet-a"])).0, P, "on the only subnet");
    let (status, message, _) = judge(&on_subnets(&["subnet-a", "subnet-b"]));
    assert_eq!(status, F);
    assert!(
        message.contains("(subnet-b)"),
        "names the uncovered subnet: {message}"
    );
}

/// What was not read is never judged as absent: a VPC shared into the
/// account is judged in its owner's account; unread event data stores
/// give an ERROR item (and make the organization-trail check unknown
/// rather than failed); a refused Security Hub organization configuration
/// makes auto-enable unknown.
#[test]
fn unread_or_foreign_facts_are_not_judged_here() {
    use auditscope::model::{CollectionError, Snapshot, Vpc};
    let load = |path: &str| {
        auditscope::collect::mock::load(&root().join(path)).unwrap_or_else(|d| panic!("{d}"))
    };
    let statuses = |snapshot: &Snapshot, check: &str, account: &str| -> Vec<(String, Status)> {
        auditscope::engine::run(snapshot, &catalogue(), RunInfo::default())
            .findings
            .iter()
            .filter(|f| &*f.check_id == check && &*f.account_id == account)
            .map(|f| (f.resource.id.clone(), f.status))
            .collect()
    };
    let mut acme = load("mock/acme");
    let prod = acme
        .accounts
        .iter_mut()
        .find(|a| a.id == "444444444444")
        .expect("prod");
    prod.region_facts[1]
        .vpcs
        .get_or_insert_with(Vec::new)
        .push(Vpc {
            id: "vpc-shared0000000001".into(),
            owner_id: Some("999999999999".into()),
            ..Default::default()
        });
    prod.region_facts[1].event_data_stores = None;
    let flow = statuses(&acme, "vpc-flow-logs-enabled", "444444444444");
    assert!(
        flow.iter().all(|(id, _)| !id.contains("vpc-shared")),
        "a shared VPC is its owner's to judge: {flow:?}"
    );
    let stores = statuses(
        &acme,
        "cloudtrail-lake-event-data-store-protected",
        "444444444444",
    );
    assert_eq!(
        stores,
        [(
            "arn:aws:cloudtrail:eu-west-1:444444444444:eventdatastore/*".to_owned(),
            E
        )]
    );

    let mut gaps = load("mock/scenarios/gaps.yaml");
    assert_eq!(
        statuses(&gaps, "cloudtrail-organization-trail", "111111111111")[0].1,
        F
    );
    gaps.accounts[0].region_facts[0].event_data_stores = None;
    assert_eq!(
        statuses(&gaps, "cloudtrail-organization-trail", "111111111111")[0].1,
        E
    );

    let mut refused = load("mock/acme");
    for account in refused
        .accounts
        .iter_mut()
        .filter(|a| a.id == "333333333333")
    {
        let hub = account.region_facts[0].security_hub.as_mut().expect("hub");
        hub.organization_configuration = None;
    }
    refused.errors.push(CollectionError {
        account_id: "333333333333".into(),
        region: Some("ap-northeast-1".into()),
        service: "securityhub".into(),
        operation: "DescribeOrganizationConfiguration".into(),
        resource: None,
        code: "AccessDeniedException".into(),
        message: "User is not authorized to perform: securityhub:DescribeOrganizationConfiguration"
            .into(),
    });
    assert_eq!(
        statuses(&refused, "securityhub-org-auto-enable", "111111111111")[0].1,
        E
    );
}
