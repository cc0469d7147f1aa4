//! Waivers: accepted risks, read from a YAML file (`--waivers`).
//!
//! A waiver names a check, an account (or `*`), optionally a region and a
//! resource glob, and says why, who owns the risk and until when. A FAIL
//! finding it matches becomes WAIVED with the waiver attached; an expired
//! waiver no longer applies and is listed so it gets renewed or dropped; a
//! waiver that matches nothing is listed as unused. Problems in the file
//! (an unknown check id, a bad date, an unknown key) are reported with file,
//! line and column, all at once.
//!
//! Depends on `result` and `diag` only; the caller passes the known check ids.

use crate::diag::{Diagnostic, Diagnostics};
use crate::result::{ScanResult, Status, Waiver, WaiverState, WaiverUse};
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    waivers: Vec<RawWaiver>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWaiver {
    check: Spanned<String>,
    account: Spanned<String>,
    #[serde(default)]
    region: Option<String>,
    #[serde(default)]
    resource: Option<Spanned<String>>,
    reason: Spanned<String>,
    owner: Spanned<String>,
    expires: Spanned<String>,
}

/// One loaded waiver.
#[derive(Debug)]
struct Rule {
    check: String,
    /// `None` for every account (`*`).
    account: Option<String>,
    region: Option<String>,
    resource: Option<globset::GlobSet>,
    resource_text: Option<String>,
    waiver: Waiver,
    /// The last day the waiver applies.
    expiry: time::Date,
    /// `file:line` of the entry, so a report reader can find it.
    source: String,
}

/// The waivers of one file, checked against the catalogue.
#[derive(Debug)]
pub struct Waivers {
    rules: Vec<Rule>,
}

impl Waivers {
    /// Reads `path`. `known_checks` are the ids of the whole catalogue (a
    /// waiver for a check not selected in this run is not an error).
    pub fn load(path: &Path, known_checks: &[&str]) -> Result<Waivers, Diagnostics> {
        let text = crate::input::read(path).map_err(|d| Diagnostics(vec![d]))?;
        let raw: RawFile =
            crate::input::parse_yaml(path, &text).map_err(|d| Diagnostics(vec![d]))?;
        let mut problems = Vec::new();
        let mut rules = Vec::new();
        for entry in raw.waivers {
            let mut problem = |at: &Spanned<String>, check: Option<&str>, message: String| {
                problems.push(Diagnostic::at(
                    path,
                    &text,
                    at.referenced.line(),
                    at.referenced.column(),
                    check,
                    message,
                ));
            };
            let check = entry.check.value.trim().to_owned();
            if !known_checks.contains(&check.as_str()) {
                let hint = closest(&check, known_checks)
                    .map(|c| format!("; did you mean `{c}`?"))
                    .unwrap_or_default();
                problem(&entry.check, None, format!("unknown check `{check}`{hint}"));
            }
            let account = entry.account.value.trim().to_owned();
            let account = if account == "*" {
                None
            } else {
                if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
                    problem(
                        &entry.account,
                        Some(&check),
                        format!("account `{account}` is not a 12-digit account id or `*` (quote it so YAML keeps leading zeros)"),
                    );
                }
                Some(account)
            };
            // A set of one glob: building it reports a pattern too complex
            // for the regex engine as an error, where compiling a lone
            // matcher panics.
            let resource = match &entry.resource {
                Some(glob) => match globset::Glob::new(glob.value.trim())
                    .and_then(|g| globset::GlobSetBuilder::new().add(g).build())
                {
                    Ok(set) => Some(set),
                    Err(e) => {
                        let why = match e.kind() {
                            globset::ErrorKind::Regex(_) => "it is too complex to match (nested `{a,b}` alternatives nest too deep)".to_owned(),
                            _ => e.to_string(),
                        };
                        problem(glob, Some(&check), format!("invalid resource glob: {why}"));
                        None
                    }
                },
                None => None,
            };
            for (field, value) in [("reason", &entry.reason), ("owner", &entry.owner)] {
                if value.value.trim().is_empty() {
                    problem(value, Some(&check), format!("`{field}` must not be empty"));
                }
            }
            let format = time::macros::format_description!("[year]-[month]-[day]");
            let expires = entry.expires.value.trim().to_owned();
            let expiry = match time::Date::parse(&expires, format) {
                Ok(date) => date,
                Err(_) => {
                    problem(
                        &entry.expires,
                        Some(&check),
                        format!("expiry `{expires}` is not a date (YYYY-MM-DD)"),
                    );
                    time::Date::MAX
                }
            };
            rules.push(Rule {
                check,
                account,
                region: entry.region.map(|r| r.trim().to_owned()),
                resource,
                resource_text: entry.resource.map(|r| r.value.trim().to_owned()),
                waiver: Waiver {
                    reason: entry.reason.value.trim().to_owned(),
                    owner: entry.owner.value.trim().to_owned(),
                    expires,
                },
                expiry,
                source: format!("{}:{}", file_name(path), entry.check.referenced.line()),
            });
        }
        if problems.is_empty() {
            Ok(Waivers { rules })
        } else {
            Err(Diagnostics(problems))
        }
    }

    /// Marks the FAIL findings a current waiver matches as WAIVED (the first
    /// matching waiver in file order wins) and records, in `result.waivers`,
    /// every waiver with its state and how many findings it matched. A
    /// waiver applies through its expiry date: `as_of` after it, it has
    /// expired. The caller recomputes the summary afterwards.
    pub fn apply(&self, result: &mut ScanResult, as_of: time::Date) {
        let mut tally = self.tally(as_of);
        for finding in &mut result.findings {
            tally.apply(finding);
        }
        result.waivers = tally.finish();
    }

    /// Applies the waivers one finding at a time (a streamed scan), as
    /// [`Waivers::apply`] does to a whole result.
    pub fn tally(&self, as_of: time::Date) -> WaiverTally<'_> {
        WaiverTally {
            waivers: self,
            matched: vec![0; self.rules.len()],
            as_of,
        }
    }
}

