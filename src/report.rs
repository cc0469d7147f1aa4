//! Rendering a ScanResult as JSON, Markdown and HTML.
//!
//! Markdown and HTML come from minijinja templates (`reports/*.j2`), loaded
//! from a directory when one is given and otherwise from the copy embedded in
//! the binary. HTML templates are autoescaped, so every string that came from
//! AWS is escaped; Markdown templates use the `md` filter for table cells.
//! This module reads `result` and `checks` (for titles, remediation and
//! catalogues) and never evaluates anything.

use crate::checks::Catalogue;
use crate::result::{ControlState, Finding, ScanResult, Status};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Json,
    Markdown,
    Html,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "result.json",
            Format::Markdown => "report.md",
            Format::Html => "report.html",
        }
    }

    fn template(self) -> Option<&'static str> {
        match self {
            Format::Json => None,
            Format::Markdown => Some("report.md.j2"),
            Format::Html => Some("report.html.j2"),
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "json" => Ok(Format::Json),
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            other => Err(format!("unknown format `{other}` (json, md, html)")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {name}: {source}")]
    Template {
        name: String,
        #[source]
        source: minijinja::Error,
    },
    #[error("cannot read templates from {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot serialize the result: {0}")]
    Json(#[from] serde_json::Error),
}

/// Escapes text for a GitHub-flavoured Markdown table cell or inline text.
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '`' | '*' | '_' | '[' | ']' | '\\' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// Renders results with a set of templates.
pub struct Renderer {
    env: minijinja::Environment<'static>,
}

impl Renderer {
    /// Templates from `dir` when given, else the embedded ones.
    pub fn new(dir: Option<&Path>) -> Result<Self, ReportError> {
        let mut env = minijinja::Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") || name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else {
                minijinja::AutoEscape::None
            }
        });
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.add_filter("md", |value: String| markdown_escape(&value));
        env.add_filter("pct", |part: u64, total: u64| -> String {
            if total == 0 {
                "n/a".to_owned()
            } else {
                format!("{:.0}%", part as f64 * 100.0 / total as f64)
            }
        });
        env.add_filter("tojson_pretty", |value: minijinja::Value| -> String {
            serde_json::to_string_pretty(&value).unwrap_or_default()
        });
        let mut sources: Vec<(String, String)> = Vec::new();
        match dir {
            Some(dir) => {
                let entries = std::fs::read_dir(dir).map_err(|source| ReportError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
                for entry in entries.flatten() {
                    let path = entry.path();
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if name.ends_with(".j2") || name.ends_with(".css") {
                        let text =
                            std::fs::read_to_string(&path).map_err(|source| ReportError::Io {
                                path: path.display().to_string(),
                                source,
                            })?;
                        sources.push((name, text));
                    }
                }
            }
            None => {
                for (path, text) in crate::embedded::REPORT_FILES {
                    let name = path.rsplit('/').next().unwrap_or(path).to_owned();
                    sources.push((name, (*text).to_owned()));
                }
            }
        }
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|source| ReportError::Template { name, source })?;
        }
        Ok(Renderer { env })
    }

    /// Renders `result` in `format`.
    pub fn render(
        &self,
        format: Format,
        result: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let Some(name) = format.template() else {
            let mut text = serde_json::to_string_pretty(result)?;
            text.push('\n');
            return Ok(text);
        };
        let model = ReportModel::new(result, catalogue, options);
        let template = self
            .env
            .get_template(name)
            .map_err(|source| ReportError::Template {
                name: name.to_owned(),
                source,
            })?;
        template
            .render(minijinja::value::Serde(&model))
            .map_err(|source| ReportError::Template {
                name: name.to_owned(),
                source,
            })
    }
}

/// Choices that change what a report shows.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Show scan times (off by default so reports are deterministic).
    pub timestamps: bool,
}

/// A check as reports show it.
#[derive(Serialize)]
struct CheckInfo<'a> {
    id: &'a str,
    title: &'a str,
    severity: &'a str,
    description: &'a str,
    rationale: &'a str,
    remediation: &'a crate::checks::Remediation,
    references: &'a [String],
    counts: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct ControlRow<'a> {
    id: &'a str,
    title: &'a str,
    group: Option<&'a str>,
    state: ControlState,
    checks: Vec<&'a str>,
    pass: u64,
    fail: u64,
    error: u64,
    skip: u64,
}

#[derive(Serialize)]
struct FrameworkView<'a> {
    id: &'a str,
    title: &'a str,
    version: &'a str,
    controls: Vec<ControlRow<'a>>,
    summary: Option<&'a crate::result::FrameworkSummary>,
}

#[derive(Serialize)]
struct AccountRow<'a> {
    id: &'a str,
    counts: BTreeMap<&'static str, u64>,
}

