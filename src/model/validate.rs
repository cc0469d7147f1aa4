//! What serde cannot check in a Snapshot: ids, duplicates, regions, times
//! and numbers. Every loader (mock worlds, saved snapshots, journals and
//! merged shards) runs the same validation, so a value that could steer a
//! file path, hide a resource or make the verdict depend on input order is
//! refused with a located error instead of being used.
//!
//! Nothing is dropped silently: a duplicate is an error (which of two trails
//! with one ARN is the real one cannot be decided), not a de-duplication.

use super::{Account, Snapshot, SNAPSHOT_SCHEMA_VERSION};
use std::collections::{BTreeMap, BTreeSet};

/// One problem, with the texts that lead to it in the document (outermost
/// first: an account id, then a trail ARN), so a loader can point at the
/// line and column where the last one occurs after the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub message: String,
    pub anchors: Vec<String>,
}

/// Whether `id` is an AWS account id: exactly 12 ASCII digits. Account ids
/// name report files (`accounts/<id>.md`), so nothing else may pass.
pub fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `text` is an RFC 3339 time, as AWS APIs and snapshots write them.
pub fn is_rfc3339(text: &str) -> bool {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339).is_ok()
}

struct Problems(Vec<Invalid>);

impl Problems {
    fn push(&mut self, anchors: &[&str], message: String) {
        self.0.push(Invalid {
            message,
            anchors: anchors
                .iter()
                .filter(|a| !a.is_empty())
                .map(|a| (*a).to_owned())
                .collect(),
        });
    }

    /// Each key once; a repeated key is reported at its second occurrence.
    fn unique<'k>(&mut self, within: &[&str], what: &str, keys: impl IntoIterator<Item = &'k str>) {
        let mut seen = BTreeSet::new();
        for key in keys {
            if !seen.insert(key) {
                let mut anchors = within.to_vec();
                anchors.extend([key, key]);
                self.push(
                    &anchors,
                    format!(
                        "{what} `{key}` appears twice{}; a snapshot lists each once",
                        scope_text(within)
                    ),
                );
            }
        }
    }

    fn time(&mut self, anchors: &[&str], field: &str, value: Option<&str>) {
        if let Some(value) = value.filter(|v| !is_rfc3339(v)) {
            let mut at = anchors.to_vec();
            at.push(value);
            self.push(
                &at,
                format!(
                    "`{field}` is `{value}`, not an RFC 3339 time (e.g. 2026-11-20T12:00:00Z){}",
                    scope_text(anchors)
                ),
            );
        }
    }

    fn finite(&mut self, anchors: &[&str], field: &str, value: Option<f64>) {
        if let Some(value) = value.filter(|v| !v.is_finite()) {
            self.push(
                anchors,
                format!(
                    "`{field}` is {value}, not a finite number{}",
                    scope_text(anchors)
                ),
            );
        }
    }
}

fn scope_text(anchors: &[&str]) -> String {
    match anchors.first() {
        Some(account) if is_account_id(account) => format!(" in account {account}"),
        _ => String::new(),
    }
}

impl Snapshot {
    /// Checks the snapshot and fills in what can be derived (a trail's
    /// owner and home region from its ARN, a bucket's owner from the
    /// account holding it). Returns every problem found.
    pub fn validate(&mut self) -> Vec<Invalid> {
        let mut p = Problems(Vec::new());
        if self.schema_version == 0 {
            self.schema_version = SNAPSHOT_SCHEMA_VERSION;
        } else if self.schema_version > SNAPSHOT_SCHEMA_VERSION {
            p.push(
                &["schema_version"],
                format!(
                    "snapshot schema_version {} is newer than this build supports ({SNAPSHOT_SCHEMA_VERSION})",
                    self.schema_version
                ),
            );
        }
        p.time(&[], "collected_at", self.collected_at.as_deref());
        // An interrupted scan may have collected nothing yet: it is still
        // a journal to resume and to report as partial. An organization
        // scan whose every account was left out (a shard with nothing
        // assigned, all suspended) says why in `accounts_not_scanned`.
        let explained = self
            .organization
            .as_ref()
            .is_some_and(|o| !o.accounts_not_scanned.is_empty());
        if self.accounts.is_empty() && !self.partial && !explained {
            p.push(&["accounts"], "the snapshot has no accounts".into());
        }
        p.unique(&[], "account", self.accounts.iter().map(|a| a.id.as_str()));
        for account in &mut self.accounts {
            validate_account(account, &mut p);
        }
        let mut bucket_owners: BTreeMap<&str, &str> = BTreeMap::new();
        for account in &self.accounts {
            for bucket in &account.buckets {
                if let Some(first) = bucket_owners.insert(&bucket.name, &account.id) {
                    p.push(
                        &[&account.id, &bucket.name],
                        format!(
                            "bucket `{}` is listed in accounts {first} and {}; a bucket name is global, so one of them is wrong",
                            bucket.name, account.id
                        ),
                    );
                }
            }
        }
        if let Some(org) = &self.organization {
            if !is_account_id(&org.management_account_id) {
                p.push(
                    &["management_account_id"],
                    format!(
                        "organization management_account_id `{}` is not 12 digits",
                        org.management_account_id
                    ),
                );
            }
            for other in &org.accounts_not_scanned {
                if !is_account_id(&other.id) {
                    p.push(
                        &["accounts_not_scanned", &other.id],
                        format!("account not scanned `{}` is not 12 digits", other.id),
                    );
                }
            }
            for admin in &org.delegated_administrators {
                if !is_account_id(&admin.account_id) {
                    p.push(
                        &["delegated_administrators", &admin.account_id],
                        format!(
                            "delegated administrator `{}` of {} is not 12 digits",
                            admin.account_id, admin.service_principal
                        ),
                    );
                }
            }
        }
        p.0
    }
}

