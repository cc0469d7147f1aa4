//! The ScanResult (schema version 1): findings, collection errors and the
//! summary, exactly as `result.json` carries them.
//!
//! This module owns the result format and what can be derived from results
//! alone (summary counts, canonical order). It depends only on `model`; it
//! knows nothing of checks' CEL or of how reports look.

use crate::model::CollectionError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// Framework → (findings by status, control → running state).
    by_framework: BTreeMap<String, FrameworkFold>,
}

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
        for (framework, mapped) in finding.controls.iter() {
            if !self.by_framework.contains_key(framework) {
                self.by_framework
                    .insert(framework.clone(), FrameworkFold::default());
            }
            let Some(fold) = self.by_framework.get_mut(framework) else {
                continue;
            };
            *fold.findings.entry(status).or_default() += 1;
            for control in mapped {
                match fold.controls.get_mut(control) {
                    Some(state) => *state = state.with(finding.status),
                    None => {
                        fold.controls.insert(
                            control.clone(),
                            ControlState::NotApplicable.with(finding.status),
                        );
                    }
                }
            }
        }
    }

    /// The summary of the findings added. `controls` gives, per framework,
    /// every control id of its catalogue and whether any loaded check maps
    /// to it; frameworks outside it are not summarized.
    pub fn finish(self, controls: &BTreeMap<String, Vec<(String, bool)>>) -> Summary {
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
            let fold = self.by_framework.get(framework).unwrap_or(&empty);
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
