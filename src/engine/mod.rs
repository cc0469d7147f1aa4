//! Evaluating checks over a Snapshot.
//!
//! The engine expands each check over its scope (one item per organization,
//! account, region, trail, bucket, log group or detector), binds the item's
//! view as CEL variables, and decides the status:
//!
//! 1. ERROR when an input the check `requires` is missing: its API call
//!    failed for the item's account/region/resource, or the item refers to a
//!    resource in an account outside the scan. The finding names the failed
//!    operation and the IAM action to grant.
//! 2. SKIP when `applies_when` is false, with `messages.skip` as the reason.
//! 3. PASS when `assert` is true.
//! 4. Otherwise ERROR when `unknown_when` is true, else FAIL.
//!
//! A CEL evaluation error on some data is an ERROR finding, never a panic.
//! The engine reads `model` and `checks` and writes `result`; it knows
//! nothing of how findings are rendered.

pub mod alarm;
pub mod cel_value;
pub mod monitor;
pub mod policy;
pub mod view;

use crate::checks::{Catalogue, Check, Expr, ParamValue, Scope};
use crate::model::{Account, CollectionError, RegionFacts, Snapshot};
use crate::result::{
    Finding, Resource, ScanInfo, ScanResult, Shared, Status, Tool, RESULT_SCHEMA_VERSION,
};
use cel::common::value::{CowVal, Val};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use view::{Unresolved, World};

/// One thing a check is evaluated on.
#[derive(Clone)]
struct Item {
    account_id: Shared,
    region: Option<Shared>,
    resource: Resource,
    /// Accounts whose collection errors can make this item's inputs missing.
    error_accounts: Vec<String>,
    /// Resources (ARNs, names) an error must be about, if it names one.
    error_resources: Vec<String>,
    unresolved: Vec<Unresolved>,
    /// Variables bound for the item, besides `org`, `scan` and `params`.
    vars: Vec<(&'static str, Bound)>,
}

/// A view bound as a variable: converted once for CEL and once for message
/// templates, then shared (by reference count) by every item and check that
/// reads it. Converting per item made the cost grow with items x view size.
#[derive(Clone)]
struct Bound {
    cel: Arc<dyn Val>,
    template: minijinja::Value,
}

impl Bound {
    fn new(value: &Value) -> Self {
        Bound {
            cel: Arc::from(cel_value::from_json(value)),
            template: minijinja::Value::from(minijinja::value::Serde(value)),
        }
    }
}

/// Lends an item's bound variables to a CEL evaluation without copying them.
struct Resolver<'a> {
    item: &'a [(&'static str, Bound)],
    common: &'a [(&'static str, Bound)],
    params: &'a Bound,
}

impl cel::context::VariableResolver for Resolver<'_> {
    fn resolve<'b>(&'b self, variable: &str) -> Option<CowVal<'b, 'b>> {
        if variable == "params" {
            return Some(CowVal::Borrowed(self.params.cel.as_ref()));
        }
        self.item
            .iter()
            .chain(self.common.iter())
            .find(|(name, _)| *name == variable)
            .map(|(_, bound)| CowVal::Borrowed(bound.cel.as_ref()))
    }
}

/// Views shared by several scopes, built once per scan.
#[derive(Default)]
struct Views {
    accounts: HashMap<String, (Value, Bound)>,
    regions: HashMap<(String, String), Bound>,
}

impl Views {
    /// The views of `accounts`, built in one contiguous chunk per worker
    /// thread; with `regions`, their regions' views too.
    fn build(world: &World, accounts: &[Account], workers: usize, regions: bool) -> Self {
        if accounts.is_empty() {
            return Views::default();
        }
        let chunks = accounts.chunks(accounts.len().div_ceil(workers.max(1)));
        std::thread::scope(|threads| {
            let parts: Vec<_> = chunks
                .map(|chunk| threads.spawn(move || Views::new(world, chunk, regions)))
                .collect();
            let mut views = Views::default();
            for part in parts {
                if let Ok(part) = part.join() {
                    views.accounts.extend(part.accounts);
                    views.regions.extend(part.regions);
                }
            }
            views
        })
    }

    fn new(world: &World, chunk: &[Account], with_regions: bool) -> Self {
        let mut accounts = HashMap::new();
        let mut regions = HashMap::new();
        for account in chunk {
            let view = world.account_view(account);
            let bound = Bound::new(&view);
            accounts.insert(account.id.clone(), (view, bound));
            if !with_regions {
                continue;
            }
            for region in &account.regions {
                let empty;
                let facts = match account.region(region) {
                    Some(facts) => facts,
                    None => {
                        empty = RegionFacts {
                            region: region.clone(),
                            ..Default::default()
                        };
                        &empty
                    }
                };
                let view = Bound::new(&world.region_view(account, facts));
                regions.insert((account.id.clone(), region.clone()), view);
            }
            for facts in &account.region_facts {
                regions
                    .entry((account.id.clone(), facts.region.clone()))
                    .or_insert_with(|| Bound::new(&world.region_view(account, facts)));
            }
        }
        Views { accounts, regions }
    }

    fn region(&self, account: &Account, region: &str) -> Bound {
        match self.regions.get(&(account.id.clone(), region.to_owned())) {
            Some(bound) => bound.clone(),
            None => Bound::new(&Value::Null),
        }
    }
}

/// Stack of each evaluation thread. The CEL evaluator recurses once per
/// level of an expression; a debug build needs about 60 KiB a level, and
/// the loader admits [`crate::checks::MAX_CEL_DEPTH`] levels. Untouched
/// stack costs no memory.
const EVALUATION_STACK_BYTES: usize = 64 << 20;

/// How a scan is described in its result.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub source: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// The fixed strings of the language the catalogue was localized to,
    /// for the engine's own sentences (English when `None`); its language
    /// is recorded in the result.
    pub texts: Option<Arc<crate::i18n::Texts>>,
    /// Accounts per batch of [`run_streaming`]; 0 for
    /// [`ACCOUNTS_PER_BATCH`]. The result does not depend on it.
    pub accounts_per_batch: usize,
}