/// Waivers being applied finding by finding; see [`Waivers::tally`].
pub struct WaiverTally<'w> {
    waivers: &'w Waivers,
    matched: Vec<u64>,
    as_of: time::Date,
}

impl WaiverTally<'_> {
    /// Marks `finding` WAIVED if it is a FAIL that a current waiver
    /// matches (the first matching waiver in file order wins).
    pub fn apply(&mut self, finding: &mut Arc<crate::result::Finding>) {
        if finding.status != Status::Fail {
            return;
        }
        let rules = &self.waivers.rules;
        let Some(index) = rules.iter().position(|r| r.matches(finding)) else {
            return;
        };
        self.matched[index] += 1;
        let rule = &rules[index];
        if rule.expiry < self.as_of {
            return;
        }
        let finding = Arc::make_mut(finding);
        finding.status = Status::Waived;
        finding.waiver = Some(rule.waiver.clone());
    }

    /// Every waiver with its state and how many findings it matched.
    pub fn finish(self) -> Vec<WaiverUse> {
        self.so_far()
    }

    /// Every waiver with its state and how many of the findings applied so
    /// far it matched. A waiver of one account is final once every finding
    /// of that account has been applied; one of any account (`*`) only at
    /// the end.
    pub fn so_far(&self) -> Vec<WaiverUse> {
        let as_of = self.as_of;
        self.waivers
            .rules
            .iter()
            .zip(self.matched.iter().copied())
            .map(|(rule, matched)| WaiverUse {
                check_id: rule.check.clone(),
                account_id: rule.account.clone().unwrap_or_else(|| "*".into()),
                region: rule.region.clone(),
                resource: rule.resource_text.clone(),
                waiver: rule.waiver.clone(),
                state: if rule.expiry < as_of {
                    WaiverState::Expired
                } else if matched == 0 {
                    WaiverState::Unused
                } else {
                    WaiverState::Active
                },
                matched,
                source: rule.source.clone(),
            })
            .collect()
    }
}

impl Rule {
    fn matches(&self, finding: &crate::result::Finding) -> bool {
        *finding.check_id == *self.check
            && self
                .account
                .as_deref()
                .is_none_or(|a| a == &*finding.account_id)
            && self
                .region
                .as_deref()
                .is_none_or(|r| finding.region.as_deref() == Some(r))
            && self
                .resource
                .as_ref()
                .is_none_or(|g| g.is_match(&finding.resource.id))
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(PathBuf::from)
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// The known check id closest to `id` by edit distance, if close enough to
/// be a typo.
fn closest<'a>(id: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::levenshtein(id, k), *k))
        .filter(|(d, _)| *d <= 3.max(id.len() / 4))
        .min()
        .map(|(_, k)| k)
}
