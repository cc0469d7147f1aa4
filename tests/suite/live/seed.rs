//! Creates an account of a mock world in moto through the AWS API, so that
//! collecting it can be compared with evaluating the mock directly.
//!
//! moto names some things itself (KMS key ids, GuardDuty detector ids,
//! account ids of created accounts); [`Seeded::renames`] maps the mock's
//! names to moto's, to be applied to the mock before comparing. What the
//! API cannot create at all is left out here and listed by the tests.

use auditscope::model::{Account, Bucket, KmsKey, LogGroup, Trail};
use std::collections::BTreeMap;

/// What seeding did: mock name → the name moto gave.
#[derive(Debug, Default)]
pub struct Seeded {
    pub renames: Vec<(String, String)>,
    /// Answers the proxy must give for operations moto lacks
    /// (`harness::FAKED`): (region, operation, answer).
    pub answers: Vec<(String, String, serde_json::Value)>,
}

impl Seeded {
    /// Applies the renames to any serializable value (through its JSON
    /// text, so every reference is renamed, not only the object's own id).
    pub fn rename<T: serde::Serialize + serde::de::DeserializeOwned>(&self, value: &T) -> T {
        rename(value, &self.renames)
    }
}

pub fn rename<T: serde::Serialize + serde::de::DeserializeOwned>(
    value: &T,
    renames: &[(String, String)],
) -> T {
    let mut text = serde_json::to_string(value).expect("serialize");
    for (from, to) in renames {
        text = text.replace(from.as_str(), to.as_str());
    }
    serde_json::from_str(&text).expect("deserialize renamed")
}

/// Clients for one account (its credentials are in `sdk`), every service
/// pointed at moto or the CBOR bridge.
pub struct Seeder {
    pub sdk: aws_config::SdkConfig,
    pub endpoints: BTreeMap<String, String>,
}

macro_rules! client {
    ($name:ident, $krate:ident, $key:literal) => {
        fn $name(&self, region: &str) -> $krate::Client {
            let mut builder = $krate::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_owned()));
            if let Some(url) = self.endpoints.get($key) {
                builder = builder.endpoint_url(url.clone());
            }
            $krate::Client::from_conf(builder.build())
        }
    };
}

fn must<T, E: std::fmt::Debug>(what: &str, result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| panic!("seeding {what}: {e:?}"))
}

fn name_from_arn(arn: &str) -> &str {
    arn.rsplit([':', '/']).next().unwrap_or(arn)
}

impl Seeder {
    client!(kms, aws_sdk_kms, "kms");
    client!(logs, aws_sdk_cloudwatchlogs, "logs");
    client!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");
    client!(cloudtrail, aws_sdk_cloudtrail, "cloudtrail");
    client!(sns, aws_sdk_sns, "sns");
    client!(guardduty, aws_sdk_guardduty, "guardduty");
    client!(config, aws_sdk_config, "config");
    client!(events, aws_sdk_eventbridge, "events");
    client!(ec2, aws_sdk_ec2, "ec2");
    client!(route53resolver, aws_sdk_route53resolver, "route53resolver");
    client!(securityhub, aws_sdk_securityhub, "securityhub");

    fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut builder = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_owned()))
            .force_path_style(true);
        if let Some(url) = self.endpoints.get("s3") {
            builder = builder.endpoint_url(url.clone());
        }
        aws_sdk_s3::Client::from_conf(builder.build())
    }

    fn s3control(&self) -> aws_sdk_s3control::Client {
        aws_sdk_s3control::Client::from_conf(
            aws_sdk_s3control::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_resolver(auditscope::collect::aws::FixedEndpoint(
                    self.endpoints.get("s3").cloned().unwrap_or_default(),
                ))
                .build(),
        )
    }

    /// Creates everything `account` holds that belongs to it (trails owned
    /// elsewhere and their buckets and keys are the owner's to seed).
    pub async fn seed(&self, account: &Account) -> Seeded {
        let mut seeded = Seeded::default();
        for key in &account.kms_keys {
            self.key(key, &mut seeded).await;
        }
        // Later references to keys use moto's names.
        let account = &seeded.rename(account);
        if let Some(block) = &account.s3_public_access_block {
            must(
                "account public access block",
                self.s3control()
                    .put_public_access_block()
                    .account_id(&account.id)
                    .public_access_block_configuration(
                        aws_sdk_s3control::types::PublicAccessBlockConfiguration::builder()
                            .block_public_acls(block.block_public_acls)
                            .ignore_public_acls(block.ignore_public_acls)
                            .block_public_policy(block.block_public_policy)
                            .restrict_public_buckets(block.restrict_public_buckets)
                            .build(),
                    )
                    .send()
                    .await,
            );
        }
        for bucket in &account.buckets {
            let region = bucket
                .region
                .clone()
                .or_else(|| {
                    account
                        .trails
                        .iter()
                        .find(|t| t.s3_bucket_name.as_deref() == Some(&bucket.name))
                        .map(|t| t.home_region.clone())
                })
                .unwrap_or_else(|| "us-east-1".into());
            self.bucket(bucket, &region).await;
        }
        for facts in &account.region_facts {
            let region = facts.region.as_str();
            for topic in &facts.sns_topics {
                self.topic(region, topic).await;
            }
            for group in &facts.log_groups {
                self.log_group(region, group).await;
            }
            for alarm in &facts.metric_alarms {
                self.alarm(region, alarm).await;
            }
            for detector in &facts.guardduty_detectors {
                let id = self.detector(region, detector).await;
                seeded.renames.push((detector.id.clone(), id));
            }
            for recorder in &facts.config_recorders {
                self.recorder(region, recorder).await;
            }
            for channel in &facts.config_delivery_channels {
                self.channel(region, channel).await;
            }
            for rule in &facts.eventbridge_rules {
                let arn = self.rule(region, rule).await;
                seeded.renames.push((rule.arn.clone(), arn));
            }
            self.network(region, facts, &mut seeded).await;
            if let Some(hub) = &facts.security_hub {
                self.security_hub(region, hub, &mut seeded).await;
            }
            if let Some(stores) = &facts.event_data_stores {
                event_data_stores(region, stores, &mut seeded);
            }
            if let Some(lake) = &facts.security_lake {
                seeded.answers.extend(
                    crate::live::securitylake::answers(lake)
                        .into_iter()
                        .map(|(op, answer)| (region.to_owned(), op.to_owned(), answer)),
                );
            }
        }
        self.start_recorders(account).await;
        for trail in account
            .trails
            .iter()
            .filter(|t| t.owner_account_id == account.id)
        {
            // A trail whose bucket the world does not hold: CloudTrail wants
            // the bucket when the trail is made, so it is made and deleted.
            let missing = trail
                .s3_bucket_name
                .as_deref()
                .filter(|name| !account.buckets.iter().any(|b| &b.name == name));
            if let Some(name) = missing {
                let s3 = self.s3("us-east-1");
                let _ = s3.create_bucket().bucket(name).send().await;
                self.trail(trail).await;
                must(
                    "delete bucket",
                    s3.delete_bucket().bucket(name).send().await,
                );
            } else {
                self.trail(trail).await;
            }
        }
        seeded
    }

    async fn key(&self, key: &KmsKey, seeded: &mut Seeded) {
        let kms = self.kms(&key.region);
        use aws_sdk_kms::types as k;
        let made = must(
            "kms key",
            kms.create_key()
                .set_key_spec(key.key_spec.as_deref().map(k::KeySpec::from))
                .set_key_usage(key.key_spec.as_deref().and_then(|spec| {
                    if spec.starts_with("HMAC") {
                        Some(k::KeyUsageType::GenerateVerifyMac)
                    } else if spec.starts_with("RSA") || spec.starts_with("ECC") {
                        Some(k::KeyUsageType::SignVerify)
                    } else {
                        None
                    }
                }))
                .set_origin(key.origin.as_deref().map(k::OriginType::from))
                .send()
                .await,
        );
        let metadata = made.key_metadata().expect("key metadata");
        let id = metadata.key_id().to_owned();
        seeded.renames.push((
            key.arn.clone(),
            metadata.arn().unwrap_or_default().to_owned(),
        ));
        seeded.renames.push((key.key_id.clone(), id.clone()));
        if key.rotation_enabled == Some(true) {
            must(
                "rotation",
                kms.enable_key_rotation().key_id(&id).send().await,
            );
        }
        for alias in &key.aliases {
            must(
                "alias",
                kms.create_alias()
                    .alias_name(alias)
                    .target_key_id(&id)
                    .send()
                    .await,
            );
        }
        match key.key_state.as_str() {
            "Disabled" => {
                must("disable key", kms.disable_key().key_id(&id).send().await);
            }
            "PendingDeletion" => {
                must(
                    "schedule deletion",
                    kms.schedule_key_deletion().key_id(&id).send().await,
                );
            }
            _ => {}
        }
    }

    async fn bucket(&self, bucket: &Bucket, region: &str) {
        use aws_sdk_s3::types as t;
        let s3 = self.s3(region);
        let mut create = s3.create_bucket().bucket(&bucket.name);
        if region != "us-east-1" {
            create = create.create_bucket_configuration(
                t::CreateBucketConfiguration::builder()
                    .location_constraint(t::BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        if bucket.object_lock.as_ref().is_some_and(|l| l.enabled) {
            create = create.object_lock_enabled_for_bucket(true);
        }
        must("bucket", create.send().await);
        if let Some(policy) = &bucket.policy {
            must(
                "bucket policy",
                s3.put_bucket_policy()
                    .bucket(&bucket.name)
                    .policy(policy.to_string())
                    .send()
                    .await,
            );
        }
        if let Some(acl) = &bucket.acl {
            let grants: Vec<t::Grant> = acl
                .grants
                .iter()
                .filter(|g| g.grantee_type != "CanonicalUser")
                .map(|g| {
                    let grantee = t::Grantee::builder()
                        .r#type(t::Type::from(g.grantee_type.as_str()))
                        .set_uri(g.grantee_uri.clone())
                        .set_id(g.grantee_id.clone())
                        .build()
                        .expect("grantee");
                    t::Grant::builder()
                        .grantee(grantee)
                        .permission(t::Permission::from(g.permission.as_str()))
                        .build()
                })
                .collect();
            if !grants.is_empty() {
                let owner = s3
                    .get_bucket_acl()
                    .bucket(&bucket.name)
                    .send()
                    .await
                    .ok()
                    .and_then(|a| a.owner().cloned());
                let mut all = grants;
                if let Some(owner_id) = owner.as_ref().and_then(|o| o.id()) {
                    all.push(
                        t::Grant::builder()
                            .grantee(
                                t::Grantee::builder()
                                    .r#type(t::Type::CanonicalUser)
                                    .id(owner_id)
                                    .build()
                                    .expect("owner grantee"),
                            )
                            .permission(t::Permission::FullControl)
                            .build(),
                    );
                }
                must(
                    "bucket acl",
                    s3.put_bucket_acl()
                        .bucket(&bucket.name)
                        .access_control_policy(
                            t::AccessControlPolicy::builder()
                                .set_owner(owner)
                                .set_grants(Some(all))
                                .build(),
                        )
                        .send()
                        .await,
                );
            }
        }
        if let Some(block) = &bucket.public_access_block {
            must(
                "bucket public access block",
                s3.put_public_access_block()
                    .bucket(&bucket.name)
                    .public_access_block_configuration(
                        t::PublicAccessBlockConfiguration::builder()
                            .block_public_acls(block.block_public_acls)
                            .ignore_public_acls(block.ignore_public_acls)
                            .block_public_policy(block.block_public_policy)
                            .restrict_public_buckets(block.restrict_public_buckets)
                            .build(),
                    )
                    .send()
                    .await,
            );
        }
        if let Some(status) = bucket.versioning.as_ref().and_then(|v| v.status.as_deref()) {
            must(
                "versioning",
                s3.put_bucket_versioning()
                    .bucket(&bucket.name)
                    .versioning_configuration(
                        t::VersioningConfiguration::builder()
                            .status(t::BucketVersioningStatus::from(status))
                            .build(),
                    )
                    .send()
                    .await,
            );
        }
        if let Some(lock) = bucket.object_lock.as_ref().filter(|l| l.enabled) {
            let mut config = t::ObjectLockConfiguration::builder()
                .object_lock_enabled(t::ObjectLockEnabled::Enabled);
            if let Some(mode) = &lock.default_retention_mode {
                config = config.rule(
                    t::ObjectLockRule::builder()
                        .default_retention(
                            t::DefaultRetention::builder()
                                .mode(t::ObjectLockRetentionMode::from(mode.as_str()))
                                .set_days(lock.default_retention_days.map(|d| d as i32))
                                .set_years(lock.default_retention_years.map(|y| y as i32))
                                .build(),
                        )
                        .build(),
                );
            }
            must(
                "object lock",
                s3.put_object_lock_configuration()
                    .bucket(&bucket.name)
                    .object_lock_configuration(config.build())
                    .send()
                    .await,
            );
        }
        if let Some(encryption) = &bucket.encryption {
            let by_default = t::ServerSideEncryptionByDefault::builder()
                .sse_algorithm(t::ServerSideEncryption::from(
                    encryption.sse_algorithm.as_str(),
                ))
                .set_kms_master_key_id(encryption.kms_master_key_id.clone())
                .build()
                .expect("sse default");
            must(
                "encryption",
                s3.put_bucket_encryption()
                    .bucket(&bucket.name)
                    .server_side_encryption_configuration(
                        t::ServerSideEncryptionConfiguration::builder()
                            .rules(
                                t::ServerSideEncryptionRule::builder()
                                    .apply_server_side_encryption_by_default(by_default)
                                    .bucket_key_enabled(encryption.bucket_key_enabled)
                                    .build(),
                            )
                            .build()
                            .expect("sse configuration"),
                    )
                    .send()
                    .await,
            );
        }
        if let Some(logging) = &bucket.logging {
            // The target must exist and let the log delivery group write.
            let _ = s3
                .create_bucket()
                .bucket(&logging.target_bucket)
                .set_create_bucket_configuration((region != "us-east-1").then(|| {
                    t::CreateBucketConfiguration::builder()
                        .location_constraint(t::BucketLocationConstraint::from(region))
                        .build()
                }))
                .acl(t::BucketCannedAcl::from("log-delivery-write"))
                .send()
                .await;
            must(
                "logging",
                s3.put_bucket_logging()
                    .bucket(&bucket.name)
                    .bucket_logging_status(
                        t::BucketLoggingStatus::builder()
                            .logging_enabled(
                                t::LoggingEnabled::builder()
                                    .target_bucket(&logging.target_bucket)
                                    .target_prefix(
                                        logging.target_prefix.clone().unwrap_or_default(),
                                    )
                                    .build()
                                    .expect("logging enabled"),
                            )
                            .build(),
                    )
                    .send()
                    .await,
            );
        }
        if let Some(replication) = &bucket.replication {
            let rules = replication
                .rules
                .iter()
                .map(|r| {
                    t::ReplicationRule::builder()
                        .set_id(r.id.clone())
                        .status(t::ReplicationRuleStatus::from(r.status.as_str()))
                        .filter(
                            t::ReplicationRuleFilter::builder()
                                .prefix(r.prefix.clone().unwrap_or_default())
                                .build(),
                        )
                        .set_source_selection_criteria(r.replicates_kms_objects.then(|| {
                            t::SourceSelectionCriteria::builder()
                                .sse_kms_encrypted_objects(
                                    t::SseKmsEncryptedObjects::builder()
                                        .status(t::SseKmsEncryptedObjectsStatus::Enabled)
                                        .build()
                                        .expect("SSE-KMS criteria"),
                                )
                                .build()
                        }))
                        .destination(
                            t::Destination::builder()
                                .bucket(&r.destination_bucket)
                                .set_account(r.destination_account.clone())
                                .build()
                                .expect("destination"),
                        )
                        .build()
                        .expect("replication rule")
                })
                .collect();
            must(
                "replication",
                s3.put_bucket_replication()
                    .bucket(&bucket.name)
                    .replication_configuration(
                        t::ReplicationConfiguration::builder()
                            .role(replication.role.clone().unwrap_or_default())
                            .set_rules(Some(rules))
                            .build()
                            .expect("replication"),
                    )
                    .send()
                    .await,
            );
        }
        if let Some(rules) = bucket.lifecycle_rules.as_ref().filter(|r| !r.is_empty()) {
            let rules = rules
                .iter()
                .map(|r| {
                    let mut rule = t::LifecycleRule::builder()
                        .set_id(r.id.clone())
                        .status(t::ExpirationStatus::from(r.status.as_str()))
                        .filter(
                            t::LifecycleRuleFilter::builder()
                                .prefix(r.prefix.clone().unwrap_or_default())
                                .build(),
                        );
                    if let Some(days) = r.expiration_days {
                        rule = rule.expiration(
                            t::LifecycleExpiration::builder().days(days as i32).build(),
                        );
                    }
                    if let Some(days) = r.noncurrent_expiration_days {
                        rule = rule.noncurrent_version_expiration(
                            t::NoncurrentVersionExpiration::builder()
                                .noncurrent_days(days as i32)
                                .build(),
                        );
                    }
                    rule.build().expect("lifecycle rule")
                })
                .collect();
            must(
                "lifecycle",
                s3.put_bucket_lifecycle_configuration()
                    .bucket(&bucket.name)
                    .lifecycle_configuration(
                        t::BucketLifecycleConfiguration::builder()
                            .set_rules(Some(rules))
                            .build()
                            .expect("lifecycle"),
                    )
                    .send()
                    .await,
            );
        }
    }

    async fn topic(&self, region: &str, topic: &auditscope::model::SnsTopic) {
        let sns = self.sns(region);
        let arn = must(
            "topic",
            sns.create_topic()
                .name(name_from_arn(&topic.arn))
                .send()
                .await,
        )
        .topic_arn()
        .unwrap_or_default()
        .to_owned();
        for subscription in &topic.subscriptions {
            must(
                "subscription",
                sns.subscribe()
                    .topic_arn(&arn)
                    .protocol(&subscription.protocol)
                    .endpoint(&subscription.endpoint)
                    .send()
                    .await,
            );
        }
    }

    async fn log_group(&self, region: &str, group: &LogGroup) {
        use aws_sdk_cloudwatchlogs::types as t;
        let logs = self.logs(region);
        must(
            "log group",
            logs.create_log_group()
                .log_group_name(&group.name)
                .set_kms_key_id(group.kms_key_id.clone())
                .send()
                .await,
        );
        if let Some(days) = group.retention_in_days {
            must(
                "retention",
                logs.put_retention_policy()
                    .log_group_name(&group.name)
                    .retention_in_days(days as i32)
                    .send()
                    .await,
            );
        }
        for filter in &group.metric_filters {
            let transformations = filter
                .transformations
                .iter()
                .map(|m| {
                    t::MetricTransformation::builder()
                        .metric_name(&m.metric_name)
                        .metric_namespace(&m.metric_namespace)
                        .metric_value(&m.metric_value)
                        .set_default_value(m.default_value)
                        .set_dimensions((!m.dimensions.is_empty()).then(|| {
                            m.dimensions
                                .iter()
                                .map(|(k, v)| (k.clone(), v.clone()))
                                .collect()
                        }))
                        .build()
                        .expect("transformation")
                })
                .collect();
            must(
                "metric filter",
                logs.put_metric_filter()
                    .log_group_name(&group.name)
                    .filter_name(&filter.name)
                    .filter_pattern(&filter.pattern)
                    .set_metric_transformations(Some(transformations))
                    .send()
                    .await,
            );
        }
    }

    async fn alarm(&self, region: &str, alarm: &auditscope::model::MetricAlarm) {
        use aws_sdk_cloudwatch::types as t;
        let dimensions = alarm
            .dimensions
            .iter()
            .map(|(name, value)| t::Dimension::builder().name(name).value(value).build())
            .collect();
        must(
            "alarm",
            self.cloudwatch(region)
                .put_metric_alarm()
                .alarm_name(&alarm.name)
                .set_namespace(alarm.namespace.clone())
                .set_metric_name(alarm.metric_name.clone())
                .set_dimensions(Some(dimensions))
                .set_statistic(alarm.statistic.as_deref().map(t::Statistic::from))
                .set_period(alarm.period.map(|p| p as i32))
                .set_evaluation_periods(alarm.evaluation_periods.map(|p| p as i32))
                .set_threshold(alarm.threshold)
                .set_comparison_operator(
                    alarm
                        .comparison_operator
                        .as_deref()
                        .map(t::ComparisonOperator::from),
                )
                .actions_enabled(alarm.actions_enabled)
                .set_alarm_actions(Some(alarm.alarm_actions.clone()))
                .set_ok_actions(Some(alarm.ok_actions.clone()))
                .set_insufficient_data_actions(Some(alarm.insufficient_data_actions.clone()))
                .set_datapoints_to_alarm(alarm.datapoints_to_alarm.map(|n| n as i32))
                .set_treat_missing_data(alarm.treat_missing_data.clone())
                .set_extended_statistic(alarm.extended_statistic.clone())
                .set_threshold_metric_id(alarm.threshold_metric_id.clone())
                .set_metrics(if alarm.metrics.is_empty() {
                    None
                } else {
                    Some(alarm.metrics.iter().map(query).collect())
                })
                .send()
                .await,
        );
    }

    async fn detector(
        &self,
        region: &str,
        detector: &auditscope::model::GuardDutyDetector,
    ) -> String {
        use aws_sdk_guardduty::types as t;
        let features = detector
            .features
            .iter()
            .map(|f| {
                t::DetectorFeatureConfiguration::builder()
                    .name(t::DetectorFeature::from(f.name.as_str()))
                    .status(t::FeatureStatus::from(f.status.as_str()))
                    .build()
            })
            .collect();
        must(
            "detector",
            self.guardduty(region)
                .create_detector()
                .enable(detector.status == "ENABLED")
                .set_finding_publishing_frequency(
                    detector
                        .finding_publishing_frequency
                        .as_deref()
                        .map(t::FindingPublishingFrequency::from),
                )
                .set_features(Some(features))
                .send()
                .await,
        )
        .detector_id()
        .unwrap_or_default()
        .to_owned()
    }

    /// VPCs (moto's default VPC stands for the mock's), subnets, flow logs
    /// and Resolver query logging. A flow log whose delivery FAILED goes
    /// to a log group that does not exist, which is how moto (and AWS)
    /// come to report FAILED; a configuration shared from another account
    /// is made in this one (one account in moto).
    async fn network(
        &self,
        region: &str,
        facts: &auditscope::model::RegionFacts,
        seeded: &mut Seeded,
    ) {
        use aws_sdk_ec2::types as t;
        let Some(vpcs) = &facts.vpcs else {
            return;
        };
        let ec2 = self.ec2(region);
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for vpc in vpcs {
            let id = if vpc.is_default {
                let found = must(
                    "default VPC",
                    ec2.describe_vpcs()
                        .filters(
                            t::Filter::builder()
                                .name("isDefault")
                                .values("true")
                                .build(),
                        )
                        .send()
                        .await,
                );
                found
                    .vpcs()
                    .first()
                    .and_then(|v| v.vpc_id())
                    .expect("moto has a default VPC")
                    .to_owned()
            } else {
                must(
                    "VPC",
                    ec2.create_vpc()
                        .cidr_block(vpc.cidr_block.as_deref().unwrap_or("10.0.0.0/16"))
                        .send()
                        .await,
                )
                .vpc()
                .and_then(|v| v.vpc_id())
                .expect("VPC id")
                .to_owned()
            };
            if let Some(name) = &vpc.name {
                must(
                    "VPC name",
                    ec2.create_tags()
                        .resources(&id)
                        .tags(t::Tag::builder().key("Name").value(name).build())
                        .send()
                        .await,
                );
            }
            seeded.renames.push((vpc.id.clone(), id.clone()));
            ids.insert(vpc.id.clone(), id);
        }
        for (n, subnet) in facts.subnets.iter().enumerate() {
            let vpc = ids.get(&subnet.vpc_id).expect("the subnet's VPC is seeded");
            let cidr = vpcs
                .iter()
                .find(|v| v.id == subnet.vpc_id)
                .and_then(|v| v.cidr_block.as_deref())
                .and_then(|c| c.split('.').take(2).collect::<Vec<_>>().join(".").into())
                .unwrap_or_else(|| "10.0".to_owned());
            let id = must(
                "subnet",
                ec2.create_subnet()
                    .vpc_id(vpc)
                    .cidr_block(format!("{cidr}.{n}.0/24"))
                    .send()
                    .await,
            )
            .subnet()
            .and_then(|s| s.subnet_id())
            .expect("subnet id")
            .to_owned();
            seeded.renames.push((subnet.id.clone(), id.clone()));
            ids.insert(subnet.id.clone(), id);
        }
        for flow_log in &facts.flow_logs {
            let resource = ids
                .get(&flow_log.resource_id)
                .expect("the flow log's resource is seeded");
            let kind = if flow_log.resource_id.starts_with("subnet-") {
                t::FlowLogsResourceType::Subnet
            } else {
                t::FlowLogsResourceType::Vpc
            };
            let mut create = ec2
                .create_flow_logs()
                .resource_type(kind)
                .resource_ids(resource)
                .traffic_type(t::TrafficType::from(
                    flow_log.traffic_type.as_deref().unwrap_or("ALL"),
                ));
            create = create.set_log_format(flow_log.log_format.clone());
            if flow_log.deliver_logs_status.as_deref() == Some("FAILED") {
                create = create
                    .log_destination_type(t::LogDestinationType::CloudWatchLogs)
                    .log_group_name("auditscope-seed-missing-log-group")
                    .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flow-logs");
            } else if flow_log.log_destination_type.as_deref() == Some("cloud-watch-logs") {
                // The log group is seeded with the region's log groups.
                create = create
                    .log_destination_type(t::LogDestinationType::CloudWatchLogs)
                    .set_log_group_name(flow_log.log_group_name.clone())
                    .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flow-logs");
            } else {
                let bucket = flow_log
                    .log_destination
                    .as_deref()
                    .map(name_from_arn)
                    .unwrap_or("auditscope-seed-flow-logs")
                    .to_owned();
                // Made once per bucket (later flow logs find it there).
                let _ = self
                    .s3(region)
                    .create_bucket()
                    .bucket(&bucket)
                    .set_create_bucket_configuration((region != "us-east-1").then(|| {
                        aws_sdk_s3::types::CreateBucketConfiguration::builder()
                            .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                                region,
                            ))
                            .build()
                    }))
                    .send()
                    .await;
                create = create
                    .log_destination_type(t::LogDestinationType::S3)
                    .log_destination(format!("arn:aws:s3:::{bucket}"));
            }
            let created = must("flow log", create.send().await);
            let id = created
                .flow_log_ids()
                .first()
                .unwrap_or_else(|| panic!("flow log not made: {:?}", created.unsuccessful()))
                .clone();
            seeded.renames.push((flow_log.id.clone(), id));
        }
        let resolver = self.route53resolver(region);
        for config in &facts.resolver_query_log_configs {
            let id = must(
                "query logging configuration",
                resolver
                    .create_resolver_query_log_config()
                    .name(config.name.as_deref().unwrap_or(&config.id))
                    .destination_arn(
                        config
                            .destination_arn
                            .as_deref()
                            .unwrap_or("arn:aws:s3:::auditscope-seed-dns"),
                    )
                    .creator_request_id(&config.id)
                    .send()
                    .await,
            )
            .resolver_query_log_config()
            .and_then(|c| c.id())
            .expect("configuration id")
            .to_owned();
            seeded.renames.push((config.id.clone(), id.clone()));
            ids.insert(config.id.clone(), id);
        }
        for association in &facts.resolver_query_log_config_associations {
            assert_eq!(
                association.status.as_deref(),
                Some("ACTIVE"),
                "moto makes only ACTIVE associations"
            );
            let id = must(
                "query logging association",
                resolver
                    .associate_resolver_query_log_config()
                    .resolver_query_log_config_id(&ids[&association.resolver_query_log_config_id])
                    .resource_id(&ids[&association.resource_id])
                    .send()
                    .await,
            )
            .resolver_query_log_config_association()
            .and_then(|a| a.id())
            .expect("association id")
            .to_owned();
            seeded.renames.push((association.id.clone(), id));
        }
    }

    /// Security Hub through moto; its standards through the proxy, which
    /// answers `GetEnabledStandards` for moto (see `harness::FAKED`).
    async fn security_hub(
        &self,
        region: &str,
        hub: &auditscope::model::SecurityHub,
        seeded: &mut Seeded,
    ) {
        if !hub.enabled {
            return;
        }
        must(
            "Security Hub",
            self.securityhub(region)
                .enable_security_hub()
                .enable_default_standards(false)
                .send()
                .await,
        );
        let subscriptions: Vec<serde_json::Value> = hub
            .standards
            .iter()
            .map(|s| {
                serde_json::json!({
                    "StandardsArn": s.standards_arn,
                    "StandardsSubscriptionArn": s.standards_subscription_arn,
                    "StandardsInput": {},
                    "StandardsStatus": s.status,
                })
            })
            .collect();
        seeded.answers.push((
            region.to_owned(),
            "GetEnabledStandards".to_owned(),
            serde_json::json!({ "StandardsSubscriptions": subscriptions }),
        ));
    }

    async fn recorder(&self, region: &str, recorder: &auditscope::model::ConfigRecorder) {
        use aws_sdk_config::types as t;
        let config = self.config(region);
        let mut group = t::RecordingGroup::builder()
            .all_supported(recorder.all_supported)
            .include_global_resource_types(recorder.include_global_resource_types)
            .set_resource_types(Some(
                recorder
                    .resource_types
                    .iter()
                    .map(|r| t::ResourceType::from(r.as_str()))
                    .collect(),
            ));
        if let Some(strategy) = &recorder.recording_strategy {
            group = group.recording_strategy(
                t::RecordingStrategy::builder()
                    .use_only(t::RecordingStrategyType::from(strategy.as_str()))
                    .build(),
            );
        }
        must(
            "recorder",
            config
                .put_configuration_recorder()
                .configuration_recorder(
                    t::ConfigurationRecorder::builder()
                        .name(&recorder.name)
                        .set_role_arn(recorder.role_arn.clone())
                        .recording_group(group.build())
                        .build(),
                )
                .send()
                .await,
        );
    }

    async fn channel(&self, region: &str, channel: &auditscope::model::ConfigDeliveryChannel) {
        use aws_sdk_config::types as t;
        let config = self.config(region);
        must(
            "delivery channel",
            config
                .put_delivery_channel()
                .delivery_channel(
                    t::DeliveryChannel::builder()
                        .name(&channel.name)
                        .set_s3_bucket_name(channel.s3_bucket_name.clone())
                        .set_s3_key_prefix(channel.s3_key_prefix.clone())
                        .set_sns_topic_arn(channel.sns_topic_arn.clone())
                        .set_config_snapshot_delivery_properties(
                            channel.delivery_frequency.as_deref().map(|f| {
                                t::ConfigSnapshotDeliveryProperties::builder()
                                    .delivery_frequency(t::MaximumExecutionFrequency::from(f))
                                    .build()
                            }),
                        )
                        .build(),
                )
                .send()
                .await,
        );
    }

    /// Starts the recorders whose status says they record (a recorder
    /// starts only once it has a delivery channel).
    pub async fn start_recorders(&self, account: &Account) {
        for facts in &account.region_facts {
            for recorder in &facts.config_recorders {
                if recorder.status.as_ref().is_some_and(|s| s.recording) {
                    must(
                        "start recorder",
                        self.config(&facts.region)
                            .start_configuration_recorder()
                            .configuration_recorder_name(&recorder.name)
                            .send()
                            .await,
                    );
                }
            }
        }
    }

    async fn rule(&self, region: &str, rule: &auditscope::model::EventRule) -> String {
        let events = self.events(region);
        let arn = must(
            "rule",
            events
                .put_rule()
                .name(&rule.name)
                .set_event_pattern(rule.event_pattern.as_ref().map(|p| p.to_string()))
                .state(aws_sdk_eventbridge::types::RuleState::from(
                    rule.state.as_str(),
                ))
                .send()
                .await,
        )
        .rule_arn()
        .unwrap_or_default()
        .to_owned();
        let targets: Vec<_> = rule
            .targets
            .iter()
            .map(|t| {
                aws_sdk_eventbridge::types::Target::builder()
                    .id(&t.id)
                    .arn(&t.arn)
                    .build()
                    .expect("target")
            })
            .collect();
        if !targets.is_empty() {
            must(
                "targets",
                events
                    .put_targets()
                    .rule(&rule.name)
                    .set_targets(Some(targets))
                    .send()
                    .await,
            );
        }
        arn
    }

    async fn trail(&self, trail: &Trail) {
        use aws_sdk_cloudtrail::types as t;
        let cloudtrail = self.cloudtrail(&trail.home_region);
        must(
            "trail",
            cloudtrail
                .create_trail()
                .name(&trail.name)
                .set_s3_bucket_name(trail.s3_bucket_name.clone())
                .set_s3_key_prefix(trail.s3_key_prefix.clone())
                .set_sns_topic_name(trail.sns_topic_arn.clone())
                .set_kms_key_id(trail.kms_key_id.clone())
                .is_multi_region_trail(trail.is_multi_region)
                .is_organization_trail(trail.is_organization_trail)
                .include_global_service_events(trail.include_global_service_events)
                .enable_log_file_validation(trail.log_file_validation_enabled)
                .set_cloud_watch_logs_log_group_arn(trail.cloudwatch_logs_log_group_arn.clone())
                .set_cloud_watch_logs_role_arn(trail.cloudwatch_logs_role_arn.clone())
                .send()
                .await,
        );
        if !trail.event_selectors.is_empty() {
            let selectors = trail
                .event_selectors
                .iter()
                .map(|s| {
                    t::EventSelector::builder()
                        .read_write_type(t::ReadWriteType::from(s.read_write_type.as_str()))
                        .include_management_events(s.include_management_events)
                        .set_exclude_management_event_sources(Some(
                            s.exclude_management_event_sources.clone(),
                        ))
                        .set_data_resources(Some(
                            s.data_resources
                                .iter()
                                .map(|d| {
                                    t::DataResource::builder()
                                        .r#type(&d.resource_type)
                                        .set_values(Some(d.values.clone()))
                                        .build()
                                })
                                .collect(),
                        ))
                        .build()
                })
                .collect();
            must(
                "event selectors",
                cloudtrail
                    .put_event_selectors()
                    .trail_name(&trail.name)
                    .set_event_selectors(Some(selectors))
                    .send()
                    .await,
            );
        }
        if !trail.advanced_event_selectors.is_empty() {
            let selectors = trail
                .advanced_event_selectors
                .iter()
                .map(|s| {
                    let fields = s
                        .field_selectors
                        .iter()
                        .map(|f| {
                            let list = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
                            t::AdvancedFieldSelector::builder()
                                .field(&f.field)
                                .set_equals(list(&f.equals))
                                .set_not_equals(list(&f.not_equals))
                                .set_starts_with(list(&f.starts_with))
                                .set_not_starts_with(list(&f.not_starts_with))
                                .set_ends_with(list(&f.ends_with))
                                .set_not_ends_with(list(&f.not_ends_with))
                                .build()
                                .expect("field selector")
                        })
                        .collect();
                    t::AdvancedEventSelector::builder()
                        .set_name(s.name.clone())
                        .set_field_selectors(Some(fields))
                        .build()
                        .expect("advanced selector")
                })
                .collect();
            must(
                "advanced event selectors",
                cloudtrail
                    .put_event_selectors()
                    .trail_name(&trail.name)
                    .set_advanced_event_selectors(Some(selectors))
                    .send()
                    .await,
            );
        }
        if !trail.insight_types.is_empty() {
            let insights = trail
                .insight_types
                .iter()
                .map(|i| {
                    t::InsightSelector::builder()
                        .insight_type(t::InsightType::from(i.as_str()))
                        .build()
                })
                .collect();
            must(
                "insight selectors",
                cloudtrail
                    .put_insight_selectors()
                    .trail_name(&trail.name)
                    .set_insight_selectors(Some(insights))
                    .send()
                    .await,
            );
        }
        if trail.status.as_ref().is_some_and(|s| s.is_logging) {
            must(
                "start logging",
                cloudtrail.start_logging().name(&trail.name).send().await,
            );
        }
    }
}