/// Evaluates every check of `catalogue` on `snapshot`.
///
/// Ages (delivery delays, finding ages) are measured from the snapshot's
/// `collected_at`, never from the clock, so the same snapshot always gives
/// the same result. Without `collected_at` ages are unknown, and the
/// checks that need one are not assessed.
pub fn run(snapshot: &Snapshot, catalogue: &Catalogue, info: RunInfo) -> ScanResult {
    let mut findings = Vec::new();
    let mut result = run_streaming(snapshot, catalogue, info, &mut |_, batch| {
        findings.extend(batch);
        Ok::<(), std::convert::Infallible>(())
    })
    .unwrap_or_else(|never| match never {});
    result.findings = findings;
    result.finalize(&catalogue.control_index());
    result
}

/// Accounts evaluated together: their views and findings are held at once,
/// then handed on and dropped. Large enough to keep both cores busy, small
/// enough that a batch's findings (about 650 per account of 17 regions)
/// stay in the tens of MiB.
pub const ACCOUNTS_PER_BATCH: usize = 64;

/// Takes the findings of one batch of accounts ([`run_streaming`]).
pub type Sink<'s, E> = dyn FnMut(&[Account], Vec<Arc<Finding>>) -> Result<(), E> + 's;

/// Evaluates every check of `catalogue` on `snapshot` in batches of
/// accounts ([`ACCOUNTS_PER_BATCH`]) and hands each batch's findings to
/// `sink` in canonical order ([`Finding::key`]) as soon as they are made.
///
/// The first call carries the organization scope (`accounts` empty); each
/// later call carries the other scopes of the next accounts (with the
/// trails and buckets reported in them), in the snapshot's order, which is ascending account
/// id once the snapshot is normalized (`Snapshot::normalize`, which every
/// loader calls). So the findings of one check arrive in canonical order
/// across calls: a sink can write them out and forget them, and the
/// findings held at once do not grow with the number of accounts.
///
/// Returns the result without findings and with an empty summary; the
/// sink's first error stops the evaluation and is returned.
pub fn run_streaming<E>(
    snapshot: &Snapshot,
    catalogue: &Catalogue,
    info: RunInfo,
    sink: &mut Sink<'_, E>,
) -> Result<ScanResult, E> {
    run_from(snapshot, None, catalogue, info, &mut Whole, sink)
}

/// Where the accounts of a snapshot held as stubs are read whole, one
/// batch at a time ([`crate::spooled`]).
pub trait Loader<E> {
    /// The whole accounts of `stubs` (consecutive accounts of the
    /// snapshot, in its order), validated and normalized as the snapshot's.
    fn load(&mut self, stubs: &[Account]) -> Result<Vec<Account>, E>;
    /// The error to stop with when a lookup needed the region facts of
    /// accounts that were held as stubs (`ids`): the loader kept too few
    /// accounts whole, and a verdict would silently change.
    fn not_loaded(&mut self, ids: BTreeSet<String>) -> Result<(), E>;
}

/// The loader of a whole snapshot: it has no stubs.
struct Whole;

impl<E> Loader<E> for Whole {
    fn load(&mut self, stubs: &[Account]) -> Result<Vec<Account>, E> {
        Ok(stubs.to_vec())
    }
    fn not_loaded(&mut self, _: BTreeSet<String>) -> Result<(), E> {
        Ok(())
    }
}

/// What a snapshot held as stubs adds to [`run_from`]: the accounts
/// (ids) whose region facts are not in the snapshot, and the regions where
/// one of them did not read its Security Lake.
pub struct Stubs<'s> {
    pub ids: &'s std::collections::HashSet<String>,
    pub unread_lakes: &'s std::collections::BTreeSet<String>,
}

/// Whether an evaluation of `catalogue` reads every account at once (an
/// organization check that may read `accounts`), so that a snapshot must
/// be held whole for it.
pub fn reads_every_account(catalogue: &Catalogue) -> bool {
    catalogue
        .checks
        .iter()
        .any(|c| c.scope == Scope::Organization && c.may_read("accounts"))
}

/// [`run_streaming`] over a snapshot whose accounts in `stubs` hold only
/// their account-level facts (trails, buckets, keys, regions); `loader`
/// reads each batch's stubs whole before it is evaluated. Every lookup of
/// one account's facts from another's resolves as in the whole snapshot
/// when every account named by another's facts is held whole (see
/// [`crate::spooled`]); one that would not is an error of `loader`, never
/// a different verdict.
pub fn run_from<E>(
    snapshot: &Snapshot,
    stubs: Option<Stubs<'_>>,
    catalogue: &Catalogue,
    info: RunInfo,
    loader: &mut dyn Loader<E>,
    sink: &mut Sink<'_, E>,
) -> Result<ScanResult, E> {
    let now = snapshot.collected_at.as_deref().and_then(view::parse_time);
    let finding_events = catalogue
        .events
        .values()
        .filter(|e| e.event_source == "aws.guardduty")
        .cloned()
        .collect();
    let texts: &crate::i18n::Texts = match &info.texts {
        Some(texts) => texts,
        None => crate::i18n::english(),
    };
    let mut world = World::new(snapshot, now)
        .with_finding_events(finding_events)
        .with_texts(info.texts.clone());
    let no_stubs = std::collections::HashSet::new();
    let stub_ids = match &stubs {
        Some(stubs) => {
            world = world
                .with_stubs(stubs.ids)
                .with_unread_lakes(stubs.unread_lakes);
            stubs.ids
        }
        None => &no_stubs,
    };
    let batch = match info.accounts_per_batch {
        0 => ACCOUNTS_PER_BATCH,
        n => n,
    };
    evaluate(&world, stub_ids, catalogue, texts, batch, loader, sink)?;
    Ok(result_shell(snapshot, catalogue, info))
}

