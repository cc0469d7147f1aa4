//! Views: the documented CEL context of each scope item, built from the
//! Snapshot plus facts derived in one place (what a trail records, which
//! bucket, key and log group it uses and whether they were scanned, whether
//! a bucket is public). Checks stay declarative because the hard semantics
//! live here, once, under test; `docs/check-authoring.md` lists every field.

use super::policy;
use crate::model::{
    Account, AccountRole, AdvancedEventSelector, Bucket, EventSelector, KmsKey, LogGroup,
    PublicAccessBlock, RegionFacts, Snapshot, SnsTopic, Trail,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A reference from an item to a resource the scan could not see: checks
/// that require an action of `service` become ERROR with `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub service: String,
    /// The one IAM action affected; `None`: every action of `service`.
    pub action: Option<String>,
    pub reason: String,
}

/// Indexes over a Snapshot for resolving references between accounts.
pub struct World<'a> {
    /// The organization, the errors, the collection time and every
    /// scanned account: whole, or (a spooled snapshot, [`crate::spooled`])
    /// with only their account-level facts for the accounts in `stubs`.
    pub snapshot: &'a Snapshot,
    now: Option<OffsetDateTime>,
    /// Every account the world was built over, by id: the snapshot's,
    /// except those a batch loaded whole in their place.
    accounts: BTreeMap<&'a str, &'a Account>,
    /// Accounts whose region facts are not in this world (a spooled
    /// snapshot's stubs outside the batch), and what was looked up in them.
    stubs: Option<&'a std::collections::HashSet<String>>,
    /// Stubs loaded whole in this world (a batch's accounts).
    loaded: std::collections::HashSet<&'a str>,
    missing: std::sync::Mutex<BTreeSet<String>>,
    /// The indexes a batch's accounts cannot change (account-level facts,
    /// and region facts of accounts a spooled snapshot keeps whole), shared
    /// by the worlds of every batch.
    shared: std::sync::Arc<Shared<'a>>,
    log_groups: HashMap<String, (&'a Account, &'a str, &'a LogGroup)>,
    /// SNS topics by ARN, with the account and region facts holding them.
    topics: HashMap<&'a str, (&'a Account, &'a RegionFacts, &'a SnsTopic)>,
    /// Sample GuardDuty findings as EventBridge delivers them
    /// (`checks/events/guardduty-finding-*.json`): rules are judged by
    /// whether their pattern matches them.
    finding_events: Vec<std::sync::Arc<crate::checks::SampleEvent>>,
    /// The language of the reasons given for unresolved references.
    /// (English when `None`.)
    texts: Option<std::sync::Arc<crate::i18n::Texts>>,
}

/// The indexes of a [`World`] that do not change from batch to batch.
#[derive(Default, Clone)]
struct Shared<'a> {
    buckets: HashMap<&'a str, &'a Bucket>,
    keys: HashMap<String, &'a KmsKey>,
    /// Trails as their owner account sees them (authoritative status).
    owned_trails: HashMap<&'a str, &'a Trail>,
    /// ARNs of the owned trails that deliver to each log group (by key).
    trails_by_log_group: HashMap<String, BTreeSet<&'a str>>,
    /// Organization trails of the management account, when it was scanned.
    organization_trails: Vec<&'a Trail>,
    /// Security Lake data lakes by region, with the account holding each
    /// (the delegated administrator), and the regions where some
    /// account's Security Lake was not read.
    data_lakes: HashMap<&'a str, (&'a Account, &'a crate::model::SecurityLake)>,
    /// The log sources of each region's data lake by (region, account), in
    /// the holder's order: a lake lists every member account's sources, so
    /// filtering the list per account made evaluation quadratic.
    lake_sources: HashMap<(&'a str, &'a str), Vec<&'a str>>,
    security_lake_unread: BTreeSet<&'a str>,
}

/// A log group found in the scan, with where it lives.
pub struct FoundLogGroup<'a> {
    pub account: &'a Account,
    pub region: &'a str,
    pub group: &'a LogGroup,
}

/// Parses an RFC 3339 time.
pub fn parse_time(text: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(text, &Rfc3339).ok()
}

fn log_group_key(arn: &str) -> String {
    arn.trim_end_matches(":*").to_owned()
}

pub use crate::model::arn_account;

impl<'a> World<'a> {
    pub fn new(snapshot: &'a Snapshot, now: Option<OffsetDateTime>) -> Self {
        let mut world = World {
            snapshot,
            now,
            accounts: BTreeMap::new(),
            stubs: None,
            loaded: Default::default(),
            missing: Default::default(),
            shared: Default::default(),
            log_groups: HashMap::new(),
            topics: HashMap::new(),
            finding_events: Vec::new(),
            texts: None,
        };
        let mut shared = Shared::default();
        let management = snapshot
            .organization
            .as_ref()
            .map(|o| o.management_account_id.as_str());
        for account in &snapshot.accounts {
            world.add_whole(account);
            for bucket in &account.buckets {
                shared.buckets.insert(&bucket.name, bucket);
            }
            for key in &account.kms_keys {
                shared.keys.insert(key.arn.clone(), key);
                for alias in &key.aliases {
                    shared.keys.insert(
                        format!("arn:aws:kms:{}:{}:{alias}", key.region, key.account_id),
                        key,
                    );
                }
            }
            for facts in &account.region_facts {
                match &facts.security_lake {
                    Some(lake) if lake.data_lake.is_some() => {
                        shared.data_lakes.insert(&facts.region, (account, lake));
                    }
                    Some(_) => {}
                    None => {
                        shared.security_lake_unread.insert(&facts.region);
                    }
                }
            }
            for trail in &account.trails {
                if trail.owner_account_id == account.id {
                    shared.owned_trails.insert(&trail.arn, trail);
                    if let Some(arn) = trail.cloudwatch_logs_log_group_arn.as_deref() {
                        shared
                            .trails_by_log_group
                            .entry(log_group_key(arn))
                            .or_default()
                            .insert(&trail.arn);
                    }
                    if trail.is_organization_trail && Some(account.id.as_str()) == management {
                        shared.organization_trails.push(trail);
                    }
                }
            }
        }
        for (region, (_, lake)) in &shared.data_lakes {
            for source in lake.log_sources.iter().flatten() {
                if source.region == *region {
                    shared
                        .lake_sources
                        .entry((region, &source.account))
                        .or_default()
                        .push(&source.source_name);
                }
            }
        }
        world.shared = std::sync::Arc::new(shared);
        world
    }