/// The longest text value a snapshot may hold: 64 KiB. No AWS name, ARN,
/// message or document field comes near it (a bucket policy is at most
/// 20 KiB, and is held parsed); a longer value would be copied into every
/// finding that mentions it, so it is refused instead.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// Text values longer than [`MAX_TEXT_BYTES`] in `value`, with the path
/// to each (`trails[0].name`).
fn overlong(
    value: &serde_json::Value,
    path: &mut String,
    found: &mut Vec<(String, usize, String)>,
) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.len() > MAX_TEXT_BYTES => {
            let start: String = s.chars().take(32).collect();
            found.push((path.clone(), s.len(), start));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                overlong(item, path, found);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                overlong(item, path, found);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

impl Account {
    /// The account's part of [`Snapshot::validate`], for loaders that read
    /// one account at a time (a journal line).
    pub fn validate(&mut self) -> Vec<Invalid> {
        let mut p = Problems(Vec::new());
        validate_account(self, &mut p);
        p.0
    }
}

impl Account {
    /// What [`Account::validate`] fills in, checking nothing: a trail's
    /// owner account and home region from its ARN (trails without an ARN
    /// are left alone), a bucket's owner. For an account read again after
    /// it passed validation once (a spooled account, [`crate::spooled`]).
    pub fn derive(&mut self) {
        for trail in self.trails.iter_mut().filter(|t| !t.arn.trim().is_empty()) {
            if trail.owner_account_id.is_empty() {
                trail.owner_account_id = super::arn_account(&trail.arn)
                    .unwrap_or(&self.id)
                    .to_owned();
            }
            if trail.home_region.is_empty() {
                trail.home_region = trail.arn.split(':').nth(3).unwrap_or_default().to_owned();
            }
        }
        for bucket in &mut self.buckets {
            if bucket.owner_account_id.is_empty() {
                bucket.owner_account_id = self.id.clone();
            }
        }
    }
}

fn validate_account(account: &mut Account, p: &mut Problems) {
    let id = account.id.clone();
    if let Ok(value) = serde_json::to_value(&*account) {
        let mut found = Vec::new();
        overlong(&value, &mut String::new(), &mut found);
        for (path, len, start) in found {
            p.push(
                &[&id, &start],
                format!(
                    "`{path}` in account {id} is {len} bytes long; no AWS value is longer than {MAX_TEXT_BYTES} bytes"
                ),
            );
        }
    }
    account.derive();
    if !is_account_id(&id) {
        p.push(&[&id], format!("account id `{id}` is not 12 digits"));
    }
    let at = [id.as_str()];
    if account.regions.iter().any(|r| r.trim().is_empty()) {
        p.push(
            &[&id, "regions"],
            format!("account {id} has an empty region name"),
        );
    }
    p.unique(
        &at,
        "region",
        account.region_facts.iter().map(|f| f.region.as_str()),
    );
    for facts in &account.region_facts {
        if !account.regions.contains(&facts.region) {
            p.push(
                &[&id, &facts.region],
                format!(
                    "account {id} has facts for region {} that is not in its `regions` list",
                    facts.region
                ),
            );
        }
    }
    for trail in &mut account.trails {
        if trail.arn.trim().is_empty() {
            p.push(
                &[&id, &trail.name],
                format!(
                    "trail `{}` in account {id} has no `arn`; trails are told apart by ARN",
                    trail.name
                ),
            );
            continue;
        }
        if trail.home_region.is_empty() {
            p.push(
                &[&id, &trail.arn],
                format!("trail {} in account {id} has no home_region", trail.name),
            );
        }
        if !is_account_id(&trail.owner_account_id) {
            p.push(
                &[&id, &trail.arn],
                format!(
                    "trail {} in account {id} has owner account `{}`, not 12 digits",
                    trail.name, trail.owner_account_id
                ),
            );
        }
        if let Some(status) = &trail.status {
            let anchors = [id.as_str(), trail.arn.as_str()];
            for (field, value) in [
                ("latest_delivery_time", &status.latest_delivery_time),
                (
                    "latest_digest_delivery_time",
                    &status.latest_digest_delivery_time,
                ),
                (
                    "latest_cloudwatch_logs_delivery_time",
                    &status.latest_cloudwatch_logs_delivery_time,
                ),
                ("start_logging_time", &status.start_logging_time),
                ("stop_logging_time", &status.stop_logging_time),
            ] {
                p.time(&anchors, field, value.as_deref());
            }
        }
    }
    p.unique(
        &at,
        "trail ARN",
        account
            .trails
            .iter()
            .map(|t| t.arn.as_str())
            .filter(|a| !a.is_empty()),
    );
    for bucket in &mut account.buckets {
        if bucket.name.trim().is_empty() {
            p.push(
                &[&id, "buckets"],
                format!("a bucket in account {id} has no name"),
            );
        }
    }
    p.unique(
        &at,
        "bucket",
        account.buckets.iter().map(|b| b.name.as_str()),
    );
    p.unique(
        &at,
        "KMS key",
        account.kms_keys.iter().map(|k| k.arn.as_str()),
    );
    for facts in &account.region_facts {
        let at = [id.as_str(), facts.region.as_str()];
        p.unique(
            &at,
            "log group",
            facts.log_groups.iter().map(|g| g.name.as_str()),
        );
        for group in &facts.log_groups {
            let at = [id.as_str(), group.name.as_str()];
            p.unique(
                &at,
                "metric filter",
                group.metric_filters.iter().map(|f| f.name.as_str()),
            );
            for filter in &group.metric_filters {
                for metric in &filter.transformations {
                    p.finite(&[&id, &filter.name], "default_value", metric.default_value);
                }
            }
        }
        p.unique(
            &at,
            "alarm",
            facts.metric_alarms.iter().map(|a| a.name.as_str()),
        );
        for alarm in &facts.metric_alarms {
            p.finite(&[&id, &alarm.name], "threshold", alarm.threshold);
        }
        p.unique(
            &at,
            "SNS topic",
            facts.sns_topics.iter().map(|t| t.arn.as_str()),
        );
        p.unique(
            &at,
            "GuardDuty detector",
            facts.guardduty_detectors.iter().map(|d| d.id.as_str()),
        );
        for detector in &facts.guardduty_detectors {
            p.unique(
                &[&id, &detector.id],
                "GuardDuty finding",
                detector
                    .high_severity_findings
                    .iter()
                    .map(|f| f.id.as_str()),
            );
            for finding in &detector.high_severity_findings {
                let anchors = [id.as_str(), finding.id.as_str()];
                p.finite(&anchors, "severity", Some(finding.severity));
                p.time(&anchors, "created_at", Some(&finding.created_at));
                p.time(&anchors, "updated_at", finding.updated_at.as_deref());
            }
        }
        p.unique(
            &at,
            "Config recorder",
            facts.config_recorders.iter().map(|r| r.name.as_str()),
        );
        for recorder in &facts.config_recorders {
            if let Some(status) = &recorder.status {
                p.time(
                    &[&id, &recorder.name],
                    "last_status_change_time",
                    status.last_status_change_time.as_deref(),
                );
            }
        }
        p.unique(
            &at,
            "EventBridge rule",
            facts.eventbridge_rules.iter().map(|r| r.name.as_str()),
        );
        if let Some(lake) = &facts.security_lake {
            for source in lake.log_sources.iter().flatten() {
                if !super::is_account_id(&source.account) {
                    p.push(
                        &[id.as_str(), source.account.as_str()],
                        format!(
                            "Security Lake log source account `{}` is not an account id (12 digits)",
                            source.account
                        ),
                    );
                }
            }
        }
        if let Some(stores) = &facts.event_data_stores {
            p.unique(
                &at,
                "event data store",
                stores.iter().map(|s| s.arn.as_str()),
            );
        }
        if let Some(vpcs) = &facts.vpcs {
            p.unique(&at, "VPC", vpcs.iter().map(|v| v.id.as_str()));
        }
        p.unique(
            &at,
            "flow log",
            facts.flow_logs.iter().map(|f| f.id.as_str()),
        );
        p.unique(&at, "subnet", facts.subnets.iter().map(|s| s.id.as_str()));
        p.unique(
            &at,
            "Resolver query logging configuration",
            facts
                .resolver_query_log_configs
                .iter()
                .map(|c| c.id.as_str()),
        );
        p.unique(
            &at,
            "Resolver query logging association",
            facts
                .resolver_query_log_config_associations
                .iter()
                .map(|a| a.id.as_str()),
        );
        if let Some(hub) = &facts.security_hub {
            p.unique(
                &at,
                "Security Hub standard",
                hub.standards.iter().map(|s| s.standards_arn.as_str()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{RegionFacts, Trail};

    fn account() -> Account {
        Account {
            id: "111111111111".into(),
            regions: vec!["us-east-1".into()],
            ..Default::default()
        }
    }

    fn problems(snapshot: &mut Snapshot) -> Vec<String> {
        snapshot.validate().into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_valid_snapshot_has_no_problems() {
        let mut snapshot = Snapshot {
            accounts: vec![account()],
            ..Default::default()
        };
        assert_eq!(problems(&mut snapshot), Vec::<String>::new());
    }

    #[test]
    fn no_accounts_is_an_error_unless_the_snapshot_says_why() {
        let mut empty = Snapshot::default();
        assert_eq!(problems(&mut empty), ["the snapshot has no accounts"]);
        // A shard that was assigned nothing, or an organization whose
        // every member is suspended: empty, and it says why.
        let mut shard = Snapshot {
            organization: Some(crate::model::Organization {
                accounts_not_scanned: vec![crate::model::AccountRef {
                    id: "222222222222".into(),
                    reason: Some("in another shard".into()),
                    ..Default::default()
                }],
                management_account_id: "111111111111".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(problems(&mut shard), Vec::<String>::new());
    }

    #[test]
    fn ids_that_could_become_paths_are_refused() {
        for id in [
            "../../x",
            "/tmp/x",
            "11111111111",
            "1111111111111",
            "11111111111a",
            "",
        ] {
            let mut snapshot = Snapshot {
                accounts: vec![Account {
                    id: id.into(),
                    ..account()
                }],
                ..Default::default()
            };
            assert!(
                problems(&mut snapshot)
                    .iter()
                    .any(|m| m.contains("not 12 digits")),
                "{id}"
            );
        }
    }

    #[test]
    fn duplicates_missing_arns_and_empty_regions_are_errors() {
        let trail = |name: &str, arn: &str| Trail {
            name: name.into(),
            arn: arn.into(),
            ..Default::default()
        };
        let mut snapshot = Snapshot {
            accounts: vec![Account {
                trails: vec![
                    trail("a", "arn:aws:cloudtrail:us-east-1:111111111111:trail/t"),
                    trail("b", "arn:aws:cloudtrail:us-east-1:111111111111:trail/t"),
                    trail("c", ""),
                ],
                region_facts: vec![RegionFacts {
                    region: "eu-west-1".into(),
                    ..Default::default()
                }],
                ..account()
            }],
            collected_at: Some("yesterday".into()),
            ..Default::default()
        };
        let found = problems(&mut snapshot).join("\n");
        for expected in [
            "trail ARN `arn:aws:cloudtrail:us-east-1:111111111111:trail/t` appears twice",
            "trail `c` in account 111111111111 has no `arn`",
            "`collected_at` is `yesterday`",
            "not in its `regions` list",
        ] {
            assert!(found.contains(expected), "{expected}:\n{found}");
        }
    }

    #[test]
    fn overlong_text_is_an_error() {
        let mut snapshot = Snapshot {
            accounts: vec![Account {
                trails: vec![Trail {
                    name: "A".repeat(MAX_TEXT_BYTES + 1),
                    arn: "arn:aws:cloudtrail:us-east-1:111111111111:trail/t".into(),
                    ..Default::default()
                }],
                ..account()
            }],
            ..Default::default()
        };
        assert!(problems(&mut snapshot)
            .iter()
            .any(|m| m.contains("`trails[0].name` in account 111111111111 is 65537 bytes long")));
    }

    #[test]
    fn non_finite_numbers_are_errors() {
        let mut snapshot = Snapshot {
            accounts: vec![Account {
                region_facts: vec![RegionFacts {
                    region: "us-east-1".into(),
                    metric_alarms: vec![crate::model::MetricAlarm {
                        name: "a".into(),
                        threshold: Some(f64::NAN),
                        ..Default::default()
                    }],
                    ..Default::default()
                }],
                ..account()
            }],
            ..Default::default()
        };
        assert!(problems(&mut snapshot)
            .iter()
            .any(|m| m.contains("`threshold` is NaN")));
    }
}
