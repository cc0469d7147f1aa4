//! The live collector: builds a Snapshot of one AWS account with the
//! official SDK clients, read-only.
//!
//! One module per service turns API answers into `model` types; this module
//! owns what they share: the clients of one region, the record of every
//! call (which also enforces read-only access), and failed calls turned into
//! [`CollectionError`]s. A failed call never stops the collection: what it
//! would have produced is missing, the error says why, and the engine turns
//! the checks that needed it into ERROR findings.
//!
//! Regions are collected in parallel, at most `concurrency` at a time;
//! inside a region the services run concurrently. Throttling is retried by
//! the SDK's adaptive retry mode.

mod cloudtrail;
mod cloudwatch;
mod config;
mod ec2;
mod events;
mod guardduty;
mod kms;
mod logs;
pub mod org;
mod resolver;
mod s3;
mod securityhub;
mod securitylake;
mod sns;

use crate::model::{Account, AccountRole, CollectionError, RegionFacts, Snapshot};
use aws_config::SdkConfig;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Which regions to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Regions {
    /// Every region enabled for the account (account:ListRegions).
    All,
    List(Vec<String>),
}

/// How to collect.
#[derive(Debug, Clone)]
pub struct Options {
    pub regions: Regions,
    /// Regions collected at the same time.
    pub concurrency: usize,
    /// Per-service endpoint overrides (`cloudwatch` → URL), on top of what
    /// `aws-config` reads from `AWS_ENDPOINT_URL` and its per-service forms.
    pub endpoints: BTreeMap<String, String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            regions: Regions::All,
            concurrency: 17,
            endpoints: BTreeMap::new(),
        }
    }
}

/// Why a collection could not start at all (everything after the caller's
/// identity is collected best-effort and recorded as data).
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot find out who the credentials belong to (sts:GetCallerIdentity): {0}\n  hint: check AWS_PROFILE / --profile, run `aws sso login` for SSO profiles, or export credentials")]
    Identity(String),
    #[error("cannot list the account's enabled regions (account:ListRegions: {0}); pass the regions to scan with --regions us-east-1,eu-west-1")]
    Regions(String),
    #[error("cannot read the organization: {0}")]
    Organization(String),
}

/// Every operation the collector may call. Anything else is refused by the
/// [`CallLog`] interceptor before it is sent; `auditscope iam-policy` is
/// generated from this list, and a test checks that every operation the
/// collector calls is in it and in [`crate::model::OPERATIONS`] (the
/// operations a check may `require`).
pub const READ_OPERATIONS: &[(&str, &str)] = &[
    ("account", "ListRegions"),
    ("cloudtrail", "DescribeTrails"),
    ("cloudtrail", "GetEventSelectors"),
    ("cloudtrail", "GetInsightSelectors"),
    ("cloudtrail", "GetEventDataStore"),
    ("cloudtrail", "GetTrailStatus"),
    ("cloudtrail", "ListEventDataStores"),
    ("cloudwatch", "DescribeAlarms"),
    ("config", "DescribeConfigurationRecorderStatus"),
    ("config", "DescribeConfigurationRecorders"),
    ("config", "DescribeDeliveryChannels"),
    ("ec2", "DescribeFlowLogs"),
    ("ec2", "DescribeSubnets"),
    ("ec2", "DescribeVpcs"),
    ("events", "ListRules"),
    ("events", "ListTargetsByRule"),
    ("guardduty", "DescribeOrganizationConfiguration"),
    ("guardduty", "GetAdministratorAccount"),
    ("guardduty", "GetDetector"),
    ("guardduty", "GetFindings"),
    ("guardduty", "ListDetectors"),
    ("guardduty", "ListFindings"),
    ("kms", "DescribeKey"),
    ("kms", "GetKeyRotationStatus"),
    ("kms", "ListAliases"),
    ("logs", "DescribeAccountPolicies"),
    ("logs", "DescribeLogGroups"),
    ("logs", "DescribeMetricFilters"),
    ("organizations", "DescribeOrganization"),
    ("organizations", "ListAccounts"),
    ("organizations", "ListAccountsForParent"),
    ("organizations", "ListDelegatedAdministrators"),
    ("organizations", "ListOrganizationalUnitsForParent"),
    ("organizations", "ListRoots"),
    ("route53resolver", "ListResolverQueryLogConfigAssociations"),
    ("route53resolver", "ListResolverQueryLogConfigs"),
    ("s3", "GetBucketAcl"),
    ("s3", "GetBucketEncryption"),
    ("s3", "GetBucketLifecycleConfiguration"),
    ("s3", "GetBucketLocation"),
    ("s3", "GetBucketLogging"),
    ("s3", "GetBucketPolicy"),
    ("s3", "GetBucketReplication"),
    ("s3", "GetBucketVersioning"),
    ("s3", "GetObjectLockConfiguration"),
    ("s3", "GetPublicAccessBlock"),
    ("s3control", "GetPublicAccessBlock"),
    ("securityhub", "DescribeHub"),
    ("securityhub", "DescribeOrganizationConfiguration"),
    ("securityhub", "GetAdministratorAccount"),
    ("securityhub", "GetEnabledStandards"),
    ("securitylake", "ListDataLakes"),
    ("securitylake", "ListLogSources"),
    ("sns", "ListSubscriptionsByTopic"),
    ("sns", "ListTopics"),
    ("sts", "AssumeRole"),
    ("sts", "GetCallerIdentity"),
];