    /// This world with `batch` (accounts of the snapshot, loaded whole in
    /// place of their stubs) in it: the same sample events, language,
    /// stubs and shared indexes, which stubs and whole accounts give alike
    /// (account-level facts, and the region facts of the accounts a
    /// spooled snapshot keeps whole); the batch's log groups and SNS topics
    /// added. Copies a reference per account and the kept accounts' log
    /// groups and topics; the other indexes are shared.
    pub fn rebased<'b>(&self, batch: &'b [Account]) -> World<'b>
    where
        'a: 'b,
    {
        let mut world = World {
            snapshot: self.snapshot,
            now: self.now,
            accounts: self.accounts.clone(),
            stubs: self.stubs,
            loaded: batch.iter().map(|a| a.id.as_str()).collect(),
            missing: Default::default(),
            shared: std::sync::Arc::clone(&self.shared),
            log_groups: self.log_groups.clone(),
            topics: self.topics.clone(),
            finding_events: self.finding_events.clone(),
            texts: self.texts.clone(),
        };
        for account in batch {
            world.add_whole(account);
        }
        world
    }

    /// Puts `account` in this world with its log groups and SNS topics.
    /// Where two accounts hold one ARN, the later in id order wins, in
    /// whatever order accounts are added (a batch comes after the accounts
    /// kept whole).
    fn add_whole(&mut self, account: &'a Account) {
        self.accounts.insert(&account.id, account);
        let later = |holder: &Account| holder.id <= account.id;
        for facts in &account.region_facts {
            for topic in &facts.sns_topics {
                match self.topics.get(topic.arn.as_str()) {
                    Some((holder, _, _)) if !later(holder) => {}
                    _ => {
                        self.topics.insert(&topic.arn, (account, facts, topic));
                    }
                }
            }
            for group in &facts.log_groups {
                let key = log_group_key(&group.arn);
                match self.log_groups.get(&key) {
                    Some((holder, _, _)) if !later(holder) => {}
                    _ => {
                        self.log_groups.insert(key, (account, &facts.region, group));
                    }
                }
            }
        }
    }

    /// Marks `stubs` as accounts whose region facts are not here: a lookup
    /// that needed them is recorded ([`World::take_missing`]) rather than
    /// silently missed.
    pub fn with_stubs(mut self, stubs: &'a std::collections::HashSet<String>) -> Self {
        self.stubs = Some(stubs);
        self
    }

    /// Adds regions where some account's Security Lake was not read (known
    /// from accounts whose region facts are not in this world).
    pub fn with_unread_lakes(mut self, regions: &'a BTreeSet<String>) -> Self {
        std::sync::Arc::make_mut(&mut self.shared)
            .security_lake_unread
            .extend(regions.iter().map(String::as_str));
        self
    }

    /// The stub accounts a lookup needed the region facts of, since the
    /// last call. Not empty only when a spooled snapshot kept too few
    /// accounts whole ([`crate::spooled`]): a bug, never a verdict.
    pub fn take_missing(&self) -> BTreeSet<String> {
        match self.missing.lock() {
            Ok(mut missing) => std::mem::take(&mut *missing),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }

    /// Records that a lookup by `arn` found nothing, if its account's
    /// region facts are not in this world.
    fn note_miss(&self, arn: &str) {
        let Some(owner) = arn_account(arn) else {
            return;
        };
        if self.stubs.is_some_and(|stubs| stubs.contains(owner)) && !self.loaded.contains(owner) {
            match self.missing.lock() {
                Ok(mut missing) => missing.insert(owner.to_owned()),
                Err(poisoned) => poisoned.into_inner().insert(owner.to_owned()),
            };
        }
    }

    /// The sample GuardDuty findings rules are run on.
    pub fn with_finding_events(
        mut self,
        events: Vec<std::sync::Arc<crate::checks::SampleEvent>>,
    ) -> Self {
        self.finding_events = events;
        self
    }

    /// How a rule's event pattern treats the sample GuardDuty findings of
    /// `account`: the names of those it matches, whether it matches every
    /// high-severity one (severity 7 or more; there must be one), and why
    /// the pattern could not be read, if it could not.
    fn rule_findings(
        &self,
        account: &Account,
        pattern: Option<&Value>,
    ) -> (Vec<String>, bool, Option<String>) {
        let Some(pattern) = pattern else {
            return (Vec::new(), false, None);
        };
        let mut matched = Vec::new();
        let mut high = 0usize;
        let mut high_matched = 0usize;
        for event in &self.finding_events {
            let record = event.record_for(&account.id);
            let severity = record
                .pointer("/detail/severity")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            match crate::event_pattern::matches(pattern, &record) {
                Ok(true) => {
                    matched.push(event.name.clone());
                    if severity >= 7.0 {
                        high_matched += 1;
                    }
                }
                Ok(false) => {}
                Err(e) => return (Vec::new(), false, Some(e.to_string())),
            }
            if severity >= 7.0 {
                high += 1;
            }
        }
        (matched, high > 0 && high_matched == high, None)
    }

    pub fn account(&self, id: &str) -> Option<&'a Account> {
        self.accounts.get(id).copied()
    }

    /// Why a bucket that trails deliver to cannot be judged: it is in no
    /// scanned account. A one-account scan says only what it knows (not in
    /// this account); a wider scan says it is outside the scan. Either way
    /// the bucket may also no longer exist.
    /// Writes later sentences (reasons) in the language of `texts`.
    pub fn with_texts(mut self, texts: Option<std::sync::Arc<crate::i18n::Texts>>) -> Self {
        self.texts = texts;
        self
    }

    /// A sentence of the catalogue with its arguments.
    pub fn say(&self, id: &str, args: &[(&str, crate::i18n::Arg)]) -> String {
        match &self.texts {
            Some(texts) => texts.format(id, args),
            None => crate::i18n::english().format(id, args),
        }
    }

    pub fn bucket_not_found(&self, name: &str, trails: &str) -> String {
        let mut ids = self.accounts.keys();
        match (ids.next(), ids.next(), &self.snapshot.organization) {
            (Some(only), None, None) => self.say(
                "reason-bucket-not-in-account",
                &[
                    ("bucket", name.into()),
                    ("trails", trails.into()),
                    ("account", (*only).into()),
                ],
            ),
            _ => self.say(
                "reason-bucket-outside-scan",
                &[
                    ("bucket", name.into()),
                    ("trails", trails.into()),
                    ("count", self.accounts.len().into()),
                ],
            ),
        }
    }

    pub fn in_scan(&self, account_id: &str) -> bool {
        self.accounts.contains_key(account_id)
    }

    /// The scanned log group an ARN (with or without `:*`) names.
    pub fn log_group(&self, arn: &str) -> Option<FoundLogGroup<'a>> {
        let found = self.log_groups.get(&log_group_key(arn));
        if found.is_none() {
            self.note_miss(arn);
        }
        found.map(|&(account, region, group)| FoundLogGroup {
            account,
            region,
            group,
        })
    }

    /// The scanned SNS topic with this ARN, with its account and region.
    pub fn topic(&self, arn: &str) -> Option<(&'a Account, &'a RegionFacts, &'a SnsTopic)> {
        let found = self.topics.get(arn).copied();
        if found.is_none() {
            self.note_miss(arn);
        }
        found
    }

    fn age_hours(&self, time: Option<&str>) -> Value {
        match (self.now, time.and_then(parse_time)) {
            (Some(now), Some(then)) => {
                json!(((now - then).whole_minutes() as f64 / 60.0 * 10.0).round() / 10.0)
            }
            _ => Value::Null,
        }
    }

    pub fn age_days(&self, time: &str) -> Value {
        match (self.now, parse_time(time)) {
            (Some(now), Some(then)) => json!((now - then).whole_days()),
            _ => Value::Null,
        }
    }

    /// The trail as its owner recorded it when the owner was scanned.
    pub fn authoritative<'t>(&self, trail: &'t Trail) -> &'t Trail
    where
        'a: 't,
    {
        self.shared
            .owned_trails
            .get(trail.arn.as_str())
            .copied()
            .unwrap_or(trail)
    }

    /// Every trail that logs for `account`: those it sees, plus the
    /// organization trails of the scanned management account.
    pub fn trails_for(&self, account: &'a Account) -> Vec<&'a Trail> {
        let mut seen = BTreeSet::new();
        let mut trails = Vec::new();
        let org_trails = if account.role == AccountRole::Member {
            self.shared.organization_trails.as_slice()
        } else {
            &[]
        };
        for trail in account.trails.iter().chain(org_trails.iter().copied()) {
            if seen.insert(trail.arn.as_str()) {
                trails.push(self.authoritative(trail));
            }
        }
        trails
    }

    fn resolve_key(
        &self,
        key_id: &str,
        default_account: &str,
        default_region: &str,
    ) -> Option<&'a KmsKey> {
        if key_id.starts_with("arn:") {
            return self.shared.keys.get(key_id).copied();
        }
        let arn = if key_id.starts_with("alias/") {
            format!("arn:aws:kms:{default_region}:{default_account}:{key_id}")
        } else {
            format!("arn:aws:kms:{default_region}:{default_account}:key/{key_id}")
        };
        self.shared.keys.get(&arn).copied()
    }

    /// A KMS key reference as a view, with an Unresolved when its account
    /// was not scanned.
    fn key_view(
        &self,
        key_id: Option<&str>,
        account: &str,
        region: &str,
        what: &str,
        unresolved: &mut Vec<Unresolved>,
    ) -> Value {
        let Some(key_id) = key_id else {
            return Value::Null;
        };
        if let Some(key) = self.resolve_key(key_id, account, region) {
            return kms_key_view(key);
        }
        let owner = arn_account(key_id).unwrap_or(account);
        if !self.in_scan(owner) {
            unresolved.push(Unresolved {
                service: "kms".into(),
                action: None,
                reason: self.say(
                    "reason-key-outside-scan",
                    &[
                        ("key", key_id.into()),
                        ("what", what.into()),
                        ("owner", owner.into()),
                    ],
                ),
            });
        }
        Value::Null
    }

    /// The view of a trail: its facts plus what it records and what it uses.
    pub fn trail_view(&self, trail: &Trail, unresolved: &mut Vec<Unresolved>) -> Value {
        let trail = self.authoritative(trail);
        let mut view = to_object(trail);
        let status = trail.status.as_ref();
        view.insert(
            "is_logging".into(),
            status.map(|s| json!(s.is_logging)).unwrap_or(Value::Null),
        );
        view.insert(
            "delivery_age_hours".into(),
            self.age_hours(status.and_then(|s| s.latest_delivery_time.as_deref())),
        );
        view.insert(
            "cloudwatch_logs_delivery_age_hours".into(),
            self.age_hours(status.and_then(|s| s.latest_cloudwatch_logs_delivery_time.as_deref())),
        );
        view.insert("management_events".into(), management_events(trail));
        view.insert("s3_data_events".into(), s3_data_events(trail));
        // Data (or network activity) events: a store of management events
        // does not keep them.
        let records_data_events = trail
            .event_selectors
            .iter()
            .any(|s| !s.data_resources.is_empty())
            || trail.advanced_event_selectors.iter().any(|a| {
                field(a, "eventCategory")
                    .is_some_and(|f| f.equals.iter().any(|v| v != "Management"))
            });
        view.insert("records_data_events".into(), json!(records_data_events));

        let bucket = trail
            .s3_bucket_name
            .as_deref()
            .and_then(|name| self.shared.buckets.get(name));
        view.insert(
            "bucket".into(),
            bucket.map(|b| self.bucket_core(b)).unwrap_or(Value::Null),
        );
        if let (Some(name), None) = (&trail.s3_bucket_name, bucket) {
            unresolved.push(Unresolved {
                service: "s3".into(),
                action: None,
                reason: self.bucket_not_found(name, &trail.name),
            });
        }
        let what = self.say("what-trail", &[("trail", trail.name.as_str().into())]);
        view.insert(
            "kms_key".into(),
            self.key_view(
                trail.kms_key_id.as_deref(),
                &trail.owner_account_id,
                &trail.home_region,
                &what,
                unresolved,
            ),
        );
        let log_group = match trail.cloudwatch_logs_log_group_arn.as_deref() {
            None => Value::Null,
            Some(arn) => match self.log_group(arn) {
                Some(FoundLogGroup {
                    account,
                    region,
                    group,
                }) => {
                    let mut group_view = to_object(group);
                    group_view.remove("metric_filters");
                    group_view.insert("account_id".into(), json!(account.id));
                    group_view.insert("region".into(), json!(region));
                    Value::Object(group_view)
                }
                None => {
                    let owner = arn_account(arn).unwrap_or_default();
                    if !self.in_scan(owner) {
                        unresolved.push(Unresolved {
                            service: "logs".into(),
                            action: None,
                            reason: self.say(
                                "reason-log-group-outside-scan",
                                &[
                                    ("arn", arn.into()),
                                    ("trail", trail.name.as_str().into()),
                                    ("owner", owner.into()),
                                ],
                            ),
                        });
                    }
                    Value::Null
                }
            },
        };
        view.insert("log_group".into(), log_group);
        Value::Object(view)
    }

    /// A bucket's facts plus its public-access and transport analysis.
    fn bucket_core(&self, bucket: &Bucket) -> Value {
        let mut view = to_object(bucket);
        let account_block = self
            .account(&bucket.owner_account_id)
            .and_then(|a| a.s3_public_access_block.clone());
        let effective =
            effective_block(account_block.as_ref(), bucket.public_access_block.as_ref());
        let public_statements = bucket
            .policy
            .as_ref()
            .map(policy::public_statements)
            .unwrap_or_default();
        let public_grants = bucket
            .acl
            .as_ref()
            .map(|acl| policy::public_grants(&acl.grants))
            .unwrap_or_default();
        let policy_public = !public_statements.is_empty() && !effective.restrict_public_buckets;
        let acl_public = !public_grants.is_empty() && !effective.ignore_public_acls;
        view.insert("account_public_access_block".into(), json!(account_block));
        view.insert("effective_public_access_block".into(), json!(effective));
        view.insert(
            "public_access_fully_blocked".into(),
            json!(
                effective.block_public_acls
                    && effective.ignore_public_acls
                    && effective.block_public_policy
                    && effective.restrict_public_buckets
            ),
        );
        view.insert("public_policy_statements".into(), json!(public_statements));
        view.insert("public_acl_grants".into(), json!(public_grants));
        view.insert("is_public".into(), json!(policy_public || acl_public));
        let transport = bucket.policy.as_ref().map(|document| {
            policy::denies_insecure_transport(document, &bucket.name, self.partition_of(bucket))
        });
        view.insert(
            "secure_transport_enforced".into(),
            json!(transport
                .as_ref()
                .is_some_and(policy::TransportDeny::enforced)),
        );
        view.insert("secure_transport".into(), json!(transport));
        let retention_days = bucket.object_lock.as_ref().and_then(|lock| {
            lock.default_retention_days
                .or(lock.default_retention_years.map(|y| y * 365))
        });
        view.insert("object_lock_retention_days".into(), json!(retention_days));
        let min_expiration = bucket.lifecycle_rules.as_ref().and_then(|rules| {
            rules
                .iter()
                .filter(|r| r.status == "Enabled")
                .filter_map(|r| r.expiration_days)
                .min()
        });
        view.insert("min_expiration_days".into(), json!(min_expiration));
        Value::Object(view)
    }

    /// The partition of a bucket's ARN (`aws`, `aws-cn`, `aws-us-gov`): the
    /// partition of the trails that deliver to it, else `aws`.
    fn partition_of(&self, bucket: &Bucket) -> &'a str {
        self.shared
            .owned_trails
            .values()
            .find(|t| t.s3_bucket_name.as_deref() == Some(bucket.name.as_str()))
            .and_then(|t| t.arn.split(':').nth(1))
            .filter(|p| !p.is_empty())
            .unwrap_or("aws")
    }

    /// The view of a trail bucket: the bucket plus the trails that deliver to it.
    pub fn bucket_view(&self, name: &str, trails: &[&Trail]) -> Value {
        let mut view = match self.shared.buckets.get(name) {
            Some(bucket) => match self.bucket_core(bucket) {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            None => {
                let mut map = Map::new();
                map.insert("name".into(), json!(name));
                map
            }
        };
        let arns: Vec<&str> = trails.iter().map(|t| t.arn.as_str()).collect();
        let mut owners: Vec<&str> = trails.iter().map(|t| t.owner_account_id.as_str()).collect();
        owners.sort();
        owners.dedup();
        view.insert("trail_arns".into(), json!(arns));
        view.insert("trail_owner_account_ids".into(), json!(owners));
        // Where CloudTrail writes in the bucket: `<prefix>/AWSLogs/` or
        // `AWSLogs/` (CloudTrail User Guide, "Finding your CloudTrail log
        // files").
        let mut prefixes: Vec<String> = trails
            .iter()
            .map(
                |t| match t.s3_key_prefix.as_deref().filter(|p| !p.is_empty()) {
                    Some(prefix) => format!("{}/AWSLogs/", prefix.trim_end_matches('/')),
                    None => "AWSLogs/".to_owned(),
                },
            )
            .collect();
        prefixes.sort();
        prefixes.dedup();
        view.insert("trail_log_prefixes".into(), json!(prefixes));
        // SSE-KMS objects are replicated only when a rule asks for them
        // (S3 User Guide, "Replicating objects created with server-side
        // encryption (SSE-KMS)").
        let kms_logs = trails.iter().any(|t| t.kms_key_id.is_some())
            || self.shared.buckets.get(name).is_some_and(|b| {
                b.encryption
                    .as_ref()
                    .is_some_and(|e| e.sse_algorithm.starts_with("aws:kms"))
            });
        view.insert("kms_encrypted_logs".into(), json!(kms_logs));
        Value::Object(view)
    }

    /// All buckets that receive trail logs, with the trails delivering to each.
    pub fn trail_buckets(&self) -> BTreeMap<&'a str, Vec<&'a Trail>> {
        let mut buckets: BTreeMap<&str, Vec<&Trail>> = BTreeMap::new();
        for account in &self.snapshot.accounts {
            for trail in self.trails_for(account) {
                if let Some(name) = trail.s3_bucket_name.as_deref() {
                    let entry = buckets.entry(name).or_default();
                    if !entry.iter().any(|t| t.arn == trail.arn) {
                        entry.push(trail);
                    }
                }
            }
        }
        buckets
    }

    pub fn log_group_view(
        &self,
        account: &Account,
        region: &str,
        group: &LogGroup,
    ) -> (Value, Vec<Unresolved>) {
        let mut unresolved = Vec::new();
        let mut view = to_object(group);
        view.insert("account_id".into(), json!(account.id));
        view.insert("region".into(), json!(region));
        let what = self.say("what-log-group", &[("group", group.name.as_str().into())]);
        view.insert(
            "kms_key".into(),
            self.key_view(
                group.kms_key_id.as_deref(),
                &account.id,
                region,
                &what,
                &mut unresolved,
            ),
        );
        let trails = self
            .shared
            .trails_by_log_group
            .get(&log_group_key(&group.arn));
        view.insert("trail_arns".into(), json!(trails));
        let covering = account.region(region).and_then(|facts| {
            facts
                .logs_account_policies
                .iter()
                .find(|p| account_policy_covers(p, &group.name))
        });
        view.insert(
            "account_data_protection_policy".into(),
            json!(covering.map(|p| &p.policy_name)),
        );
        (Value::Object(view), unresolved)
    }

    pub fn detector_view(
        &self,
        account: &Account,
        region: &str,
        detector: &crate::model::GuardDutyDetector,
    ) -> Value {
        let mut view = to_object(detector);
        view.insert("account_id".into(), json!(account.id));
        view.insert("region".into(), json!(region));
        view.insert(
            "arn".into(),
            json!(format!(
                "arn:aws:guardduty:{region}:{}:detector/{}",
                account.id, detector.id
            )),
        );
        let findings: Vec<Value> = detector
            .high_severity_findings
            .iter()
            .map(|finding| {
                let mut f = to_object(finding);
                f.insert("age_days".into(), self.age_days(&finding.created_at));
                Value::Object(f)
            })
            .collect();
        view.insert("high_severity_findings".into(), Value::Array(findings));
        Value::Object(view)
    }

    /// A VPC with what records its traffic and its DNS queries:
    /// `flow_logs` on the VPC itself, `subnets` with each subnet's flow
    /// logs (listed only when some flow log is on a subnet), and
    /// `query_log_associations`, each with its configuration (`config`,
    /// `null` when the configuration is not visible to the account).
    pub fn vpc_view(
        &self,
        account: &Account,
        facts: &RegionFacts,
        vpc: &crate::model::Vpc,
    ) -> Value {
        let mut view = to_object(vpc);
        view.insert(
            "arn".into(),
            json!(format!(
                "arn:aws:ec2:{}:{}:vpc/{}",
                facts.region, account.id, vpc.id
            )),
        );
        let on = |resource: &str| -> Vec<&crate::model::FlowLog> {
            facts
                .flow_logs
                .iter()
                .filter(|f| f.resource_id == resource)
                .collect()
        };
        view.insert("flow_logs".into(), json!(on(&vpc.id)));
        let subnets: Vec<Value> = facts
            .subnets
            .iter()
            .filter(|s| s.vpc_id == vpc.id)
            .map(|s| json!({"id": s.id, "flow_logs": on(&s.id)}))
            .collect();
        view.insert("subnets".into(), Value::Array(subnets));
        let associations: Vec<Value> = facts
            .resolver_query_log_config_associations
            .iter()
            .filter(|a| a.resource_id == vpc.id)
            .map(|a| {
                let mut v = to_object(a);
                let config = facts
                    .resolver_query_log_configs
                    .iter()
                    .find(|c| c.id == a.resolver_query_log_config_id);
                v.insert("config".into(), json!(config));
                Value::Object(v)
            })
            .collect();
        view.insert("query_log_associations".into(), Value::Array(associations));
        Value::Object(view)
    }

    /// A CloudTrail Lake event data store with `management_events` (as a
    /// trail's: `read`, `write`, `all`, ...) and `region`.
    pub fn event_data_store_view(
        &self,
        region: &str,
        store: &crate::model::EventDataStore,
    ) -> Value {
        let mut view = to_object(store);
        view.insert("region".into(), json!(region));
        view.insert(
            "management_events".into(),
            management_events_of(&[], &store.advanced_event_selectors),
        );
        Value::Object(view)
    }

    /// Every event data store of `account`, and whether all its regions'
    /// stores were collected.
    fn event_data_stores_of(&self, account: &Account) -> (Vec<Value>, bool) {
        let mut complete = true;
        let mut stores = Vec::new();
        for facts in &account.region_facts {
            match &facts.event_data_stores {
                Some(list) => stores.extend(
                    list.iter()
                        .map(|s| self.event_data_store_view(&facts.region, s)),
                ),
                None => complete = false,
            }
        }
        (stores, complete)
    }

    /// Security Lake for `account` in `region`: the data lake of the
    /// region (whoever holds it: the delegated administrator) and the
    /// sources enabled there for this account. `collected` is false when
    /// no data lake was found and some account's Security Lake in the
    /// region was not read, or when the holder's log sources were not read.
    fn security_lake_view(&self, account: &Account, region: &str) -> Value {
        match self.shared.data_lakes.get(region) {
            Some((holder, lake)) => {
                let sources: &[&str] = self
                    .shared
                    .lake_sources
                    .get(&(region, account.id.as_str()))
                    .map_or(&[], Vec::as_slice);
                json!({
                    "collected": lake.log_sources.is_some(),
                    "data_lake_account_id": holder.id,
                    "data_lake": lake.data_lake,
                    "sources": sources,
                })
            }
            None => json!({
                "collected": !self.shared.security_lake_unread.contains(region),
                "data_lake_account_id": null,
                "data_lake": null,
                "sources": [],
            }),
        }
    }

    /// Security Hub as checks see it: the collected facts, and for each
    /// enabled standard its `name`, the path segment after `standards/`
    /// or `ruleset/` in its ARN (`aws-foundational-security-best-practices`,
    /// `cis-aws-foundations-benchmark`, `nist-800-53`, `pci-dss`).
    fn security_hub_view(hub: Option<&crate::model::SecurityHub>) -> Value {
        let Some(hub) = hub else {
            return Value::Null;
        };
        let mut view = to_object(hub);
        let standards: Vec<Value> = hub
            .standards
            .iter()
            .map(|s| {
                let mut v = to_object(s);
                let name = s
                    .standards_arn
                    .split_once(":standards/")
                    .or_else(|| s.standards_arn.split_once(":ruleset/"))
                    .map(|(_, rest)| rest.split('/').next().unwrap_or_default());
                v.insert("name".into(), json!(name));
                Value::Object(v)
            })
            .collect();
        view.insert("standards".into(), Value::Array(standards));
        Value::Object(view)
    }

    pub fn region_view(&self, account: &Account, facts: &RegionFacts) -> Value {
        let mut view = Map::new();
        view.insert("name".into(), json!(facts.region));
        let detectors: Vec<Value> = facts
            .guardduty_detectors
            .iter()
            .map(|d| self.detector_view(account, &facts.region, d))
            .collect();
        view.insert("guardduty_detectors".into(), Value::Array(detectors));
        view.insert("config_recorders".into(), json!(facts.config_recorders));
        view.insert(
            "config_delivery_channels".into(),
            json!(facts.config_delivery_channels),
        );
        let confirmed: HashMap<&str, usize> = facts
            .sns_topics
            .iter()
            .map(|t| {
                (
                    t.arn.as_str(),
                    t.subscriptions.iter().filter(|s| s.is_confirmed()).count(),
                )
            })
            .collect();
        let rules: Vec<Value> = facts
            .eventbridge_rules
            .iter()
            .map(|rule| {
                let mut r = to_object(rule);
                let (matched, all_high, problem) =
                    self.rule_findings(account, rule.event_pattern.as_ref());
                r.insert("matches_guardduty_findings".into(), json!(all_high));
                r.insert("matched_finding_events".into(), json!(matched));
                r.insert("pattern_error".into(), json!(problem));
                let targets: Vec<Value> = rule
                    .targets
                    .iter()
                    .map(|t| {
                        let service = t.arn.split(':').nth(2).unwrap_or_default();
                        json!({
                            "id": t.id,
                            "arn": t.arn,
                            "service": service,
                            "confirmed_subscriptions": confirmed.get(t.arn.as_str()).copied(),
                        })
                    })
                    .collect();
                r.insert("targets".into(), Value::Array(targets));
                Value::Object(r)
            })
            .collect();
        view.insert("eventbridge_rules".into(), Value::Array(rules));
        view.insert(
            "security_hub".into(),
            Self::security_hub_view(facts.security_hub.as_ref()),
        );
        view.insert(
            "security_lake".into(),
            self.security_lake_view(account, &facts.region),
        );
        view.insert("vpc_count".into(), json!(facts.vpcs.as_ref().map(Vec::len)));
        view.insert("log_group_count".into(), json!(facts.log_groups.len()));
        view.insert(
            "metric_alarm_count".into(),
            json!(facts.metric_alarms.len()),
        );
        Value::Object(view)
    }

    pub fn account_view(&self, account: &'a Account) -> Value {
        let mut view = Map::new();
        view.insert("id".into(), json!(account.id));
        view.insert("name".into(), json!(account.name));
        view.insert("status".into(), json!(account.status));
        view.insert("role".into(), json!(account.role));
        view.insert(
            "is_management".into(),
            json!(account.role == AccountRole::Management),
        );
        view.insert("ou_path".into(), json!(account.ou_path));
        view.insert("regions".into(), json!(account.regions));
        view.insert(
            "s3_public_access_block".into(),
            json!(account.s3_public_access_block),
        );
        let trails: Vec<Value> = self
            .trails_for(account)
            .into_iter()
            .map(|t| {
                let mut v = self.trail_view(t, &mut Vec::new());
                if let Value::Object(map) = &mut v {
                    map.insert("owned".into(), json!(t.owner_account_id == account.id));
                }
                v
            })
            .collect();
        view.insert("trails".into(), Value::Array(trails));
        let global_regions: Vec<&str> = account
            .region_facts
            .iter()
            .filter(|f| {
                f.config_recorders.iter().any(|r| {
                    r.include_global_resource_types
                        && r.status.as_ref().is_some_and(|s| s.recording)
                })
            })
            .map(|f| f.region.as_str())
            .collect();
        view.insert(
            "config_global_recording_regions".into(),
            json!(global_regions),
        );
        let (stores, complete) = self.event_data_stores_of(account);
        view.insert("event_data_stores".into(), Value::Array(stores));
        view.insert("event_data_stores_collected".into(), json!(complete));
        Value::Object(view)
    }

    pub fn org_view(&self) -> Value {
        let snapshot = self.snapshot;
        let scanned: Vec<&str> = snapshot.accounts.iter().map(|a| a.id.as_str()).collect();
        match &snapshot.organization {
            None => json!({
                "present": false,
                "id": null,
                "management_account_id": null,
                "management_account_in_scan": false,
                "feature_set": null,
                "delegated_administrators": {},
                "guardduty_admin_account_id": null,
                "securityhub_admin_account_id": null,
                "organization_event_data_stores": [],
                "organization_event_data_stores_collected": true,
                "scanned_account_ids": scanned,
                "accounts_not_scanned": [],
                "organization_trails": [],
            }),
            Some(org) => {
                let mut delegated: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
                for d in &org.delegated_administrators {
                    delegated
                        .entry(&d.service_principal)
                        .or_default()
                        .push(&d.account_id);
                }
                let guardduty_admin = self.delegated_admin_id("guardduty.amazonaws.com");
                let securityhub_admin = self.delegated_admin_id("securityhub.amazonaws.com");
                let org_trails: Vec<Value> = self
                    .shared
                    .organization_trails
                    .iter()
                    .map(|t| self.trail_view(t, &mut Vec::new()))
                    .collect();
                // Organization event data stores live in the management
                // account (or a delegated administrator's, which the scan
                // sees as that account's own stores).
                // Not known when the management account is outside the
                // scan or some region's stores were not read.
                let (all_stores, org_stores_collected) = self
                    .account(&org.management_account_id)
                    .map(|a| self.event_data_stores_of(a))
                    .unwrap_or_default();
                let org_stores: Vec<Value> = all_stores
                    .into_iter()
                    .filter(|s| s.get("organization_enabled") == Some(&json!(true)))
                    .collect();
                json!({
                    "present": true,
                    "id": org.id,
                    "management_account_id": org.management_account_id,
                    "management_account_in_scan": self.in_scan(&org.management_account_id),
                    "feature_set": org.feature_set,
                    "delegated_administrators": delegated,
                    "guardduty_admin_account_id": guardduty_admin,
                    "securityhub_admin_account_id": securityhub_admin,
                    "organization_event_data_stores": org_stores,
                    "organization_event_data_stores_collected": org_stores_collected,
                    "scanned_account_ids": scanned,
                    "accounts_not_scanned": org.accounts_not_scanned,
                    "organization_trails": org_trails,
                })
            }
        }
    }

    /// The account the organization delegated the service of `principal`
    /// (`guardduty.amazonaws.com`) to: the first one listed.
    fn delegated_admin_id(&self, principal: &str) -> Option<&'a str> {
        self.snapshot
            .organization
            .as_ref()?
            .delegated_administrators
            .iter()
            .find(|d| d.service_principal == principal)
            .map(|d| d.account_id.as_str())
    }

    /// The scanned account `delegated_admin_id` names.
    fn delegated_admin(&self, principal: &str) -> Option<&'a Account> {
        self.account(self.delegated_admin_id(principal)?)
    }

    /// Detectors of the GuardDuty administrator account, per region.
    pub fn guardduty_admin_detectors(&self) -> Vec<Value> {
        let Some(account) = self.delegated_admin("guardduty.amazonaws.com") else {
            return Vec::new();
        };
        account
            .region_facts
            .iter()
            .flat_map(|f| f.guardduty_detectors.iter().map(move |d| (f, d)))
            .map(|(f, d)| self.detector_view(account, &f.region, d))
            .collect()
    }

    /// Security Hub in each region of the Security Hub administrator
    /// account, with `region`; `null` hubs (not collected) included, so a
    /// check can tell them apart.
    pub fn securityhub_admin_hubs(&self) -> Vec<Value> {
        let Some(account) = self.delegated_admin("securityhub.amazonaws.com") else {
            return Vec::new();
        };
        account
            .region_facts
            .iter()
            .map(|f| {
                let mut hub = match Self::security_hub_view(f.security_hub.as_ref()) {
                    Value::Object(map) => map,
                    _ => Map::new(),
                };
                hub.insert("region".into(), json!(f.region));
                // An IAM refusal of the organization configuration leaves it
                // null: that is not "no auto-enable".
                let refused = self.snapshot.errors.iter().any(|e| {
                    e.account_id == account.id
                        && e.region.as_deref() == Some(f.region.as_str())
                        && e.service == "securityhub"
                        && e.operation == "DescribeOrganizationConfiguration"
                });
                hub.insert(
                    "collected".into(),
                    json!(f.security_hub.is_some() && !refused),
                );
                Value::Object(hub)
            })
            .collect()
    }
}

