//! The ScanResult (schema version 1): findings, collection errors and the
//! summary, exactly as `result.json` carries them.
//!
//! This module owns the result format and what can be derived from results
//! alone (summary counts, canonical order). It depends only on `model`; it
//! knows nothing of checks' CEL or of how reports look.

use crate::model::CollectionError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

pub const RESULT_SCHEMA_VERSION: u32 = 1;

/// Outcome of one check on one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    Fail,
    Error,
    Waived,
    Skip,
    Pass,
}

impl Status {
    pub const ALL: [Status; 5] = [
        Status::Pass,
        Status::Fail,
        Status::Error,
        Status::Skip,
        Status::Waived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::Skip => "SKIP",
            Status::Waived => "WAIVED",
        }
    }
}

/// The AWS resource a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Resource {
    #[serde(rename = "type")]
    pub resource_type: Shared,
    pub id: String,
}

/// An accepted risk: why a failing finding is tolerated, by whom, until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    pub owner: String,
    pub expires: String,
}

/// How a waiver of the `--waivers` file fared in this scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// In force and matched at least one failing finding.
    Active,
    /// Past its expiry date: it no longer applies.
    Expired,
    /// In force but matched no failing finding (fixed, or a typo).
    Unused,
}

/// One waiver of the `--waivers` file and what it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverUse {
    pub check_id: String,
    /// An account id or `*`.
    pub account_id: String,
    pub region: Option<String>,
    /// The resource glob, if any.
    pub resource: Option<String>,
    #[serde(flatten)]
    pub waiver: Waiver,
    pub state: WaiverState,
    /// Failing findings it matched (an expired waiver counts those it would
    /// have waived).
    pub matched: u64,
    /// `file:line` of the entry.
    pub source: String,
}

/// One finding in the comparison with a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEntry {
    pub check_id: Shared,
    pub severity: Shared,
    pub account_id: Shared,
    pub region: Option<Shared>,
    pub resource: String,
    pub before: Option<Status>,
    /// `None` when the finding is no longer reported.
    pub after: Option<Status>,
    pub message: String,
}

/// What changed since the baseline (`--baseline`), each list in result order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// The baseline's source and scan time, to say what was compared.
    pub baseline: String,
    pub new_failures: Vec<ChangeEntry>,
    pub resolved: Vec<ChangeEntry>,
    pub still_failing: Vec<ChangeEntry>,
    pub not_assessed: Vec<ChangeEntry>,
}

/// Text shared by many findings (a check's title, an account id): one
/// allocation per check or account instead of one per finding, which is
/// what keeps a 1,000-account result in memory small.
pub type Shared = std::sync::Arc<str>;

/// One check evaluated on one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub check_id: Shared,
    pub title: Shared,
    /// `critical`, `high`, `medium`, `low` or `info`.
    pub severity: Shared,
    pub status: Status,
    pub account_id: Shared,
    pub region: Option<Shared>,
    pub resource: Resource,
    pub message: String,
    pub evidence: BTreeMap<String, serde_json::Value>,
    pub remediation: Shared,
    pub controls: std::sync::Arc<BTreeMap<String, Vec<String>>>,
    pub waiver: Option<Waiver>,
}