/// The result of a scan of `snapshot` before its findings, summary and
/// waivers are filled in: what [`run_from`] returns. Everything in it but
/// the time the scan finishes (`scan.finished_at`, from `info`) is known
/// before evaluation, so a streamed scan can render each account's page as
/// soon as its batch is evaluated when no page shows that time.
pub fn result_shell(snapshot: &Snapshot, catalogue: &Catalogue, info: RunInfo) -> ScanResult {
    let texts: &crate::i18n::Texts = match &info.texts {
        Some(texts) => texts,
        None => crate::i18n::english(),
    };
    let parameters = catalogue
        .checks
        .iter()
        .filter(|c| !c.parameters.is_empty())
        .map(|c| {
            let values = c
                .parameters
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::to_value(v).unwrap_or(Value::Null)))
                .collect();
            (c.id.clone(), values)
        })
        .collect();
    let mut result = ScanResult {
        schema_version: RESULT_SCHEMA_VERSION,
        tool: Tool {
            name: "auditscope".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        scan: ScanInfo {
            source: info.source,
            started_at: info.started_at,
            finished_at: info.finished_at,
            collected_at: snapshot.collected_at.clone(),
            accounts: snapshot.accounts.iter().map(|a| a.id.clone()).collect(),
            regions: snapshot.regions(),
            parameters,
            partial: snapshot.partial,
            accounts_not_scanned: snapshot
                .organization
                .as_ref()
                .map(|o| o.accounts_not_scanned.clone())
                .unwrap_or_default(),
            lang: texts.lang().to_owned(),
        },
        findings: Vec::new(),
        errors: snapshot.errors.clone(),
        summary: Default::default(),
        waivers: Vec::new(),
        changes: None,
    };
    result.errors.sort();
    result
}

/// Evaluates all checks, handing `sink` the findings of the organization
/// scope, then of each batch of accounts (with the trails and buckets
/// reported in them), each call's in canonical order.
fn evaluate<E>(
    world: &World,
    stubs: &HashSet<String>,
    catalogue: &Catalogue,
    texts: &crate::i18n::Texts,
    accounts_per_batch: usize,
    loader: &mut dyn Loader<E>,
    sink: &mut Sink<'_, E>,
) -> Result<(), E> {
    let org = world.org_view();
    let scan = json!({
        "time": world.snapshot.collected_at,
        "regions": world.snapshot.regions(),
        "account_count": world.snapshot.accounts.len(),
        "partial": world.snapshot.partial,
    });
    let common = [("org", Bound::new(&org)), ("scan", Bound::new(&scan))];
    let mut templates = minijinja::Environment::new();
    templates.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    templates.set_fuel(Some(crate::checks::MESSAGE_FUEL));
    for check in &catalogue.checks {
        let messages = [
            Some(&check.messages.pass),
            Some(&check.messages.fail),
            check.messages.skip.as_ref(),
            check.messages.unknown.as_ref(),
        ];
        for (kind, template) in Message::KINDS.into_iter().zip(messages) {
            if let Some(template) = template {
                // Validated at load; a failure here only loses the message.
                let _ =
                    templates.add_template_owned(format!("{}.{kind}", check.id), template.clone());
            }
        }
    }
    let mut by_scope: BTreeMap<Scope, Vec<(Prepared, Bound)>> = BTreeMap::new();
    for check in &catalogue.checks {
        let params = Bound::new(&params_value(&check.parameters));
        by_scope
            .entry(check.scope)
            .or_default()
            .push((Prepared::new(check, &templates, &params), params));
    }
    // The organization scope's `accounts` holds every account's view (with
    // its CEL and template copies: about 0.3 GiB per 1,000 accounts of 17
    // regions); it is built only when an organization check may read it
    // (`Check::may_read`), else it is an empty list no check can see.
    let org_reads_accounts = reads_every_account(catalogue);
    if org_reads_accounts && !stubs.is_empty() {
        // The caller holds such a snapshot whole (`reads_every_account`).
        loader.not_loaded(stubs.iter().cloned().collect())?;
    }
    let plan = Plan::new(world);
    let errors = ErrorIndex::new(&world.snapshot.errors);
    let accounts = &world.snapshot.accounts;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut spent: BTreeMap<String, std::time::Duration> = BTreeMap::new();
    let mut evaluate_pass = |world: &World, batch: &[Account], pass: Pass| -> Vec<Arc<Finding>> {
        // The organization scope reads every account's view (it lists them
        // all) when it may read `accounts`, and no region's; a batch reads
        // its own accounts' views, regions included.
        let viewed = match pass {
            Pass::Organization if org_reads_accounts => accounts.as_slice(),
            Pass::Organization => &[],
            Pass::Accounts => batch,
        };
        let views = Views::build(world, viewed, workers, pass == Pass::Accounts);
        let evaluation = Evaluation {
            world,
            org: &org,
            views: &views,
            common: &common,
            errors: &errors,
            by_scope: &by_scope,
            plan: &plan,
            texts,
        };
        let chunks: Vec<&[Account]> = match pass {
            Pass::Organization => vec![&[]],
            Pass::Accounts => batch
                .chunks(batch.len().div_ceil(workers.max(1)).max(1))
                .collect(),
        };
        let outcomes: Vec<Outcome> = std::thread::scope(|threads| {
            let jobs: Vec<_> = chunks
                .iter()
                .enumerate()
                .map(|(i, chunk)| {
                    let evaluation = &evaluation;
                    std::thread::Builder::new()
                        .name(format!("evaluate-{i}"))
                        .stack_size(EVALUATION_STACK_BYTES)
                        .spawn_scoped(threads, move || evaluation.evaluate_chunk(chunk, pass))
                })
                .collect();
            jobs.into_iter()
                .filter_map(|job| job.ok()?.join().ok())
                .collect()
        });
        let mut findings = Vec::with_capacity(outcomes.iter().map(|o| o.findings.len()).sum());
        for outcome in outcomes {
            findings.extend(outcome.findings);
            for (check, elapsed) in outcome.spent {
                *spent.entry(check.to_owned()).or_default() += elapsed;
            }
        }
        findings.sort_by(|a, b| a.key().cmp(&b.key()));
        findings
    };
    // Without an organization check (a `--checks` selection), every
    // account's view need not be built for nothing.
    let whole = if by_scope.contains_key(&Scope::Organization) {
        evaluate_pass(world, &[], Pass::Organization)
    } else {
        Vec::new()
    };
    loader.not_loaded(world.take_missing())?;
    sink(&[], whole)?;
    for chunk in accounts.chunks(accounts_per_batch.max(1)) {
        let findings = if chunk.iter().any(|a| stubs.contains(&a.id)) {
            // This batch's accounts whole, in place of their stubs.
            let loaded = loader.load(chunk)?;
            let batch_world = world.rebased(&loaded);
            let findings = evaluate_pass(&batch_world, &loaded, Pass::Accounts);
            loader.not_loaded(batch_world.take_missing())?;
            sink(&loaded, findings)
        } else {
            let findings = evaluate_pass(world, chunk, Pass::Accounts);
            loader.not_loaded(world.take_missing())?;
            sink(chunk, findings)
        };
        findings?;
    }
    for (check, elapsed) in spent {
        tracing::debug!(
            check,
            elapsed_ms = elapsed.as_millis() as u64,
            "evaluated check (cpu time)"
        );
    }
    Ok(())
}