/// The least-privilege IAM policy for the collector, as JSON: every IAM
/// action that [`READ_OPERATIONS`] needs, and nothing else. It is the
/// policy of the read-only role in every account; `sts:AssumeRole` is left
/// out (only the scanning principal in the management account needs it,
/// on that role: see `deploy/`).
pub fn iam_policy() -> String {
    let mut actions: Vec<String> = READ_OPERATIONS
        .iter()
        .filter(|op| **op != ("sts", "AssumeRole"))
        .map(|(service, operation)| crate::model::iam_action(service, operation))
        .collect();
    actions.sort();
    actions.dedup();
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AuditscopeReadOnly",
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*"
        }]
    });
    serde_json::to_string_pretty(&policy).unwrap_or_default()
}

/// The SDK's service name (from its metadata) as the short IAM prefix.
fn service_prefix(sdk_service: &str) -> String {
    match sdk_service.to_ascii_lowercase().as_str() {
        "cloudwatch logs" | "cloudwatchlogs" | "logs" => "logs".into(),
        "eventbridge" | "events" => "events".into(),
        "config service" | "config" => "config".into(),
        "s3 control" | "s3control" => "s3control".into(),
        other => other.replace(' ', ""),
    }
}

/// Records every operation the SDK clients start, and refuses any that is
/// not in [`READ_OPERATIONS`]: the collector is read-only by construction,
/// not by convention.
#[derive(Debug, Clone, Default)]
pub struct CallLog {
    /// (region, `service:Operation`) → calls started.
    calls: Arc<Mutex<BTreeMap<(String, String), u64>>>,
}

impl CallLog {
    /// `service:Operation` → number of calls started, in all regions.
    pub fn counts(&self) -> BTreeMap<String, u64> {
        let mut totals = BTreeMap::new();
        for ((_, operation), n) in self.calls.lock().map(|c| c.clone()).unwrap_or_default() {
            *totals.entry(operation).or_default() += n;
        }
        totals
    }

