//! What the report pages show, folded one finding at a time.
//!
//! A [`Tally`] sees each finding once and keeps counts per check, per
//! account and per (account, check) cell, the failures' per-account counts
//! and distinct fix commands, and the findings every page lists in full
//! (ERROR and WAIVED; on a split summary page only the first
//! `max_listed` of each in canonical order, as every one of them is also on
//! its account's page). With `keep_failures` it also keeps every FAIL, which
//! the unsplit reports list; a streamed scan does not, so its memory does
//! not grow with the findings. Per check, findings must arrive in
//! canonical order ([`Finding::key`]); across checks any order will do.

use super::{Counts, Fix, MAX_SHOWN_CHARS};
use crate::checks::Catalogue;
use crate::result::{Finding, Status};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The failures of one check.
#[derive(Default)]
pub(super) struct FailureTally {
    /// Every FAIL, in canonical order (only with `keep_failures`).
    pub findings: Vec<Arc<Finding>>,
    pub count: usize,
    /// Scanned accounts with failures, and how many.
    pub accounts: BTreeMap<Arc<str>, usize>,
    /// Failures of accounts outside the scan.
    pub unpaged: Vec<Arc<Finding>>,
    /// Distinct `fix` commands, in the order first seen.
    pub fixes: Vec<Fix>,
    /// Where each of `fixes` is, by its commands.
    fix_index: HashMap<String, usize>,
    /// Distinct commands beyond the kept ones (split reports), by hash.
    pub more_fixes: std::collections::HashSet<u64>,
}

pub(super) struct Tally {
    check_index: HashMap<String, usize>,
    account_index: HashMap<String, usize>,
    pub check_counts: Vec<Counts>,
    pub account_counts: Vec<Counts>,
    /// Per account (scan order), per check (catalogue order): the worst
    /// status of its findings.
    pub cells: Vec<Vec<Option<Status>>>,
    /// Per check, in catalogue order.
    pub failures: Vec<FailureTally>,
    /// After [`Tally::finish`]: the ERROR findings kept, in canonical order.
    pub errors: Vec<Arc<Finding>>,
    pub error_count: usize,
    /// After [`Tally::finish`]: the WAIVED findings kept, in canonical order.
    pub waived: Vec<Arc<Finding>>,
    pub waived_count: usize,
    errors_kept: Smallest,
    waived_kept: Smallest,
    pub assessed: u64,
    pub passed: u64,
    pub finding_count: usize,
    /// Every finding while there are at most `max_listed`.
    listing: Option<Vec<Arc<Finding>>>,
    /// After [`Tally::finish`]: every finding in canonical order when
    /// there were at most `max_listed`, else none.
    pub listed: Vec<Arc<Finding>>,
    max_listed: usize,
    keep_failures: bool,
    /// Distinct fix command blocks kept per check (split summary pages).
    fix_cap: Option<usize>,
}

impl Tally {
    pub fn new(
        catalogue: &Catalogue,
        accounts: &[String],
        max_listed: usize,
        keep_failures: bool,
        split: bool,
    ) -> Self {
        let cap = split.then_some(max_listed);
        let checks = catalogue.checks.len();
        Tally {
            check_index: catalogue.check_positions(),
            account_index: accounts
                .iter()
                .enumerate()
                .map(|(i, a)| (a.clone(), i))
                .collect(),
            check_counts: vec![Counts::default(); checks],
            account_counts: vec![Counts::default(); accounts.len()],
            cells: vec![vec![None; checks]; accounts.len()],
            failures: (0..checks).map(|_| FailureTally::default()).collect(),
            errors: Vec::new(),
            error_count: 0,
            waived: Vec::new(),
            waived_count: 0,
            errors_kept: Smallest::new(cap),
            waived_kept: Smallest::new(cap),
            assessed: 0,
            passed: 0,
            finding_count: 0,
            listing: Some(Vec::new()),
            listed: Vec::new(),
            max_listed,
            keep_failures,
            fix_cap: split.then_some(MAX_SUMMARY_FIXES),
        }
    }

    pub fn add(&mut self, finding: &Arc<Finding>) {
        self.finding_count += 1;
        if let Some(listing) = &mut self.listing {
            if listing.len() < self.max_listed {
                listing.push(Arc::clone(finding));
            } else {
                self.listing = None;
            }
        }
        let check = self.check_index.get(&*finding.check_id).copied();
        let account = self.account_index.get(&*finding.account_id).copied();
        if let Some(c) = check {
            self.check_counts[c].add(finding.status);
            if finding.status == Status::Fail {
                let failures = &mut self.failures[c];
                failures.count += 1;
                if account.is_some() {
                    *failures
                        .accounts
                        .entry(finding.account_id.clone())
                        .or_default() += 1;
                } else {
                    failures.unpaged.push(Arc::clone(finding));
                }
                add_fix(failures, finding, self.fix_cap);
                if self.keep_failures {
                    failures.findings.push(Arc::clone(finding));
                }
            }
        }
        if let Some(a) = account {
            self.account_counts[a].add(finding.status);
        }
        if let (Some(c), Some(a)) = (check, account) {
            let cell = &mut self.cells[a][c];
            *cell = Some(cell.map_or(finding.status, |s| s.min(finding.status)));
        }
        match finding.status {
            Status::Pass => {
                self.assessed += 1;
                self.passed += 1;
            }
            Status::Waived => {
                self.assessed += 1;
                self.passed += 1;
                self.waived_kept.push(finding);
            }
            Status::Fail => self.assessed += 1,
            Status::Error => self.errors_kept.push(finding),
            Status::Skip => {}
        }
    }