impl Finding {
    /// The key findings are sorted and matched by (across scans too).
    pub fn key(&self) -> (&str, &str, &str, &str) {
        (
            &self.check_id,
            &self.account_id,
            self.region.as_deref().unwrap_or(""),
            &self.resource.id,
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanInfo {
    /// `aws`, `mock:<path>` or `snapshot:<path>`.
    pub source: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// When the facts were collected (the snapshot's `collected_at`): the
    /// time ages are measured from, kept with `--deterministic`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collected_at: Option<String>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    /// Effective parameters: check id → name → value.
    pub parameters: BTreeMap<String, BTreeMap<String, serde_json::Value>>,
    /// True when the snapshot was incomplete (an interrupted scan).
    #[serde(default)]
    pub partial: bool,
    /// Accounts of the organization that were not scanned, and why
    /// (suspended, filtered out, interrupted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accounts_not_scanned: Vec<crate::model::AccountRef>,
    /// The language of the messages (`en`, `ja`); statuses, ids and keys
    /// are English whatever it is.
    #[serde(default = "default_lang")]
    pub lang: String,
}

fn default_lang() -> String {
    crate::i18n::DEFAULT_LANG.to_owned()
}

/// Counts per framework: findings by status and controls by state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrameworkSummary {
    pub findings: BTreeMap<String, u64>,
    /// Controls with at least one check and no FAIL/ERROR.
    pub controls_passing: u64,
    /// Controls with at least one FAIL.
    pub controls_failing: u64,
    /// Controls with an ERROR and no FAIL.
    pub controls_unknown: u64,
    /// Controls no automated check maps to.
    pub controls_manual: u64,
    pub controls_total: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub by_status: BTreeMap<String, u64>,
    /// Severity → status → count.
    pub by_severity: BTreeMap<String, BTreeMap<String, u64>>,
    pub by_framework: BTreeMap<String, FrameworkSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanResult {
    pub schema_version: u32,
    pub tool: Tool,
    pub scan: ScanInfo,
    /// Shared so reports can hand findings to templates one at a time.
    pub findings: Vec<std::sync::Arc<Finding>>,
    pub errors: Vec<CollectionError>,
    pub summary: Summary,
    /// The waivers file's entries and their state (with `--waivers`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waivers: Vec<WaiverUse>,
    /// Changes since the baseline (with `--baseline`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<Changes>,
}

/// The state of one control, derived from the findings mapped to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ControlState {
    Failing,
    Unknown,
    Passing,
    /// Checks map to it but none applied (all SKIP).
    NotApplicable,
    Manual,
}

impl ControlState {
    /// Combines the statuses of the findings mapped to a control.
    pub fn from_statuses(statuses: impl IntoIterator<Item = Status>, has_checks: bool) -> Self {
        let folded = statuses
            .into_iter()
            .fold(ControlState::NotApplicable, ControlState::with);
        ControlState::finish(folded, has_checks)
    }

    /// The state once one more mapped finding is seen.
    pub fn with(self, status: Status) -> Self {
        self.min(ControlState::of(status))
    }

    /// A folded state, or `Manual` when no check maps to the control.
    fn finish(folded: ControlState, has_checks: bool) -> Self {
        if has_checks {
            folded
        } else {
            ControlState::Manual
        }
    }

    /// What one finding says about the controls it maps to.
    fn of(status: Status) -> Self {
        match status {
            Status::Fail => ControlState::Failing,
            Status::Error => ControlState::Unknown,
            Status::Pass | Status::Waived => ControlState::Passing,
            Status::Skip => ControlState::NotApplicable,
        }
    }
}

impl ScanResult {
    /// Puts findings in canonical order and recomputes the summary.
    /// `controls` gives, per framework, every control id of its catalogue
    /// and whether any loaded check maps to it.
    pub fn finalize(&mut self, controls: &BTreeMap<String, Vec<(String, bool)>>) {
        self.findings.sort_by(|a, b| a.key().cmp(&b.key()));
        self.errors.sort();
        self.summary = summarize(&self.findings, controls);
    }
}

/// Computes the summary of `findings`.
pub fn summarize(
    findings: &[std::sync::Arc<Finding>],
    controls: &BTreeMap<String, Vec<(String, bool)>>,
) -> Summary {
    let mut fold = SummaryFold::default();
    for finding in findings {
        fold.add(finding);
    }
    fold.finish(controls)
}

/// The [`Summary`] folded one finding at a time, so a result too large to
/// hold (a streamed scan) is summarized as its findings go by. Only counts
/// and one running state per control are kept.
#[derive(Debug, Default)]
pub struct SummaryFold {
    by_status: BTreeMap<&'static str, u64>,
    by_severity: BTreeMap<String, BTreeMap<&'static str, u64>>,
    /// The findings of each distinct mapping to controls (one per check,
    /// shared by its findings) counted by status (`Status as usize`), and
    /// folded per framework at the end ([`SummaryFold::frameworks`]): a
    /// control's state is the least of its findings'
    /// ([`ControlState::with`]), so the order and the repeats do not
    /// matter.
    by_mapping: Vec<(Arc<Mapping>, [u64; 5])>,
    /// Where each mapping (by address: `by_mapping` holds it, so the
    /// address is not reused) is in `by_mapping`.
    mapping_index: std::collections::HashMap<usize, usize>,
}

/// What a finding maps to: framework → control ids.
type Mapping = BTreeMap<String, Vec<String>>;

#[derive(Debug, Default)]
struct FrameworkFold {
    findings: BTreeMap<&'static str, u64>,
    controls: BTreeMap<String, ControlState>,
}

impl SummaryFold {
    /// Counts one finding.
    pub fn add(&mut self, finding: &Finding) {
        let status = finding.status.as_str();
        *self.by_status.entry(status).or_default() += 1;
        match self.by_severity.get_mut(&*finding.severity) {
            Some(counts) => *counts.entry(status).or_default() += 1,
            None => {
                self.by_severity
                    .insert(finding.severity.to_string(), BTreeMap::from([(status, 1)]));
            }
        }
        let address = Arc::as_ptr(&finding.controls) as usize;
        // Findings come check by check: mostly the last mapping again.
        let at = match self.by_mapping.last() {
            Some((last, _)) if Arc::ptr_eq(last, &finding.controls) => self.by_mapping.len() - 1,
            _ => *self.mapping_index.entry(address).or_insert_with(|| {
                self.by_mapping
                    .push((Arc::clone(&finding.controls), [0; 5]));
                self.by_mapping.len() - 1
            }),
        };
        self.by_mapping[at].1[finding.status as usize] += 1;
    }

    /// Framework → (findings by status, control → state), folded from the
    /// counts of each mapping.
    fn frameworks(&self) -> BTreeMap<String, FrameworkFold> {
        let mut by_framework: BTreeMap<String, FrameworkFold> = BTreeMap::new();
        for (mapping, counts) in &self.by_mapping {
            for status in Status::ALL {
                let n = counts[status as usize];
                if n == 0 {
                    continue;
                }
                for (framework, mapped) in mapping.iter() {
                    let fold = by_framework.entry(framework.clone()).or_default();
                    *fold.findings.entry(status.as_str()).or_default() += n;
                    for control in mapped {
                        let state = fold
                            .controls
                            .entry(control.clone())
                            .or_insert(ControlState::NotApplicable);
                        *state = state.with(status);
                    }
                }
            }
        }
        by_framework
    }

    /// The summary of the findings added. `controls` gives, per framework,
    /// every control id of its catalogue and whether any loaded check maps
    /// to it; frameworks outside it are not summarized.
    pub fn finish(self, controls: &BTreeMap<String, Vec<(String, bool)>>) -> Summary {
        let by_framework = self.frameworks();
        let mut summary = Summary::default();
        for status in Status::ALL {
            summary.by_status.insert(status.as_str().to_owned(), 0);
        }
        for (status, n) in self.by_status {
            summary.by_status.insert(status.to_owned(), n);
        }
        summary.by_severity = self
            .by_severity
            .into_iter()
            .map(|(severity, counts)| {
                let counts = counts.into_iter().map(|(s, n)| (s.to_owned(), n)).collect();
                (severity, counts)
            })
            .collect();
        let empty = FrameworkFold::default();
        for (framework, control_ids) in controls {
            let fold = by_framework.get(framework).unwrap_or(&empty);
            let mut framework_summary = FrameworkSummary {
                findings: fold
                    .findings
                    .iter()
                    .map(|(s, n)| ((*s).to_owned(), *n))
                    .collect(),
                ..FrameworkSummary::default()
            };
            for (control, has_checks) in control_ids {
                let folded = fold
                    .controls
                    .get(control)
                    .copied()
                    .unwrap_or(ControlState::NotApplicable);
                let state = ControlState::finish(folded, *has_checks);
                framework_summary.controls_total += 1;
                match state {
                    ControlState::Failing => framework_summary.controls_failing += 1,
                    ControlState::Unknown => framework_summary.controls_unknown += 1,
                    ControlState::Passing => framework_summary.controls_passing += 1,
                    ControlState::Manual => framework_summary.controls_manual += 1,
                    ControlState::NotApplicable => {}
                }
            }
            summary
                .by_framework
                .insert(framework.clone(), framework_summary);
        }
        summary
    }
}

impl ScanResult {
    /// Reads a `result.json` written by `auditscope scan`.
    pub fn load(path: &std::path::Path) -> Result<ScanResult, crate::diag::Diagnostic> {
        let text = crate::input::read(path)?;
        let result: ScanResult = crate::input::parse_json(path, &text, "not a result.json: ")?;
        if result.schema_version != RESULT_SCHEMA_VERSION {
            return Err(crate::diag::Diagnostic::file(
                path,
                None,
                format!(
                    "result schema version {} is not supported (expected {RESULT_SCHEMA_VERSION})",
                    result.schema_version
                ),
            ));
        }
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(check: &str, status: Status, controls: &Arc<Mapping>) -> Arc<Finding> {
        Arc::new(Finding {
            check_id: check.into(),
            title: "t".into(),
            severity: "low".into(),
            status,
            account_id: "111111111111".into(),
            region: None,
            resource: Resource {
                resource_type: "AWS::::Account".into(),
                id: "111111111111".into(),
            },
            message: String::new(),
            evidence: BTreeMap::new(),
            remediation: "".into(),
            controls: Arc::clone(controls),
            waiver: None,
        })
    }

    #[test]
    fn the_summary_folds_each_control_from_all_its_findings_in_any_order() {
        let mapping = |pairs: &[(&str, &[&str])]| -> Arc<Mapping> {
            Arc::new(
                pairs
                    .iter()
                    .map(|(fw, ids)| (fw.to_string(), ids.iter().map(|i| i.to_string()).collect()))
                    .collect(),
            )
        };
        let a = mapping(&[("cis", &["1.1", "1.2"]), ("nist", &["AU-2"])]);
        // The same mapping in another allocation, and one mapping nothing.
        let a_again = Arc::new((*a).clone());
        let b = mapping(&[("nist", &["AU-2", "AU-6"]), ("pci", &[])]);
        let findings = vec![
            finding("c1", Status::Pass, &a),
            finding("c1", Status::Fail, &a),
            finding("c2", Status::Skip, &b),
            finding("c3", Status::Error, &a_again),
            finding("c2", Status::Pass, &b),
            finding("c1", Status::Waived, &a),
            finding("c4", Status::Skip, &mapping(&[("cis", &["1.3"])])),
        ];
        let controls: BTreeMap<String, Vec<(String, bool)>> = [
            (
                "cis",
                vec![("1.1", true), ("1.2", true), ("1.3", true), ("1.4", false)],
            ),
            ("nist", vec![("AU-2", true), ("AU-6", true)]),
            ("pci", vec![("10.1", false)]),
        ]
        .into_iter()
        .map(|(fw, ids)| {
            let ids = ids.into_iter().map(|(i, c)| (i.to_owned(), c)).collect();
            (fw.to_owned(), ids)
        })
        .collect();
        // Each control's state from its own findings, one by one.
        let mut expected = BTreeMap::new();
        for (framework, ids) in &controls {
            let mut counts = [0u64; 4];
            for (control, has_checks) in ids {
                let statuses = findings.iter().filter_map(|f| {
                    f.controls
                        .get(framework)
                        .filter(|mapped| mapped.contains(control))
                        .map(|_| f.status)
                });
                let at = match ControlState::from_statuses(statuses, *has_checks) {
                    ControlState::Failing => 0,
                    ControlState::Unknown => 1,
                    ControlState::Passing => 2,
                    ControlState::Manual => 3,
                    ControlState::NotApplicable => continue,
                };
                counts[at] += 1;
            }
            let found = findings
                .iter()
                .filter(|f| f.controls.contains_key(framework))
                .count() as u64;
            expected.insert(framework.clone(), (counts, found));
        }
        assert_eq!(
            expected["cis"].0,
            [2, 0, 0, 1],
            "1.1 and 1.2 fail, 1.3 not applicable"
        );
        assert_eq!(expected["nist"].0, [1, 0, 1, 0]);
        let mut orders = Vec::new();
        for rotation in 0..findings.len() {
            let mut order = findings.clone();
            order.rotate_left(rotation);
            orders.push(order.clone());
            order.reverse();
            orders.push(order);
        }
        for order in orders {
            let summary = summarize(&order, &controls);
            for (framework, (counts, found)) in &expected {
                let got = &summary.by_framework[framework];
                assert_eq!(
                    [
                        got.controls_failing,
                        got.controls_unknown,
                        got.controls_passing,
                        got.controls_manual
                    ],
                    *counts,
                    "{framework}"
                );
                assert_eq!(got.findings.values().sum::<u64>(), *found, "{framework}");
            }
            assert_eq!(summary.by_status["PASS"], 2);
            assert_eq!(summary.by_status["SKIP"], 2);
        }
    }
}