    /// `service:Operation` → number of calls sent to `region`.
    pub fn counts_in(&self, region: &str) -> BTreeMap<String, u64> {
        self.calls
            .lock()
            .map(|c| {
                c.iter()
                    .filter(|((r, _), _)| r == region)
                    .map(|((_, operation), n)| (operation.clone(), *n))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "auditscope::CallLog"
    }

    // Not `read_before_execution`: a client's interceptors run that before
    // the operation has put its metadata in the bag.
    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(metadata) = cfg.load::<Metadata>() else {
            return Err("auditscope: an SDK call without operation metadata was refused".into());
        };
        let service = service_prefix(metadata.service());
        let operation = metadata.name();
        if !READ_OPERATIONS.contains(&(service.as_str(), operation)) {
            return Err(format!(
                "auditscope is read-only: {service}:{operation} is not an allowed operation"
            )
            .into());
        }
        // Every client is built with its region, so the bag has it.
        let region = cfg
            .load::<aws_config::Region>()
            .map(|r| r.to_string())
            .unwrap_or_default();
        if let Ok(mut calls) = self.calls.lock() {
            *calls
                .entry((region, format!("{service}:{operation}")))
                .or_default() += 1;
        }
        Ok(())
    }
}

/// What a failed SDK call becomes: its error code and a readable message.
pub(crate) fn describe_error<E>(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> (String, String)
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    use aws_smithy_runtime_api::client::result::SdkError;
    let code = match error {
        SdkError::ServiceError(e) => match e.err().code() {
            Some(code) => code.to_owned(),
            // No code in the answer (an API the endpoint does not serve,
            // a proxy's error page): the HTTP status is what is known.
            None => format!("HTTP{}", e.raw().status().as_u16()),
        },
        SdkError::TimeoutError(_) => "TimeoutError".to_owned(),
        SdkError::DispatchFailure(_) => "DispatchFailure".to_owned(),
        SdkError::ResponseError(_) => "ResponseError".to_owned(),
        SdkError::ConstructionFailure(_) => "ConstructionFailure".to_owned(),
        _ => "Unknown".to_owned(),
    };
    let message = match error {
        SdkError::ServiceError(e) => e
            .err()
            .message()
            .map(str::to_owned)
            .unwrap_or_else(|| code.clone()),
        other => aws_smithy_types::error::display::DisplayErrorContext(other).to_string(),
    };
    let message = match error {
        SdkError::ServiceError(e) if e.err().code().is_none() => {
            let body = e.raw().body().bytes().unwrap_or_default();
            let body = String::from_utf8_lossy(body);
            let snippet: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
            let snippet: String = snippet.chars().take(160).collect();
            format!(
                "HTTP {} answer without an error code: {snippet}",
                e.raw().status().as_u16()
            )
        }
        _ => message,
    };
    (code, message)
}

/// The code of a [`CollectionError`] for an answer without a member AWS
/// always sends (see [`Ctx::incomplete`]).
pub const INCOMPLETE_ANSWER: &str = "IncompleteAnswer";

/// The code of a [`CollectionError`] for a listing the collector stopped
/// because the service sent a `NextToken` it had already sent (paged by
/// hand, where the SDK's paginator guard does not apply).
pub const REPEATED_NEXT_TOKEN: &str = "RepeatedNextToken";

/// The state one account's collection shares across tasks: who, the call
/// log and the errors so far.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub account_id: String,
    errors: Arc<Mutex<Vec<CollectionError>>>,
}

