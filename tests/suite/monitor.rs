//! The metric-filter alarm checks (`monitor`), on worlds built here link by
//! link: every check passes with its own recommended filter, and fails,
//! naming the link, when any one link of the chain is broken. Then the
//! cases that tools comparing pattern text get wrong.

use auditscope::checks::Catalogue;
use auditscope::engine::{self, RunInfo};
use auditscope::model::{
    Account, AccountRole, CollectionError, EventSelector, LogGroup, MetricAlarm, MetricFilter,
    MetricTransformation, Organization, RegionFacts, Snapshot, SnsSubscription, SnsTopic, Trail,
    TrailStatus,
};
use auditscope::result::{Finding, Status};
use std::collections::BTreeMap;
use std::sync::OnceLock;

const ACCOUNT: &str = "123456789012";
const MEMBER: &str = "210987654321";
const REGION: &str = "us-east-1";
const GROUP: &str = "cloudtrail-management";
const NAMESPACE: &str = "CloudTrailMetrics";

fn alarm_checks() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let mut catalogue = crate::catalogue();
        catalogue
            .select(&["alarm-*".to_owned()])
            .expect("alarm checks exist");
        // The CloudTrail alarm chain; the flow log one is judged per VPC
        // (tests/suite/verdicts.rs and the network round trip).
        catalogue.checks.retain(|c| {
            c.monitor
                .as_ref()
                .is_some_and(|m| m.source == auditscope::checks::monitor::Source::CloudTrail)
        });
        catalogue
    })
}

fn group_arn(account: &str, region: &str) -> String {
    format!("arn:aws:logs:{region}:{account}:log-group:{GROUP}:*")
}

fn topic_arn(name: &str) -> String {
    format!("arn:aws:sns:{REGION}:{ACCOUNT}:{name}")
}