/// A metric-math query of the model as PutMetricAlarm takes it.
fn query(q: &auditscope::model::MetricDataQuery) -> aws_sdk_cloudwatch::types::MetricDataQuery {
    use aws_sdk_cloudwatch::types as t;
    let stat = q.metric_stat.as_ref().map(|s| {
        let dimensions = s
            .metric
            .dimensions
            .iter()
            .map(|(name, value)| t::Dimension::builder().name(name).value(value).build())
            .collect();
        t::MetricStat::builder()
            .metric(
                t::Metric::builder()
                    .namespace(&s.metric.namespace)
                    .metric_name(&s.metric.metric_name)
                    .set_dimensions(Some(dimensions))
                    .build(),
            )
            .set_period(s.period.map(|p| p as i32))
            .stat(&s.stat)
            .set_unit(s.unit.as_deref().map(t::StandardUnit::from))
            .build()
    });
    t::MetricDataQuery::builder()
        .id(&q.id)
        .set_expression(q.expression.clone())
        .set_label(q.label.clone())
        .set_return_data(q.return_data)
        .set_metric_stat(stat)
        .set_period(q.period.map(|p| p as i32))
        .build()
}

/// CloudTrail Lake is not in moto: the proxy answers with the stores
/// (`harness::FAKED`), one store per region at most, since its
/// `GetEventDataStore` answer does not depend on the ARN asked.
fn event_data_stores(
    region: &str,
    stores: &[auditscope::model::EventDataStore],
    seeded: &mut Seeded,
) {
    assert!(
        stores.len() <= 1,
        "the proxy answers GetEventDataStore for one store per region"
    );
    let listed: Vec<serde_json::Value> = stores
        .iter()
        .map(|s| serde_json::json!({"EventDataStoreArn": s.arn, "Name": s.name}))
        .collect();
    seeded.answers.push((
        region.to_owned(),
        "ListEventDataStores".to_owned(),
        serde_json::json!({ "EventDataStores": listed }),
    ));
    for store in stores {
        seeded.answers.push((
            region.to_owned(),
            "GetEventDataStore".to_owned(),
            crate::live::lake::get_event_data_store_answer(store),
        ));
    }
}