/// Where each trail and trail bucket is reported: the account whose batch
/// evaluates it. Made once from account-level facts (trails and buckets,
/// which stubs keep), so the items come out as over the whole snapshot.
struct Plan<'a> {
    /// Each trail once: in its owner account when scanned, else in the
    /// first scanned account that sees it.
    trails: HashMap<&'a str, Vec<&'a crate::model::Trail>>,
    /// Each bucket trails deliver to, with those trails: in the first
    /// account holding it, else where its first trail's owner (or the
    /// first account seeing one of its trails) is; `false` when no
    /// scanned account holds it.
    buckets: HashMap<&'a str, Vec<PlannedBucket<'a>>>,
}

/// A trail bucket's name, the trails delivering to it, and whether a
/// scanned account holds it.
type PlannedBucket<'a> = (&'a str, Vec<&'a crate::model::Trail>, bool);

impl<'a> Plan<'a> {
    fn new(world: &World<'a>) -> Self {
        let snapshot = world.snapshot;
        let mut seen = BTreeSet::new();
        let mut owners_first: Vec<(&Account, &crate::model::Trail)> = Vec::new();
        for account in &snapshot.accounts {
            for trail in &account.trails {
                owners_first.push((account, trail));
            }
        }
        owners_first.sort_by_key(|(account, trail)| {
            (account.id != trail.owner_account_id, account.id.as_str())
        });
        let mut trails: HashMap<&str, Vec<&crate::model::Trail>> = HashMap::new();
        for (account, trail) in owners_first {
            if seen.insert(trail.arn.as_str()) {
                trails.entry(account.id.as_str()).or_default().push(trail);
            }
        }
        // The first account holding each bucket, looked up by name (a scan
        // over every account per bucket was quadratic).
        let mut holders: HashMap<&str, &Account> = HashMap::new();
        for account in &snapshot.accounts {
            for bucket in &account.buckets {
                holders.entry(bucket.name.as_str()).or_insert(account);
            }
        }
        let mut buckets: HashMap<&str, Vec<_>> = HashMap::new();
        for (name, trails) in world.trail_buckets() {
            let (account, found) = match holders.get(name) {
                Some(account) => (account.id.as_str(), true),
                None => {
                    // Report it where the trail's owner (or viewer) is.
                    let owner = trails
                        .first()
                        .map(|t| t.owner_account_id.as_str())
                        .unwrap_or_default();
                    let Some(account) = world.account(owner).or_else(|| {
                        snapshot.accounts.iter().find(|a| {
                            a.trails
                                .iter()
                                .any(|t| trails.iter().any(|x| x.arn == t.arn))
                        })
                    }) else {
                        continue;
                    };
                    (account.id.as_str(), false)
                }
            };
            buckets
                .entry(account)
                .or_default()
                .push((name, trails, found));
        }
        Plan { trails, buckets }
    }
}

/// Which scopes an evaluation pass covers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    /// The organization: once per scan.
    Organization,
    /// Accounts, regions, their resources and the trails and buckets
    /// reported in them ([`Plan`]): per batch of accounts.
    Accounts,
}

/// What every evaluation thread reads.
struct Evaluation<'a> {
    world: &'a World<'a>,
    org: &'a Value,
    views: &'a Views,
    common: &'a [(&'static str, Bound)],
    errors: &'a ErrorIndex<'a>,
    by_scope: &'a BTreeMap<Scope, Vec<(Prepared<'a>, Bound)>>,
    plan: &'a Plan<'a>,
    texts: &'a crate::i18n::Texts,
}

/// The findings of one thread, and its time per check.
struct Outcome<'a> {
    findings: Vec<Arc<Finding>>,
    spent: BTreeMap<&'a str, std::time::Duration>,
}

impl<'a> Evaluation<'a> {
    fn evaluate_chunk(&self, accounts: &[Account], pass: Pass) -> Outcome<'a> {
        let root = cel::Context::default();
        let chains = monitor::Chains::new(self.world, self.errors, self.texts);
        let mut findings = Vec::new();
        let mut spent: BTreeMap<&'a str, std::time::Duration> = BTreeMap::new();
        for (&scope, checks) in self.by_scope {
            if (scope == Scope::Organization) != (pass == Pass::Organization) {
                continue;
            }
            let started = std::time::Instant::now();
            let mut items = 0usize;
            for_each_item(
                self.world,
                scope,
                accounts,
                self.org,
                self.views,
                self.plan,
                &mut |item| {
                    items += 1;
                    // The message templates' variables of the item, for
                    // every check: made once, not once per finding.
                    let item_context = template_context(&item.vars, self.common);
                    for (check, params) in checks {
                        let started = std::time::Instant::now();
                        let with_monitor;
                        let mut monitor_context = None;
                        let item = match (&check.monitor, &item.resource) {
                            (Some(spec), resource) if scope == Scope::Account => {
                                let Some(account) = self.world.account(&resource.id) else {
                                    continue;
                                };
                                let view = chains.view(&check.id, spec, account);
                                let mut extended = item.clone();
                                let bound = Bound::new(&view);
                                monitor_context = Some(monitor_value(&bound));
                                extended.vars.push(("monitor", bound));
                                with_monitor = extended;
                                &with_monitor
                            }
                            (Some(spec), resource) if scope == Scope::Vpc => {
                                let Some(account) = self.world.account(&item.account_id) else {
                                    continue;
                                };
                                let region = item.region.as_deref().unwrap_or_default();
                                let Some(region) =
                                    account.region(region).map(|f| f.region.as_str())
                                else {
                                    continue;
                                };
                                let vpc_id = resource.id.rsplit('/').next().unwrap_or_default();
                                let view =
                                    chains.vpc_view(&check.id, spec, account, region, vpc_id);
                                let mut extended = item.clone();
                                let bound = Bound::new(&view);
                                monitor_context = Some(monitor_value(&bound));
                                extended.vars.push(("monitor", bound));
                                with_monitor = extended;
                                &with_monitor
                            }
                            _ => &item,
                        };
                        let resolver = Resolver {
                            item: &item.vars,
                            common: self.common,
                            params,
                        };
                        let mut context = root.new_inner_scope();
                        context.set_variable_resolver(&resolver);
                        let mut message_context = vec![item_context.clone()];
                        message_context.extend(monitor_context);
                        message_context.push(check.params_context.clone());
                        let env = Env {
                            context: &context,
                            errors: self.errors,
                            message_context,
                            texts: self.texts,
                        };
                        findings.push(Arc::new(evaluate_item(check, item, &env)));
                        *spent.entry(check.check.id.as_str()).or_default() += started.elapsed();
                    }
                },
            );
            tracing::debug!(
                scope = scope.as_str(),
                items,
                elapsed_ms = started.elapsed().as_millis() as u64,
                "evaluated scope"
            );
        }
        Outcome { findings, spent }
    }
}