fn trail() -> Trail {
    Trail {
        name: "management-events".into(),
        arn: format!("arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/management-events"),
        home_region: REGION.into(),
        owner_account_id: ACCOUNT.into(),
        is_multi_region: true,
        include_global_service_events: true,
        log_file_validation_enabled: true,
        s3_bucket_name: Some("trail-bucket".into()),
        cloudwatch_logs_log_group_arn: Some(group_arn(ACCOUNT, REGION)),
        status: Some(TrailStatus {
            is_logging: true,
            latest_cloudwatch_logs_delivery_time: Some("2026-11-20T11:55:00Z".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn filter(name: &str, pattern: &str, metric: &str) -> MetricFilter {
    MetricFilter {
        name: name.into(),
        pattern: pattern.into(),
        transformations: vec![MetricTransformation {
            metric_name: metric.into(),
            metric_namespace: NAMESPACE.into(),
            metric_value: "1".into(),
            ..Default::default()
        }],
    }
}

fn alarm(name: &str, metric: &str) -> MetricAlarm {
    MetricAlarm {
        name: name.into(),
        arn: format!("arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"),
        namespace: Some(NAMESPACE.into()),
        metric_name: Some(metric.into()),
        statistic: Some("Sum".into()),
        period: Some(300),
        evaluation_periods: Some(1),
        threshold: Some(1.0),
        comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
        actions_enabled: true,
        alarm_actions: vec![topic_arn("security-alarms")],
        ..Default::default()
    }
}

fn topic(name: &str, confirmed: bool) -> SnsTopic {
    let arn = topic_arn(name);
    SnsTopic {
        subscriptions: vec![SnsSubscription {
            arn: if confirmed {
                format!("{arn}:0f1e2d3c")
            } else {
                "PendingConfirmation".into()
            },
            protocol: "email".into(),
            endpoint: "soc@example.com".into(),
        }],
        arn,
    }
}

/// One account whose own trail feeds a log group carrying every check's
/// recommended filter, each with a CIS-style alarm to a confirmed topic.
fn compliant() -> Snapshot {
    let mut filters = Vec::new();
    let mut alarms = Vec::new();
    for check in &alarm_checks().checks {
        let monitor = check.monitor.as_ref().expect("alarm checks have a monitor");
        filters.push(filter(&check.id, &monitor.pattern, &monitor.metric_name));
        alarms.push(alarm(&check.id, &monitor.metric_name));
    }
    Snapshot {
        schema_version: 1,
        collected_at: Some("2026-11-20T12:00:00Z".into()),
        accounts: vec![Account {
            id: ACCOUNT.into(),
            role: AccountRole::Standalone,
            regions: vec![REGION.into(), "eu-west-1".into()],
            trails: vec![trail()],
            region_facts: vec![
                RegionFacts {
                    region: REGION.into(),
                    log_groups: vec![LogGroup {
                        name: GROUP.into(),
                        arn: group_arn(ACCOUNT, REGION),
                        retention_in_days: Some(400),
                        metric_filters: filters,
                        ..Default::default()
                    }],
                    metric_alarms: alarms,
                    sns_topics: vec![topic("security-alarms", true)],
                    ..Default::default()
                },
                RegionFacts {
                    region: "eu-west-1".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn facts<'s>(snapshot: &'s mut Snapshot, region: &str) -> &'s mut RegionFacts {
    snapshot.accounts[0]
        .region_facts
        .iter_mut()
        .find(|f| f.region == region)
        .expect("region facts")
}

fn group(snapshot: &mut Snapshot) -> &mut LogGroup {
    &mut facts(snapshot, REGION).log_groups[0]
}

fn filter_of<'s>(snapshot: &'s mut Snapshot, check: &str) -> &'s mut MetricFilter {
    group(snapshot)
        .metric_filters
        .iter_mut()
        .find(|f| f.name == check)
        .expect("filter")
}

fn alarm_of<'s>(snapshot: &'s mut Snapshot, check: &str) -> &'s mut MetricAlarm {
    facts(snapshot, REGION)
        .metric_alarms
        .iter_mut()
        .find(|a| a.name == check)
        .expect("alarm")
}

fn findings(snapshot: &Snapshot) -> Vec<Finding> {
    engine::run(snapshot, alarm_checks(), RunInfo::default())
        .findings
        .into_iter()
        .map(|f| (*f).clone())
        .collect()
}

fn finding(snapshot: &Snapshot, check: &str, account: &str) -> Finding {
    findings(snapshot)
        .into_iter()
        .find(|f| &*f.check_id == check && &*f.account_id == account)
        .unwrap_or_else(|| panic!("no finding of {check} for {account}"))
}

/// The check's status and the link its first gap names.
fn outcome(snapshot: &Snapshot, check: &str) -> (Status, String, String) {
    let f = finding(snapshot, check, ACCOUNT);
    let link = f
        .evidence
        .get("gaps")
        .and_then(|g| g.get(0))
        .and_then(|g| g.get("link"));
    (
        f.status,
        link.and_then(|l| l.as_str())
            .unwrap_or("complete")
            .to_owned(),
        f.message.clone(),
    )
}

fn expect(snapshot: &Snapshot, check: &str, status: Status, link: &str) -> String {
    let (got, got_link, message) = outcome(snapshot, check);
    assert_eq!(
        (got, got_link.as_str()),
        (status, link),
        "{check}: {message}"
    );
    message
}

#[test]
fn every_alarm_check_passes_with_its_recommended_filter() {
    let all = findings(&compliant());
    assert_eq!(all.len(), 17, "one finding per alarm check");
    for f in &all {
        assert_eq!(f.status, Status::Pass, "{}: {}", f.check_id, f.message);
        assert!(f.message.contains("security-alarms"), "{}", f.message);
    }
}

#[test]
fn every_alarm_check_fails_on_every_broken_link() {
    type Break = (&'static str, fn(&mut Snapshot, &str));
    let breaks: &[Break] = &[
        ("trail_feed", |s, _| {
            s.accounts[0].trails[0].cloudwatch_logs_log_group_arn = None
        }),
        ("trail_feed", |s, _| {
            s.accounts[0].trails[0].is_multi_region = false
        }),
        ("trail_feed", |s, _| {
            if let Some(status) = &mut s.accounts[0].trails[0].status {
                status.is_logging = false;
            }
        }),
        ("trail_feed", |s, _| {
            if let Some(status) = &mut s.accounts[0].trails[0].status {
                status.latest_cloudwatch_logs_delivery_error = Some("AccessDenied".into());
            }
        }),
        ("metric_filter", |s, check| {
            group(s).metric_filters.retain(|f| f.name != check)
        }),
        ("metric_filter", |s, check| {
            filter_of(s, check).pattern = "{ $.eventName = NothingThatExists }".into()
        }),
        ("alarm", |s, check| {
            facts(s, REGION).metric_alarms.retain(|a| a.name != check)
        }),
        ("alarm", |s, check| {
            alarm_of(s, check).namespace = Some("CISBenchmark".into())
        }),
        ("alarm_actions", |s, check| {
            alarm_of(s, check).actions_enabled = false
        }),
        ("alarm_threshold", |s, check| {
            alarm_of(s, check).threshold = Some(5.0)
        }),
        ("sns_action", |s, check| {
            alarm_of(s, check).alarm_actions = vec!["arn:aws:automate:us-east-1:ec2:stop".into()]
        }),
        ("sns_action", |s, check| {
            alarm_of(s, check).alarm_actions.clear()
        }),
        ("confirmed_subscription", |s, _| {
            facts(s, REGION).sns_topics = vec![topic("security-alarms", false)]
        }),
    ];
    for check in &alarm_checks().checks {
        for (link, break_it) in breaks {
            let mut world = compliant();
            break_it(&mut world, &check.id);
            let message = expect(&world, &check.id, Status::Fail, link);
            let f = finding(&world, &check.id, ACCOUNT);
            let fix = f.evidence.get("fix").and_then(|f| f.as_array());
            assert!(
                fix.is_some_and(|f| !f.is_empty()),
                "{}: a failure offers commands for the missing link ({link}): {message}",
                check.id
            );
        }
    }
}

#[test]
fn read_only_events_need_a_trail_that_records_reads() {
    let mut world = compliant();
    world.accounts[0].trails[0].event_selectors = vec![EventSelector {
        read_write_type: "WriteOnly".into(),
        include_management_events: true,
        ..Default::default()
    }];
    // Refused reads (ListUsers, GetSecretValue) are read-only events.
    let message = expect(
        &world,
        "alarm-unauthorized-api-calls",
        Status::Fail,
        "event_recorded",
    );
    assert!(message.contains("read management events"), "{message}");
    // Changes are write events: still alarmed.
    expect(&world, "alarm-cloudtrail-changes", Status::Pass, "complete");
}

#[test]
fn events_of_an_excluded_source_never_reach_the_filter() {
    let mut world = compliant();
    world.accounts[0].trails[0].event_selectors = vec![EventSelector {
        read_write_type: "All".into(),
        include_management_events: true,
        exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
        ..Default::default()
    }];
    let message = expect(
        &world,
        "alarm-kms-cmk-disable-or-deletion",
        Status::Fail,
        "event_recorded",
    );
    assert!(message.contains("kms.amazonaws.com"), "{message}");
}

#[test]
fn conditions_in_another_order_and_other_quoting_still_pass() {
    let mut world = compliant();
    filter_of(&mut world, "alarm-cloudtrail-changes").pattern =
        r#"{($.eventName="StopLogging")||($.eventName="StartLogging")||($.eventName=DeleteTrail)||($.eventName=UpdateTrail)||($.eventName=CreateTrail)}"#.into();
    filter_of(&mut world, "alarm-root-account-usage").pattern =
        r#"{ $.eventType != "AwsServiceEvent" && $.userIdentity.invokedBy NOT EXISTS && $.userIdentity.type = "Root" }"#.into();
    expect(&world, "alarm-cloudtrail-changes", Status::Pass, "complete");
    expect(&world, "alarm-root-account-usage", Status::Pass, "complete");
}

#[test]
fn a_wildcard_superset_passes_when_it_covers_every_event() {
    let mut world = compliant();
    filter_of(&mut world, "alarm-iam-policy-changes").pattern = "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = Put*Policy) || ($.eventName = Delete*Policy*) || ($.eventName = Attach*Policy) || ($.eventName = Detach*Policy) || ($.eventName = CreatePolicy*)) }".into();
    expect(&world, "alarm-iam-policy-changes", Status::Pass, "complete");
    // Missing the Attach* half: the attach events are not alarmed.
    filter_of(&mut world, "alarm-iam-policy-changes").pattern =
        "{ ($.eventName = Put*Policy) || ($.eventName = Delete*Policy*) || ($.eventName = Detach*Policy) || ($.eventName = CreatePolicy*) }".into();
    let message = expect(
        &world,
        "alarm-iam-policy-changes",
        Status::Fail,
        "metric_filter",
    );
    assert!(message.contains("iam-attach-"), "{message}");
}

#[test]
fn a_never_matching_and_chain_fails() {
    let mut world = compliant();
    filter_of(&mut world, "alarm-cloudtrail-changes").pattern = "{ ($.eventName = CreateTrail) && ($.eventName = UpdateTrail) && ($.eventName = DeleteTrail) && ($.eventName = StartLogging) && ($.eventName = StopLogging) }".into();
    expect(
        &world,
        "alarm-cloudtrail-changes",
        Status::Fail,
        "metric_filter",
    );
}

#[test]
fn a_filter_narrowed_to_one_principal_fails() {
    let mut world = compliant();
    filter_of(&mut world, "alarm-cloudtrail-changes").pattern = r#"{ (($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging)) && $.userIdentity.arn = "arn:aws:iam::123456789012:user/alice" }"#.into();
    expect(
        &world,
        "alarm-cloudtrail-changes",
        Status::Fail,
        "metric_filter",
    );
}

#[test]
fn a_filter_that_also_matches_near_misses_does_not_count() {
    // CIS v1.4.0 4.1 joined every clause with ||, matching nearly all events.
    let mut world = compliant();
    filter_of(&mut world, "alarm-unauthorized-api-calls").pattern = r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || ($.sourceIPAddress != "delivery.logs.amazonaws.com") || ($.eventName != "HeadBucket") }"#.into();
    let message = expect(
        &world,
        "alarm-unauthorized-api-calls",
        Status::Fail,
        "metric_filter",
    );
    assert!(message.contains("Too broad to count"), "{message}");
    // The CIS v3.0.0 text, with && binding tighter than ||, is fine.
    filter_of(&mut world, "alarm-unauthorized-api-calls").pattern = r#"{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }"#.into();
    expect(
        &world,
        "alarm-unauthorized-api-calls",
        Status::Pass,
        "complete",
    );
}

#[test]
fn an_invalid_pattern_is_reported() {
    let mut world = compliant();
    filter_of(&mut world, "alarm-root-account-usage").pattern =
        r#"{ $.userIdentity.type = "Root" && }"#.into();
    let message = expect(
        &world,
        "alarm-root-account-usage",
        Status::Fail,
        "metric_filter",
    );
    assert!(message.contains("is invalid at character"), "{message}");
}

#[test]
fn several_filters_together_each_with_an_alarm_pass() {
    let mut world = compliant();
    let check = "alarm-cloudtrail-changes";
    filter_of(&mut world, check).pattern =
        "{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }".into();
    group(&mut world).metric_filters.push(filter(
        "trail-setup",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = StartLogging) }",
        "TrailSetup",
    ));
    // The second filter has no alarm yet.
    let message = expect(&world, check, Status::Fail, "alarm");
    assert!(message.contains("TrailSetup"), "{message}");
    facts(&mut world, REGION)
        .metric_alarms
        .push(alarm("trail-setup", "TrailSetup"));
    expect(&world, check, Status::Pass, "complete");
}

#[test]
fn an_alarm_on_a_same_named_metric_in_another_namespace_fails() {
    let mut world = compliant();
    let check = "alarm-security-group-changes";
    alarm_of(&mut world, check).namespace = Some("Custom/Network".into());
    let message = expect(&world, check, Status::Fail, "alarm");
    assert!(message.contains("namespace Custom/Network"), "{message}");
}

#[test]
fn an_alarm_in_another_region_than_the_filter_fails() {
    let mut world = compliant();
    let check = "alarm-root-account-usage";
    let moved = {
        let alarms = &mut facts(&mut world, REGION).metric_alarms;
        let index = alarms.iter().position(|a| a.name == check).expect("alarm");
        alarms.remove(index)
    };
    facts(&mut world, "eu-west-1").metric_alarms.push(moved);
    expect(&world, check, Status::Fail, "alarm");
}

#[test]
fn dimensions_must_match_what_the_filter_publishes() {
    let mut world = compliant();
    let check = "alarm-cloudtrail-changes";
    filter_of(&mut world, check).transformations[0]
        .dimensions
        .insert("EventName".into(), "$.eventName".into());
    // The alarm watches the metric without dimensions, which the filter no
    // longer publishes.
    let message = expect(&world, check, Status::Fail, "alarm");
    assert!(message.contains("dimensions"), "{message}");
    // An alarm per event name: only StopLogging is watched.
    alarm_of(&mut world, check).dimensions =
        BTreeMap::from([("EventName".to_owned(), "StopLogging".to_owned())]);
    let f = finding(&world, check, ACCOUNT);
    assert_eq!(f.status, Status::Fail);
    assert_eq!(
        f.evidence.get("covered"),
        Some(&serde_json::json!(["cloudtrail-stop-logging"]))
    );
}

#[test]
fn a_topic_with_only_a_pending_subscription_fails() {
    let mut world = compliant();
    facts(&mut world, REGION).sns_topics = vec![topic("security-alarms", false)];
    let message = expect(
        &world,
        "alarm-console-auth-failures",
        Status::Fail,
        "confirmed_subscription",
    );
    assert!(message.contains("1 pending confirmation"), "{message}");
}

#[test]
fn an_alarm_that_needs_several_events_does_not_alarm_on_one() {
    let mut world = compliant();
    let check = "alarm-console-auth-failures";
    alarm_of(&mut world, check).threshold = Some(3.0);
    let message = expect(&world, check, Status::Fail, "alarm_threshold");
    assert!(
        message.contains("GreaterThanOrEqualToThreshold 3"),
        "{message}"
    );
}

#[test]
fn an_unreadable_link_is_an_error_not_a_failure() {
    let mut world = compliant();
    facts(&mut world, REGION).metric_alarms.clear();
    world.errors.push(CollectionError {
        account_id: ACCOUNT.into(),
        region: Some(REGION.into()),
        service: "cloudwatch".into(),
        operation: "DescribeAlarms".into(),
        code: "AccessDenied".into(),
        message: "not authorized".into(),
        resource: None,
    });
    let (status, _, message) = outcome(&world, "alarm-vpc-changes");
    assert_eq!(status, Status::Error, "{message}");
    assert!(message.contains("cloudwatch:DescribeAlarms"), "{message}");
    // The same error in another region does not matter.
    world.errors[0].region = Some("eu-west-1".into());
    facts(&mut world, REGION).metric_alarms = compliant().accounts[0].region_facts[0]
        .metric_alarms
        .clone();
    expect(&world, "alarm-vpc-changes", Status::Pass, "complete");
}

/// A member account covered by the management account's organization
/// trail, whose log group, filters and alarms live in the management
/// account.
fn organization() -> Snapshot {
    let mut world = compliant();
    world.organization = Some(Organization {
        id: "o-example".into(),
        management_account_id: ACCOUNT.into(),
        ..Default::default()
    });
    world.accounts[0].role = AccountRole::Management;
    world.accounts[0].trails[0].is_organization_trail = true;
    let mut shadow = world.accounts[0].trails[0].clone();
    shadow.status = None;
    world.accounts.push(Account {
        id: MEMBER.into(),
        role: AccountRole::Member,
        regions: vec![REGION.into()],
        trails: vec![shadow],
        region_facts: vec![RegionFacts {
            region: REGION.into(),
            ..Default::default()
        }],
        ..Default::default()
    });
    world
}

#[test]
fn members_are_covered_by_the_organization_trail_log_group() {
    let world = organization();
    for check in &alarm_checks().checks {
        let f = finding(&world, &check.id, MEMBER);
        assert_eq!(f.status, Status::Pass, "{}: {}", check.id, f.message);
        assert!(f.message.contains(ACCOUNT), "{}", f.message);
    }
}

#[test]
fn a_member_without_the_management_account_in_the_scan_is_not_assessed() {
    let mut world = organization();
    world.accounts.remove(0);
    let f = finding(&world, "alarm-root-account-usage", MEMBER);
    assert_eq!(f.status, Status::Error, "{}", f.message);
    assert!(f.message.contains("not in the scan"), "{}", f.message);
}

#[test]
fn the_fix_fills_in_the_real_names() {
    let mut world = compliant();
    group(&mut world)
        .metric_filters
        .retain(|f| f.name != "alarm-root-account-usage");
    let f = finding(&world, "alarm-root-account-usage", ACCOUNT);
    let fix: Vec<&str> = f.evidence["fix"]
        .as_array()
        .expect("fix is a list")
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    assert!(
        fix[0].starts_with(
            "aws logs put-metric-filter --region us-east-1 --log-group-name cloudtrail-management"
        ),
        "{fix:?}"
    );
    assert!(
        fix[0].contains(r#"'{ $.userIdentity.type = "Root""#),
        "{fix:?}"
    );
    assert!(
        fix.iter()
            .any(|c| c.starts_with("aws cloudwatch put-metric-alarm")),
        "{fix:?}"
    );
}

/// Sample events stand for the class a check monitors: an event of one
/// check's `must_match` that another check's recommended pattern also
/// matches would let that other filter pass this check (an unauthorized
/// RunInstances credited to the EC2 instance-changes filter), unless the
/// check declares it `shared` on purpose.
#[test]
fn no_sample_event_is_matched_by_another_checks_pattern_unless_shared() {
    let catalogue = alarm_checks();
    let monitors: Vec<(
        &str,
        &auditscope::checks::Monitor,
        auditscope::filter_pattern::Pattern,
    )> = catalogue
        .checks
        .iter()
        .filter_map(|c| {
            let m = c.monitor.as_ref()?;
            let p = auditscope::filter_pattern::parse(&m.pattern).ok()?;
            Some((c.id.as_str(), m, p))
        })
        .collect();
    let mut overlaps = Vec::new();
    for (check, monitor, _) in &monitors {
        for event in &monitor.must_match {
            for (other, _, pattern) in &monitors {
                if other != check
                    && pattern.matches_json(&event.record)
                    && !monitor.shared.contains(&event.name)
                {
                    overlaps.push(format!(
                        "{check}: `{}` is also matched by {other}'s pattern",
                        event.name
                    ));
                }
            }
        }
    }
    assert!(overlaps.is_empty(), "{}", overlaps.join("\n"));
}

/// A filter narrowed to one account's events fails for the others: sample
/// events carry the evaluated account's id.
#[test]
fn a_filter_narrowed_to_one_account_fails_for_the_others() {
    let mut snapshot = compliant();
    let other = snapshot.accounts[0].id.clone();
    let filter = filter_of(&mut snapshot, "alarm-root-account-usage");
    filter.pattern = format!(
        "{{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" && $.recipientAccountId = \"{}\" }}",
        "999999999999"
    );
    let (status, link, _) = outcome(&snapshot, "alarm-root-account-usage");
    assert_eq!(
        status,
        Status::Fail,
        "narrowed to another account than {other}"
    );
    assert_eq!(link, "metric_filter");
    let filter = filter_of(&mut snapshot, "alarm-root-account-usage");
    filter.pattern = format!(
        "{{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" && $.recipientAccountId = \"{other}\" }}"
    );
    assert_eq!(
        outcome(&snapshot, "alarm-root-account-usage").0,
        Status::Pass
    );
}

/// A filter that tells accounts apart without naming one (a digit range
/// on the root user's `principalId`, which is the account id) is judged
/// on records carrying the evaluated account's id, never on the sample
/// records as written, which this range matches (`111122223333`).
#[test]
fn a_filter_narrowed_by_a_digit_range_is_judged_per_account() {
    let narrowed = |range: &str| {
        format!(
            "{{ $.userIdentity.type = \"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != \"AwsServiceEvent\" && $.userIdentity.principalId = %^[{range}]+$% }}"
        )
    };
    let mut snapshot = compliant();
    filter_of(&mut snapshot, "alarm-root-account-usage").pattern = narrowed("1-3");
    let (status, link, _) = outcome(&snapshot, "alarm-root-account-usage");
    assert_eq!(status, Status::Fail, "{ACCOUNT} has digits outside 1-3");
    assert_eq!(link, "metric_filter");
    filter_of(&mut snapshot, "alarm-root-account-usage").pattern = narrowed("0-9");
    assert_eq!(
        outcome(&snapshot, "alarm-root-account-usage").0,
        Status::Pass
    );
}

/// Every shipped monitor pattern matches each sample event for another
/// account exactly as for the sample account: none names an account's
/// digits, so the engine matches them once per pattern, not per account.
#[test]
fn shipped_patterns_match_every_accounts_records_alike() {
    let catalogue = alarm_checks();
    let mut differ = Vec::new();
    for check in &catalogue.checks {
        let monitor = check.monitor.as_ref().expect("alarm checks have a monitor");
        let pattern = auditscope::filter_pattern::parse(&monitor.pattern).expect("valid");
        for event in monitor.must_match.iter().chain(&monitor.must_not_match) {
            let sample = pattern.matches_json(&event.record);
            let other = pattern.matches_json(&event.record_for("900000000001"));
            if sample != other {
                differ.push(format!("{}: {}", check.id, event.name));
            }
        }
    }
    assert!(differ.is_empty(), "{differ:?}");
}

/// A dimension taken from a field holding the account id is published
/// with the evaluated account's id, never the sample events' own.
#[test]
fn a_dimension_of_the_account_id_is_the_evaluated_accounts() {
    let check = "alarm-cloudtrail-changes";
    let watching = |account: &str| {
        let mut world = compliant();
        filter_of(&mut world, check).transformations[0]
            .dimensions
            .insert("Account".into(), "$.recipientAccountId".into());
        alarm_of(&mut world, check).dimensions =
            BTreeMap::from([("Account".to_owned(), account.to_owned())]);
        finding(&world, check, ACCOUNT).status
    };
    assert_eq!(watching(ACCOUNT), Status::Pass);
    assert_eq!(
        watching(auditscope::checks::monitor::SAMPLE_ACCOUNT_ID),
        Status::Fail
    );
}
