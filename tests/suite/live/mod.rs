//! The live collector end to end: worlds seeded into moto (server mode)
//! through the AWS SDK, collected with the real SDK clients, evaluated.

pub mod harness;
mod lake;
mod network;
mod org;
mod securitylake;
pub mod seed;

use auditscope::collect::aws::{self, Options, Regions};
use auditscope::engine::{self, RunInfo};
use auditscope::model::Snapshot;
use auditscope::result::{ScanResult, Status};
use harness::{Fault, Moto, Proxy};

pub const ACCOUNT: &str = "123456789012";
pub const BUCKET: &str = "trail-logs-123456789012";
pub const LOG_GROUP: &str = "cloudtrail-management";

/// Operations moto 5.2.5 does not serve (it answers 404 without an error
/// code): the collector records them as collection errors, as it would any
/// failed call, and the checks that need them are ERROR in these tests.
pub const MOTO_GAPS: &[(&str, &str)] = &[
    ("guardduty", "ListFindings"),
    ("guardduty", "DescribeOrganizationConfiguration"),
];

/// The snapshot's errors that are not moto's known gaps.
pub fn real_errors(snapshot: &Snapshot) -> Vec<(String, String, String)> {
    snapshot
        .errors
        .iter()
        .filter(|e| !MOTO_GAPS.contains(&(e.service.as_str(), e.operation.as_str())))
        .map(|e| (e.service.clone(), e.operation.clone(), e.code.clone()))
        .collect()
}

/// A test world: moto, the CBOR bridge in front of it, and an SdkConfig.
pub struct World {
    pub moto: Moto,
    pub bridge: Proxy,
    pub sdk: aws_config::SdkConfig,
}

impl World {
    pub async fn start() -> World {
        let moto = Moto::start();
        let bridge = Proxy::start(moto.addr);
        let sdk = harness::sdk_config(&moto.url).await;
        World { moto, bridge, sdk }
    }

    pub fn options(&self, regions: &[&str]) -> Options {
        Options {
            regions: Regions::List(regions.iter().map(|r| r.to_string()).collect()),
            concurrency: 4,
            endpoints: harness::endpoints(&self.moto, &self.bridge),
        }
    }

    pub async fn collect(&self, options: &Options) -> Snapshot {
        aws::collect_account(&self.sdk, options, &|_| {})
            .await
            .unwrap_or_else(|e| panic!("collect: {e}"))
    }