/// A check with what every one of its findings reads or carries, made
/// once: its text, its message templates, the services it requires and
/// its parameters as a message template reads them.
struct Prepared<'a> {
    check: &'a Check,
    id: Shared,
    title: Shared,
    severity: Shared,
    remediation: Shared,
    controls: Arc<BTreeMap<String, Vec<String>>>,
    /// The `pass`, `fail`, `skip` and `unknown` messages, in that order
    /// ([`Message`]); for a message the check does not have, the lookup's
    /// error.
    messages: [Result<minijinja::Template<'a, 'a>, String>; 4],
    /// The service part of each action of `requires`.
    required_services: Vec<&'a str>,
    /// `params` for the message templates.
    params_context: minijinja::Value,
}

/// Which message of a check a finding gets.
#[derive(Clone, Copy)]
enum Message {
    Pass,
    Fail,
    Skip,
    Unknown,
}

impl Message {
    /// Each message's key in a check, in the order of the variants.
    const KINDS: [&'static str; 4] = ["pass", "fail", "skip", "unknown"];
}

impl<'a> Prepared<'a> {
    /// `templates` holds the check's messages as `<id>.<kind>`
    /// ([`Message::KINDS`]).
    fn new(check: &'a Check, templates: &'a minijinja::Environment<'a>, params: &Bound) -> Self {
        let messages = Message::KINDS.map(|kind| {
            templates
                .get_template(&format!("{}.{kind}", check.id))
                .map_err(|e| e.to_string())
        });
        Prepared {
            check,
            id: check.id.as_str().into(),
            title: check.title.as_str().into(),
            severity: check.severity.as_str().into(),
            remediation: check.remediation.text.as_str().into(),
            controls: Arc::new(check.frameworks.clone()),
            messages,
            required_services: check
                .requires
                .iter()
                .filter_map(|a| a.split(':').next())
                .collect(),
            params_context: minijinja::Value::from_pairs([("params", params.template.clone())]),
        }
    }
}

/// The variables an item binds (`vars`) and those every item binds
/// (`common`), as a message template reads them.
fn template_context(
    vars: &[(&'static str, Bound)],
    common: &[(&'static str, Bound)],
) -> minijinja::Value {
    minijinja::Value::from_pairs(
        vars.iter()
            .chain(common.iter())
            .map(|(k, v)| (*k, v.template.clone())),
    )
}

/// `monitor` for the message templates.
fn monitor_value(monitor: &Bound) -> minijinja::Value {
    minijinja::Value::from_pairs([("monitor", monitor.template.clone())])
}

impl std::ops::Deref for Prepared<'_> {
    type Target = Check;
    fn deref(&self) -> &Check {
        self.check
    }
}

/// What one evaluation of a check on an item reads.
struct Env<'a> {
    context: &'a cel::Context<'a, 'a>,
    errors: &'a ErrorIndex<'a>,
    /// The message templates' variables but `evidence`: maps merged in
    /// order, none of them naming a variable another one names.
    message_context: Vec<minijinja::Value>,
    texts: &'a crate::i18n::Texts,
}

/// Collection errors indexed by IAM action.
pub struct ErrorIndex<'a> {
    by_action: HashMap<String, Vec<&'a CollectionError>>,
    /// Errors that kept a whole account from being read.
    blocking: Vec<&'a CollectionError>,
}

impl<'a> ErrorIndex<'a> {
    fn new(errors: &'a [CollectionError]) -> Self {
        let mut by_action: HashMap<String, Vec<&CollectionError>> = HashMap::new();
        for error in errors.iter().filter(|e| !e.is_fact()) {
            by_action.entry(error.iam_action()).or_default().push(error);
        }
        let blocking = errors.iter().filter(|e| e.blocks_account()).collect();
        ErrorIndex {
            by_action,
            blocking,
        }
    }

    /// The first error of `action` in `account` that concerns `region`
    /// (errors without a region concern every region).
    pub fn at(
        &self,
        action: &str,
        account: &str,
        region: Option<&str>,
    ) -> Option<&'a CollectionError> {
        self.by_action
            .get(action)?
            .iter()
            .copied()
            .find(|e| e.account_id == account && concerns_region(e, region))
    }

    /// The first error that makes one of `actions` missing for `item`,
    /// or that kept its whole account from being read.
    fn find<S: AsRef<str>>(&self, actions: &[S], item: &Item) -> Option<&'a CollectionError> {
        let blocked = self.blocking.iter().copied().find(|e| {
            item.error_accounts.contains(&e.account_id) || e.account_id == *item.account_id
        });
        if blocked.is_some() {
            return blocked;
        }
        actions.iter().find_map(|action| {
            self.by_action
                .get(action.as_ref())?
                .iter()
                .copied()
                .find(|e| {
                    item.error_accounts.contains(&e.account_id)
                        && concerns_region(e, item.region.as_deref())
                        && e.resource
                            .as_ref()
                            .is_none_or(|r| item.error_resources.contains(r))
                })
        })
    }
}

