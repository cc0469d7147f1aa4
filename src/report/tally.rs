//! What the report pages show, folded one finding at a time.
//!
//! A [`Tally`] sees each finding once and keeps counts per check, per
//! account and per (account, check) cell, the failures' per-account counts
//! and distinct fix commands, and the findings every page lists in full
//! (ERROR and WAIVED). With `keep_failures` it also keeps every FAIL, which
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
    pub errors: Vec<Arc<Finding>>,
    pub waived: Vec<Arc<Finding>>,
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
}

impl Tally {
    pub fn new(
        catalogue: &Catalogue,
        accounts: &[String],
        max_listed: usize,
        keep_failures: bool,
    ) -> Self {
        let checks = catalogue.checks.len();
        Tally {
            check_index: catalogue
                .checks
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.clone(), i))
                .collect(),
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
            waived: Vec::new(),
            assessed: 0,
            passed: 0,
            finding_count: 0,
            listing: Some(Vec::new()),
            listed: Vec::new(),
            max_listed,
            keep_failures,
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
                add_fix(&mut failures.fixes, finding);
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
                self.waived.push(Arc::clone(finding));
            }
            Status::Fail => self.assessed += 1,
            Status::Error => self.errors.push(Arc::clone(finding)),
            Status::Skip => {}
        }
    }

    /// Puts the kept lists in canonical order.
    pub fn finish(&mut self) {
        let by_key = |a: &Arc<Finding>, b: &Arc<Finding>| a.key().cmp(&b.key());
        self.errors.sort_by(by_key);
        self.waived.sort_by(by_key);
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

/// Adds a failure's `fix` evidence to `fixes`: identical command lists are
/// shown once with every resource they apply to, so 500 accounts sharing
/// one log group show one block.
fn add_fix(fixes: &mut Vec<Fix>, finding: &Finding) {
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
    match fixes.iter_mut().find(|f| f.commands == commands) {
        Some(fix) => fix.resources.push(resource),
        None => fixes.push(Fix {
            fence: super::fence_for([commands.as_str()]),
            commands,
            resources: vec![resource],
        }),
    }
}