/// Whether an account-level data protection policy covers a log group:
/// its type is `DATA_PROTECTION_POLICY`, its scope `ALL` (the only scope
/// CloudWatch Logs offers), and its selection criteria, if any, do not
/// leave the group out (`LogGroupName NOT IN [...]`). Criteria of another
/// form are not understood and cover nothing.
/// Source: CloudWatch Logs API Reference, PutAccountPolicy.
pub fn account_policy_covers(policy: &crate::model::LogsAccountPolicy, group: &str) -> bool {
    if policy.policy_type != "DATA_PROTECTION_POLICY"
        || policy.scope.as_deref().is_some_and(|s| s != "ALL")
    {
        return false;
    }
    let Some(criteria) = policy.selection_criteria.as_deref().map(str::trim) else {
        return true;
    };
    if criteria.is_empty() {
        return true;
    }
    let Some(list) = criteria
        .strip_prefix("LogGroupName")
        .map(str::trim_start)
        .and_then(|r| r.strip_prefix("NOT IN"))
        .map(str::trim)
    else {
        return false;
    };
    match serde_json::from_str::<Vec<String>>(list) {
        Ok(excluded) => !excluded.iter().any(|e| e == group),
        Err(_) => false,
    }
}

fn to_object<T: serde::Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

fn kms_key_view(key: &KmsKey) -> Value {
    let mut view = to_object(key);
    view.insert(
        "is_customer_managed".into(),
        json!(key.key_manager == "CUSTOMER"),
    );
    view.insert(
        "is_symmetric".into(),
        json!(key
            .key_spec
            .as_deref()
            .is_none_or(|s| s == "SYMMETRIC_DEFAULT")),
    );
    view.insert("is_enabled".into(), json!(key.key_state == "Enabled"));
    let unsupported = KmsKey::rotation_unsupported(key.key_spec.as_deref(), key.origin.as_deref());
    view.insert("rotation_supported".into(), json!(unsupported.is_none()));
    view.insert("rotation_unsupported_reason".into(), json!(unsupported));
    Value::Object(view)
}