impl Ctx {
    /// Records a failed call.
    pub fn fail<E>(
        &self,
        region: Option<&str>,
        service: &str,
        operation: &str,
        resource: Option<&str>,
        error: &aws_smithy_runtime_api::client::result::SdkError<
            E,
            aws_smithy_runtime_api::http::Response,
        >,
    ) where
        E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (code, message) = describe_error(error);
        tracing::debug!(account = %self.account_id, ?region, service, operation, %code, %message, "call failed");
        self.record(region, service, operation, resource, code, message);
    }

    /// Records a collection error of this account.
    pub(super) fn record(
        &self,
        region: Option<&str>,
        service: &str,
        operation: &str,
        resource: Option<&str>,
        code: String,
        message: String,
    ) {
        self.push(CollectionError {
            account_id: self.account_id.clone(),
            region: region.map(str::to_owned),
            service: service.to_owned(),
            operation: operation.to_owned(),
            resource: resource.map(str::to_owned),
            code,
            message,
        });
    }

    /// Records an answer that lacks a member AWS always sends. The Rust
    /// SDK fills a missing required member with a default (client error
    /// correction, smithy-rs `*_correct_errors`); such a default is not a
    /// fact, so the collector leaves the fact out and records this
    /// instead, which makes the checks that need it unknown, not judged.
    pub fn incomplete(
        &self,
        region: Option<&str>,
        service: &str,
        operation: &str,
        resource: Option<&str>,
        member: &str,
    ) {
        tracing::debug!(account = %self.account_id, ?region, service, operation, member, "incomplete answer");
        self.record(
            region,
            service,
            operation,
            resource,
            INCOMPLETE_ANSWER.to_owned(),
            format!(
                "the answer has no `{member}`, which AWS always sends; it was not read as a fact"
            ),
        );
    }

    /// The same account, with failures logged but not recorded.
    pub fn discarding(&self) -> Ctx {
        Ctx {
            account_id: self.account_id.clone(),
            errors: Arc::default(),
        }
    }

    pub fn push(&self, error: CollectionError) {
        if let Ok(mut errors) = self.errors.lock() {
            errors.push(error);
        }
    }

    fn take_errors(&self) -> Vec<CollectionError> {
        self.errors
            .lock()
            .map(|mut e| std::mem::take(&mut *e))
            .unwrap_or_default()
    }
}

/// Builds service clients for a region from one `SdkConfig`, each with the
/// call log and any endpoint override.
#[derive(Clone)]
pub(crate) struct Clients {
    sdk: SdkConfig,
    log: CallLog,
    endpoints: Arc<BTreeMap<String, String>>,
}

macro_rules! client {
    ($name:ident, $krate:ident, $key:literal) => {
        pub fn $name(&self, region: &str) -> $krate::Client {
            let mut builder = $krate::config::Builder::from(&self.sdk)
                .region(aws_config::Region::new(region.to_owned()))
                .interceptor(self.log.clone());
            if let Some(url) = self.endpoints.get($key) {
                builder = builder.endpoint_url(url.clone());
            }
            $krate::Client::from_conf(builder.build())
        }
    };
}

impl Clients {
    client!(cloudtrail, aws_sdk_cloudtrail, "cloudtrail");
    client!(logs, aws_sdk_cloudwatchlogs, "logs");
    client!(cloudwatch, aws_sdk_cloudwatch, "cloudwatch");
    client!(sns, aws_sdk_sns, "sns");
    client!(guardduty, aws_sdk_guardduty, "guardduty");
    client!(config, aws_sdk_config, "config");
    client!(events, aws_sdk_eventbridge, "events");
    client!(kms, aws_sdk_kms, "kms");
    client!(sts, aws_sdk_sts, "sts");
    client!(account, aws_sdk_account, "account");
    client!(organizations, aws_sdk_organizations, "organizations");
    client!(ec2, aws_sdk_ec2, "ec2");
    client!(route53resolver, aws_sdk_route53resolver, "route53resolver");
    client!(securityhub, aws_sdk_securityhub, "securityhub");
    client!(securitylake, aws_sdk_securitylake, "securitylake");

    pub fn new(sdk: &SdkConfig, log: &CallLog, options: &Options) -> Clients {
        Clients {
            sdk: sdk.clone(),
            log: log.clone(),
            endpoints: Arc::new(options.endpoints.clone()),
        }
    }