/// Everything the templates see.
#[derive(Serialize)]
struct ReportModel<'a> {
    result: &'a ScanResult,
    timestamps: bool,
    checks: Vec<CheckInfo<'a>>,
    frameworks: Vec<FrameworkView<'a>>,
    failures: Vec<&'a Finding>,
    errors: Vec<&'a Finding>,
    skipped: Vec<&'a Finding>,
    accounts: Vec<AccountRow<'a>>,
    total: u64,
    passed: u64,
    /// Checks × accounts: worst status per cell, for the heat map.
    matrix: Vec<(&'a str, Vec<Option<Status>>)>,
}

fn count(findings: &[&Finding]) -> BTreeMap<&'static str, u64> {
    let mut counts: BTreeMap<&'static str, u64> =
        Status::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for finding in findings {
        *counts.entry(finding.status.as_str()).or_default() += 1;
    }
    counts
}

impl<'a> ReportModel<'a> {
    fn new(result: &'a ScanResult, catalogue: &'a Catalogue, options: &RenderOptions) -> Self {
        let mut by_check: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
        for finding in &result.findings {
            by_check.entry(&finding.check_id).or_default().push(finding);
        }
        let checks = catalogue
            .checks
            .iter()
            .map(|c| CheckInfo {
                id: &c.id,
                title: &c.title,
                severity: c.severity.as_str(),
                description: &c.description,
                rationale: &c.rationale,
                remediation: &c.remediation,
                references: &c.references,
                counts: count(
                    by_check
                        .get(c.id.as_str())
                        .map(Vec::as_slice)
                        .unwrap_or(&[]),
                ),
            })
            .collect();
        let frameworks = catalogue
            .frameworks
            .values()
            .map(|framework| {
                let controls = framework
                    .controls
                    .iter()
                    .map(|control| {
                        let mapped: Vec<&str> = catalogue
                            .checks_for_control(&framework.id, &control.id)
                            .collect();
                        let findings: Vec<&Finding> = mapped
                            .iter()
                            .flat_map(|id| by_check.get(id).cloned().unwrap_or_default())
                            .collect();
                        let counts = count(&findings);
                        ControlRow {
                            id: &control.id,
                            title: &control.title,
                            group: control.group.as_deref(),
                            state: ControlState::from_statuses(
                                findings.iter().map(|f| f.status),
                                !mapped.is_empty(),
                            ),
                            checks: mapped,
                            pass: counts["PASS"] + counts["WAIVED"],
                            fail: counts["FAIL"],
                            error: counts["ERROR"],
                            skip: counts["SKIP"],
                        }
                    })
                    .collect();
                FrameworkView {
                    id: &framework.id,
                    title: &framework.title,
                    version: &framework.version,
                    controls,
                    summary: result.summary.by_framework.get(&framework.id),
                }
            })
            .collect();
        let severity_rank = |s: &str| {
            s.parse::<crate::checks::Severity>()
                .map(|s| s as u8)
                .unwrap_or(9)
        };
        let mut failures: Vec<&Finding> = result
            .findings
            .iter()
            .filter(|f| f.status == Status::Fail)
            .collect();
        failures.sort_by(|a, b| {
            severity_rank(&a.severity)
                .cmp(&severity_rank(&b.severity))
                .then(a.key().cmp(&b.key()))
        });
        let errors = result
            .findings
            .iter()
            .filter(|f| f.status == Status::Error)
            .collect();
        let skipped = result
            .findings
            .iter()
            .filter(|f| f.status == Status::Skip)
            .collect();
        let accounts = result
            .scan
            .accounts
            .iter()
            .map(|id| {
                let findings: Vec<&Finding> = result
                    .findings
                    .iter()
                    .filter(|f| &f.account_id == id)
                    .collect();
                AccountRow {
                    id,
                    counts: count(&findings),
                }
            })
            .collect();
        let matrix = catalogue
            .checks
            .iter()
            .map(|c| {
                let cells = result
                    .scan
                    .accounts
                    .iter()
                    .map(|account| {
                        by_check
                            .get(c.id.as_str())
                            .into_iter()
                            .flatten()
                            .filter(|f| &f.account_id == account)
                            .map(|f| f.status)
                            .min()
                    })
                    .collect();
                (c.id.as_str(), cells)
            })
            .collect();
        let assessed = result
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Pass | Status::Fail | Status::Waived))
            .count() as u64;
        let passed = result
            .findings
            .iter()
            .filter(|f| matches!(f.status, Status::Pass | Status::Waived))
            .count() as u64;
        ReportModel {
            result,
            timestamps: options.timestamps,
            checks,
            frameworks,
            failures,
            errors,
            skipped,
            accounts,
            total: assessed,
            passed,
            matrix,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::markdown_escape;

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_html() {
        assert_eq!(
            markdown_escape("a|b`c`\n<script>"),
            "a\\|b\\`c\\` &lt;script&gt;"
        );
    }
}