fn effective_block(
    account: Option<&PublicAccessBlock>,
    bucket: Option<&PublicAccessBlock>,
) -> PublicAccessBlock {
    let a = account.cloned().unwrap_or_default();
    let b = bucket.cloned().unwrap_or_default();
    PublicAccessBlock {
        block_public_acls: a.block_public_acls || b.block_public_acls,
        ignore_public_acls: a.ignore_public_acls || b.ignore_public_acls,
        block_public_policy: a.block_public_policy || b.block_public_policy,
        restrict_public_buckets: a.restrict_public_buckets || b.restrict_public_buckets,
    }
}

/// What the read-only restriction of a selector allows: (read, write).
fn read_write_from_basic(read_write_type: &str) -> (bool, bool) {
    match read_write_type {
        "ReadOnly" => (true, false),
        "WriteOnly" => (false, true),
        _ => (true, true),
    }
}

fn field<'s>(
    selector: &'s AdvancedEventSelector,
    name: &str,
) -> Option<&'s crate::model::AdvancedFieldSelector> {
    selector.field_selectors.iter().find(|f| f.field == name)
}

fn read_write_from_advanced(selector: &AdvancedEventSelector) -> (bool, bool) {
    match field(selector, "readOnly") {
        None => (true, true),
        Some(f) => {
            let only_true =
                f.equals.iter().any(|v| v == "true") || f.not_equals.iter().any(|v| v == "false");
            let only_false =
                f.equals.iter().any(|v| v == "false") || f.not_equals.iter().any(|v| v == "true");
            (!only_false, !only_true)
        }
    }
}