    pub fn s3control(&self, region: &str) -> aws_sdk_s3control::Client {
        let mut builder = aws_sdk_s3control::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_owned()))
            .interceptor(self.log.clone());
        let endpoint = self
            .endpoints
            .get("s3control")
            .cloned()
            .or_else(|| self.sdk.endpoint_url().map(str::to_owned));
        if let Some(url) = endpoint {
            builder = builder.endpoint_resolver(FixedEndpoint(url));
        }
        aws_sdk_s3control::Client::from_conf(builder.build())
    }

    /// S3 uses path-style addressing when an endpoint is overridden (a
    /// local stand-in has no per-bucket DNS names).
    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut builder = aws_sdk_s3::config::Builder::from(&self.sdk)
            .region(aws_config::Region::new(region.to_owned()))
            .interceptor(self.log.clone());
        if let Some(url) = self.endpoints.get("s3") {
            builder = builder.endpoint_url(url.clone());
        }
        if self.endpoints.contains_key("s3") || self.sdk.endpoint_url().is_some() {
            builder = builder.force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(builder.build())
    }

    /// The region calls go to when the API is global or the caller gave none.
    fn home_region(&self) -> String {
        self.sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".to_owned())
    }
}

/// Loads `aws-config`'s standard chain (environment, profiles with SSO,
/// web identity, IMDS) with adaptive retries.
pub async fn load_config(profile: Option<&str>, region: Option<&str>) -> SdkConfig {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .retry_config(aws_config::retry::RetryConfig::adaptive().with_max_attempts(6))
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .operation_attempt_timeout(std::time::Duration::from_secs(20))
                .operation_timeout(std::time::Duration::from_secs(120))
                .connect_timeout(std::time::Duration::from_secs(5))
                .build(),
        );
    if let Some(profile) = profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_owned()));
    }
    loader.load().await
}

/// Collects one account: the one the credentials of `sdk` belong to.
/// `progress` is told each region as it finishes.
pub async fn collect_account(
    sdk: &SdkConfig,
    options: &Options,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<Snapshot, CollectError> {
    let log = CallLog::default();
    let clients = Clients::new(sdk, &log, options);
    let home = clients.home_region();
    let account_id = caller_account(&clients, &home).await?;
    let ctx = Ctx {
        account_id: account_id.clone(),
        errors: Arc::default(),
    };
    let regions = match &options.regions {
        Regions::List(list) => list.clone(),
        Regions::All => load_regions(&clients, &home).await?,
    };
    let mut account =
        collect_regions(&clients, &ctx, &regions, options.concurrency, progress).await;
    account.api_calls = log.counts();
    for facts in &mut account.region_facts {
        facts.api_calls = log.counts_in(&facts.region);
    }
    let mut snapshot = Snapshot {
        schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
        source: Some("aws".into()),
        collected_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .ok(),
        accounts: vec![account],
        errors: ctx.take_errors(),
        ..Snapshot::default()
    };
    snapshot.normalize();
    Ok(snapshot)
}

/// The account the credentials belong to (sts:GetCallerIdentity).
async fn caller_account(clients: &Clients, home: &str) -> Result<String, CollectError> {
    let identity = clients
        .sts(home)
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| {
            let (code, message) = describe_error(&e);
            CollectError::Identity(format!("{code}: {message}"))
        })?;
    Ok(identity
        .account()
        .ok_or_else(|| CollectError::Identity("the answer has no account id".into()))?
        .to_owned())
}

/// Regions enabled for the account, by account:ListRegions.
async fn load_regions(clients: &Clients, home: &str) -> Result<Vec<String>, CollectError> {
    use aws_sdk_account::types::RegionOptStatus;
    let pages = clients
        .account(home)
        .list_regions()
        .region_opt_status_contains(RegionOptStatus::Enabled)
        .region_opt_status_contains(RegionOptStatus::EnabledByDefault)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| {
            let (code, message) = describe_error(&e);
            CollectError::Regions(format!("{code}: {message}"))
        })?;
    let mut regions: Vec<String> = pages
        .iter()
        .flat_map(|p| p.regions())
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    Ok(regions)
}

