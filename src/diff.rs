//! What got worse or better between two scan results: failures that are
//! new, resolved, still failing, or no longer assessed. Findings are
//! matched by (check, account, region, resource), the result's sort key.
//! Reads only `result`; `report` renders it (`auditscope diff`) and the
//! CLI gates on it (`--fail-on-new`).

use crate::result::{ChangeEntry, Changes, Finding, ScanResult, Status};
use std::collections::HashMap;
use std::sync::Arc;

/// One finding that failed before, fails now, or both.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    /// The finding as it is now, or as it was when it is gone.
    pub finding: Arc<Finding>,
    pub before: Option<Status>,
    pub after: Option<Status>,
}

/// The comparison of two results, each list in result order.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize)]
pub struct Diff {
    /// FAIL now, not FAIL before (new resource, or got worse).
    pub new_failures: Vec<Change>,
    /// FAIL before, PASS or SKIP now, or the resource is gone from an
    /// account that was scanned again.
    pub resolved: Vec<Change>,
    /// FAIL before and now.
    pub still_failing: Vec<Change>,
    /// FAIL before, and ERROR now or its account not scanned this time:
    /// nobody can tell whether it was fixed.
    pub not_assessed: Vec<Change>,
}

type Key<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Compares `old` (the baseline) with `new`.
pub fn compare(old: &ScanResult, new: &ScanResult) -> Diff {
    let before: HashMap<Key, &Arc<Finding>> = old.findings.iter().map(|f| (f.key(), f)).collect();
    let mut diff = Diff::default();
    let mut seen = std::collections::HashSet::new();
    for finding in &new.findings {
        let key = finding.key();
        seen.insert(key);
        let was = before.get(&key).map(|f| f.status);
        let change = Change {
            finding: finding.clone(),
            before: was,
            after: Some(finding.status),
        };
        match (was, finding.status) {
            (Some(Status::Fail), Status::Fail) => diff.still_failing.push(change),
            (_, Status::Fail) => diff.new_failures.push(change),
            (Some(Status::Fail), Status::Error) => diff.not_assessed.push(change),
            (Some(Status::Fail), _) => diff.resolved.push(change),
            _ => {}
        }
    }
    let scanned: std::collections::HashSet<&str> =
        new.scan.accounts.iter().map(String::as_str).collect();
    for finding in &old.findings {
        if finding.status == Status::Fail && !seen.contains(&finding.key()) {
            let change = Change {
                finding: finding.clone(),
                before: Some(Status::Fail),
                after: None,
            };
            if scanned.contains(&*finding.account_id) {
                diff.resolved.push(change);
            } else {
                diff.not_assessed.push(change);
            }
        }
    }
    for list in [
        &mut diff.new_failures,
        &mut diff.resolved,
        &mut diff.still_failing,
        &mut diff.not_assessed,
    ] {
        list.sort_by(|a, b| a.finding.key().cmp(&b.finding.key()));
    }
    diff
}

impl Diff {
    /// The diff as `result.json` and the reports carry it. `baseline` says
    /// what was compared against (its source and scan time).
    pub fn changes(&self, baseline: &str) -> Changes {
        let entries = |list: &[Change]| -> Vec<ChangeEntry> {
            list.iter()
                .map(|c| ChangeEntry {
                    check_id: c.finding.check_id.clone(),
                    severity: c.finding.severity.clone(),
                    account_id: c.finding.account_id.clone(),
                    region: c.finding.region.clone(),
                    resource: c.finding.resource.id.clone(),
                    before: c.before,
                    after: c.after,
                    message: c.finding.message.clone(),
                })
                .collect()
        };
        Changes {
            baseline: baseline.to_owned(),
            new_failures: entries(&self.new_failures),
            resolved: entries(&self.resolved),
            still_failing: entries(&self.still_failing),
            not_assessed: entries(&self.not_assessed),
        }
    }
}

/// How a baseline is named in reports: its source and, when recorded,
/// when it was scanned.
pub fn describe_baseline(
    path: &std::path::Path,
    old: &ScanResult,
    texts: &crate::i18n::Texts,
) -> String {
    let path = path.display().to_string();
    match &old.scan.started_at {
        Some(at) => texts.format(
            "baseline-scanned",
            &[
                ("path", path.into()),
                ("source", old.scan.source.as_str().into()),
                ("time", crate::i18n::date_time(texts.lang(), at).into()),
            ],
        ),
        None => texts.format(
            "baseline",
            &[
                ("path", path.into()),
                ("source", old.scan.source.as_str().into()),
            ],
        ),
    }
}