fn category_is(selector: &AdvancedEventSelector, category: &str) -> bool {
    field(selector, "eventCategory").is_some_and(|f| f.equals.iter().any(|v| v == category))
}

/// Which management events a trail records, whatever kind of selector it uses.
pub(super) fn management_events(trail: &Trail) -> Value {
    management_events_of(&trail.event_selectors, &trail.advanced_event_selectors)
}

/// Which management events basic or advanced selectors record (a trail's,
/// or a CloudTrail Lake event data store's advanced ones).
fn management_events_of(basic: &[EventSelector], advanced: &[AdvancedEventSelector]) -> Value {
    let mut read = false;
    let mut write = false;
    let mut excluded: Option<BTreeSet<String>> = None;
    let mut restricted_sources: Vec<String> = Vec::new();
    let selector_kind;
    if !advanced.is_empty() {
        selector_kind = "advanced";
        for selector in advanced {
            if !category_is(selector, "Management") {
                continue;
            }
            let source = field(selector, "eventSource");
            if let Some(source) =
                source.filter(|s| !s.equals.is_empty() || !s.starts_with.is_empty())
            {
                // Limited to some sources: not a full record of management events.
                restricted_sources.extend(source.equals.iter().cloned());
                restricted_sources.extend(source.starts_with.iter().cloned());
                continue;
            }
            let (r, w) = read_write_from_advanced(selector);
            read |= r;
            write |= w;
            let these: BTreeSet<String> = source
                .map(|s| {
                    s.not_equals
                        .iter()
                        .chain(&s.not_starts_with)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default();
            excluded = Some(match excluded {
                None => these,
                Some(prev) => prev.intersection(&these).cloned().collect(),
            });
        }
    } else if !basic.is_empty() {
        selector_kind = "basic";
        for selector in basic.iter().filter(|s| s.include_management_events) {
            let (r, w) = read_write_from_basic(&selector.read_write_type);
            read |= r;
            write |= w;
            let these: BTreeSet<String> = selector
                .exclude_management_event_sources
                .iter()
                .cloned()
                .collect();
            excluded = Some(match excluded {
                None => these,
                Some(prev) => prev.intersection(&these).cloned().collect(),
            });
        }
    } else {
        // A trail always has selectors; none collected means CloudTrail's
        // default: all management events, read and write (also an event
        // data store's default).
        selector_kind = "default";
        read = true;
        write = true;
        excluded = Some(BTreeSet::new());
    }
    let excluded: Vec<String> = excluded.unwrap_or_default().into_iter().collect();
    json!({
        "read": read,
        "write": write,
        "all": read && write && excluded.is_empty(),
        "excluded_sources": excluded,
        "limited_to_sources": restricted_sources,
        "selector_kind": selector_kind,
    })
}

/// Whether a trail records S3 object-level events for all buckets.
fn s3_data_events(trail: &Trail) -> Value {
    let mut read_all = false;
    let mut write_all = false;
    let mut buckets: BTreeSet<String> = BTreeSet::new();
    for selector in &trail.event_selectors {
        for resource in selector
            .data_resources
            .iter()
            .filter(|d| d.resource_type == "AWS::S3::Object")
        {
            let (r, w) = read_write_from_basic(&selector.read_write_type);
            for value in &resource.values {
                let all = matches!(
                    value.as_str(),
                    "arn:aws:s3" | "arn:aws:s3:::" | "arn:aws-us-gov:s3" | "arn:aws-cn:s3"
                );
                if all {
                    read_all |= r;
                    write_all |= w;
                } else {
                    buckets.insert(value.clone());
                }
            }
        }
    }
    for selector in &trail.advanced_event_selectors {
        let is_s3_objects = category_is(selector, "Data")
            && field(selector, "resources.type")
                .is_some_and(|f| f.equals.iter().any(|v| v == "AWS::S3::Object"));
        if !is_s3_objects {
            continue;
        }
        let narrowed = selector.field_selectors.iter().any(|f| {
            matches!(
                f.field.as_str(),
                "resources.ARN" | "eventName" | "eventSource"
            ) && (!f.equals.is_empty()
                || f.starts_with
                    .iter()
                    .any(|p| p.len() > "arn:aws:s3:::".len()))
        });
        let (r, w) = read_write_from_advanced(selector);
        if narrowed {
            if let Some(arns) = field(selector, "resources.ARN") {
                buckets.extend(arns.equals.iter().chain(&arns.starts_with).cloned());
            }
        } else {
            read_all |= r;
            write_all |= w;
        }
    }
    json!({
        "read_all_buckets": read_all,
        "write_all_buckets": write_all,
        "selected_resources": buckets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::AdvancedFieldSelector;

    fn adv(fields: &[(&str, &[&str], &[&str])]) -> AdvancedEventSelector {
        AdvancedEventSelector {
            name: Some("anything".into()),
            field_selectors: fields
                .iter()
                .map(|(f, eq, ne)| AdvancedFieldSelector {
                    field: (*f).into(),
                    equals: eq.iter().map(|s| s.to_string()).collect(),
                    not_equals: ne.iter().map(|s| s.to_string()).collect(),
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[test]
    fn advanced_management_selector_counts_whatever_its_name() {
        let trail = Trail {
            advanced_event_selectors: vec![adv(&[("eventCategory", &["Management"], &[])])],
            ..Default::default()
        };
        let m = management_events(&trail);
        assert_eq!(m["all"], json!(true));
    }

    #[test]
    fn read_only_advanced_selector_is_not_write() {
        let trail = Trail {
            advanced_event_selectors: vec![adv(&[
                ("eventCategory", &["Management"], &[]),
                ("readOnly", &["true"], &[]),
            ])],
            ..Default::default()
        };
        let m = management_events(&trail);
        assert_eq!(
            (m["read"].clone(), m["write"].clone()),
            (json!(true), json!(false))
        );
    }

    #[test]
    fn excluded_sources_are_reported() {
        let trail = Trail {
            event_selectors: vec![EventSelector {
                read_write_type: "All".into(),
                include_management_events: true,
                exclude_management_event_sources: vec!["kms.amazonaws.com".into()],
                data_resources: vec![],
            }],
            ..Default::default()
        };
        let m = management_events(&trail);
        assert_eq!(m["all"], json!(false));
        assert_eq!(m["excluded_sources"], json!(["kms.amazonaws.com"]));
    }

    #[test]
    fn s3_data_events_for_all_buckets() {
        let trail = Trail {
            advanced_event_selectors: vec![adv(&[
                ("eventCategory", &["Data"], &[]),
                ("resources.type", &["AWS::S3::Object"], &[]),
                ("readOnly", &["false"], &[]),
            ])],
            ..Default::default()
        };
        let d = s3_data_events(&trail);
        assert_eq!(
            (
                d["read_all_buckets"].clone(),
                d["write_all_buckets"].clone()
            ),
            (json!(false), json!(true))
        );
    }
}