/// Collects every region of one account and the account-wide facts that
/// depend on them (trail details, trail buckets, KMS keys).
async fn collect_regions(
    clients: &Clients,
    ctx: &Ctx,
    regions: &[String],
    concurrency: usize,
    progress: &(dyn Fn(&str) + Sync),
) -> Account {
    let limit = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let tasks = regions.iter().map(|region| {
        let limit = limit.clone();
        async move {
            let _permit = limit.acquire().await.ok();
            let facts = collect_region(clients, ctx, region).await;
            progress(region);
            facts
        }
    });
    let results: Vec<(RegionFacts, Vec<crate::model::Trail>)> =
        futures_util::future::join_all(tasks).await;
    let mut trails = Vec::new();
    let mut region_facts = Vec::new();
    for (facts, region_trails) in results {
        trails.extend(region_trails);
        region_facts.push(facts);
    }
    trails.sort_by(|a, b| a.arn.cmp(&b.arn));
    trails.dedup_by(|a, b| a.arn == b.arn);
    // Trail details (in each trail's home region), the trail buckets and
    // the KMS keys all start at once: the buckets and keys are named by
    // DescribeTrails already, so waiting for the details would add one
    // call's latency to the critical path.
    let (detailed, buckets, public_access_block, kms_keys) = tokio::join!(
        cloudtrail::details(clients, ctx, trails.clone()),
        s3::trail_buckets(clients, ctx, &trails),
        s3::account_public_access_block(clients, ctx),
        kms::keys_in_use(clients, ctx, &trails, &region_facts),
    );
    let trails = detailed;
    Account {
        id: ctx.account_id.clone(),
        role: AccountRole::Standalone,
        regions: regions.to_vec(),
        trails,
        buckets,
        kms_keys,
        s3_public_access_block: public_access_block,
        region_facts,
        ..Account::default()
    }
}

/// One region: every regional service at once. Returns the region's facts
/// and the trails visible from it (shadow trails included).
async fn collect_region(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> (RegionFacts, Vec<crate::model::Trail>) {
    let (
        trails,
        log_groups,
        metric_alarms,
        sns_topics,
        guardduty_detectors,
        (recorders, channels),
        eventbridge_rules,
        logs_account_policies,
        (vpcs, flow_logs, subnets),
        (resolver_query_log_configs, resolver_query_log_config_associations),
        security_hub,
        event_data_stores,
        security_lake,
    ) = tokio::join!(
        cloudtrail::describe_trails(clients, ctx, region),
        logs::log_groups(clients, ctx, region),
        cloudwatch::alarms(clients, ctx, region),
        sns::topics(clients, ctx, region),
        guardduty::detectors(clients, ctx, region),
        config::recorders_and_channels(clients, ctx, region),
        events::rules(clients, ctx, region),
        logs::data_protection_account_policies(clients, ctx, region),
        ec2::network(clients, ctx, region),
        resolver::query_logging(clients, ctx, region),
        securityhub::hub(clients, ctx, region),
        cloudtrail::event_data_stores(clients, ctx, region),
        securitylake::security_lake(clients, ctx, region),
    );
    (
        RegionFacts {
            region: region.to_owned(),
            log_groups,
            metric_alarms,
            sns_topics,
            guardduty_detectors,
            config_recorders: recorders,
            config_delivery_channels: channels,
            eventbridge_rules,
            logs_account_policies,
            vpcs,
            flow_logs,
            subnets,
            resolver_query_log_configs,
            resolver_query_log_config_associations,
            security_hub,
            event_data_stores,
            security_lake,
            api_calls: BTreeMap::new(),
        },
        trails,
    )
}

/// An endpoint taken as given, for S3 Control behind an endpoint override:
/// its rules would put the account id in front of the host name
/// (`123456789012.localhost`), which a local stand-in cannot resolve.
#[derive(Debug)]
pub struct FixedEndpoint(pub String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> aws_sdk_s3control::config::endpoint::EndpointFuture<'a> {
        aws_sdk_s3control::config::endpoint::EndpointFuture::ready(Ok(
            aws_smithy_types::endpoint::Endpoint::builder()
                .url(self.0.clone())
                .build(),
        ))
    }
}
