//! The Snapshot: collected facts about an AWS organization, with no judgement.
//!
//! This module owns the typed model that every collector (live AWS, mock
//! worlds, saved snapshots) produces and that the engine evaluates. It must
//! not depend on any other module of the crate. Every field is serialized,
//! absent values as `null` and absent lists as `[]`, so that check
//! expressions can compare against `null` without tripping on missing keys.
//!
//! Layout: `Snapshot` → `Account` → (account-wide facts: trails, trail
//! buckets, KMS keys) and `RegionFacts` per enabled region (log groups,
//! alarms, SNS topics, GuardDuty, Config, EventBridge). Trails are kept at
//! account level, de-duplicated by ARN, because one multi-region or
//! organization trail is visible as a shadow in every region; its
//! `home_region` and `owner_account_id` say where it really lives.
//!
//! A failed API call is a [`CollectionError`], not a panic: the engine turns
//! checks whose inputs are missing into ERROR findings.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod validate;
pub use validate::{is_account_id, is_rfc3339, Invalid, MAX_TEXT_BYTES};

/// Version of the snapshot format written by this build.
pub const SNAPSHOT_SCHEMA_VERSION: u32 = 1;

/// Every API operation whose answers the Snapshot holds, as IAM actions.
/// Checks name the ones they depend on (`requires`), so a failed call turns
/// exactly the dependent checks into ERROR findings; the live collector
/// calls only these, and the least-privilege IAM policy is made from them.
pub const OPERATIONS: &[&str] = &[
    "account:ListRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetEventDataStore",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListEventDataStores",
    "cloudwatch:DescribeAlarms",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "config:DescribeDeliveryChannels",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "events:ListRules",
    "events:ListTargetsByRule",
    "guardduty:DescribeOrganizationConfiguration",
    "guardduty:GetAdministratorAccount",
    "guardduty:GetDetector",
    "guardduty:GetFindings",
    "guardduty:ListDetectors",
    "guardduty:ListFindings",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "logs:DescribeAccountPolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeMetricFilters",
    "logs:GetDataProtectionPolicy",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
    "route53resolver:ListResolverQueryLogConfigAssociations",
    "route53resolver:ListResolverQueryLogConfigs",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "securityhub:DescribeHub",
    "securityhub:DescribeOrganizationConfiguration",
    "securityhub:GetAdministratorAccount",
    "securityhub:GetEnabledStandards",
    "securitylake:ListDataLakes",
    "securitylake:ListLogSources",
    "sns:GetTopicAttributes",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTopics",
    "sts:AssumeRole",
    "sts:GetCallerIdentity",
];

/// Everything collected in one scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Snapshot {
    pub schema_version: u32,
    /// Free text naming where the facts came from (`aws`, `mock:acme`).
    pub source: Option<String>,
    /// RFC 3339 times of the collection, if known.
    pub collected_at: Option<String>,
    /// True when the collection was interrupted and some accounts are missing.
    pub partial: bool,
    pub organization: Option<Organization>,
    pub accounts: Vec<Account>,
    /// Failed API calls, with the account and region they were made for.
    pub errors: Vec<CollectionError>,
}

/// AWS Organizations facts, as seen from the management account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    pub arn: Option<String>,
    pub management_account_id: String,
    /// `ALL` or `CONSOLIDATED_BILLING`.
    pub feature_set: Option<String>,
    /// Delegated administrators per service principal.
    pub delegated_administrators: Vec<DelegatedAdministrator>,
    /// Accounts in the organization that the scan skipped (suspended,
    /// filtered out, not reachable), so reports can name them.
    pub accounts_not_scanned: Vec<AccountRef>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DelegatedAdministrator {
    pub account_id: String,
    /// e.g. `guardduty.amazonaws.com`.
    pub service_principal: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountRef {
    pub id: String,
    pub name: Option<String>,
    pub status: Option<String>,
    pub reason: Option<String>,
    /// Planned but not collected because the scan was interrupted: the
    /// snapshot is partial while such an account is missing.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
}

/// The part an account plays in its organization.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRole {
    Management,
    Member,
    #[default]
    Standalone,
}

/// One AWS account and everything collected in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Account {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, ...
    pub status: Option<String>,
    pub role: AccountRole,
    /// Names of the organizational units from the root down.
    pub ou_path: Vec<String>,
    /// Regions enabled for the account (and scanned). Absent when nothing
    /// regional was collected; a list that is present may not be empty (a
    /// scan of no region is a mistake, not a fact).
    #[serde(deserialize_with = "non_empty_regions")]
    pub regions: Vec<String>,
    /// Every trail visible from the account, de-duplicated by ARN,
    /// including organization trails owned by the management account.
    pub trails: Vec<Trail>,
    /// S3 buckets owned by this account that receive trail logs.
    pub buckets: Vec<Bucket>,
    /// KMS keys owned by this account that trails or log groups use.
    pub kms_keys: Vec<KmsKey>,
    /// Account-level S3 Block Public Access.
    pub s3_public_access_block: Option<PublicAccessBlock>,
    pub region_facts: Vec<RegionFacts>,
    /// Number of API calls made per `service:Operation` (live scans).
    pub api_calls: BTreeMap<String, u64>,
}