fn evaluate_item(check: &Prepared, item: &Item, env: &Env) -> Finding {
    let Env {
        context,
        errors,
        texts,
        ..
    } = env;
    let finding = |status: Status, message: String, evidence: BTreeMap<String, Value>| Finding {
        check_id: check.id.clone(),
        title: check.title.clone(),
        severity: check.severity.clone(),
        status,
        account_id: item.account_id.clone(),
        region: item.region.clone(),
        resource: item.resource.clone(),
        message,
        evidence,
        remediation: check.remediation.clone(),
        controls: check.controls.clone(),
        waiver: None,
    };

    if let Some(missing) = item.unresolved.iter().find(|u| match &u.action {
        Some(action) => check.requires.contains(action),
        None => check.required_services.contains(&u.service.as_str()),
    }) {
        return finding(
            Status::Error,
            texts.format(
                "not-assessed-reason",
                &[("reason", missing.reason.as_str().into())],
            ),
            BTreeMap::new(),
        );
    }
    // A monitor's chain crosses accounts and regions; it consults the
    // errors of each link where it reads it, so only the account's own
    // trail listing is checked here.
    let missing = if check
        .monitor
        .as_ref()
        .is_some_and(|m| m.source == crate::checks::monitor::Source::VpcFlowLogs)
    {
        errors.find(&["ec2:DescribeVpcs"], item)
    } else if check.monitor.is_some() {
        errors.find(&["cloudtrail:DescribeTrails"], item)
    } else {
        errors.find(&check.requires, item)
    };
    if let Some(error) = missing {
        let region = error
            .region
            .as_deref()
            .map(str::to_owned)
            .unwrap_or_else(|| texts.get("global"));
        let id = if error.is_access_denied() {
            "not-assessed-denied"
        } else {
            "not-assessed-failed"
        };
        let mut evidence = BTreeMap::new();
        evidence.insert("failed_operation".into(), json!(error.iam_action()));
        evidence.insert("error_code".into(), json!(error.code));
        return finding(
            Status::Error,
            texts.format(
                id,
                &[
                    ("action", error.iam_action().into()),
                    ("account", error.account_id.as_str().into()),
                    ("region", region.into()),
                    ("code", error.code.as_str().into()),
                    ("message", error.message.as_str().into()),
                ],
            ),
            evidence,
        );
    }

    let render = |message: Message, evidence: &BTreeMap<String, Value>| -> String {
        let template = match &check.messages[message as usize] {
            Ok(template) => template,
            // Not added (see `evaluate`): the lookup's own error says so.
            Err(error) => return format!("(message could not be rendered: {error})"),
        };
        let evidence = minijinja::Value::from_pairs([(
            "evidence",
            minijinja::Value::from(minijinja::value::Serde(evidence)),
        )]);
        let ctx = minijinja::value::merge_maps(
            env.message_context
                .iter()
                .cloned()
                .chain(std::iter::once(evidence)),
        );
        template
            .render(ctx)
            .unwrap_or_else(|e| format!("(message could not be rendered: {e})"))
    };

    let eval = |expr: &Expr| -> Result<bool, String> {
        match expr.program.execute(context) {
            Ok(cel::Value::Bool(b)) => Ok(b),
            Ok(other) => Err(format!(
                "`{}` gave {} instead of a boolean",
                expr.source.trim(),
                cel_type(&other)
            )),
            Err(e) => Err(format!("`{}` failed: {e}", expr.source.trim())),
        }
    };
    let evaluation_error = |e: String| {
        finding(
            Status::Error,
            format!("Check evaluation failed: {e}"),
            BTreeMap::new(),
        )
    };

    if let Some(applies) = &check.applies_when {
        match eval(applies) {
            Ok(true) => {}
            Ok(false) => {
                return finding(
                    Status::Skip,
                    render(Message::Skip, &BTreeMap::new()),
                    BTreeMap::new(),
                )
            }
            Err(e) => return evaluation_error(e),
        }
    }
    let evidence = || -> BTreeMap<String, Value> {
        check
            .evidence
            .iter()
            .map(|(name, expr)| {
                let value = match expr.program.execute(context) {
                    Ok(v) => from_cel(&v),
                    Err(e) => json!(format!("(not available: {e})")),
                };
                (name.clone(), value)
            })
            .collect()
    };
    match eval(&check.assert) {
        Ok(true) => {
            let evidence = evidence();
            finding(Status::Pass, render(Message::Pass, &evidence), evidence)
        }
        Ok(false) => {
            let evidence = evidence();
            match check.unknown_when.as_ref().map(eval) {
                Some(Ok(true)) => {
                    finding(Status::Error, render(Message::Unknown, &evidence), evidence)
                }
                Some(Err(e)) => evaluation_error(e),
                _ => finding(Status::Fail, render(Message::Fail, &evidence), evidence),
            }
        }
        Err(e) => evaluation_error(e),
    }
}

/// The one item of a region whose resources of a scope were not collected:
/// a failed call of `operations` (of `service`) or, without one (a
/// snapshot from before they were collected), the reason `reason_id` turns
/// it into an ERROR finding. `kind` is (resource type, ARN resource kind,
/// reason).
fn not_collected(
    world: &World,
    account: &Account,
    region: &str,
    (service, operations): (&str, &[&str]),
    (resource_type, arn_kind, reason_id): (&str, &str, &str),
    vars: Vec<(&'static str, Bound)>,
) -> Item {
    let failed: Vec<&CollectionError> = world
        .snapshot
        .errors
        .iter()
        .filter(|e| {
            e.account_id == account.id
                && e.region.as_deref() == Some(region)
                && e.service == service
                && operations.contains(&e.operation.as_str())
        })
        .collect();
    let unresolved = if failed.is_empty() {
        vec![Unresolved {
            service: service.into(),
            action: Some(crate::model::iam_action(service, operations[0])),
            reason: world.say(reason_id, &[("region", region.into())]),
        }]
    } else {
        Vec::new()
    };
    Item {
        account_id: account.id.as_str().into(),
        region: Some(region.into()),
        resource: Resource {
            resource_type: resource_type.into(),
            id: format!("arn:aws:{service}:{region}:{}:{arn_kind}/*", account.id),
        },
        error_accounts: vec![account.id.clone()],
        // So that an error about one resource (a store's details) still
        // reaches the item.
        error_resources: failed.iter().filter_map(|e| e.resource.clone()).collect(),
        unresolved,
        vars,
    }
}

/// Whether an error concerns `region`: errors without a region (global
/// calls) concern every region, and every error concerns a regionless item.
fn concerns_region(error: &CollectionError, region: Option<&str>) -> bool {
    match (error.region.as_deref(), region) {
        (Some(er), Some(r)) => er == r,
        _ => true,
    }
}

fn params_value(params: &BTreeMap<String, ParamValue>) -> Value {
    serde_json::to_value(params).unwrap_or(Value::Null)
}

fn cel_type(value: &cel::Value) -> &'static str {
    match value {
        cel::Value::List(_) => "a list",
        cel::Value::Map(_) => "a map",
        cel::Value::Int(_) | cel::Value::UInt(_) | cel::Value::Float(_) => "a number",
        cel::Value::String(_) => "a string",
        cel::Value::Null => "null",
        _ => "a non-boolean value",
    }
}