    fn cloudwatch(&self, region: &str) -> aws_sdk_cloudwatch::Client {
        let config = aws_sdk_cloudwatch::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_owned()))
            .endpoint_url(&self.bridge.url)
            .build();
        aws_sdk_cloudwatch::Client::from_conf(config)
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    /// A well-run account: a logging multi-region trail with validation and
    /// KMS into a private, versioned bucket, delivering to a log group kept
    /// 400 days; the root-usage filter and alarm of the check's own
    /// recommendation, notifying a topic with a subscriber; GuardDuty with
    /// an EventBridge rule; AWS Config recording.
    pub async fn seed_good_account(&self) {
        let region = "us-east-1";
        let s3 = self.s3();
        s3.create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .expect("bucket");
        s3.put_bucket_versioning()
            .bucket(BUCKET)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("versioning");
        s3.put_public_access_block()
            .bucket(BUCKET)
            .public_access_block_configuration(
                aws_sdk_s3::types::PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(true)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .send()
            .await
            .expect("public access block");
        let kms = aws_sdk_kms::Client::new(&self.sdk);
        let key = kms.create_key().send().await.expect("key");
        let key_arn = key
            .key_metadata()
            .and_then(|m| m.arn())
            .expect("key arn")
            .to_owned();
        let key_id = key
            .key_metadata()
            .map(|m| m.key_id().to_owned())
            .expect("key id");
        kms.enable_key_rotation()
            .key_id(&key_id)
            .send()
            .await
            .expect("rotation");

        let logs = aws_sdk_cloudwatchlogs::Client::new(&self.sdk);
        logs.create_log_group()
            .log_group_name(LOG_GROUP)
            .send()
            .await
            .expect("log group");
        logs.put_retention_policy()
            .log_group_name(LOG_GROUP)
            .retention_in_days(400)
            .send()
            .await
            .expect("retention");

        let trail = aws_sdk_cloudtrail::Client::new(&self.sdk);
        trail
            .create_trail()
            .name("management-events")
            .s3_bucket_name(BUCKET)
            .is_multi_region_trail(true)
            .include_global_service_events(true)
            .enable_log_file_validation(true)
            .kms_key_id(&key_arn)
            .cloud_watch_logs_log_group_arn(format!(
                "arn:aws:logs:{region}:{ACCOUNT}:log-group:{LOG_GROUP}:*"
            ))
            .cloud_watch_logs_role_arn(format!("arn:aws:iam::{ACCOUNT}:role/trail-to-logs"))
            .send()
            .await
            .expect("trail");
        trail
            .start_logging()
            .name("management-events")
            .send()
            .await
            .expect("start logging");

        let sns = aws_sdk_sns::Client::new(&self.sdk);
        let topic = sns
            .create_topic()
            .name("security-alarms")
            .send()
            .await
            .expect("topic")
            .topic_arn()
            .expect("topic arn")
            .to_owned();
        sns.subscribe()
            .topic_arn(&topic)
            .protocol("sqs")
            .endpoint(format!("arn:aws:sqs:{region}:{ACCOUNT}:security-inbox"))
            .send()
            .await
            .expect("subscribe");

        let catalogue = crate::catalogue();
        let monitor = catalogue
            .check("alarm-root-account-usage")
            .and_then(|c| c.monitor.clone())
            .expect("the root-usage check has a monitor");
        logs.put_metric_filter()
            .log_group_name(LOG_GROUP)
            .filter_name("RootAccountUsage")
            .filter_pattern(&monitor.pattern)
            .metric_transformations(
                aws_sdk_cloudwatchlogs::types::MetricTransformation::builder()
                    .metric_name(&monitor.metric_name)
                    .metric_namespace(&monitor.metric_namespace)
                    .metric_value("1")
                    .build()
                    .expect("transformation"),
            )
            .send()
            .await
            .expect("metric filter");
        self.cloudwatch(region)
            .put_metric_alarm()
            .alarm_name("RootAccountUsage")
            .metric_name(&monitor.metric_name)
            .namespace(&monitor.metric_namespace)
            .statistic(aws_sdk_cloudwatch::types::Statistic::Sum)
            .period(300)
            .evaluation_periods(1)
            .threshold(1.0)
            .comparison_operator(
                aws_sdk_cloudwatch::types::ComparisonOperator::GreaterThanOrEqualToThreshold,
            )
            .alarm_actions(&topic)
            .send()
            .await
            .expect("alarm through the CBOR bridge");

        let guardduty = aws_sdk_guardduty::Client::new(&self.sdk);
        guardduty
            .create_detector()
            .enable(true)
            .send()
            .await
            .expect("detector");
        let events = aws_sdk_eventbridge::Client::new(&self.sdk);
        events
            .put_rule()
            .name("guardduty-findings")
            .event_pattern(r#"{"source":["aws.guardduty"],"detail-type":["GuardDuty Finding"]}"#)
            .send()
            .await
            .expect("rule");
        events
            .put_targets()
            .rule("guardduty-findings")
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("sns")
                    .arn(&topic)
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("targets");

        let config = aws_sdk_config::Client::new(&self.sdk);
        config
            .put_configuration_recorder()
            .configuration_recorder(
                aws_sdk_config::types::ConfigurationRecorder::builder()
                    .name("default")
                    .role_arn(format!("arn:aws:iam::{ACCOUNT}:role/config"))
                    .recording_group(
                        aws_sdk_config::types::RecordingGroup::builder()
                            .all_supported(true)
                            .include_global_resource_types(true)
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .expect("recorder");
        config
            .put_delivery_channel()
            .delivery_channel(
                aws_sdk_config::types::DeliveryChannel::builder()
                    .name("default")
                    .s3_bucket_name(BUCKET)
                    .build(),
            )
            .send()
            .await
            .expect("delivery channel");
        config
            .start_configuration_recorder()
            .configuration_recorder_name("default")
            .send()
            .await
            .expect("start recorder");
    }
}

pub fn evaluate(snapshot: &Snapshot) -> ScanResult {
    engine::run(
        snapshot,
        &crate::catalogue(),
        RunInfo {
            source: "aws".into(),
            ..Default::default()
        },
    )
}

pub fn status_of(result: &ScanResult, check: &str, region: Option<&str>) -> Vec<Status> {
    result
        .findings
        .iter()
        .filter(|f| &*f.check_id == check && (region.is_none() || f.region.as_deref() == region))
        .map(|f| f.status)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn collects_a_seeded_account_and_judges_it() {
    let world = World::start().await;
    world.seed_good_account().await;
    let snapshot = world
        .collect(&world.options(&["us-east-1", "eu-west-1"]))
        .await;
    assert!(real_errors(&snapshot).is_empty(), "{:#?}", snapshot.errors);
    for (service, operation) in MOTO_GAPS {
        assert!(
            snapshot.errors.iter().any(|e| e.service == *service
                && e.operation == *operation
                && e.code == "HTTP404"),
            "{service}:{operation} is still a moto gap; if moto serves it now, drop it from MOTO_GAPS"
        );
    }
    let account = &snapshot.accounts[0];
    assert_eq!(account.id, ACCOUNT);
    assert_eq!(account.regions, ["eu-west-1", "us-east-1"]);

    // The multi-region trail is seen from both regions, kept once.
    assert_eq!(account.trails.len(), 1, "{:#?}", account.trails);
    let trail = &account.trails[0];
    assert_eq!(trail.home_region, "us-east-1");
    assert!(trail.is_multi_region && trail.log_file_validation_enabled);
    assert_eq!(trail.status.as_ref().map(|s| s.is_logging), Some(true));
    assert!(trail.kms_key_id.is_some());

    let bucket = account
        .buckets
        .iter()
        .find(|b| b.name == BUCKET)
        .expect("the trail bucket");
    assert_eq!(
        bucket.versioning.as_ref().and_then(|v| v.status.as_deref()),
        Some("Enabled")
    );
    assert!(bucket
        .public_access_block
        .as_ref()
        .is_some_and(|b| b.block_public_policy));
    assert!(
        bucket.policy.is_none(),
        "no policy is an answer, not an error"
    );
    assert_eq!(account.kms_keys.len(), 1);
    assert_eq!(account.kms_keys[0].rotation_enabled, Some(true));

    let east = account.region("us-east-1").expect("us-east-1 facts");
    let group = east
        .log_groups
        .iter()
        .find(|g| g.name == LOG_GROUP)
        .expect("log group");
    assert_eq!(group.retention_in_days, Some(400));
    assert_eq!(group.metric_filters.len(), 1);
    assert_eq!(
        east.metric_alarms.len(),
        1,
        "alarms through the CBOR bridge"
    );
    assert_eq!(east.metric_alarms[0].alarm_actions.len(), 1);
    assert_eq!(east.sns_topics.len(), 1);
    assert_eq!(east.sns_topics[0].subscriptions.len(), 1);
    assert_eq!(east.guardduty_detectors.len(), 1);
    assert_eq!(east.guardduty_detectors[0].status, "ENABLED");
    assert_eq!(east.config_recorders.len(), 1);
    assert_eq!(
        east.config_recorders[0]
            .status
            .as_ref()
            .map(|s| s.recording),
        Some(true)
    );
    assert_eq!(east.eventbridge_rules.len(), 1);
    assert_eq!(east.eventbridge_rules[0].targets.len(), 1);
    let west = account.region("eu-west-1").expect("eu-west-1 facts");
    assert!(west.guardduty_detectors.is_empty() && west.metric_alarms.is_empty());
    assert!(
        account.api_calls.values().sum::<u64>() > 20,
        "{:?}",
        account.api_calls
    );
    // Per region: each regional list call once; the trail's details and
    // its bucket are asked of us-east-1, where they live.
    for facts in [east, west] {
        assert_eq!(facts.api_calls.get("cloudtrail:DescribeTrails"), Some(&1));
        assert_eq!(facts.api_calls.get("logs:DescribeLogGroups"), Some(&1));
    }
    assert_eq!(east.api_calls.get("cloudtrail:GetTrailStatus"), Some(&1));
    assert_eq!(west.api_calls.get("cloudtrail:GetTrailStatus"), None);
    assert_eq!(west.api_calls.get("s3:GetBucketVersioning"), None);
    let regional: u64 = [east, west].iter().flat_map(|f| f.api_calls.values()).sum();
    assert!(regional <= account.api_calls.values().sum::<u64>());

    // Judged: what was built passes, what was left out fails.
    let result = evaluate(&snapshot);
    for (check, region, expected) in [
        ("cloudtrail-multi-region-logging", None, Status::Pass),
        ("cloudtrail-log-file-validation", None, Status::Pass),
        ("cloudtrail-kms-encryption", None, Status::Pass),
        ("cloudtrail-bucket-versioning", None, Status::Pass),
        ("alarm-root-account-usage", None, Status::Pass),
        ("alarm-iam-policy-changes", None, Status::Fail),
        ("guardduty-enabled", Some("us-east-1"), Status::Pass),
        ("guardduty-enabled", Some("eu-west-1"), Status::Fail),
        ("config-recorder-enabled", Some("us-east-1"), Status::Pass),
        ("config-recorder-enabled", Some("eu-west-1"), Status::Fail),
    ] {
        let statuses = status_of(&result, check, region);
        assert!(
            !statuses.is_empty() && statuses.iter().all(|s| *s == expected),
            "{check} {region:?}: {statuses:?}, expected {expected:?}\n{:#?}",
            result
                .findings
                .iter()
                .filter(|f| &*f.check_id == check)
                .map(|f| &f.message)
                .collect::<Vec<_>>()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_collector_only_reads() {
    let world = World::start().await;
    world.seed_good_account().await;
    let snapshot = world.collect(&world.options(&["us-east-1"])).await;
    let calls = &snapshot.accounts[0].api_calls;
    assert!(!calls.is_empty());
    for call in calls.keys() {
        let operation = call.split(':').nth(1).unwrap_or_default();
        assert!(
            ["Describe", "Get", "List"]
                .iter()
                .any(|p| operation.starts_with(p)),
            "{call} is not a read"
        );
    }
    // And a write through a client carrying the call log is refused before
    // it is sent.
    let config = aws_sdk_cloudtrail::config::Builder::from(&world.sdk)
        .interceptor(aws::CallLog::default())
        .build();
    let error = aws_sdk_cloudtrail::Client::from_conf(config)
        .delete_trail()
        .name("management-events")
        .send()
        .await
        .expect_err("a write is refused");
    let text = format!(
        "{}",
        aws_smithy_types::error::display::DisplayErrorContext(&error)
    );
    assert!(text.contains("read-only"), "{text}");
    let trails = aws_sdk_cloudtrail::Client::new(&world.sdk)
        .describe_trails()
        .send()
        .await
        .expect("trails");
    assert_eq!(trails.trail_list().len(), 1, "the trail is still there");
}

#[test]
fn the_iam_policy_is_made_from_what_the_collector_calls() {
    let policy: serde_json::Value =
        serde_json::from_str(&aws::iam_policy()).expect("the policy is JSON");
    let actions: Vec<&str> = policy["Statement"][0]["Action"]
        .as_array()
        .expect("actions")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    for (service, operation) in aws::READ_OPERATIONS {
        let action = auditscope::model::iam_action(service, operation);
        // The read-only role itself assumes nothing: only the scanning
        // principal in the management account needs sts:AssumeRole.
        assert_eq!(
            actions.contains(&action.as_str()),
            action != "sts:AssumeRole",
            "{action}"
        );
        assert!(
            auditscope::model::OPERATIONS.contains(&action.as_str()),
            "{action} is not a known operation of the model"
        );
    }
    for action in &actions {
        let verb = action.split(':').nth(1).unwrap_or_default();
        assert!(
            ["Describe", "Get", "List"]
                .iter()
                .any(|p| verb.starts_with(p)),
            "{action} is not read-only"
        );
    }
    // The role templates in deploy/ grant exactly the same actions.
    for template in [
        "deploy/cloudformation/auditscope-readonly-role.yaml",
        "deploy/terraform/main.tf",
    ] {
        let text = std::fs::read_to_string(crate::root().join(template)).expect("template");
        let mut granted: Vec<&str> = text
            .lines()
            .map(|l| l.trim().trim_start_matches("- ").trim_matches([',', '"']))
            .filter(|l| {
                l.split_once(':').is_some_and(|(service, action)| {
                    !service.is_empty()
                        && service
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        && ["Describe", "Get", "List"]
                            .iter()
                            .any(|p| action.starts_with(p))
                })
            })
            .collect();
        granted.sort();
        let mut expected = actions.clone();
        expected.sort();
        assert_eq!(
            granted, expected,
            "{template} is out of date: regenerate it from `auditscope iam-policy`"
        );
    }
    // Every operation a bundled check depends on is collected.
    for check in &crate::catalogue().checks {
        for required in &check.requires {
            assert!(
                actions.contains(&required.as_str()),
                "{} requires {required}, which the collector never calls",
                check.id
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_service_makes_only_its_checks_error() {
    let world = World::start().await;
    world.seed_good_account().await;
    let proxy = Proxy::start(world.moto.addr);
    proxy.fault(Fault::operation(
        "DescribeLogGroups",
        400,
        "AccessDeniedException",
        None,
    ));
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    let denied = real_errors(&snapshot);
    assert_eq!(
        denied,
        [(
            "logs".into(),
            "DescribeLogGroups".into(),
            "AccessDeniedException".into()
        )]
    );
    let account = &snapshot.accounts[0];
    assert_eq!(
        account.trails.len(),
        1,
        "other services are still collected"
    );
    assert_eq!(
        account.region("us-east-1").map(|r| r.metric_alarms.len()),
        Some(1)
    );
    let result = evaluate(&snapshot);
    // Log groups could not be listed: the alarm chain cannot be followed
    // (ERROR naming the action to grant), not FAIL and not PASS.
    let alarm = result
        .findings
        .iter()
        .find(|f| &*f.check_id == "alarm-root-account-usage")
        .expect("a root-usage finding");
    assert_eq!(alarm.status, Status::Error, "{}", alarm.message);
    assert!(
        alarm.message.contains("logs:DescribeLogGroups"),
        "{}",
        alarm.message
    );
    assert_eq!(
        status_of(&result, "cloudtrail-log-file-validation", None),
        [Status::Pass]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_account_public_access_block_is_named_by_its_iam_action() {
    // S3 Control's GetPublicAccessBlock is authorized by
    // s3:GetAccountPublicAccessBlock: the bucket check that needs it must
    // be ERROR, naming that action, not PASS on a missing fact.
    let world = World::start().await;
    world.seed_good_account().await;
    let proxy = Proxy::start(world.moto.addr);
    proxy.fault(Fault::new(
        |r| {
            r.path
                .starts_with("/v20180820/configuration/publicAccessBlock")
        },
        403,
        "AccessDenied",
        None,
    ));
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert_eq!(
        real_errors(&snapshot),
        [(
            "s3control".into(),
            "GetPublicAccessBlock".into(),
            "AccessDenied".into()
        )]
    );
    let result = evaluate(&snapshot);
    let public = result
        .findings
        .iter()
        .find(|f| &*f.check_id == "cloudtrail-bucket-not-public")
        .expect("a bucket finding");
    assert_eq!(public.status, Status::Error, "{}", public.message);
    assert!(
        public.message.contains("s3:GetAccountPublicAccessBlock"),
        "{}",
        public.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_is_retried_then_recorded_and_a_failing_region_is_isolated() {
    let world = World::start().await;
    world.seed_good_account().await;
    let proxy = Proxy::start(world.moto.addr);
    // Two throttles, then answers: the SDK retries through them.
    // Everything in eu-west-1 fails (first, so it wins over the rest).
    proxy.fault(Fault::new(
        |r| r.scope().0 == "eu-west-1",
        503,
        "ServiceUnavailable",
        None,
    ));
    let brief = proxy.fault(Fault::operation(
        "DescribeTrails",
        400,
        "ThrottlingException",
        Some(2),
    ));
    // Always throttled: recorded after the retries.
    proxy.fault(Fault::operation(
        "DescribeConfigurationRecorders",
        400,
        "ThrottlingException",
        None,
    ));
    let mut options = world.options(&["us-east-1", "eu-west-1"]);
    options.endpoints = harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert_eq!(brief.hits(), 2);
    let log = proxy.log();
    let describe_trails = log
        .iter()
        .filter(|c| *c == "cloudtrail:DescribeTrails")
        .count();
    assert!(
        describe_trails >= 4,
        "2 regions, 2 throttled attempts retried: {log:?}"
    );
    assert_eq!(proxy.calls() as usize, log.len());
    let account = &snapshot.accounts[0];
    assert_eq!(account.trails.len(), 1, "retried through the throttling");
    let throttled: Vec<_> = snapshot
        .errors
        .iter()
        .filter(|e| e.code == "ThrottlingException")
        .map(|e| (e.region.as_deref(), e.operation.as_str()))
        .collect();
    assert_eq!(
        throttled,
        [(Some("us-east-1"), "DescribeConfigurationRecorders")]
    );
    assert!(
        snapshot
            .errors
            .iter()
            .filter(|e| e.region.as_deref() == Some("eu-west-1"))
            .count()
            >= 5,
        "each eu-west-1 service is recorded: {:#?}",
        snapshot.errors
    );
    assert!(snapshot
        .errors
        .iter()
        .filter(|e| !MOTO_GAPS.contains(&(e.service.as_str(), e.operation.as_str())))
        .all(|e| e.region.as_deref() != Some("us-east-1") || e.code == "ThrottlingException"));
    let east = account
        .region("us-east-1")
        .expect("us-east-1 still collected");
    assert_eq!(east.guardduty_detectors.len(), 1);
    let result = evaluate(&snapshot);
    assert_eq!(
        status_of(&result, "guardduty-enabled", Some("us-east-1")),
        [Status::Pass]
    );
    assert_eq!(
        status_of(&result, "guardduty-enabled", Some("eu-west-1")),
        [Status::Error]
    );
}

/// The binary against moto: endpoints through the standard environment
/// variables, credentials from the environment.
pub fn auditscope_live(world: &World, args: &[&str], credentials: bool) -> std::process::Output {
    let mut command = crate::binary();
    command
        .args(args)
        .current_dir(crate::root())
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", &world.moto.url)
        .env("AWS_ENDPOINT_URL_CLOUDWATCH", &world.bridge.url)
        .env("AWS_ENDPOINT_URL_S3", &world.bridge.url);
    if credentials {
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
    }
    command.output().expect("run auditscope")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scan_collect_and_offline_rescan_from_the_command_line() {
    let world = World::start().await;
    world.seed_good_account().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("live");
    let output = auditscope_live(
        &world,
        &[
            "scan",
            "--regions",
            "us-east-1,eu-west-1",
            "--format",
            "json,md",
            "--out",
            out.to_str().expect("utf-8"),
        ],
        true,
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("collected account 123456789012 in 2 region(s)"),
        "{stderr}"
    );
    let live = ScanResult::load(&out.join("result.json")).expect("result");
    assert_eq!(live.scan.source, "aws");
    assert_eq!(
        status_of(&live, "alarm-root-account-usage", None),
        [Status::Pass]
    );

    let snapshot = dir.path().join("snapshot.json");
    let output = auditscope_live(
        &world,
        &[
            "collect",
            "--regions",
            "us-east-1,eu-west-1",
            "--out",
            snapshot.to_str().expect("utf-8"),
        ],
        true,
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Offline: no endpoint, no credentials needed.
    let offline = dir.path().join("offline");
    let output = crate::cli::auditscope(&[
        "scan",
        "--snapshot",
        snapshot.to_str().expect("utf-8"),
        "--format",
        "json",
        "--out",
        offline.to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let again = ScanResult::load(&offline.join("result.json")).expect("result");
    assert_eq!(
        rows(&live),
        rows(&again),
        "re-evaluating the snapshot gives the same findings"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_exit_2_with_a_hint() {
    let world = World::start().await;
    let output = auditscope_live(&world, &["scan", "--regions", "us-east-1"], false);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot find out who the credentials belong to")
            && stderr.contains("--profile"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_account_list_regions_the_scan_asks_for_regions() {
    // moto does not serve account:ListRegions, as an account without the
    // permission would refuse it: the message says what to do.
    let world = World::start().await;
    let output = auditscope_live(&world, &["collect", "--out", "/dev/null"], true);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot list the account's enabled regions")
            && stderr.contains("--regions us-east-1,eu-west-1"),
        "{stderr}"
    );
}

/// The live-scan benchmark (run by `bench/live.sh`, ignored in the test
/// suite): one seeded account x 17 regions through the proxy with 50 ms
/// added to every call. Prints wall time, API calls and the critical-path
/// bound: the longest chain of dependent calls times the latency.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "benchmark: bench/live.sh"]
async fn bench_live_scan_one_account_17_regions() {
    const REGIONS: [&str; 17] = [
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ca-central-1",
        "eu-central-1",
        "eu-north-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ];
    // Dependent calls on the longest path: GetCallerIdentity; in a region
    // ListDetectors -> ListFindings -> GetFindings; then, account-wide and
    // all at once, GetBucketLocation -> the bucket's configuration (beside
    // DescribeKey -> GetKeyRotationStatus and the trail details).
    const CHAIN: u32 = 6;
    let latency = std::time::Duration::from_millis(
        std::env::var("AUDITSCOPE_BENCH_LATENCY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50),
    );
    let world = World::start().await;
    world.seed_good_account().await;
    let proxy = Proxy::start(world.moto.addr);
    let mut options = world.options(&REGIONS);
    options.endpoints = harness::all_through(&proxy);
    options.concurrency = REGIONS.len();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1000.0;
    // Through moto, recording its answers.
    proxy.record();
    let started = std::time::Instant::now();
    let reference = world.collect(&options).await;
    let through_moto = started.elapsed();
    // From the record, without and with the added latency: what the
    // collector itself costs, and how well it overlaps waiting.
    proxy.replay();
    let started = std::time::Instant::now();
    let _ = world.collect(&options).await;
    let unloaded = started.elapsed();
    let calls_before = proxy.calls();
    proxy.set_latency(latency);
    let started = std::time::Instant::now();
    let snapshot = world.collect(&options).await;
    let wall = started.elapsed();
    let calls = proxy.calls() - calls_before;
    let bound = latency * CHAIN;
    println!(
        "live scan, 1 account x {} regions: {} API calls; through moto {:.0} ms; replayed {:.0} ms; replayed with {} ms per call {:.0} ms against a critical-path bound of {} ms ({} dependent calls): ratio {:.2}",
        REGIONS.len(),
        calls,
        ms(through_moto),
        ms(unloaded),
        latency.as_millis(),
        ms(wall),
        bound.as_millis(),
        CHAIN,
        wall.as_secs_f64() / bound.as_secs_f64()
    );
    let facts = |s: &auditscope::model::Snapshot| {
        let mut s = s.clone();
        s.collected_at = None;
        s
    };
    assert_eq!(
        facts(&snapshot),
        facts(&reference),
        "the replay changed the facts"
    );
    assert_eq!(snapshot.accounts[0].regions.len(), REGIONS.len());
}

/// What moto cannot be made to hold through the API, copied from the mock
/// into the collected facts before comparing (each line says why):
/// - trail status times and errors: set by CloudTrail as it delivers logs;
/// - Config recorder status details: set by Config as it delivers;
/// - GuardDuty administrator and organization settings, and findings:
///   moto 5.2.5 does not serve ListFindings or
///   DescribeOrganizationConfiguration, and an administrator needs a second
///   account (covered by the organization tests);
/// - S3 ACL owner and canonical-user grants: moto has its own canonical ids;
/// - log group data protection and class: moto 5.2.5 keeps neither;
/// - alarm state: moto evaluates nothing, so every alarm stays as created.
pub fn carry_over_unrepresentable(
    mock: &auditscope::model::Account,
    collected: &mut auditscope::model::Account,
) {
    for trail in &mut collected.trails {
        if let Some(from) = mock.trails.iter().find(|t| t.arn == trail.arn) {
            if let (Some(status), Some(from)) = (trail.status.as_mut(), from.status.as_ref()) {
                *status = auditscope::model::TrailStatus {
                    is_logging: status.is_logging,
                    ..from.clone()
                };
            }
        }
    }
    for bucket in &mut collected.buckets {
        if let Some(from) = mock.buckets.iter().find(|b| b.name == bucket.name) {
            bucket.acl = from.acl.clone();
        }
    }
    for facts in &mut collected.region_facts {
        let Some(from) = mock.region_facts.iter().find(|f| f.region == facts.region) else {
            continue;
        };
        for recorder in &mut facts.config_recorders {
            if let Some(from) = from
                .config_recorders
                .iter()
                .find(|r| r.name == recorder.name)
            {
                if let (Some(status), Some(from)) = (recorder.status.as_mut(), from.status.as_ref())
                {
                    *status = auditscope::model::ConfigRecorderStatus {
                        recording: status.recording,
                        ..from.clone()
                    };
                }
            }
        }
        for detector in &mut facts.guardduty_detectors {
            if let Some(from) = from
                .guardduty_detectors
                .iter()
                .find(|d| d.id == detector.id)
            {
                detector.administrator = from.administrator.clone();
                detector.organization_configuration = from.organization_configuration.clone();
                detector.high_severity_findings = from.high_severity_findings.clone();
            }
        }
        for group in &mut facts.log_groups {
            if let Some(from) = from.log_groups.iter().find(|g| g.name == group.name) {
                group.data_protection_status = from.data_protection_status.clone();
                group.log_group_class = from.log_group_class.clone();
            }
        }
        for alarm in &mut facts.metric_alarms {
            if let Some(from) = from.metric_alarms.iter().find(|a| a.name == alarm.name) {
                alarm.state = from.state.clone();
            }
        }
        // A world that was not collected for VPCs or Security Hub (older
        // snapshots) cannot be made in moto, which has a default VPC and
        // answers DescribeHub in every region.
        if from.vpcs.is_none() {
            facts.vpcs = None;
            facts.flow_logs.clear();
            facts.subnets.clear();
            facts.resolver_query_log_configs.clear();
            facts.resolver_query_log_config_associations.clear();
        }
        if from.security_lake.is_none() {
            facts.security_lake = None;
        }
        if from.event_data_stores.is_none() {
            facts.event_data_stores = None;
        }
        match (&mut facts.security_hub, &from.security_hub) {
            (hub, None) => *hub = None,
            // One account in moto: no administrator, no organization.
            (Some(hub), Some(from)) => {
                hub.administrator_account_id = from.administrator_account_id.clone();
                hub.organization_configuration = from.organization_configuration.clone();
            }
            _ => {}
        }
    }
}

/// Findings as comparable rows.
pub fn rows(result: &ScanResult) -> Vec<String> {
    let mut rows: Vec<String> = result
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {} {:?}",
                f.check_id,
                f.account_id,
                f.region.as_deref().unwrap_or("-"),
                f.resource.id,
                f.status
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The issue's round trip: a mock world is created in moto through the
/// API, collected with the real clients, and must give the same findings
/// as evaluating the mock itself.
async fn round_trip(scenario: &str) {
    let path = crate::root()
        .join("mock/scenarios")
        .join(format!("{scenario}.yaml"));
    round_trip_file(&path, 20).await;
}

/// [`round_trip`] of any one-account world, which must give more than
/// `minimum` findings.
async fn round_trip_file(path: &std::path::Path, minimum: usize) {
    let scenario = path.display().to_string();
    let scenario = scenario.as_str();
    let mock = auditscope::collect::mock::load(path).unwrap_or_else(|d| panic!("{d}"));
    // One account, scanned on its own: the mock's account id becomes
    // moto's, and the organization is the organization tests' business.
    let original = &mock.accounts[0];
    let to_moto = vec![(original.id.clone(), ACCOUNT.to_owned())];
    let mut account: auditscope::model::Account = seed::rename(original, &to_moto);
    account.role = auditscope::model::AccountRole::Standalone;
    account.ou_path.clear();
    let world = World::start().await;
    let seeder = seed::Seeder {
        sdk: world.sdk.clone(),
        endpoints: harness::endpoints(&world.moto, &world.bridge),
    };
    let seeded = seeder.seed(&account).await;
    for (region, operation, answer) in &seeded.answers {
        world.bridge.answer_in(region, operation, answer.clone());
    }
    let account = seeded.rename(&account);
    let regions: Vec<&str> = account.regions.iter().map(String::as_str).collect();
    let mut collected = world.collect(&world.options(&regions)).await;
    assert_eq!(
        real_errors(&collected),
        vec![],
        "{scenario}: collection errors"
    );
    collected.errors.clear();
    same_new_facts(&account, &collected.accounts[0], scenario);
    carry_over_unrepresentable(&account, &mut collected.accounts[0]);
    // Ages are measured from the collection time, the same for both.
    let expected = Snapshot {
        accounts: vec![account],
        collected_at: collected.collected_at.clone(),
        ..Snapshot::default()
    };
    let (want, got) = (rows(&evaluate(&expected)), rows(&evaluate(&collected)));
    if want != got {
        let missing: Vec<_> = want.iter().filter(|r| !got.contains(r)).collect();
        let extra: Vec<_> = got.iter().filter(|r| !want.contains(r)).collect();
        panic!(
            "{scenario}: the collected world is judged differently from the mock\nonly in the mock: {missing:#?}\nonly collected: {extra:#?}\nmock facts: {}\ncollected facts: {}",
            serde_json::to_string_pretty(&expected.accounts[0]).unwrap_or_default(),
            serde_json::to_string_pretty(&collected.accounts[0]).unwrap_or_default()
        );
    }
    assert!(
        want.len() > minimum,
        "{scenario}: too few findings to mean anything: {want:?}"
    );
}

/// The facts the verdicts newly depend on came back from moto as seeded.
fn same_new_facts(
    mock: &auditscope::model::Account,
    collected: &auditscope::model::Account,
    scenario: &str,
) {
    for facts in &mock.region_facts {
        let got = collected.region(&facts.region).expect("region collected");
        for alarm in &facts.metric_alarms {
            let back = got
                .metric_alarms
                .iter()
                .find(|a| a.name == alarm.name)
                .unwrap_or_else(|| panic!("{scenario}: alarm {} not collected", alarm.name));
            assert_eq!(
                (
                    back.datapoints_to_alarm,
                    &back.treat_missing_data,
                    &back.metrics,
                    &back.threshold_metric_id
                ),
                (
                    alarm.datapoints_to_alarm,
                    &alarm.treat_missing_data,
                    &alarm.metrics,
                    &alarm.threshold_metric_id
                ),
                "{scenario}: alarm {}",
                alarm.name
            );
        }
        for rule in &facts.eventbridge_rules {
            let back = got
                .eventbridge_rules
                .iter()
                .find(|r| r.name == rule.name)
                .unwrap_or_else(|| panic!("{scenario}: rule {} not collected", rule.name));
            assert_eq!(back.event_pattern, rule.event_pattern, "{scenario}");
        }
    }
    for key in &mock.kms_keys {
        let back = collected
            .kms_keys
            .iter()
            .find(|k| k.aliases == key.aliases && k.region == key.region)
            .unwrap_or_else(|| panic!("{scenario}: key {:?} not collected", key.aliases));
        assert_eq!(
            (&back.key_spec, &back.origin),
            (&key.key_spec, &key.origin),
            "{scenario}: key {:?}",
            key.aliases
        );
    }
    for bucket in &mock.buckets {
        if let Some(back) = collected.buckets.iter().find(|b| b.name == bucket.name) {
            assert_eq!(
                back.policy, bucket.policy,
                "{scenario}: bucket {}",
                bucket.name
            );
        }
    }
}

/// The verdict worlds' new facts (DatapointsToAlarm, TreatMissingData,
/// metric-math `Metrics`, key spec and origin, EventBridge patterns,
/// bucket policies) go into moto through the API and come back through the
/// collector judged the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_verdict_worlds() {
    for world in [
        "alarm-m-of-n-notbreaching",
        "alarm-metric-math",
        "kms-rotation-unsupported-keys",
        "gd-eventbridge-detail-type-only",
        "s3-public-vpce-wildcard",
        "s3-secure-transport-objects-only",
    ] {
        let path = crate::root()
            .join("tests/fixtures/verdicts")
            .join(format!("{world}.yaml"));
        round_trip_file(&path, 5).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_monitoring_world() {
    round_trip("monitoring").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_gaps_world() {
    round_trip("gaps").await;
}

/// VPC flow logs to S3 and, in a custom format, to CloudWatch Logs with a
/// REJECT filter, alarm and topic; DNS query logging; Security Hub.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_network_world() {
    round_trip("network").await;
}

/// The proxy answers the operations of [`harness::FAKED`] itself because
/// moto does not serve them. When moto starts serving one, this fails: drop
/// the fake and test against moto's own answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn moto_still_lacks_the_faked_operations() {
    let moto = Moto::start();
    let sdk = harness::sdk_config(&moto.url).await;
    let mut served = Vec::new();
    for (service, operation, _) in harness::FAKED {
        let answered = match (*service, *operation) {
            ("logs", "DescribeAccountPolicies") => aws_sdk_cloudwatchlogs::Client::new(&sdk)
                .describe_account_policies()
                .policy_type(aws_sdk_cloudwatchlogs::types::PolicyType::DataProtectionPolicy)
                .send()
                .await
                .is_ok(),
            ("cloudtrail", "ListEventDataStores") => aws_sdk_cloudtrail::Client::new(&sdk)
                .list_event_data_stores()
                .send()
                .await
                .is_ok(),
            ("cloudtrail", "GetEventDataStore") => aws_sdk_cloudtrail::Client::new(&sdk)
                .get_event_data_store()
                .event_data_store("arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x")
                .send()
                .await
                .is_ok(),
            ("securitylake", "ListDataLakes") => aws_sdk_securitylake::Client::new(&sdk)
                .list_data_lakes()
                .send()
                .await
                .is_ok(),
            ("securitylake", "ListLogSources") => aws_sdk_securitylake::Client::new(&sdk)
                .list_log_sources()
                .send()
                .await
                .is_ok(),
            ("securityhub", "GetEnabledStandards") => {
                let hub = aws_sdk_securityhub::Client::new(&sdk);
                hub.enable_security_hub()
                    .send()
                    .await
                    .expect("moto enables Security Hub");
                hub.get_enabled_standards().send().await.is_ok()
            }
            other => panic!("no probe for faked operation {other:?}"),
        };
        if answered {
            served.push(format!("{service}:{operation}"));
        }
    }
    assert!(
        served.is_empty(),
        "moto now serves {served:?}: remove them from harness::FAKED"
    );
}

/// An account-level data protection policy covers a log group that has no
/// policy of its own (DescribeAccountPolicies answered by the proxy in
/// AWS's documented shape, see `harness::FAKED`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_data_protection_policy_covers_the_log_groups() {
    let world = World::start().await;
    let logs = aws_sdk_cloudwatchlogs::Client::new(&world.sdk);
    logs.create_log_group()
        .log_group_name("app-logs")
        .send()
        .await
        .expect("log group");
    let status = |snapshot: &Snapshot| -> Vec<Status> {
        evaluate(snapshot)
            .findings
            .iter()
            .filter(|f| &*f.check_id == "logs-data-protection-policy")
            .map(|f| f.status)
            .collect()
    };
    let without = world.collect(&world.options(&["us-east-1"])).await;
    assert_eq!(status(&without), vec![Status::Fail]);
    world.bridge.answer(
        "DescribeAccountPolicies",
        serde_json::json!({"accountPolicies": [{
            "policyName": "account-data-protection",
            "policyType": "DATA_PROTECTION_POLICY",
            "scope": "ALL",
            "accountId": ACCOUNT,
            "lastUpdatedTime": 1_763_640_000_000_i64,
            "policyDocument": "{\"Name\":\"mask\",\"Version\":\"2021-06-01\",\"Statement\":[]}"
        }]}),
    );
    let with = world.collect(&world.options(&["us-east-1"])).await;
    assert_eq!(
        with.accounts[0].region_facts[0].logs_account_policies[0].policy_name,
        "account-data-protection"
    );
    assert_eq!(status(&with), vec![Status::Pass]);
}

/// Members AWS always sends, taken out of moto's real answers: the SDK
/// fills them with defaults (client error correction), and none of those
/// defaults may become a fact. The checks that need the member are unknown
/// (ERROR), never PASS or FAIL on no data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absent_members_are_not_read_as_facts() {
    use auditscope::collect::aws::INCOMPLETE_ANSWER;
    use harness::Request;
    let world = World::start().await;
    world.seed_good_account().await;
    let region = ["us-east-1"];

    // moto answers a standalone account's GetAdministratorAccount with
    // `{}`, as GuardDuty leaves `Administrator` out: no administrator, so
    // the account's own notification is judged (not SKIPped).
    let plain = world.collect(&world.options(&region)).await;
    let detector = &plain.accounts[0].region_facts[0].guardduty_detectors[0];
    assert_eq!(detector.administrator, None);
    assert_eq!(
        status_of(&evaluate(&plain), "guardduty-findings-notified", None),
        [Status::Pass]
    );

    let proxy = Proxy::start(world.moto.addr);
    let op = |name: &'static str| move |r: &Request| r.operation().as_deref() == Some(name);
    fn remove_in(json: &mut serde_json::Value, list: &str, member: &str) {
        if let Some(items) = json.get_mut(list).and_then(|l| l.as_array_mut()) {
            for item in items {
                item.as_object_mut().map(|o| o.remove(member));
            }
        }
    }
    proxy.edit(op("GetTrailStatus"), |j| {
        j.as_object_mut().map(|o| o.remove("IsLogging"));
    });
    proxy.edit(op("DescribeTrails"), |j| {
        remove_in(j, "trailList", "IsMultiRegionTrail")
    });
    proxy.edit(op("DescribeMetricFilters"), |j| {
        remove_in(j, "metricFilters", "filterPattern")
    });
    proxy.edit(op("DescribeAlarms"), |j| {
        remove_in(j, "MetricAlarms", "ActionsEnabled")
    });
    proxy.edit_text(
        |r| r.method == "GET" && r.path.contains("?logging"),
        |_| {
            "<BucketLoggingStatus xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
             <LoggingEnabled><TargetPrefix>logs/</TargetPrefix></LoggingEnabled>\
             </BucketLoggingStatus>"
                .into()
        },
    );
    let mut options = world.options(&region);
    options.endpoints = harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    let incomplete: Vec<&str> = snapshot
        .errors
        .iter()
        .filter(|e| e.code == INCOMPLETE_ANSWER)
        .map(|e| e.operation.as_str())
        .collect();
    for operation in [
        "GetTrailStatus",
        "DescribeTrails",
        "DescribeMetricFilters",
        "DescribeAlarms",
        "GetBucketLogging",
    ] {
        assert!(
            incomplete.contains(&operation),
            "{operation}: {incomplete:?}"
        );
    }
    let account = &snapshot.accounts[0];
    assert_eq!(account.trails[0].status, None, "no IsLogging, no status");
    let group = account.region_facts[0]
        .log_groups
        .iter()
        .find(|g| g.name == LOG_GROUP)
        .expect("log group");
    assert!(
        group.metric_filters.is_empty(),
        "a filter without its pattern is not an empty (match-all) pattern"
    );
    let bucket = account
        .buckets
        .iter()
        .find(|b| b.name == BUCKET)
        .expect("bucket");
    assert_eq!(bucket.logging, None);
    let result = evaluate(&snapshot);
    for check in [
        "cloudtrail-multi-region-logging",
        "alarm-root-account-usage",
        "cloudtrail-bucket-access-logging",
    ] {
        let statuses = status_of(&result, check, None);
        assert!(
            !statuses.is_empty() && statuses.iter().all(|s| *s == Status::Error),
            "{check}: {statuses:?}"
        );
    }

    // A membership that no longer sends findings to the administrator
    // (Removed) leaves notification to the account; an Enabled one does not.
    for (relationship, expected) in [("Removed", Status::Pass), ("Enabled", Status::Skip)] {
        let proxy = Proxy::start(world.moto.addr);
        proxy.edit(
            |r| r.path.ends_with("/administrator"),
            move |j| {
                *j = serde_json::json!({"administrator": {
                    "accountId": "210987654321",
                    "invitationId": "84b097800250d17d1872b34c4EXAMPLE",
                    "relationshipStatus": relationship,
                    "invitedAt": "2026-11-01T00:00:00.000Z"
                }})
            },
        );
        let mut options = world.options(&region);
        options.endpoints = harness::all_through(&proxy);
        let snapshot = world.collect(&options).await;
        assert_eq!(
            status_of(&evaluate(&snapshot), "guardduty-findings-notified", None),
            [expected],
            "{relationship}"
        );
    }
}

/// A service that answers the same `NextToken` again ends the listing
/// with a recorded error; the scan does not loop forever.
#[tokio::test]
async fn a_repeated_next_token_ends_the_listing_with_an_error() {
    let world = World::start().await;
    world.seed_good_account().await;
    let proxy = Proxy::start(world.moto.addr);
    proxy.edit(
        |r| r.operation().as_deref() == Some("ListRules"),
        |j| {
            if let Some(o) = j.as_object_mut() {
                o.insert("NextToken".into(), "again".into());
            }
        },
    );
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert!(
        snapshot.errors.iter().any(|e| e.operation == "ListRules"
            && e.code == auditscope::collect::aws::REPEATED_NEXT_TOKEN),
        "{:?}",
        snapshot.errors
    );
    let calls = proxy
        .log()
        .iter()
        .filter(|c| c.ends_with(":ListRules"))
        .count();
    assert_eq!(calls, 2, "the first page, then the repeated token once");
}