fn non_empty_regions<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<String>, D::Error> {
    let regions = Vec::<String>::deserialize(deserializer)?;
    if regions.is_empty() {
        return Err(serde::de::Error::custom(
            "`regions` is empty: list the regions that were scanned, or leave the key out when none were",
        ));
    }
    Ok(regions)
}

/// Regional facts of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionFacts {
    pub region: String,
    pub log_groups: Vec<LogGroup>,
    pub metric_alarms: Vec<MetricAlarm>,
    pub sns_topics: Vec<SnsTopic>,
    pub guardduty_detectors: Vec<GuardDutyDetector>,
    pub config_recorders: Vec<ConfigRecorder>,
    pub config_delivery_channels: Vec<ConfigDeliveryChannel>,
    pub eventbridge_rules: Vec<EventRule>,
    /// CloudWatch Logs account-level policies of the data protection kind
    /// (`DescribeAccountPolicies`, policyType `DATA_PROTECTION_POLICY`).
    pub logs_account_policies: Vec<LogsAccountPolicy>,
    /// VPCs of the account in the region (`ec2:DescribeVpcs`, the default
    /// VPC included). `None` when they were not collected (the call failed,
    /// or the snapshot predates EC2 collection): the VPC checks are then
    /// ERROR, never a silent pass over no VPCs.
    pub vpcs: Option<Vec<Vpc>>,
    /// Flow logs of the region (`ec2:DescribeFlowLogs`), on VPCs, subnets
    /// and network interfaces.
    pub flow_logs: Vec<FlowLog>,
    /// Subnets, collected only when a subnet-level flow log exists
    /// (`ec2:DescribeSubnets`): they decide whether subnet flow logs cover
    /// a whole VPC.
    pub subnets: Vec<Subnet>,
    /// Route 53 Resolver query logging configurations visible to the
    /// account: its own and those shared to it through AWS RAM
    /// (`route53resolver:ListResolverQueryLogConfigs`).
    pub resolver_query_log_configs: Vec<ResolverQueryLogConfig>,
    /// Associations of query logging configurations with this account's
    /// VPCs (`route53resolver:ListResolverQueryLogConfigAssociations`).
    pub resolver_query_log_config_associations: Vec<ResolverQueryLogConfigAssociation>,
    /// AWS Security Hub in the region. `None` when not collected; `enabled:
    /// false` when `DescribeHub` said the account is not subscribed.
    pub security_hub: Option<SecurityHub>,
    /// CloudTrail Lake event data stores whose home is this region
    /// (`cloudtrail:ListEventDataStores`, `GetEventDataStore`). `None` when
    /// not collected: a store could keep the logs a trail does not, so the
    /// checks that accept one cannot FAIL on no data.
    pub event_data_stores: Option<Vec<EventDataStore>>,
    /// Amazon Security Lake as this account sees it in the region. `None`
    /// when not collected.
    pub security_lake: Option<SecurityLake>,
    /// API calls sent to this region per `service:Operation` (live scans),
    /// including account-wide ones answered here (trail status in a trail's
    /// home region, a bucket's configuration in the bucket's region).
    pub api_calls: BTreeMap<String, u64>,
}