    /// Puts the kept lists in canonical order.
    pub fn finish(&mut self) {
        let by_key = |a: &Arc<Finding>, b: &Arc<Finding>| a.key().cmp(&b.key());
        (self.errors, self.error_count) = self.errors_kept.take();
        (self.waived, self.waived_count) = self.waived_kept.take();
        for failures in &mut self.failures {
            failures.findings.sort_by(by_key);
            failures.unpaged.sort_by(by_key);
        }
        if let Some(listing) = self.listing.take() {
            self.listed = listing;
            self.listed.sort_by(by_key);
        }
    }
}

/// Distinct fix command blocks a split summary page shows per check, the
/// first in canonical order; each account page shows all of its own. One
/// block per VPC's flow log group made a 1,000-account summary 11 MB.
pub(super) const MAX_SUMMARY_FIXES: usize = 10;

/// The first `cap` findings in canonical order of those pushed (all without
/// a cap), kept in a bounded max-heap: memory is the cap, not the stream.
#[derive(Default)]
struct Smallest {
    cap: Option<usize>,
    heap: std::collections::BinaryHeap<ByKey>,
    total: usize,
}

impl Smallest {
    fn new(cap: Option<usize>) -> Self {
        Smallest {
            cap,
            ..Smallest::default()
        }
    }

    fn push(&mut self, finding: &Arc<Finding>) {
        self.total += 1;
        self.heap.push(ByKey(Arc::clone(finding)));
        if self.cap.is_some_and(|cap| self.heap.len() > cap) {
            self.heap.pop();
        }
    }

    /// The kept findings in canonical order, and how many were pushed;
    /// a second call gives the same.
    fn take(&mut self) -> (Vec<Arc<Finding>>, usize) {
        let kept: Vec<Arc<Finding>> = std::mem::take(&mut self.heap)
            .into_sorted_vec()
            .into_iter()
            .map(|k| k.0)
            .collect();
        self.heap = kept.iter().cloned().map(ByKey).collect();
        (kept, self.total)
    }
}

/// A finding ordered by [`Finding::key`].
struct ByKey(Arc<Finding>);

impl PartialEq for ByKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}

impl Eq for ByKey {}

impl PartialOrd for ByKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ByKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.key().cmp(&other.0.key())
    }
}

/// Adds a failure's `fix` evidence to `fixes`: identical command lists are
/// shown once with every resource they apply to, so 500 accounts sharing
/// one log group show one block.
fn add_fix(failures: &mut FailureTally, finding: &Finding, cap: Option<usize>) {
    let Some(commands) = finding.evidence.get("fix").and_then(|f| f.as_array()) else {
        return;
    };
    let commands: Vec<&str> = commands.iter().filter_map(|c| c.as_str()).collect();
    if commands.is_empty() {
        return;
    }
    let mut commands = commands.join("\n");
    // A command is never shortened (it would do something else): one too
    // long to show is left to result.json.
    if commands.chars().count() > MAX_SHOWN_CHARS {
        commands = format!(
            "# These commands hold a value too long to show here ({} characters);\n# they are in result.json, evidence `fix` of each finding.",
            commands.chars().count()
        );
    }
    let resource = if *finding.resource.id == *finding.account_id {
        finding.account_id.to_string()
    } else {
        format!("{} {}", finding.account_id, finding.resource.id)
    };
    match failures.fix_index.get(&commands) {
        Some(&i) => {
            let fix = &mut failures.fixes[i];
            fix.count += 1;
            if fix.resources.len() < 3 {
                fix.resources.push(resource);
            }
        }
        None if cap.is_some_and(|cap| failures.fixes.len() >= cap) => {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::hash::DefaultHasher::new();
            commands.hash(&mut hasher);
            failures.more_fixes.insert(hasher.finish());
        }
        None => {
            failures
                .fix_index
                .insert(commands.clone(), failures.fixes.len());
            failures.fixes.push(Fix {
                fence: super::fence_for([commands.as_str()]),
                commands,
                resources: vec![resource],
                count: 1,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Resource;

    fn finding(check: &str, account: &str) -> Arc<Finding> {
        Arc::new(Finding {
            check_id: check.into(),
            title: "t".into(),
            severity: "high".into(),
            status: Status::Error,
            account_id: account.into(),
            region: None,
            resource: Resource {
                resource_type: "AWS::::Account".into(),
                id: account.into(),
            },
            message: String::new(),
            evidence: Default::default(),
            remediation: "r".into(),
            controls: Default::default(),
            waiver: None,
        })
    }

    #[test]
    fn a_capped_list_keeps_the_first_in_canonical_order_whatever_the_arrival() {
        // Batches deliver each check in order but interleave checks.
        let arrivals = [
            ("b-check", "111111111111"),
            ("a-check", "333333333333"),
            ("b-check", "222222222222"),
            ("a-check", "444444444444"),
            ("c-check", "111111111111"),
            ("a-check", "111111111111"),
        ];
        let mut capped = Smallest::new(Some(3));
        let mut all = Smallest::new(None);
        for (check, account) in arrivals {
            capped.push(&finding(check, account));
            all.push(&finding(check, account));
        }
        let keys = |list: &[Arc<Finding>]| -> Vec<(String, String)> {
            list.iter()
                .map(|f| (f.check_id.to_string(), f.account_id.to_string()))
                .collect()
        };
        let (kept, total) = capped.take();
        assert_eq!(total, 6);
        assert_eq!(
            keys(&kept),
            [
                ("a-check".into(), "111111111111".into()),
                ("a-check".into(), "333333333333".into()),
                ("a-check".into(), "444444444444".into()),
            ]
        );
        let (every, total) = all.take();
        assert_eq!((every.len(), total), (6, 6));
        assert_eq!(keys(&every)[..3], keys(&kept)[..]);
        // Taking again gives the same (the HTML and Markdown pages both ask).
        assert_eq!(keys(&capped.take().0), keys(&kept));
    }
}