/// CEL to JSON, for evidence. Map keys are sorted for stable output.
pub fn from_cel(value: &cel::Value) -> Value {
    match value {
        cel::Value::Null => Value::Null,
        cel::Value::Bool(b) => json!(b),
        cel::Value::Int(i) => json!(i),
        cel::Value::UInt(u) => json!(u),
        cel::Value::Float(f) => json!(f),
        cel::Value::String(s) => json!(s.as_str()),
        cel::Value::List(items) => Value::Array(items.iter().map(from_cel).collect()),
        cel::Value::Map(map) => {
            let sorted: BTreeMap<String, Value> = map
                .map
                .iter()
                .map(|(k, v)| {
                    let key = match k {
                        cel::objects::Key::String(s) => s.to_string(),
                        cel::objects::Key::Int(i) => i.to_string(),
                        cel::objects::Key::Uint(u) => u.to_string(),
                        cel::objects::Key::Bool(b) => b.to_string(),
                    };
                    (key, from_cel(v))
                })
                .collect();
            json!(sorted)
        }
        other => json!(format!("{other:?}")),
    }
}

/// Calls `emit` with each item of `scope`, one at a time, so a scan of a
/// large organization never holds all of a scope's items in memory.
/// Per-account scopes visit only `accounts`; the others visit the whole
/// snapshot.
fn for_each_item(
    world: &World,
    scope: Scope,
    accounts: &[Account],
    org: &Value,
    views: &Views,
    plan: &Plan,
    emit: &mut dyn FnMut(Item),
) {
    let snapshot = world.snapshot;
    // A view built for the pass, else (a trail's or bucket's account when
    // the organization scope did not need every view) built now.
    let account_view_of = |account: &Account| match views.accounts.get(&account.id) {
        Some((_, bound)) => bound.clone(),
        None => Bound::new(&world.account_view(account)),
    };
    match scope {
        Scope::Organization => {
            let account_id = org
                .get("management_account_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| snapshot.accounts.first().map(|a| a.id.clone()))
                .unwrap_or_default();
            let accounts: Vec<Value> = snapshot
                .accounts
                .iter()
                .filter_map(|a| views.accounts.get(&a.id).map(|(json, _)| json.clone()))
                .collect();
            let org_id = org
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or("none")
                .to_owned();
            let vars = vec![
                ("accounts", Bound::new(&Value::Array(accounts))),
                (
                    "guardduty_admin_detectors",
                    Bound::new(&Value::Array(world.guardduty_admin_detectors())),
                ),
                (
                    "securityhub_admin_hubs",
                    Bound::new(&Value::Array(world.securityhub_admin_hubs())),
                ),
            ];
            emit(Item {
                account_id: account_id.as_str().into(),
                error_accounts: vec![account_id],
                region: None,
                resource: Resource {
                    resource_type: "AWS::Organizations::Organization".into(),
                    id: org_id,
                },
                error_resources: Vec::new(),
                unresolved: Vec::new(),
                vars,
            });
        }
        Scope::Account => {
            for account in accounts {
                let view = account_view_of(account);
                emit(Item {
                    account_id: account.id.as_str().into(),
                    region: None,
                    resource: Resource {
                        resource_type: "AWS::::Account".into(),
                        id: account.id.clone(),
                    },
                    error_accounts: vec![account.id.clone()],
                    error_resources: Vec::new(),
                    unresolved: Vec::new(),
                    vars: vec![("account", view)],
                });
            }
        }
        Scope::Region => {
            for account in accounts {
                let account_view = account_view_of(account);
                for region in &account.regions {
                    emit(Item {
                        account_id: account.id.as_str().into(),
                        region: Some(region.as_str().into()),
                        resource: Resource {
                            resource_type: "AWS::::Account".into(),
                            id: account.id.clone(),
                        },
                        error_accounts: vec![account.id.clone()],
                        error_resources: Vec::new(),
                        unresolved: Vec::new(),
                        vars: vec![
                            ("account", account_view.clone()),
                            ("region", views.region(account, region)),
                        ],
                    });
                }
            }
        }
        Scope::Trail => {
            // Each trail once, in the account the plan reports it in.
            for account in accounts {
                let Some(trails) = plan.trails.get(account.id.as_str()) else {
                    continue;
                };
                for trail in trails {
                    let mut unresolved = Vec::new();
                    let trail_view = world.trail_view(trail, &mut unresolved);
                    if trail.status.is_none() && !world.in_scan(&trail.owner_account_id) {
                        unresolved.push(Unresolved {
                            service: "cloudtrail".into(),
                            action: Some("cloudtrail:GetTrailStatus".into()),
                            reason: world.say(
                                "reason-trail-status-outside-scan",
                                &[
                                    ("trail", trail.name.as_str().into()),
                                    ("owner", trail.owner_account_id.as_str().into()),
                                ],
                            ),
                        });
                    }
                    let account_view = account_view_of(account);
                    let mut error_accounts = vec![account.id.clone()];
                    if let Some(key_account) =
                        trail.kms_key_id.as_deref().and_then(view::arn_account)
                    {
                        error_accounts.push(key_account.to_owned());
                    }
                    emit(Item {
                        account_id: account.id.as_str().into(),
                        region: Some(trail.home_region.as_str().into()),
                        resource: Resource {
                            resource_type: "AWS::CloudTrail::Trail".into(),
                            id: trail.arn.clone(),
                        },
                        error_accounts,
                        error_resources: vec![
                            trail.arn.clone(),
                            trail.name.clone(),
                            trail.kms_key_id.clone().unwrap_or_default(),
                            trail.s3_bucket_name.clone().unwrap_or_default(),
                        ],
                        unresolved,
                        vars: vec![
                            ("account", account_view),
                            ("trail", Bound::new(&trail_view)),
                        ],
                    });
                }
            }
        }
        Scope::Bucket => {
            for account in accounts {
                let Some(buckets) = plan.buckets.get(account.id.as_str()) else {
                    continue;
                };
                for (name, trails, found) in buckets {
                    let name = *name;
                    let unresolved = if *found {
                        Vec::new()
                    } else {
                        let trail_names: Vec<&str> =
                            trails.iter().map(|t| t.name.as_str()).collect();
                        vec![Unresolved {
                            service: "s3".into(),
                            action: None,
                            reason: world.bucket_not_found(name, &trail_names.join(", ")),
                        }]
                    };
                    let account_view = account_view_of(account);
                    emit(Item {
                        account_id: account.id.as_str().into(),
                        region: None,
                        resource: Resource {
                            resource_type: "AWS::S3::Bucket".into(),
                            id: format!("arn:aws:s3:::{name}"),
                        },
                        error_accounts: vec![account.id.clone()],
                        error_resources: vec![name.to_owned()],
                        unresolved,
                        vars: vec![
                            ("account", account_view),
                            ("bucket", Bound::new(&world.bucket_view(name, trails))),
                        ],
                    });
                }
            }
        }
        Scope::Vpc => {
            for account in accounts {
                let account_view = account_view_of(account);
                for facts in &account.region_facts {
                    let region_view = views.region(account, &facts.region);
                    let region = facts.region.as_str();
                    let Some(vpcs) = &facts.vpcs else {
                        emit(not_collected(
                            world,
                            account,
                            region,
                            ("ec2", &["DescribeVpcs"]),
                            ("AWS::EC2::VPC", "vpc", "reason-vpcs-not-collected"),
                            vec![
                                ("account", account_view.clone()),
                                ("region", region_view.clone()),
                                ("vpc", Bound::new(&Value::Null)),
                            ],
                        ));
                        continue;
                    };
                    // A VPC shared through RAM is listed in each participant,
                    // but its flow logs and DNS logging are its owner's: it
                    // is judged there.
                    for vpc in vpcs
                        .iter()
                        .filter(|v| v.owner_id.as_deref().is_none_or(|o| o == account.id))
                    {
                        let view = world.vpc_view(account, facts, vpc);
                        emit(Item {
                            account_id: account.id.as_str().into(),
                            region: Some(region.into()),
                            resource: Resource {
                                resource_type: "AWS::EC2::VPC".into(),
                                id: format!("arn:aws:ec2:{region}:{}:vpc/{}", account.id, vpc.id),
                            },
                            error_accounts: vec![account.id.clone()],
                            error_resources: vec![vpc.id.clone()],
                            unresolved: Vec::new(),
                            vars: vec![
                                ("account", account_view.clone()),
                                ("region", region_view.clone()),
                                ("vpc", Bound::new(&view)),
                            ],
                        });
                    }
                }
            }
        }
        Scope::EventDataStore => {
            for account in accounts {
                let account_view = account_view_of(account);
                for facts in &account.region_facts {
                    let region_view = views.region(account, &facts.region);
                    let Some(stores) = &facts.event_data_stores else {
                        emit(not_collected(
                            world,
                            account,
                            &facts.region,
                            ("cloudtrail", &["ListEventDataStores", "GetEventDataStore"]),
                            (
                                "AWS::CloudTrail::EventDataStore",
                                "eventdatastore",
                                "reason-event-data-stores-not-collected",
                            ),
                            vec![
                                ("account", account_view.clone()),
                                ("region", region_view.clone()),
                                ("event_data_store", Bound::new(&Value::Null)),
                            ],
                        ));
                        continue;
                    };
                    for store in stores {
                        let view = world.event_data_store_view(&facts.region, store);
                        emit(Item {
                            account_id: account.id.as_str().into(),
                            region: Some(facts.region.as_str().into()),
                            resource: Resource {
                                resource_type: "AWS::CloudTrail::EventDataStore".into(),
                                id: store.arn.clone(),
                            },
                            error_accounts: vec![account.id.clone()],
                            error_resources: vec![store.arn.clone()],
                            unresolved: Vec::new(),
                            vars: vec![
                                ("account", account_view.clone()),
                                ("region", region_view.clone()),
                                ("event_data_store", Bound::new(&view)),
                            ],
                        });
                    }
                }
            }
        }
        Scope::LogGroup | Scope::Detector => {
            for account in accounts {
                let account_view = account_view_of(account);
                for facts in &account.region_facts {
                    let region_view = views.region(account, &facts.region);
                    if scope == Scope::LogGroup {
                        for group in &facts.log_groups {
                            let (view, unresolved) =
                                world.log_group_view(account, &facts.region, group);
                            emit(Item {
                                account_id: account.id.as_str().into(),
                                region: Some(facts.region.as_str().into()),
                                resource: Resource {
                                    resource_type: "AWS::Logs::LogGroup".into(),
                                    id: group.arn.trim_end_matches(":*").to_owned(),
                                },
                                error_accounts: vec![account.id.clone()],
                                error_resources: vec![group.name.clone(), group.arn.clone()],
                                unresolved,
                                vars: vec![
                                    ("account", account_view.clone()),
                                    ("region", region_view.clone()),
                                    ("log_group", Bound::new(&view)),
                                ],
                            });
                        }
                    } else {
                        for detector in &facts.guardduty_detectors {
                            let view = world.detector_view(account, &facts.region, detector);
                            let arn = view
                                .get("arn")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_owned();
                            emit(Item {
                                account_id: account.id.as_str().into(),
                                region: Some(facts.region.as_str().into()),
                                resource: Resource {
                                    resource_type: "AWS::GuardDuty::Detector".into(),
                                    id: arn,
                                },
                                error_accounts: vec![account.id.clone()],
                                error_resources: vec![detector.id.clone()],
                                unresolved: Vec::new(),
                                vars: vec![
                                    ("account", account_view.clone()),
                                    ("region", region_view.clone()),
                                    ("detector", Bound::new(&view)),
                                ],
                            });
                        }
                    }
                }
            }
        }
    }
}