// ---------------------------------------------------------------- CloudTrail

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    pub home_region: String,
    /// Account that owns the trail (the management account for an
    /// organization trail seen from a member).
    pub owner_account_id: String,
    pub is_multi_region: bool,
    pub is_organization_trail: bool,
    pub include_global_service_events: bool,
    pub log_file_validation_enabled: bool,
    pub s3_bucket_name: Option<String>,
    pub s3_key_prefix: Option<String>,
    pub sns_topic_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub cloudwatch_logs_log_group_arn: Option<String>,
    pub cloudwatch_logs_role_arn: Option<String>,
    pub has_insight_selectors: bool,
    /// `GetTrailStatus`, called in the home region. `None` when not
    /// collected (see the snapshot's errors).
    pub status: Option<TrailStatus>,
    /// Basic event selectors. Empty when the trail uses advanced selectors.
    pub event_selectors: Vec<EventSelector>,
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
    /// Insight types, e.g. `ApiCallRateInsight`.
    pub insight_types: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_time: Option<String>,
    pub latest_delivery_error: Option<String>,
    pub latest_digest_delivery_time: Option<String>,
    pub latest_digest_delivery_error: Option<String>,
    pub latest_cloudwatch_logs_delivery_time: Option<String>,
    pub latest_cloudwatch_logs_delivery_error: Option<String>,
    pub latest_notification_error: Option<String>,
    pub start_logging_time: Option<String>,
    pub stop_logging_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventSelector {
    /// `All`, `ReadOnly` or `WriteOnly`.
    pub read_write_type: String,
    pub include_management_events: bool,
    pub exclude_management_event_sources: Vec<String>,
    pub data_resources: Vec<DataResource>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataResource {
    /// e.g. `AWS::S3::Object`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// ARN prefixes, e.g. `arn:aws:s3` for all buckets.
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<AdvancedFieldSelector>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvancedFieldSelector {
    /// e.g. `eventCategory`, `readOnly`, `resources.type`, `eventSource`.
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

// ------------------------------------------------------------ S3 and KMS

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Bucket {
    pub name: String,
    pub region: Option<String>,
    pub owner_account_id: String,
    /// The bucket policy document, parsed (`None`: no policy).
    pub policy: Option<serde_json::Value>,
    pub acl: Option<BucketAcl>,
    pub public_access_block: Option<PublicAccessBlock>,
    pub versioning: Option<BucketVersioning>,
    pub object_lock: Option<ObjectLock>,
    pub encryption: Option<BucketEncryption>,
    pub logging: Option<BucketLogging>,
    pub replication: Option<BucketReplication>,
    /// Lifecycle rules (`None`: no lifecycle configuration).
    pub lifecycle_rules: Option<Vec<LifecycleRule>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LifecycleRule {
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    pub prefix: Option<String>,
    /// Days after creation when current objects expire.
    pub expiration_days: Option<u32>,
    /// Days after becoming noncurrent when old versions are deleted.
    pub noncurrent_expiration_days: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketAcl {
    pub owner_id: Option<String>,
    pub grants: Vec<AclGrant>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AclGrant {
    /// `CanonicalUser`, `Group` or `AmazonCustomerByEmail`.
    pub grantee_type: String,
    pub grantee_id: Option<String>,
    /// Group URI, e.g. `http://acs.amazonaws.com/groups/global/AllUsers`.
    pub grantee_uri: Option<String>,
    /// `FULL_CONTROL`, `READ`, `WRITE`, `READ_ACP`, `WRITE_ACP`.
    pub permission: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketVersioning {
    /// `Enabled`, `Suspended` or `None` (never enabled).
    pub status: Option<String>,
    /// `Enabled` or `Disabled`.
    pub mfa_delete: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ObjectLock {
    pub enabled: bool,
    /// `GOVERNANCE` or `COMPLIANCE`.
    pub default_retention_mode: Option<String>,
    pub default_retention_days: Option<u32>,
    pub default_retention_years: Option<u32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketEncryption {
    /// `AES256`, `aws:kms` or `aws:kms:dsse`.
    pub sse_algorithm: String,
    pub kms_master_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketLogging {
    pub target_bucket: String,
    pub target_prefix: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BucketReplication {
    pub role: Option<String>,
    pub rules: Vec<ReplicationRule>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicationRule {
    pub id: Option<String>,
    /// `Enabled` or `Disabled`.
    pub status: String,
    pub destination_bucket: String,
    pub destination_account: Option<String>,
    /// The key prefix the rule replicates (`Filter.Prefix`, `Filter.And.Prefix`
    /// or the older top-level `Prefix`); `None` or empty: every object.
    pub prefix: Option<String>,
    /// The rule replicates only objects with given tags (`Filter.Tag` or
    /// `Filter.And.Tags`), which trail log files do not carry.
    pub tag_filtered: bool,
    /// `SourceSelectionCriteria.SseKmsEncryptedObjects.Status` is
    /// `Enabled`: objects encrypted with SSE-KMS are replicated too.
    pub replicates_kms_objects: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KmsKey {
    pub arn: String,
    pub key_id: String,
    pub region: String,
    pub account_id: String,
    /// `Enabled`, `Disabled`, `PendingDeletion`, ...
    pub key_state: String,
    /// `AWS` or `CUSTOMER`.
    pub key_manager: String,
    /// e.g. `SYMMETRIC_DEFAULT`.
    pub key_spec: Option<String>,
    /// `AWS_KMS`, `EXTERNAL`, `AWS_CLOUDHSM`.
    pub origin: Option<String>,
    /// `GetKeyRotationStatus` (only for customer-managed symmetric keys).
    pub rotation_enabled: Option<bool>,
    /// Aliases pointing at this key, e.g. `alias/cloudtrail`.
    pub aliases: Vec<String>,
}

// ------------------------------------------------------- CloudWatch Logs

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogGroup {
    pub name: String,
    pub arn: String,
    /// `None`: never expire.
    pub retention_in_days: Option<u32>,
    pub kms_key_id: Option<String>,
    /// `ACTIVATED`, `DELETED`, `ARCHIVED`, `DISABLED` or `None`.
    pub data_protection_status: Option<String>,
    /// `STANDARD` or `INFREQUENT_ACCESS`.
    pub log_group_class: Option<String>,
    pub stored_bytes: Option<u64>,
    pub metric_filters: Vec<MetricFilter>,
}

/// A CloudWatch Logs account-level policy (`PutAccountPolicy`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogsAccountPolicy {
    pub policy_name: String,
    /// `DATA_PROTECTION_POLICY`, `SUBSCRIPTION_FILTER_POLICY`, ...
    pub policy_type: String,
    /// `ALL`: every log group of the account in the region.
    pub scope: Option<String>,
    /// e.g. `LogGroupName NOT IN ["a", "b"]`.
    pub selection_criteria: Option<String>,
    /// The policy document, parsed.
    pub policy_document: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricFilter {
    pub name: String,
    pub pattern: String,
    pub transformations: Vec<MetricTransformation>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricTransformation {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    pub default_value: Option<f64>,
    pub dimensions: BTreeMap<String, String>,
    pub unit: Option<String>,
}

// ------------------------------------------------------------ CloudWatch

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricAlarm {
    pub name: String,
    pub arn: String,
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    pub dimensions: BTreeMap<String, String>,
    pub statistic: Option<String>,
    pub period: Option<u32>,
    pub evaluation_periods: Option<u32>,
    pub threshold: Option<f64>,
    pub comparison_operator: Option<String>,
    pub actions_enabled: bool,
    pub alarm_actions: Vec<String>,
    pub ok_actions: Vec<String>,
    pub insufficient_data_actions: Vec<String>,
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    pub state: Option<String>,
    /// `DatapointsToAlarm` (M of an "M out of N" alarm; N is
    /// `evaluation_periods`). `None`: the same as `evaluation_periods`.
    pub datapoints_to_alarm: Option<u32>,
    /// `TreatMissingData`: `missing` (the default), `notBreaching`,
    /// `breaching` or `ignore`.
    pub treat_missing_data: Option<String>,
    /// A percentile statistic (`ExtendedStatistic`), e.g. `p99`.
    pub extended_statistic: Option<String>,
    /// `Metrics`: for an alarm on a metric-math expression or an anomaly
    /// detection band, the queries it is made of.
    pub metrics: Vec<MetricDataQuery>,
    /// `ThresholdMetricId`: the query whose result is the threshold (an
    /// anomaly detection band).
    pub threshold_metric_id: Option<String>,
}

/// One query of an alarm's `Metrics` (CloudWatch `MetricDataQuery`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricDataQuery {
    pub id: String,
    /// A metric-math expression over other queries' ids.
    pub expression: Option<String>,
    pub label: Option<String>,
    /// Whether this query's result is what the alarm evaluates (`None`:
    /// true, as in CloudWatch).
    pub return_data: Option<bool>,
    pub metric_stat: Option<MetricStat>,
    /// Seconds.
    pub period: Option<u32>,
}

/// A metric with the statistic and period a query reads it with.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricStat {
    pub metric: MetricRef,
    /// Seconds.
    pub period: Option<u32>,
    /// `Sum`, `SampleCount`, `Average`, `Minimum`, `Maximum` or a percentile.
    pub stat: String,
    pub unit: Option<String>,
}

/// A metric by namespace, name and dimensions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricRef {
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsTopic {
    pub arn: String,
    pub subscriptions: Vec<SnsSubscription>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SnsSubscription {
    /// `PendingConfirmation` for an unconfirmed subscription.
    pub arn: String,
    pub protocol: String,
    pub endpoint: String,
}

impl SnsSubscription {
    /// A subscription is confirmed once it has a real ARN.
    pub fn is_confirmed(&self) -> bool {
        self.arn.starts_with("arn:")
    }
}

/// A CloudTrail Lake event data store (`GetEventDataStore`; CloudTrail
/// API Reference).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventDataStore {
    pub arn: String,
    pub name: Option<String>,
    /// `CREATED`, `ENABLED`, `PENDING_DELETION`, `STARTING_INGESTION`,
    /// `STOPPING_INGESTION` or `STOPPED_INGESTION`.
    pub status: Option<String>,
    pub multi_region_enabled: Option<bool>,
    /// Records the events of every account of the organization.
    pub organization_enabled: Option<bool>,
    /// Days.
    pub retention_period: Option<i64>,
    pub termination_protection_enabled: Option<bool>,
    /// `None`: encrypted with a key CloudTrail owns.
    pub kms_key_id: Option<String>,
    /// `EXTENDABLE_RETENTION_PRICING` or `FIXED_RETENTION_PRICING`.
    pub billing_mode: Option<String>,
    /// Which events it records (empty: all management events).
    pub advanced_event_selectors: Vec<AdvancedEventSelector>,
}

// ---------------------------------------------------------- Security Lake

/// Amazon Security Lake in one region of one account: its data lake
/// (`ListDataLakes`; only the delegated administrator has one) and, where
/// it has one, the log sources of every account for the region
/// (`ListLogSources`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityLake {
    pub data_lake: Option<DataLake>,
    /// `None` when not read: no data lake here, or `ListLogSources` failed.
    pub log_sources: Option<Vec<SecurityLakeLogSource>>,
}

/// A Security Lake data lake (`DataLakeResource`, Security Lake API
/// Reference).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DataLake {
    pub arn: String,
    pub region: String,
    /// `INITIALIZED`, `PENDING`, `COMPLETED` or `FAILED`.
    pub create_status: Option<String>,
    /// Days after which objects expire; `None`: never.
    pub expiration_days: Option<i64>,
    pub kms_key_id: Option<String>,
    pub s3_bucket_arn: Option<String>,
    /// Rollup regions this region's data is replicated to.
    pub replication_regions: Vec<String>,
}

/// A natively supported source enabled for one account and region.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityLakeLogSource {
    pub account: String,
    pub region: String,
    /// `CLOUD_TRAIL_MGMT`, `VPC_FLOW`, `ROUTE53`, `SH_FINDINGS`, ...
    pub source_name: String,
    pub source_version: Option<String>,
}

// ------------------------------------------------------------------- EC2

/// A VPC (`DescribeVpcs`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Vpc {
    /// `vpc-…`.
    pub id: String,
    pub owner_id: Option<String>,
    pub cidr_block: Option<String>,
    pub is_default: bool,
    /// `pending` or `available`.
    pub state: Option<String>,
    /// The `Name` tag.
    pub name: Option<String>,
}

/// A flow log (`DescribeFlowLogs`), on a VPC, subnet or network interface.
/// Source: <https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_FlowLog.html>.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlowLog {
    /// `fl-…`.
    pub id: String,
    /// The VPC, subnet or network interface id it records.
    pub resource_id: String,
    /// `ACCEPT`, `REJECT` or `ALL`.
    pub traffic_type: Option<String>,
    /// `ACTIVE` when it records.
    pub flow_log_status: Option<String>,
    /// `SUCCESS` or `FAILED` (delivery to the destination).
    pub deliver_logs_status: Option<String>,
    pub deliver_logs_error_message: Option<String>,
    /// `cloud-watch-logs`, `s3` or `kinesis-data-firehose`.
    pub log_destination_type: Option<String>,
    /// ARN of the destination (bucket, log group or delivery stream).
    pub log_destination: Option<String>,
    pub log_group_name: Option<String>,
    /// The record format (`${version} ${account-id} …`); `None` is the
    /// default format.
    pub log_format: Option<String>,
    /// Seconds: 60 or 600.
    pub max_aggregation_interval: Option<i64>,
}

/// A subnet (`DescribeSubnets`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Subnet {
    /// `subnet-…`.
    pub id: String,
    pub vpc_id: String,
}

// ------------------------------------------------------- Route 53 Resolver

/// A Resolver query logging configuration
/// (<https://docs.aws.amazon.com/Route53/latest/APIReference/API_route53resolver_ResolverQueryLogConfig.html>).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolverQueryLogConfig {
    /// `rqlc-…`.
    pub id: String,
    pub name: Option<String>,
    pub arn: Option<String>,
    /// The account that owns it (another account when shared through RAM).
    pub owner_id: Option<String>,
    /// `CREATING`, `CREATED`, `DELETING` or `FAILED`.
    pub status: Option<String>,
    /// `NOT_SHARED`, `SHARED_WITH_ME` or `SHARED_BY_ME`.
    pub share_status: Option<String>,
    /// Where queries are logged: a log group, bucket or delivery stream ARN.
    pub destination_arn: Option<String>,
}

/// The association of a query logging configuration with a VPC.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolverQueryLogConfigAssociation {
    /// `rqlca-…`.
    pub id: String,
    pub resolver_query_log_config_id: String,
    /// The VPC id.
    pub resource_id: String,
    /// `CREATING`, `ACTIVE`, `ACTION_NEEDED`, `DELETING` or `FAILED`.
    pub status: Option<String>,
    /// e.g. `DESTINATION_NOT_FOUND`, `ACCESS_DENIED`, `NONE`.
    pub error: Option<String>,
    pub error_message: Option<String>,
}

// ----------------------------------------------------------- Security Hub

/// AWS Security Hub in one region of one account.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHub {
    /// Whether the account is subscribed (`DescribeHub` answers, instead of
    /// `InvalidAccessException` "not subscribed").
    pub enabled: bool,
    pub hub_arn: Option<String>,
    pub subscribed_at: Option<String>,
    pub auto_enable_controls: Option<bool>,
    /// `SECURITY_CONTROL` (consolidated findings) or `STANDARD_CONTROL`.
    pub control_finding_generator: Option<String>,
    /// Enabled standards (`GetEnabledStandards`).
    pub standards: Vec<SecurityHubStandard>,
    /// The Security Hub administrator of this member account, if any
    /// (`GetAdministratorAccount`).
    pub administrator_account_id: Option<String>,
    /// Only in the delegated administrator account
    /// (`DescribeOrganizationConfiguration`).
    pub organization_configuration: Option<SecurityHubOrgConfiguration>,
}

/// A standards subscription (<https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StandardsSubscription.html>).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHubStandard {
    /// e.g. `arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0`.
    pub standards_arn: String,
    pub standards_subscription_arn: Option<String>,
    /// `PENDING`, `READY`, `FAILED`, `DELETING` or `INCOMPLETE`.
    pub status: Option<String>,
}

/// How the delegated administrator enables Security Hub for members.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityHubOrgConfiguration {
    /// New member accounts get Security Hub.
    pub auto_enable: bool,
    /// `NONE` or `DEFAULT`.
    pub auto_enable_standards: Option<String>,
    /// `CENTRAL` or `LOCAL`.
    pub configuration_type: Option<String>,
    /// `PENDING`, `ENABLED` or `FAILED`.
    pub status: Option<String>,
    pub member_account_limit_reached: bool,
}

// ------------------------------------------------------------- GuardDuty

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyDetector {
    pub id: String,
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    pub finding_publishing_frequency: Option<String>,
    pub features: Vec<GuardDutyFeature>,
    /// The administrator of this member account, if any.
    pub administrator: Option<GuardDutyAdministrator>,
    /// Only collected in the delegated administrator account.
    pub organization_configuration: Option<GuardDutyOrgConfiguration>,
    /// Unarchived findings with severity at or above 7 (high).
    pub high_severity_findings: Vec<GuardDutyFinding>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyFeature {
    pub name: String,
    pub status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyAdministrator {
    pub account_id: String,
    /// e.g. `Enabled`.
    pub relationship_status: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyOrgConfiguration {
    /// `NEW`, `ALL` or `NONE`.
    pub auto_enable_organization_members: String,
    pub member_account_limit_reached: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GuardDutyFinding {
    pub id: String,
    #[serde(rename = "type")]
    pub finding_type: String,
    pub severity: f64,
    pub title: Option<String>,
    pub created_at: String,
    pub updated_at: Option<String>,
    pub resource_type: Option<String>,
}

// ---------------------------------------------------------------- Config

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigRecorder {
    pub name: String,
    pub role_arn: Option<String>,
    pub all_supported: bool,
    pub include_global_resource_types: bool,
    pub resource_types: Vec<String>,
    /// `ALL_SUPPORTED_RESOURCE_TYPES`, `INCLUSION_BY_RESOURCE_TYPES`,
    /// `EXCLUSION_BY_RESOURCE_TYPES`.
    pub recording_strategy: Option<String>,
    pub excluded_resource_types: Vec<String>,
    /// `DescribeConfigurationRecorderStatus`.
    pub status: Option<ConfigRecorderStatus>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigRecorderStatus {
    pub recording: bool,
    /// `Pending`, `Success` or `Failure`.
    pub last_status: Option<String>,
    pub last_error_code: Option<String>,
    pub last_error_message: Option<String>,
    pub last_status_change_time: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConfigDeliveryChannel {
    pub name: String,
    pub s3_bucket_name: Option<String>,
    pub s3_key_prefix: Option<String>,
    pub sns_topic_arn: Option<String>,
    pub delivery_frequency: Option<String>,
}

// ----------------------------------------------------------- EventBridge

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventRule {
    pub name: String,
    pub arn: String,
    /// `ENABLED` or `DISABLED`.
    pub state: String,
    /// The event pattern, parsed.
    pub event_pattern: Option<serde_json::Value>,
    pub targets: Vec<EventTarget>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EventTarget {
    pub id: String,
    pub arn: String,
}

// ----------------------------------------------------------------- Errors

/// One failed API call.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CollectionError {
    pub account_id: String,
    /// `None` for global calls (S3 bucket listing, Organizations).
    pub region: Option<String>,
    /// Service prefix as in IAM actions: `cloudtrail`, `logs`, `s3`, ...
    pub service: String,
    /// API operation name: `DescribeTrails`.
    pub operation: String,
    /// Resource the call was about, when it was about one (bucket name, key ARN).
    pub resource: Option<String>,
    pub code: String,
    pub message: String,
}

impl CollectionError {
    /// The IAM action that the call needed, e.g. `cloudtrail:DescribeTrails`.
    pub fn iam_action(&self) -> String {
        iam_action(&self.service, &self.operation)
    }

    /// Whether the whole account could not be read: its role could not be
    /// assumed, or its identity or regions not learned. Every check of the
    /// account is then not assessed.
    pub fn blocks_account(&self) -> bool {
        matches!(
            (self.service.as_str(), self.operation.as_str()),
            ("sts", "AssumeRole") | ("sts", "GetCallerIdentity") | ("account", "ListRegions")
        )
    }

    /// Whether the error is a permission problem (rather than a fault).
    pub fn is_access_denied(&self) -> bool {
        let code = self.code.as_str();
        code.contains("AccessDenied")
            || code.contains("Unauthorized")
            || code == "AuthorizationError"
            || code == "Forbidden"
    }
}

/// The IAM action an API operation is authorized by. They are the same name
/// except for a few S3 operations, and S3 Control's account-level Block
/// Public Access, which IAM names under `s3`.
pub fn iam_action(service: &str, operation: &str) -> String {
    if (service, operation) == ("s3control", "GetPublicAccessBlock") {
        return "s3:GetAccountPublicAccessBlock".to_owned();
    }
    let action = match (service, operation) {
        ("s3", "GetObjectLockConfiguration") => "GetBucketObjectLockConfiguration",
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration",
        ("s3", "GetBucketReplication") => "GetReplicationConfiguration",
        ("s3", "GetBucketLifecycleConfiguration") => "GetLifecycleConfiguration",
        ("s3", "GetPublicAccessBlock") => "GetBucketPublicAccessBlock",
        (_, other) => other,
    };
    format!("{service}:{action}")
}

/// Account id in an ARN (`arn:partition:service:region:account:...`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|s| !s.is_empty())
}

impl KmsKey {
    /// Why AWS KMS cannot rotate a key with this spec and origin
    /// automatically, if it cannot: only symmetric encryption keys whose
    /// key material KMS generated rotate (AWS KMS Developer Guide,
    /// "Rotating AWS KMS keys": not asymmetric or HMAC keys, not keys with
    /// imported material, not keys in a custom key store).
    pub fn rotation_unsupported(spec: Option<&str>, origin: Option<&str>) -> Option<String> {
        match (spec, origin) {
            (Some(spec), _) if spec != "SYMMETRIC_DEFAULT" => Some(format!(
                "its key spec is {spec}: AWS KMS rotates only symmetric encryption keys"
            )),
            (_, Some("EXTERNAL")) => Some(
                "its key material is imported: AWS KMS cannot rotate it automatically (rotate it by hand)".into(),
            ),
            (_, Some(origin @ ("AWS_CLOUDHSM" | "EXTERNAL_KEY_STORE"))) => Some(format!(
                "it is in a custom key store ({origin}): AWS KMS cannot rotate it automatically"
            )),
            _ => None,
        }
    }
}

impl CollectionError {
    /// Whether the "error" is an answer about the resource rather than a
    /// failed read: GetKeyRotationStatus refused for a key KMS cannot
    /// rotate. Such an error makes no check ERROR.
    pub fn is_fact(&self) -> bool {
        self.service == "kms"
            && self.operation == "GetKeyRotationStatus"
            && self.code == "UnsupportedOperationException"
    }
}

impl Snapshot {
    /// Finds an account by id.
    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// Every region any scanned account has, sorted and de-duplicated.
    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self
            .accounts
            .iter()
            .flat_map(|a| a.regions.iter().cloned())
            .collect();
        regions.sort();
        regions.dedup();
        regions
    }

    /// Sorts every list into a canonical order so that two snapshots of the
    /// same facts serialize identically, and evaluate and render the same,
    /// whatever order the APIs (or a hand-written file) listed them in.
    /// Lists whose order means something are kept: an account's OU path
    /// (root first) and documents such as policies and event patterns.
    pub fn normalize(&mut self) {
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        self.errors.sort();
        self.errors.dedup();
        if let Some(org) = &mut self.organization {
            org.accounts_not_scanned.sort_by(|a, b| a.id.cmp(&b.id));
            org.delegated_administrators.sort_by(|a, b| {
                (&a.service_principal, &a.account_id).cmp(&(&b.service_principal, &b.account_id))
            });
            org.delegated_administrators.dedup();
        }
        for account in &mut self.accounts {
            account.normalize();
        }
    }
}

impl Account {
    /// The account's part of [`Snapshot::normalize`], for loaders that
    /// read one account at a time.
    pub fn normalize(&mut self) {
        self.regions.sort();
        self.regions.dedup();
        self.trails.sort_by(|a, b| a.arn.cmp(&b.arn));
        self.trails.dedup_by(|a, b| a.arn == b.arn);
        for trail in &mut self.trails {
            // Inner lists first: the outer sort compares whole records.
            for selector in &mut trail.event_selectors {
                selector.exclude_management_event_sources.sort();
                for resource in &mut selector.data_resources {
                    resource.values.sort();
                }
                sort_by_json(&mut selector.data_resources);
            }
            sort_by_json(&mut trail.event_selectors);
            for selector in &mut trail.advanced_event_selectors {
                for field in &mut selector.field_selectors {
                    for list in [
                        &mut field.equals,
                        &mut field.not_equals,
                        &mut field.starts_with,
                        &mut field.not_starts_with,
                        &mut field.ends_with,
                        &mut field.not_ends_with,
                    ] {
                        list.sort();
                    }
                }
                sort_by_json(&mut selector.field_selectors);
            }
            sort_by_json(&mut trail.advanced_event_selectors);
            trail.insight_types.sort();
        }
        self.buckets.sort_by(|a, b| a.name.cmp(&b.name));
        for bucket in &mut self.buckets {
            if let Some(acl) = &mut bucket.acl {
                sort_by_json(&mut acl.grants);
            }
            if let Some(rules) = &mut bucket.lifecycle_rules {
                sort_by_json(rules);
            }
            if let Some(replication) = &mut bucket.replication {
                sort_by_json(&mut replication.rules);
            }
        }
        self.kms_keys.sort_by(|a, b| a.arn.cmp(&b.arn));
        for key in &mut self.kms_keys {
            key.aliases.sort();
        }
        self.region_facts.sort_by(|a, b| a.region.cmp(&b.region));
        for facts in &mut self.region_facts {
            facts.log_groups.sort_by(|a, b| a.name.cmp(&b.name));
            for group in &mut facts.log_groups {
                group.metric_filters.sort_by(|a, b| a.name.cmp(&b.name));
                for filter in &mut group.metric_filters {
                    sort_by_json(&mut filter.transformations);
                }
            }
            facts.metric_alarms.sort_by(|a, b| a.name.cmp(&b.name));
            for alarm in &mut facts.metric_alarms {
                alarm.alarm_actions.sort();
                alarm.ok_actions.sort();
                alarm.insufficient_data_actions.sort();
            }
            facts.sns_topics.sort_by(|a, b| a.arn.cmp(&b.arn));
            for topic in &mut facts.sns_topics {
                sort_by_json(&mut topic.subscriptions);
            }
            facts.guardduty_detectors.sort_by(|a, b| a.id.cmp(&b.id));
            for detector in &mut facts.guardduty_detectors {
                detector.features.sort_by(|a, b| a.name.cmp(&b.name));
                detector
                    .high_severity_findings
                    .sort_by(|a, b| a.id.cmp(&b.id));
            }
            facts.config_recorders.sort_by(|a, b| a.name.cmp(&b.name));
            for recorder in &mut facts.config_recorders {
                recorder.resource_types.sort();
                recorder.excluded_resource_types.sort();
            }
            facts
                .config_delivery_channels
                .sort_by(|a, b| a.name.cmp(&b.name));
            facts.eventbridge_rules.sort_by(|a, b| a.name.cmp(&b.name));
            facts.logs_account_policies.sort_by(|a, b| {
                (&a.policy_type, &a.policy_name).cmp(&(&b.policy_type, &b.policy_name))
            });
            if let Some(vpcs) = &mut facts.vpcs {
                vpcs.sort_by(|a, b| a.id.cmp(&b.id));
            }
            facts.flow_logs.sort_by(|a, b| a.id.cmp(&b.id));
            facts.subnets.sort_by(|a, b| a.id.cmp(&b.id));
            facts
                .resolver_query_log_configs
                .sort_by(|a, b| a.id.cmp(&b.id));
            facts
                .resolver_query_log_config_associations
                .sort_by(|a, b| a.id.cmp(&b.id));
            if let Some(lake) = &mut facts.security_lake {
                if let Some(sources) = &mut lake.log_sources {
                    sort_by_json(sources);
                    sources.dedup();
                }
                if let Some(data_lake) = &mut lake.data_lake {
                    data_lake.replication_regions.sort();
                }
            }
            if let Some(stores) = &mut facts.event_data_stores {
                stores.sort_by(|a, b| a.arn.cmp(&b.arn));
            }
            if let Some(hub) = &mut facts.security_hub {
                hub.standards
                    .sort_by(|a, b| a.standards_arn.cmp(&b.standards_arn));
            }
            for rule in &mut facts.eventbridge_rules {
                rule.targets
                    .sort_by(|a, b| (&a.id, &a.arn).cmp(&(&b.id, &b.arn)));
            }
        }
    }
}

/// Sorts records that have no natural key by their JSON text.
fn sort_by_json<T: Serialize>(items: &mut [T]) {
    items.sort_by_cached_key(|item| serde_json::to_string(item).unwrap_or_default());
}

impl Account {
    /// The facts collected in `region`, if the region was scanned.
    pub fn region(&self, region: &str) -> Option<&RegionFacts> {
        self.region_facts.iter().find(|r| r.region == region)
    }
}
