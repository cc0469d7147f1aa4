//! Rendering a ScanResult as JSON, Markdown and HTML.
//!
//! Markdown and HTML come from minijinja templates (`reports/*.j2`), loaded
//! from a directory when one is given and otherwise from the copy embedded in
//! the binary. HTML templates are autoescaped, so every string that came from
//! AWS is escaped; Markdown templates use the `md` filter for table cells.
//! This module reads `result` and `checks` (for titles, remediation and
//! catalogues) and never evaluates anything.

mod stream;
mod tally;
mod text;

pub use stream::{PageJob, Pages, Stream};
pub use text::{fence_for, markdown_code, markdown_escape, visible, visible_json, MAX_SHOWN_CHARS};

use crate::checks::Catalogue;
use crate::i18n::Texts;
use crate::result::{ChangeEntry, Changes, ControlState, Finding, ScanResult, Status};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Json,
    Markdown,
    Html,
    /// OCSF Compliance Finding events (class 2003).
    Ocsf,
}

impl Format {
    pub fn file_name(self) -> &'static str {
        match self {
            Format::Json => "result.json",
            Format::Markdown => "report.md",
            Format::Html => "report.html",
            Format::Ocsf => "findings.ocsf.json",
        }
    }

    fn template(self) -> Option<&'static str> {
        match self {
            Format::Json | Format::Ocsf => None,
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
            "ocsf" => Ok(Format::Ocsf),
            other => Err(format!("unknown format `{other}` (json, md, html, ocsf)")),
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
    /// Writing a report, a page or a streamed scan's spool failed.
    #[error("cannot write {path}: {source}")]
    Output {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot serialize the result: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Write(#[from] crate::atomic::WriteError),
    #[error("refusing to write a page for account `{0}`: not a 12-digit account id")]
    AccountId(String),
    /// A streamed scan broke one of its own invariants (a bug): findings
    /// out of order, a thread that stopped.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Template steps (minijinja fuel) a report may take: a base, and so much
/// per finding, collection error, heat-map cell and control shown. The
/// bundled templates take about a tenth of it.
const REPORT_FUEL_BASE: u64 = 1_000_000;
const REPORT_FUEL_PER_ITEM: u64 = 2_000;

/// The auto-escape mode of Markdown templates.
const MARKDOWN: &str = "markdown";

/// Writes one template expression: in Markdown templates escaped with
/// [`markdown_escape`] unless marked safe; in HTML templates made
/// [`visible`] and then HTML-escaped.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    let io = |_| minijinja::Error::from(minijinja::ErrorKind::WriteFailure);
    match state.auto_escape() {
        minijinja::AutoEscape::Custom(mode) if mode == MARKDOWN => write_md(out, value).map_err(io),
        minijinja::AutoEscape::Html if !value.is_safe() => {
            if let Some(text) = value.as_str() {
                let shown = visible(text);
                if let std::borrow::Cow::Owned(shown) = shown {
                    return minijinja::escape_formatter(out, state, &minijinja::Value::from(shown));
                }
            }
            minijinja::escape_formatter(out, state, value)
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Renders results with a set of templates.
pub struct Renderer {
    env: minijinja::Environment<'static>,
    texts: Arc<Texts>,
}

impl Renderer {
    /// Templates from `dir` when given, else the embedded ones; fixed
    /// strings from `texts` (the `t` function and the `*_label` and
    /// `date` filters of the templates).
    pub fn new(dir: Option<&Path>, texts: Arc<Texts>) -> Result<Self, ReportError> {
        let mut env = minijinja::Environment::new();
        add_texts(&mut env, &texts);
        // Markdown templates escape every expression unless marked safe, as
        // HTML templates do: a field cannot be forgotten.
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html.j2") || name.ends_with(".html") {
                minijinja::AutoEscape::Html
            } else if name.ends_with(".md.j2") {
                minijinja::AutoEscape::Custom(MARKDOWN.into())
            } else {
                minijinja::AutoEscape::None
            }
        });
        env.set_formatter(format_value);
        if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .build()
        {
            env.set_syntax(syntax);
        }
        env.add_filter("md", |value: String| {
            minijinja::Value::from_safe_string(markdown_escape(&value))
        });
        // One JSON line for a Markdown code block: strings made visible and
        // shortened, the JSON still valid.
        env.add_filter(
            "json_line",
            |value: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let json = serde_json::to_value(&value).unwrap_or_default();
                minijinja::filters::tojson(
                    &minijinja::Value::from(minijinja::value::Serde(visible_json(&json))),
                    None,
                    minijinja::value::Kwargs::from_iter(
                        std::iter::empty::<(&str, minijinja::Value)>(),
                    ),
                )
            },
        );
        env.add_filter("pct", |part: u64, total: u64| -> String {
            if total == 0 {
                "n/a".to_owned()
            } else {
                format!("{:.0}%", part as f64 * 100.0 / total as f64)
            }
        });
        env.add_filter("tojson_pretty", |value: minijinja::Value| -> String {
            let json = serde_json::to_value(&value).unwrap_or_default();
            serde_json::to_string_pretty(&visible_json(&json)).unwrap_or_default()
        });
        // A finding's evidence as `json_line` and `tojson_pretty` print it
        // (the first with its account, region and resource), read from the
        // finding itself instead of converted to template values and back:
        // the same text, for a fraction of the work on a page of thousands
        // of findings.
        env.add_filter(
            "evidence_line",
            |finding: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let f = finding_of(&finding, "evidence_line")?;
                Ok(minijinja::Value::from_safe_string(evidence_line(f)))
            },
        );
        env.add_filter(
            "evidence_pretty",
            |finding: minijinja::Value| -> Result<String, minijinja::Error> {
                Ok(evidence_pretty(finding_of(&finding, "evidence_pretty")?))
            },
        );
        // The rows of a failure table, written here rather than
        // interpreted once per finding: the same text the loops over
        // `g.findings` in the bundled templates wrote (a unit test renders
        // both), rows joined by line breaks, for a template line of their
        // own. Custom templates may still loop over the findings.
        let shared = texts.clone();
        env.add_filter(
            "failure_rows_md",
            move |findings: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let findings = findings_of(&findings, "failure_rows_md")?;
                let global = shared.get("global");
                let mut out = String::new();
                for (i, f) in findings.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    for cell in [
                        f.account_id.as_ref(),
                        region_or(f, &global),
                        &f.resource.id,
                        &f.message,
                    ] {
                        out.push_str("| ");
                        out.push_str(&text::markdown_escaped(cell));
                        out.push(' ');
                    }
                    out.push('|');
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        env.add_filter(
            "evidence_lines_md",
            |findings: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let findings = findings_of(&findings, "evidence_lines_md")?;
                let mut out = String::new();
                for (i, f) in findings.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str(&evidence_line(f));
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        let shared = texts.clone();
        env.add_filter(
            "failure_rows_html",
            move |findings: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let findings = findings_of(&findings, "failure_rows_html")?;
                let global = shared.get("global");
                let mut show = String::new();
                push_html(&mut show, &shared.get("html-show"));
                let mut out = String::new();
                for (i, f) in findings.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    out.push_str("<tr><td>");
                    push_html(&mut out, &f.account_id);
                    out.push_str("</td><td>");
                    push_html(&mut out, region_or(f, &global));
                    out.push_str("</td><td><code>");
                    push_html(&mut out, &f.resource.id);
                    out.push_str("</code></td><td>");
                    push_html(&mut out, &f.message);
                    out.push_str("</td><td><details><summary>");
                    out.push_str(&show);
                    out.push_str("</summary><pre>");
                    push_html(&mut out, &evidence_pretty(f));
                    out.push_str("</pre></details></td></tr>");
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        // The rows of the "all findings" table and of a control matrix,
        // written here for the same reason: on an account page they were
        // most of the template's interpreted work. Each row ends in a line
        // break, so an empty list writes nothing, as the loop did.
        let labels = Arc::new(RowLabels::new(&texts));
        let shared = labels.clone();
        env.add_filter(
            "finding_rows_html",
            move |findings: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let findings = findings_of(&findings, "finding_rows_html")?;
                let mut out = String::new();
                for f in findings {
                    let status = f.status.as_str();
                    out.push_str("<tr><td><span class=\"badge ");
                    push_html(&mut out, status);
                    out.push_str("\">");
                    push_html(&mut out, shared.status(status));
                    out.push_str("</span></td><td>");
                    push_html(&mut out, shared.severity(&f.severity));
                    out.push_str("</td><td><code>");
                    push_html(&mut out, &f.check_id);
                    out.push_str("</code></td><td>");
                    push_html(&mut out, &f.account_id);
                    out.push_str("</td><td>");
                    push_html(&mut out, region_or(f, &shared.global));
                    out.push_str("</td><td><code>");
                    push_html(&mut out, &f.resource.id);
                    out.push_str("</code></td><td>");
                    push_html(&mut out, &f.message);
                    out.push_str("</td></tr>\n");
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        let shared = labels.clone();
        env.add_filter(
            "control_rows_md",
            move |controls: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let mut out = String::new();
                for c in controls_of(&controls, "control_rows_md")? {
                    let field = |key: &str| c.get_attr(key).unwrap_or_default();
                    out.push_str("| ");
                    push_md(&mut out, &field("id"));
                    out.push_str(" | ");
                    push_md(&mut out, &field("title"));
                    out.push_str(" | ");
                    let state = field("state");
                    push_md(&mut out, &shared.state(&state));
                    out.push_str(" | ");
                    for (i, id) in field("checks").try_iter()?.enumerate() {
                        if i > 0 {
                            out.push_str(", ");
                        }
                        out.push('`');
                        push_md(&mut out, &id);
                        out.push('`');
                    }
                    for key in ["pass", "fail", "error"] {
                        out.push_str(" | ");
                        push_md(&mut out, &field(key));
                    }
                    out.push_str(" |\n");
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        env.add_filter(
            "control_rows_html",
            move |controls: minijinja::Value| -> Result<minijinja::Value, minijinja::Error> {
                let mut out = String::new();
                for c in controls_of(&controls, "control_rows_html")? {
                    let field = |key: &str| c.get_attr(key).unwrap_or_default();
                    out.push_str("<tr><td>");
                    push_html_value(&mut out, &field("id"));
                    out.push_str("</td><td>");
                    push_html_value(&mut out, &field("title"));
                    out.push_str("</td><td><span class=\"badge ");
                    let state = field("state");
                    push_html(&mut out, &state.to_string().replace('_', ""));
                    out.push_str("\">");
                    push_html_value(&mut out, &labels.state(&state));
                    out.push_str("</span></td><td>");
                    for id in field("checks").try_iter()? {
                        out.push_str("<code>");
                        push_html_value(&mut out, &id);
                        out.push_str("</code> ");
                    }
                    out.push_str("</td>");
                    for key in ["pass", "fail", "error"] {
                        out.push_str("<td class=\"num\">");
                        push_html_value(&mut out, &field(key));
                        out.push_str("</td>");
                    }
                    out.push_str("</tr>\n");
                }
                Ok(minijinja::Value::from_safe_string(out))
            },
        );
        // The embedded templates first, then any file of `dir` in place of
        // the embedded one of the same name: a user can restyle only
        // `report.css`, and a missing file falls back to the built-in one.
        let mut sources: BTreeMap<String, String> = crate::embedded::REPORT_FILES
            .iter()
            .filter(|(path, _)| path.ends_with(".j2") || path.ends_with(".css"))
            .map(|(path, text)| {
                let name = path.rsplit('/').next().unwrap_or(path).to_owned();
                (name, (*text).to_owned())
            })
            .collect();
        if let Some(dir) = dir {
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
                    sources.insert(name, text);
                }
            }
        }
        for (name, text) in sources {
            env.add_template_owned(name.clone(), text)
                .map_err(|source| ReportError::Template { name, source })?;
        }
        Ok(Renderer { env, texts })
    }

    /// The language the reports are written in.
    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    /// Renders `result` in `format` as a string.
    pub fn render(
        &self,
        format: Format,
        result: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
    ) -> Result<String, ReportError> {
        let mut out = Vec::new();
        self.render_to(format, result, catalogue, options, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Renders `result` in `format` into `out`, streaming: a report of a
    /// large organization is never held in memory as one string.
    pub fn render_to(
        &self,
        format: Format,
        result: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        if format == Format::Ocsf {
            return Ok(crate::ocsf::write(result, catalogue, out)?);
        }
        let Some(name) = format.template() else {
            serde_json::to_writer_pretty(&mut *out, result)?;
            out.write_all(b"\n").map_err(serde_json::Error::io)?;
            return Ok(());
        };
        let model = ReportModel::new(result, catalogue, options, &self.texts);
        self.render_model(name, &model, catalogue, out)
    }

    /// Renders the template `name` with `model` into `out`.
    fn render_model(
        &self,
        name: &str,
        model: &ReportModel,
        catalogue: &Catalogue,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        let value = minijinja::Value::from(minijinja::value::Serde(model));
        self.render_model_value(name, model, &value, catalogue, out)
    }

    /// [`Renderer::render_model`] with `model` already made a template
    /// value (`value`), so that the pages of one account in several
    /// formats make it once.
    fn render_model_value(
        &self,
        name: &str,
        model: &ReportModel,
        value: &minijinja::Value,
        catalogue: &Catalogue,
        out: &mut dyn std::io::Write,
    ) -> Result<(), ReportError> {
        // Work in proportion to what is shown, so a template (the user's,
        // with --templates) cannot loop for ever.
        let mut env = self.env.clone();
        let items = model.finding_count
            + model.collection_errors.len()
            + model.scan.accounts.len() * catalogue.checks.len().max(1)
            + catalogue
                .frameworks
                .values()
                .map(|f| f.controls.len())
                .sum::<usize>();
        env.set_fuel(Some(REPORT_FUEL_BASE + REPORT_FUEL_PER_ITEM * items as u64));
        let template = env
            .get_template(name)
            .map_err(|source| ReportError::Template {
                name: name.to_owned(),
                source,
            })?;
        template
            .render_captured_to(value.clone(), out)
            .map(|_| ())
            .map_err(|source| ReportError::Template {
                name: name.to_owned(),
                source,
            })
    }
}

impl Renderer {
    /// Writes `format` into `dir` (its file name, see [`Format::file_name`])
    /// and returns the files written, streaming each. Markdown and HTML of
    /// more than `options.split_above` accounts also write one page per
    /// account, `accounts/<id>.md` or `accounts/<id>.html`.
    pub fn write(
        &self,
        format: Format,
        dir: &Path,
        result: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
    ) -> Result<Vec<std::path::PathBuf>, ReportError> {
        if matches!(format, Format::Markdown | Format::Html) {
            return self.write_paged(format, dir, result, catalogue, options);
        }
        let path = dir.join(format.file_name());
        write_file(&path, |out| {
            self.render_to(format, result, catalogue, options, out)
        })?;
        Ok(vec![path])
    }

    /// Writes `report.md` or `report.html` into `dir`. With more than
    /// `options.split_above` accounts the findings of each account go to
    /// `accounts/<id>.md` (or `.html`) and the main report keeps the
    /// summary, the control matrix, the heat map and per-check counts with
    /// links: a pull-request diff then touches only the accounts that
    /// changed, and a browser never loads every finding at once. Returns
    /// the files written.
    fn write_paged(
        &self,
        format: Format,
        dir: &Path,
        result: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
    ) -> Result<Vec<std::path::PathBuf>, ReportError> {
        let split = result.scan.accounts.len() > options.split_above;
        let main_options = RenderOptions {
            split_accounts: split,
            ..options.clone()
        };
        let mut written = vec![dir.join(format.file_name())];
        write_file(&written[0], |out| {
            self.render_to(format, result, catalogue, &main_options, out)
        })?;
        if !split {
            return Ok(written);
        }
        let controls = catalogue.control_index();
        with_committer(dir, |commit| {
            for account in per_account(result, &controls) {
                let pages =
                    self.write_pages(&[format], dir, &account, catalogue, options, commit)?;
                written.extend(pages.into_iter().map(|(_, path)| path));
            }
            Ok(())
        })?;
        Ok(written)
    }

    /// Writes the page of the one account of `account` (a result of one
    /// account) in each of `formats` (Markdown, HTML) under
    /// `dir/accounts/`, and returns their paths. The page's model is made
    /// once for all of them. The pages are in place once `commit` is
    /// finished.
    pub(crate) fn write_pages(
        &self,
        formats: &[Format],
        dir: &Path,
        account: &ScanResult,
        catalogue: &Catalogue,
        options: &RenderOptions,
        commit: &crate::atomic::Committer,
    ) -> Result<Vec<(Format, std::path::PathBuf)>, ReportError> {
        let accounts_dir = dir.join(ACCOUNTS_DIR);
        std::fs::create_dir_all(&accounts_dir).map_err(|source| ReportError::Output {
            path: accounts_dir.display().to_string(),
            source,
        })?;
        let page_options = RenderOptions {
            account_page: true,
            split_accounts: false,
            ..options.clone()
        };
        // Paths are made only from validated ids (snapshots are validated
        // on load; this guards the result's own accounts).
        let id = account.scan.accounts.first().cloned().unwrap_or_default();
        if !crate::model::is_account_id(&id) {
            return Err(ReportError::AccountId(id));
        }
        let model = ReportModel::new(account, catalogue, &page_options, &self.texts);
        let value = minijinja::Value::from(minijinja::value::Serde(&model));
        let mut written = Vec::with_capacity(formats.len());
        for &format in formats {
            let (extension, Some(name)) = (
                match format {
                    Format::Html => "html",
                    _ => "md",
                },
                format.template(),
            ) else {
                return Err(ReportError::Internal(format!(
                    "{format:?} has no account pages"
                )));
            };
            let path = accounts_dir.join(format!("{id}.{extension}"));
            commit.write(&path, |out| {
                self.render_model_value(name, &model, &value, catalogue, out)
            })?;
            written.push((format, path));
        }
        Ok(written)
    }
}

/// Runs `write` with a [`crate::atomic::Committer`] for the account pages
/// it writes into `dir` (up to 32 wait to be made durable), and returns
/// once they are in place. When both fail, the committer's error is
/// returned: it came first, as every write after it reports it.
fn with_committer<T>(
    dir: &Path,
    write: impl FnOnce(&crate::atomic::Committer) -> Result<T, ReportError>,
) -> Result<T, ReportError> {
    let commit = crate::atomic::Committer::start(32).map_err(|source| ReportError::Output {
        path: dir.display().to_string(),
        source,
    })?;
    let written = write(&commit);
    commit.finish()?;
    written
}

/// Streams into `path` atomically ([`crate::atomic::write`]).
fn write_file(
    path: &Path,
    render: impl FnOnce(&mut dyn std::io::Write) -> Result<(), ReportError>,
) -> Result<(), ReportError> {
    crate::atomic::write(path, render)
}

/// The files a scan owns in its output directory: the reports of every
/// format, `diff.md` and the account pages (`accounts/<12 digits>.md` or
/// `.html`).
/// Nothing else there is ever touched.
pub fn owned_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut owned: Vec<std::path::PathBuf> =
        [Format::Json, Format::Markdown, Format::Html, Format::Ocsf]
            .iter()
            .map(|f| dir.join(f.file_name()))
            .chain([dir.join(DIFF_FILE)])
            .filter(|p| p.is_file())
            .collect();
    if let Ok(entries) = std::fs::read_dir(dir.join(ACCOUNTS_DIR)) {
        owned.extend(entries.flatten().map(|e| e.path()).filter(|p| {
            p.extension().is_some_and(|x| x == "md" || x == "html")
                && p.file_stem()
                    .is_some_and(|s| crate::model::is_account_id(&s.to_string_lossy()))
        }));
    }
    owned.sort();
    owned
}

/// Removes the files of an earlier scan in `dir` that this scan did not
/// write (`written`), so a report never links a stale page and a diff of
/// another baseline does not linger; an emptied `accounts/` goes too.
/// Returns the files removed.
pub fn remove_stale(
    dir: &Path,
    written: &[std::path::PathBuf],
) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut removed = Vec::new();
    for path in owned_files(dir) {
        if !written.contains(&path) {
            std::fs::remove_file(&path)?;
            removed.push(path);
        }
    }
    let accounts = dir.join(ACCOUNTS_DIR);
    if accounts.is_dir() && std::fs::read_dir(&accounts)?.next().is_none() {
        std::fs::remove_dir(&accounts)?;
    }
    Ok(removed)
}

/// The changes alone, for a pull-request comment.
pub const DIFF_FILE: &str = "diff.md";

/// The reports of a scan in the making. Every report, account page and
/// `diff.md` is written into a hidden directory in the output directory
/// (`.auditscope-stage-*.tmp`, laid out as the output directory) and moved
/// into place only when all are written ([`Stage::publish`]): the account
/// pages first, then the other files, one rename each.
///
/// Rendering a large organization's reports takes minutes. Written in
/// place, an interrupt, a full disk or a template error in that time left
/// a mix of this scan's files and the earlier scan's (a new `report.md`
/// linking pages that are not there yet, or old pages beside a new
/// summary), which a reviewer could commit as one report. Staged, the
/// earlier reports stay as they were until the moves, which take
/// milliseconds for thousands of pages. Nothing else in the output
/// directory is moved or touched. An unfinished stage is a leftover
/// ([`crate::atomic::remove_leftovers`]).
#[derive(Debug)]
pub struct Stage {
    out: std::path::PathBuf,
    staged: tempfile::TempDir,
}

impl Stage {
    /// A new, empty stage in the output directory `out` (which must exist).
    pub fn new(out: &Path) -> std::io::Result<Stage> {
        let staged = tempfile::Builder::new()
            .prefix(".auditscope-stage-")
            .suffix(".tmp")
            .tempdir_in(out)?;
        Ok(Stage {
            out: out.to_owned(),
            staged,
        })
    }

    /// Where reports are written meanwhile, in place of the output
    /// directory.
    pub fn path(&self) -> &Path {
        self.staged.path()
    }

    /// Where a file written under [`Stage::path`] ends up.
    pub fn final_path(&self, staged: &Path) -> std::path::PathBuf {
        match staged.strip_prefix(self.staged.path()) {
            Ok(relative) => self.out.join(relative),
            Err(_) => staged.to_owned(),
        }
    }

    /// Moves `written` (files under [`Stage::path`]) into the output
    /// directory, the account pages first (`accounts/` is made if
    /// needed), each by a rename over the earlier file of the same name;
    /// into an `accounts/` that links to another file system, by an atomic
    /// copy. Returns the final paths. The stage is removed.
    pub fn publish(
        self,
        written: &[std::path::PathBuf],
    ) -> std::io::Result<Vec<std::path::PathBuf>> {
        let mut moves: Vec<(std::path::PathBuf, std::path::PathBuf)> = written
            .iter()
            .map(|staged| (staged.clone(), self.final_path(staged)))
            .collect();
        let pages = self.out.join(ACCOUNTS_DIR);
        // Pages before the files that link them (a stable sort on one bit).
        moves.sort_by_key(|(_, target)| !target.starts_with(&pages));
        if moves.iter().any(|(_, target)| target.starts_with(&pages)) {
            std::fs::create_dir_all(&pages)?;
        }
        for (staged, target) in &moves {
            match std::fs::rename(staged, target) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::CrossesDevices => {
                    crate::atomic::write(target, |out| {
                        let mut from = std::fs::File::open(staged).map_err(|source| {
                            crate::atomic::WriteError {
                                path: staged.clone(),
                                source,
                            }
                        })?;
                        std::io::copy(&mut from, out).map_err(|source| {
                            crate::atomic::WriteError {
                                path: target.clone(),
                                source,
                            }
                        })?;
                        Ok(())
                    })
                    .map_err(|e: crate::atomic::WriteError| e.source)?;
                }
                Err(e) => return Err(e),
            }
        }
        Ok(moves.into_iter().map(|(_, target)| target).collect())
    }
}

/// The directory of the per-account Markdown pages.
pub const ACCOUNTS_DIR: &str = "accounts";

/// One result per scanned account: its findings, collection errors,
/// changes and waivers, with its own summary. One pass over the findings.
fn per_account(
    result: &ScanResult,
    controls: &BTreeMap<String, Vec<(String, bool)>>,
) -> Vec<ScanResult> {
    let mut findings: BTreeMap<&str, Vec<Arc<Finding>>> = BTreeMap::new();
    for f in &result.findings {
        findings
            .entry(&f.account_id)
            .or_default()
            .push(Arc::clone(f));
    }
    result
        .scan
        .accounts
        .iter()
        .map(|id| {
            let mine = |account: &str| account == id.as_str();
            let findings = findings.remove(id.as_str()).unwrap_or_default();
            let changes = result.changes.as_ref().map(|c| {
                let keep = |list: &[ChangeEntry]| -> Vec<ChangeEntry> {
                    list.iter()
                        .filter(|e| mine(&e.account_id))
                        .cloned()
                        .collect()
                };
                Changes {
                    baseline: c.baseline.clone(),
                    new_failures: keep(&c.new_failures),
                    resolved: keep(&c.resolved),
                    still_failing: keep(&c.still_failing),
                    not_assessed: keep(&c.not_assessed),
                }
            });
            ScanResult {
                schema_version: result.schema_version,
                tool: result.tool.clone(),
                scan: crate::result::ScanInfo {
                    accounts: vec![id.clone()],
                    accounts_not_scanned: Vec::new(),
                    ..result.scan.clone()
                },
                summary: crate::result::summarize(&findings, controls),
                findings,
                errors: result
                    .errors
                    .iter()
                    .filter(|e| mine(&e.account_id))
                    .cloned()
                    .collect(),
                waivers: result
                    .waivers
                    .iter()
                    .filter(|w| w.account_id == "*" || mine(&w.account_id))
                    .cloned()
                    .collect(),
                changes,
            }
        })
        .collect()
}

/// Choices that change what a report shows.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Show scan times (off by default so reports are deterministic).
    pub timestamps: bool,
    /// The HTML report lists every finding (passes too) up to this many;
    /// beyond it, failures and errors are still listed in full and the
    /// complete list is in `result.json`.
    pub max_listed_findings: usize,
    /// Markdown and HTML: above this many accounts, [`Renderer::write`]
    /// puts each account's findings in `accounts/<id>.md` (or `.html`).
    pub split_above: usize,
    /// The findings of each account are on its own page and the main
    /// report links to them (set by [`Renderer::write`]).
    pub split_accounts: bool,
    /// This page is one account's (`accounts/<id>.md` or `.html`).
    pub account_page: bool,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            timestamps: false,
            max_listed_findings: 5_000,
            split_above: usize::MAX,
            split_accounts: false,
            account_page: false,
        }
    }
}

/// A check as reports show it.
#[derive(Serialize, Clone)]
struct CheckInfo<'a> {
    id: &'a str,
    title: &'a str,
    severity: &'a str,
    description: &'a str,
    rationale: &'a str,
    remediation: &'a crate::checks::Remediation,
    references: &'a [String],
    controls: &'a BTreeMap<String, Vec<String>>,
    counts: Counts,
}

/// Findings per status.
#[derive(Serialize, Default, Clone, Copy)]
#[serde(rename_all = "UPPERCASE")]
struct Counts {
    pass: u64,
    fail: u64,
    error: u64,
    skip: u64,
    waived: u64,
}

impl Counts {
    fn add(&mut self, status: Status) {
        match status {
            Status::Pass => self.pass += 1,
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Skip => self.skip += 1,
            Status::Waived => self.waived += 1,
        }
    }

    fn merge(&mut self, other: &Counts) {
        self.pass += other.pass;
        self.fail += other.fail;
        self.error += other.error;
        self.skip += other.skip;
        self.waived += other.waived;
    }
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

/// One account's row: counts and, per check (in catalogue order), the
/// worst status of its findings, for the heat map.
#[derive(Serialize)]
struct AccountRow<'a> {
    id: &'a str,
    counts: Counts,
    cells: Vec<Option<Status>>,
}

/// The failures of one check, which share title, remediation and controls.
#[derive(Serialize)]
struct FailureGroup<'a> {
    check: CheckInfo<'a>,
    /// Every failure, when the report lists them (unsplit); a streamed
    /// scan keeps none.
    findings: FindingList,
    /// How many failures there are.
    count: usize,
    /// Scanned accounts with failures of this check and how many, in
    /// account order: each has a page when the report is split.
    accounts: Vec<(Arc<str>, usize)>,
    /// Failures of accounts outside the scan (an organization-level check
    /// of an unscanned management account): no page of their own, so a
    /// split report lists them in place.
    unpaged: FindingList,
    /// Distinct `fix` command lists of the findings (evidence named `fix`,
    /// as monitor checks give), with the resources each applies to.
    fixes: Vec<Fix>,
    /// Distinct fix command blocks not shown (split summary pages).
    more_fixes: usize,
    /// The Markdown fence of the evidence block ([`fence_for`]).
    evidence_fence: String,
}

#[derive(Debug, Clone, Serialize)]
struct Fix {
    commands: String,
    /// The first three resources it applies to (all of them when `count`
    /// is at most three: the reports name them then, else count them).
    resources: Vec<String>,
    /// How many findings it fixes.
    count: usize,
    /// The Markdown fence of the commands block ([`fence_for`]).
    fence: String,
}

/// The fence for a group's evidence block: its lines hold each finding's
/// account, region, resource and evidence as JSON.
///
/// A run of backticks in JSON text lies inside one string (JSON escapes
/// none, and quotes separate strings), so the strings of each line (the
/// account, region, resource and every key and string of the evidence)
/// are read where they are, not serialized.
fn evidence_fence(findings: &[Arc<Finding>]) -> String {
    fn strings<'v>(value: &'v serde_json::Value, pieces: &mut Vec<&'v str>) {
        match value {
            serde_json::Value::String(s) => pieces.push(s),
            serde_json::Value::Array(items) => items.iter().for_each(|v| strings(v, pieces)),
            serde_json::Value::Object(map) => {
                for (key, v) in map {
                    pieces.push(key);
                    strings(v, pieces);
                }
            }
            _ => {}
        }
    }
    let mut pieces: Vec<&str> = Vec::new();
    for f in findings {
        pieces.push(&f.account_id);
        pieces.extend(f.region.as_deref());
        pieces.push(&f.resource.id);
        for (key, value) in &f.evidence {
            pieces.push(key);
            strings(value, &mut pieces);
        }
    }
    fence_for(pieces.into_iter().filter(|p| p.contains('`')))
}

/// A list of findings that templates iterate over. Each finding becomes a
/// template value only when the template reaches it, so rendering 500,000
/// findings never holds them all as template values at once.
#[derive(Debug, Default)]
struct FindingList(Vec<Arc<Finding>>);

impl minijinja::value::Object for FindingList {
    fn repr(self: &Arc<Self>) -> minijinja::value::ObjectRepr {
        minijinja::value::ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        let finding = self.0.get(key.as_usize()?)?;
        Some(minijinja::Value::from_object(FindingValue(Arc::clone(
            finding,
        ))))
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Seq(self.0.len())
    }
}

impl Serialize for FindingList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Inside minijinja's serializer this hands over the shared object,
        // not a copy of every finding.
        minijinja::Value::from_object(FindingList(self.0.clone())).serialize(serializer)
    }
}

/// A finding as the templates see it: the map its serde form gives
/// (fields in declaration order, as minijinja converts a struct), each
/// field converted when it is read. A table row that shows four fields
/// no longer converts the evidence, and a list shown twice converts
/// nothing twice.
#[derive(Debug)]
struct FindingValue(Arc<Finding>);

/// [`Finding`]'s fields in declaration order (a test compares them with
/// its serde form).
const FINDING_FIELDS: &[&str] = &[
    "check_id",
    "title",
    "severity",
    "status",
    "account_id",
    "region",
    "resource",
    "message",
    "evidence",
    "remediation",
    "controls",
    "waiver",
];

impl minijinja::value::Object for FindingValue {
    fn get_value(self: &Arc<Self>, key: &minijinja::Value) -> Option<minijinja::Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<minijinja::Value> {
        use minijinja::value::Serde;
        use minijinja::Value;
        let f = &self.0;
        Some(match key {
            // Shared strings are shared, not copied through serde.
            "check_id" => Value::from(&f.check_id),
            "title" => Value::from(&f.title),
            "severity" => Value::from(&f.severity),
            "status" => Value::from(Serde(&f.status)),
            "account_id" => Value::from(&f.account_id),
            "region" => f.region.as_ref().map_or(Value::from(()), Value::from),
            "resource" => Value::from(Serde(&f.resource)),
            "message" => Value::from(f.message.as_str()),
            "evidence" => Value::from(Serde(&f.evidence)),
            "remediation" => Value::from(&f.remediation),
            "controls" => Value::from(Serde(&f.controls)),
            "waiver" => Value::from(Serde(&f.waiver)),
            _ => return None,
        })
    }

    fn enumerate(self: &Arc<Self>) -> minijinja::value::Enumerator {
        minijinja::value::Enumerator::Str(FINDING_FIELDS)
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(FINDING_FIELDS.len())
    }
}

/// The finding's region, or `global` (the label of no region) when it
/// has none or an empty one: what `default(t("global"), true)` and
/// `or t("global")` gave in the templates.
fn region_or<'a>(f: &'a Finding, global: &'a str) -> &'a str {
    match f.region.as_deref() {
        Some(region) if !region.is_empty() => region,
        _ => global,
    }
}

/// The labels the row filters print, made once per renderer: what the
/// `status_label`, `severity_label` and `state_label` filters and
/// `t("global")` give.
struct RowLabels {
    status: std::collections::HashMap<String, String>,
    severity: std::collections::HashMap<String, String>,
    state: std::collections::HashMap<String, String>,
    global: String,
}

impl RowLabels {
    fn new(texts: &Texts) -> Self {
        RowLabels {
            status: texts.labels("status-"),
            severity: texts.labels("severity-"),
            state: texts.labels("state-"),
            global: texts.get("global"),
        }
    }

    fn status<'a>(&'a self, value: &'a str) -> &'a str {
        self.status.get(value).map_or(value, String::as_str)
    }

    fn severity<'a>(&'a self, value: &'a str) -> &'a str {
        self.severity.get(value).map_or(value, String::as_str)
    }

    /// The label of a state read from the model, as a template string.
    fn state(&self, value: &minijinja::Value) -> minijinja::Value {
        let text = value.to_string();
        match self.state.get(&text) {
            Some(label) => minijinja::Value::from(label.as_str()),
            None => minijinja::Value::from(text),
        }
    }
}

/// Appends `text` as the HTML formatter prints a string: made visible,
/// then HTML-escaped.
fn push_html(out: &mut String, text: &str) {
    let _ = write!(out, "{}", minijinja::HtmlEscape(&visible(text)));
}

/// Appends a model value as the HTML formatter prints it: a string as
/// [`push_html`] does, anything else (a number) by its text, escaped.
fn push_html_value(out: &mut String, value: &minijinja::Value) {
    match value.as_str() {
        Some(text) => push_html(out, text),
        None => {
            let _ = write!(out, "{}", minijinja::HtmlEscape(&value.to_string()));
        }
    }
}

/// Writes `value` as a Markdown template prints an expression: a safe
/// value or a number as it is, anything else escaped
/// ([`text::markdown_escaped`]).
fn write_md(out: &mut impl std::fmt::Write, value: &minijinja::Value) -> std::fmt::Result {
    if value.is_safe() || value.kind() == minijinja::value::ValueKind::Number {
        // Digits, signs and points need no escaping.
        write!(out, "{value}")
    } else if let Some(text) = value.as_str() {
        out.write_str(&text::markdown_escaped(text))
    } else {
        out.write_str(&text::markdown_escaped(&value.to_string()))
    }
}

/// Appends a model value as the Markdown formatter prints it
/// ([`write_md`]).
fn push_md(out: &mut String, value: &minijinja::Value) {
    let _ = write_md(out, value);
}

/// The control rows a template passed to `filter` (`fw.controls`).
fn controls_of(
    value: &minijinja::Value,
    filter: &str,
) -> Result<minijinja::value::ValueIter, minijinja::Error> {
    if value.kind() != minijinja::value::ValueKind::Seq {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!(
                "`{filter}` applies to the controls of a framework, not to {}",
                value.kind()
            ),
        ));
    }
    value.try_iter()
}

/// The findings a template passed to `filter` (a list of the model).
fn findings_of<'v>(
    value: &'v minijinja::Value,
    filter: &str,
) -> Result<&'v [Arc<Finding>], minijinja::Error> {
    value
        .downcast_object_ref::<FindingList>()
        .map(|list| list.0.as_slice())
        .ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!(
                    "`{filter}` applies to a list of findings, not to {}",
                    value.kind()
                ),
            )
        })
}

/// One JSON line of a finding's account, region, resource and evidence,
/// as `json_line` prints the same fields read from the template.
fn evidence_line(f: &Finding) -> String {
    /// In the order tojson prints a map: by key as shown.
    struct Record<'a>(&'a Finding);
    impl serde::Serialize for Record<'_> {
        fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let f = self.0;
            let mut map = serializer.serialize_map(Some(4))?;
            map.serialize_entry("account", &visible(&f.account_id))?;
            map.serialize_entry("evidence", &Evidence(&f.evidence, true))?;
            map.serialize_entry("region", &f.region.as_deref().map(visible))?;
            map.serialize_entry("resource", &visible(&f.resource.id))?;
            map.end()
        }
    }
    text::json_line(&Record(f))
}

/// A finding's evidence as `tojson_pretty` prints it read from the
/// template.
fn evidence_pretty(f: &Finding) -> String {
    serde_json::to_string_pretty(&Evidence(&f.evidence, false)).unwrap_or_default()
}

/// Evidence serialized as [`evidence_json`] makes it, without making it
/// ([`text::Shown`]); the map is by shown key when `.1`.
struct Evidence<'a>(&'a BTreeMap<String, serde_json::Value>, bool);

impl serde::Serialize for Evidence<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries = self.0.iter().map(|(k, v)| (k.as_str(), v));
        text::serialize_shown_map(serializer, entries, self.1)
    }
}

/// The finding a template passed to `filter`.
fn finding_of<'v>(
    value: &'v minijinja::Value,
    filter: &str,
) -> Result<&'v Finding, minijinja::Error> {
    value
        .downcast_object_ref::<FindingValue>()
        .map(|f| &*f.0)
        .ok_or_else(|| {
            minijinja::Error::new(
                minijinja::ErrorKind::InvalidOperation,
                format!("`{filter}` applies to a finding, not to {}", value.kind()),
            )
        })
}

/// A finding's evidence as it reads after a round trip through template
/// values, every string made visible ([`text::visible_json_sorted`]; the
/// evidence map itself is already in key order), every map sorted again by
/// its keys as shown when `by_shown_key` ([`text::visible_json_shown_order`]).
#[cfg(test)]
fn evidence_json(
    evidence: &BTreeMap<String, serde_json::Value>,
    by_shown_key: bool,
) -> serde_json::Value {
    let value = match by_shown_key {
        true => text::visible_json_shown_order,
        false => text::visible_json_sorted,
    };
    let mut shown: serde_json::Map<String, serde_json::Value> = evidence
        .iter()
        .map(|(k, v)| (visible(k).into_owned(), value(v)))
        .collect();
    if by_shown_key {
        shown.sort_keys();
    }
    serde_json::Value::Object(shown)
}

/// Everything the templates see.
#[derive(Serialize)]
struct ReportModel<'a> {
    scan: &'a crate::result::ScanInfo,
    summary: &'a crate::result::Summary,
    collection_errors: &'a [crate::model::CollectionError],
    timestamps: bool,
    checks: Vec<CheckInfo<'a>>,
    frameworks: Vec<FrameworkView<'a>>,
    failure_groups: Vec<FailureGroup<'a>>,
    failure_count: usize,
    /// ERROR findings: all, or on a split summary page the first
    /// `max_listed_findings` (every one is on its account's page).
    errors: FindingList,
    error_count: usize,
    accounts: Vec<AccountRow<'a>>,
    /// Every finding, when there are at most `max_listed_findings`.
    listed: FindingList,
    finding_count: usize,
    total: u64,
    passed: u64,
    /// WAIVED findings, with their waivers (capped like `errors`).
    waived: FindingList,
    waived_count: usize,
    /// The waivers file's entries and their state.
    waivers: &'a [crate::result::WaiverUse],
    /// Changes since the baseline, section by section, and as Markdown.
    changes: Option<&'a Changes>,
    change_sections: Vec<ChangeSection<'a>>,
    changes_md: Option<String>,
    split_accounts: bool,
    account_page: bool,
    /// The language of the report (`<html lang>`).
    lang: String,
}

/// The parts of a result the report shows besides its findings.
pub(crate) struct ResultParts<'a> {
    pub scan: &'a crate::result::ScanInfo,
    pub summary: &'a crate::result::Summary,
    pub errors: &'a [crate::model::CollectionError],
    pub waivers: &'a [crate::result::WaiverUse],
    pub changes: Option<&'a Changes>,
}

impl<'a> ResultParts<'a> {
    fn of(result: &'a ScanResult) -> Self {
        ResultParts {
            scan: &result.scan,
            summary: &result.summary,
            errors: &result.errors,
            waivers: &result.waivers,
            changes: result.changes.as_ref(),
        }
    }
}

impl<'a> ReportModel<'a> {
    fn new(
        result: &'a ScanResult,
        catalogue: &'a Catalogue,
        options: &RenderOptions,
        texts: &Texts,
    ) -> Self {
        let mut tally = tally::Tally::new(
            catalogue,
            &result.scan.accounts,
            options.max_listed_findings,
            // A split summary page does not list the failures (the
            // account pages do), as a streamed scan does not keep them.
            !options.split_accounts,
            options.split_accounts,
        );
        for finding in &result.findings {
            tally.add(finding);
        }
        tally.finish();
        ReportModel::from_tally(ResultParts::of(result), &tally, catalogue, options, texts)
    }

    /// The model of a result whose findings went through `tally` (and
    /// [`tally::Tally::finish`]).
    fn from_tally(
        parts: ResultParts<'a>,
        tally: &tally::Tally,
        catalogue: &'a Catalogue,
        options: &RenderOptions,
        texts: &Texts,
    ) -> Self {
        let check_index: BTreeMap<&str, usize> = catalogue
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.as_str(), i))
            .collect();
        let check_counts = &tally.check_counts;
        let checks: Vec<CheckInfo<'a>> = catalogue
            .checks
            .iter()
            .zip(check_counts)
            .map(|(c, counts)| CheckInfo {
                id: &c.id,
                title: &c.title,
                severity: c.severity.as_str(),
                description: &c.description,
                rationale: &c.rationale,
                remediation: &c.remediation,
                references: &c.references,
                controls: &c.frameworks,
                counts: *counts,
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
                        let mut counts = Counts::default();
                        for id in &mapped {
                            if let Some(&i) = check_index.get(id) {
                                counts.merge(&check_counts[i]);
                            }
                        }
                        ControlRow {
                            id: &control.id,
                            title: &control.title,
                            group: control.group.as_deref(),
                            state: counts.control_state(!mapped.is_empty()),
                            checks: mapped,
                            pass: counts.pass + counts.waived,
                            fail: counts.fail,
                            error: counts.error,
                            skip: counts.skip,
                        }
                    })
                    .collect();
                FrameworkView {
                    id: &framework.id,
                    title: &framework.title,
                    version: &framework.version,
                    controls,
                    summary: parts.summary.by_framework.get(&framework.id),
                }
            })
            .collect();
        // Failures grouped by check, most severe first, then by check id;
        // inside a group in the findings' stable key order.
        let mut failure_groups: Vec<FailureGroup<'a>> = checks
            .iter()
            .zip(&tally.failures)
            .filter(|(_, failures)| failures.count > 0)
            .map(|(check, failures)| FailureGroup {
                check: check.clone(),
                count: failures.count,
                accounts: failures
                    .accounts
                    .iter()
                    .map(|(a, n)| (a.clone(), *n))
                    .collect(),
                unpaged: FindingList(failures.unpaged.clone()),
                fixes: failures.fixes.clone(),
                more_fixes: failures.more_fixes.len(),
                evidence_fence: evidence_fence(&failures.findings),
                findings: FindingList(failures.findings.clone()),
            })
            .collect();
        let severity_rank = |s: &str| {
            s.parse::<crate::checks::Severity>()
                .map(|s| s as u8)
                .unwrap_or(9)
        };
        failure_groups.sort_by(|a, b| {
            severity_rank(a.check.severity)
                .cmp(&severity_rank(b.check.severity))
                .then(a.check.id.cmp(b.check.id))
        });
        let accounts = parts
            .scan
            .accounts
            .iter()
            .zip(&tally.account_counts)
            .zip(&tally.cells)
            .map(|((id, counts), cells)| AccountRow {
                id,
                counts: *counts,
                cells: cells.clone(),
            })
            .collect();
        ReportModel {
            scan: parts.scan,
            summary: parts.summary,
            collection_errors: parts.errors,
            timestamps: options.timestamps,
            checks,
            frameworks,
            failure_count: failure_groups.iter().map(|g| g.count).sum(),
            failure_groups,
            errors: FindingList(tally.errors.clone()),
            error_count: tally.error_count,
            accounts,
            listed: FindingList(tally.listed.clone()),
            finding_count: tally.finding_count,
            total: tally.assessed,
            passed: tally.passed,
            waived: FindingList(tally.waived.clone()),
            waived_count: tally.waived_count,
            waivers: parts.waivers,
            changes: parts.changes,
            change_sections: parts
                .changes
                .map(|c| sections(c, texts).into_iter().collect())
                .unwrap_or_default(),
            changes_md: parts.changes.map(|c| changes_markdown(c, texts)),
            lang: texts.lang().to_owned(),
            split_accounts: options.split_accounts,
            account_page: options.account_page,
        }
    }
}

impl Counts {
    fn control_state(&self, has_checks: bool) -> ControlState {
        let statuses = [
            (Status::Pass, self.pass),
            (Status::Fail, self.fail),
            (Status::Error, self.error),
            (Status::Skip, self.skip),
            (Status::Waived, self.waived),
        ];
        ControlState::from_statuses(
            statuses
                .into_iter()
                .filter(|(_, n)| *n > 0)
                .map(|(status, _)| status),
            has_checks,
        )
    }
}

/// The changes since a baseline as GitHub-flavoured Markdown, for a
/// pull-request comment and the Markdown report; deterministic.
pub fn changes_markdown(changes: &Changes, texts: &Texts) -> String {
    let mut out = format!("## {}\n\n", markdown_escape(&texts.get("changes-title")));
    let summary = texts.format(
        "changes-summary",
        &[
            ("baseline", changes.baseline.as_str().into()),
            ("new", changes.new_failures.len().into()),
            ("resolved", changes.resolved.len().into()),
            ("still", changes.still_failing.len().into()),
            ("gone", changes.not_assessed.len().into()),
        ],
    );
    let _ = writeln!(out, "{}\n", markdown_escape(&summary));
    let header: Vec<String> = [
        "column-severity",
        "column-check",
        "column-account",
        "column-region",
        "column-resource",
        "column-now",
    ]
    .iter()
    .map(|id| markdown_escape(&texts.get(id)))
    .collect();
    for section in sections(changes, texts) {
        if section.entries.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "### {} ({})\n",
            markdown_escape(&section.title),
            section.entries.len()
        );
        let _ = writeln!(out, "| {} |", header.join(" | "));
        out.push_str("|---|---|---|---|---|---|\n");
        // Every field may come from a baseline file the user supplied.
        for entry in section.entries {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                markdown_escape(&texts.label("severity-", &entry.severity)),
                markdown_code(&entry.check_id),
                markdown_escape(&entry.account_id),
                markdown_escape(
                    &entry
                        .region
                        .as_deref()
                        .map(str::to_owned)
                        .unwrap_or_else(|| texts.get("global"))
                ),
                markdown_escape(&entry.resource),
                markdown_escape(&section.now(entry, texts))
            );
        }
        out.push('\n');
    }
    out
}

/// One list of a [`Changes`], titled, for templates and Markdown.
#[derive(Serialize)]
pub struct ChangeSection<'a> {
    pub title: String,
    /// What the "Now" column says of a finding no longer reported.
    pub gone: String,
    pub entries: &'a [ChangeEntry],
}

impl ChangeSection<'_> {
    /// The "Now" column: the message, prefixed by the status unless FAIL.
    pub fn now(&self, entry: &ChangeEntry, texts: &Texts) -> String {
        match entry.after {
            Some(Status::Fail) => entry.message.clone(),
            Some(status) => {
                let label = texts.get(&format!("status-{}", status.as_str()));
                // A message that already opens with its status ("評価不能:
                // ...") is not labelled twice.
                if entry.message.starts_with(&label) {
                    entry.message.clone()
                } else {
                    format!("{label}: {}", entry.message)
                }
            }
            None => self.gone.clone(),
        }
    }
}

/// The lists of `changes` in the order reports show them.
fn sections<'a>(changes: &'a Changes, texts: &Texts) -> [ChangeSection<'a>; 4] {
    let section = |title: &str, gone: Option<&str>, entries| ChangeSection {
        title: texts.get(title),
        gone: gone.map(|g| texts.get(g)).unwrap_or_default(),
        entries,
    };
    [
        section("changes-new-failures", None, &changes.new_failures),
        section(
            "changes-resolved",
            Some("changes-gone-resolved"),
            &changes.resolved,
        ),
        section(
            "changes-not-assessed",
            Some("changes-gone-not-assessed"),
            &changes.not_assessed,
        ),
        section("changes-still-failing", None, &changes.still_failing),
    ]
}

/// The template function `t(id, name=value, ...)` and the label filters,
/// all reading `texts`.
fn add_texts(env: &mut minijinja::Environment<'static>, texts: &Arc<Texts>) {
    use minijinja::value::{Kwargs, Value};
    let shared = texts.clone();
    env.add_function(
        "t",
        move |id: String, kwargs: Kwargs| -> Result<String, minijinja::Error> {
            let mut args = Vec::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                let arg = match value.as_i64() {
                    Some(n) if value.kind() == minijinja::value::ValueKind::Number => {
                        crate::i18n::Arg::Number(n as f64)
                    }
                    _ => crate::i18n::Arg::Text(value.to_string()),
                };
                args.push((name, arg));
            }
            Ok(shared.format(&id, &args))
        },
    );
    for (filter, prefix) in [
        ("status_label", "status-"),
        ("severity_label", "severity-"),
        ("state_label", "state-"),
        ("waiver_state_label", "waiver-state-"),
    ] {
        let labels = texts.labels(prefix);
        env.add_filter(filter, move |value: String| -> String {
            match labels.get(&value) {
                Some(label) => label.clone(),
                None => value,
            }
        });
    }
    let shared = texts.clone();
    env.add_filter("date", move |value: Value| -> Value {
        match value.as_str() {
            Some(text) => Value::from(crate::i18n::date_time(shared.lang(), text)),
            None => value,
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use minijinja::value::{Object, Serde};
    use minijinja::Value;

    /// The lazy finding gives the templates exactly what converting the
    /// whole finding gave: the same keys in the same order, the same
    /// value under each (a field added to `Finding` fails here until
    /// `FINDING_FIELDS` has it).
    #[test]
    fn a_finding_reads_in_a_template_as_its_serde_form() {
        let finding = Finding {
            check_id: "cloudtrail-enabled".into(),
            title: "A trail".into(),
            severity: "high".into(),
            status: crate::result::Status::Fail,
            account_id: "123456789012".into(),
            region: Some("eu-west-1".into()),
            resource: crate::result::Resource {
                resource_type: "AWS::CloudTrail::Trail".into(),
                id: "arn:aws:cloudtrail:eu-west-1:123456789012:trail/t".into(),
            },
            message: "<b>not</b> logging".into(),
            evidence: [(
                "is_logging".to_owned(),
                serde_json::json!({"a": [1, 2.5, null]}),
            )]
            .into_iter()
            .collect(),
            remediation: "Turn it on".into(),
            controls: Arc::new(
                [("cis".to_owned(), vec!["3.1".to_owned()])]
                    .into_iter()
                    .collect(),
            ),
            waiver: Some(crate::result::Waiver {
                reason: "r".into(),
                owner: "o".into(),
                expires: "2027-01-01".into(),
            }),
        };
        let unset = Finding {
            region: None,
            waiver: None,
            ..finding.clone()
        };
        // The fence of a finding's evidence line is the one its JSON
        // text needs, backticks in keys, nested values and ids included.
        let mut ticked = finding.clone();
        ticked.resource.id = "a``b".into();
        ticked.evidence.insert(
            "k````".into(),
            serde_json::json!({"x": ["`", {"y`````z": "````"}], "n": 1}),
        );
        for (findings, fence) in [
            (vec![Arc::new(finding.clone())], "```"),
            (vec![Arc::new(finding.clone()), Arc::new(ticked)], "``````"),
        ] {
            let texts: Vec<String> = findings
                .iter()
                .map(|f| {
                    serde_json::to_string(&(&f.account_id, &f.region, &f.resource.id, &f.evidence))
                        .expect("json")
                })
                .collect();
            assert_eq!(fence_for(texts.iter().map(String::as_str)), fence);
            assert_eq!(evidence_fence(&findings), fence);
        }
        for finding in [finding, unset] {
            let whole = Value::from(Serde(&finding));
            let lazy = Arc::new(FindingValue(Arc::new(finding)));
            let keys: Vec<Value> = whole.try_iter().expect("a map").collect();
            let lazy_keys: Vec<Value> = Value::from_dyn_object(lazy.clone())
                .try_iter()
                .expect("a map")
                .collect();
            assert_eq!(keys, lazy_keys);
            for key in &keys {
                assert_eq!(whole.get_item(key).ok(), lazy.get_value(key), "{key}");
            }
            assert_eq!(lazy.get_value_by_str("nothing"), None);
        }
    }

    /// Evidence is printed straight from the finding as it was printed
    /// from the value made for it ([`evidence_json`]), also where keys are
    /// shown alike: long keys cut to the same text, at every depth. (The
    /// template filters cut a whole value that long, so the test above
    /// cannot see this.)
    #[test]
    fn evidence_is_printed_as_the_value_made_for_it_would_print() {
        let (x, y) = (
            "K".repeat(2048) + &"X".repeat(3000),
            "K".repeat(2048) + &"Y".repeat(3000),
        );
        let mut evidence = BTreeMap::new();
        evidence.insert(y.clone(), serde_json::json!("y"));
        evidence.insert(x.clone(), serde_json::json!("x"));
        evidence.insert("a\u{1}".into(), serde_json::json!(1));
        evidence.insert("a\u{27E8}U+0001\u{27E9}".into(), serde_json::json!(2));
        evidence.insert("a!".into(), serde_json::json!(3));
        evidence.insert(
            "n".into(),
            serde_json::json!({y.clone(): 1, x.clone(): 2, "z": [{x.clone(): 3, "a\u{1}": 4, y: 5}], "b\u{202E}": "\u{1b}[31m"}),
        );
        for by_shown_key in [true, false] {
            let made = evidence_json(&evidence, by_shown_key);
            let direct = Evidence(&evidence, by_shown_key);
            assert_eq!(text::json_line(&direct), text::json_line(&made));
            assert_eq!(
                serde_json::to_string_pretty(&direct).expect("json"),
                serde_json::to_string_pretty(&made).expect("json")
            );
        }
        assert!(text::json_line(&Evidence(&evidence, true)).contains("more characters"));
    }

    /// `evidence_line` and `evidence_pretty` print what the generic
    /// filters print for the same fields read from the template: maps
    /// sorted at every depth (also those kept in insertion order), every
    /// key and string made visible, numbers as they were.
    #[test]
    fn the_evidence_filters_print_what_the_generic_filters_print() {
        // Japanese labels, so that a label written in English shows.
        let renderer = Renderer::new(None, Arc::new(crate::i18n::Texts::load("ja").expect("ja")))
            .expect("renderer");
        let mut env = renderer.env.clone();
        env.add_template(
            "t.md.j2",
            concat!(
                r#"{{ {"account": f.account_id, "region": f.region, "resource": f.resource.id, "evidence": f.evidence} | json_line }}"#,
                "\n",
                "{{ f | evidence_line }}\n",
            ),
        )
        .expect("template");
        env.add_template(
            "t.html.j2",
            "{{ f.evidence | tojson_pretty }}\n{{ f | evidence_pretty }}\n",
        )
        .expect("template");
        let mut evidence = serde_json::Map::new();
        evidence.insert(
            "z\u{202E}key".into(),
            serde_json::json!({"zeta": 1, "alpha": [-3, 2.5, 1e300, 18446744073709551615u64], "mid": {"y": null, "b\u{1b}": "x\u{200F}<&>'", "a\u{1}": 1, "a!": 2}}),
        );
        evidence.insert("a".into(), serde_json::json!("A".repeat(5000)));
        // Shown, a control character sorts after `!`; as it is, before.
        evidence.insert("a\u{1}".into(), serde_json::json!(1));
        evidence.insert("a!".into(), serde_json::json!(2));
        evidence.insert("m".into(), serde_json::json!([{"q": true, "p": false}]));
        // Keys shown alike: a control character and its written form, at
        // the top and nested (long keys cut alike: the next test).
        evidence.insert(
            "a\u{27E8}U+0001\u{27E9}".into(),
            serde_json::json!("written"),
        );
        evidence.insert(
            "n".into(),
            serde_json::json!({"b\u{1}": 1, "b\u{27E8}U+0001\u{27E9}": 2, "c": [{"d\u{1}": 5, "d\u{27E8}U+0001\u{27E9}": 6}]}),
        );
        let finding = Finding {
            check_id: "c".into(),
            title: "t".into(),
            severity: "low".into(),
            status: crate::result::Status::Fail,
            account_id: "012345678901".into(),
            region: None,
            resource: crate::result::Resource {
                resource_type: "AWS::S3::Bucket".into(),
                id: "b`<x>\u{202E}".into(),
            },
            message: "m".into(),
            evidence: evidence.into_iter().collect(),
            remediation: "r".into(),
            controls: Arc::new(BTreeMap::new()),
            waiver: None,
        };
        let mut in_region = finding.clone();
        in_region.region = Some("eu-west-1".into());
        let (plain_finding, in_region_finding) = (finding.clone(), in_region.clone());
        for finding in [finding, in_region] {
            let f = Value::from_object(FindingValue(Arc::new(finding)));
            for name in ["t.md.j2", "t.html.j2"] {
                let text = env
                    .get_template(name)
                    .and_then(|t| t.render(minijinja::context! { f => f.clone() }))
                    .expect("renders");
                let lines: Vec<&str> = text.split('\n').collect();
                let half = lines.len() / 2;
                assert_eq!(lines[..half], lines[half..2 * half], "{name}: {text}");
                assert!(text.contains("U+202E"), "{text}");
            }
        }
        let error = env
            .render_str("{{ 1 | evidence_line }}", minijinja::context! {})
            .expect_err("not a finding");
        assert!(
            error.to_string().contains("applies to a finding"),
            "{error}"
        );

        // The row filters write what the bundled templates' loops wrote.
        env.add_template(
            "rows.md.j2",
            concat!(
                "{% for f in g.findings %}\n",
                r#"| {{ f.account_id }} | {{ f.region | default(t("global"), true) }} | {{ f.resource.id | md }} | {{ f.message | md }} |"#,
                "\n{% endfor %}\n",
                "{% for f in g.findings %}\n{{ f | evidence_line }}\n{% endfor %}\n",
                "{{ g.findings | failure_rows_md }}\n",
                "{{ g.findings | evidence_lines_md }}\n",
            ),
        )
        .expect("template");
        env.add_template(
            "rows.html.j2",
            concat!(
                r#"  {% for f in g.findings %}<tr><td>{{ f.account_id }}</td><td>{{ f.region or t("global") }}</td><td><code>{{ f.resource.id }}</code></td><td>{{ f.message }}</td><td><details><summary>{{ t("html-show") }}</summary><pre>{{ f | evidence_pretty }}</pre></details></td></tr>"#,
                "\n  {% endfor %}\n",
                "{{ g.findings | failure_rows_html }}\n",
            ),
        )
        .expect("template");
        let mut empty_region = in_region_finding.clone();
        empty_region.region = Some("".into());
        let mut hostile = in_region_finding.clone();
        hostile.account_id = "1|2<3>&'/\"".into();
        hostile.region = Some("eu-*west*\u{202E}".into());
        hostile.message = "a\nb | `c` <img src=x onerror=alert(1)> $x$ \u{1b}[31m".into();
        let list = FindingList(
            [plain_finding, in_region_finding, empty_region, hostile]
                .into_iter()
                .map(Arc::new)
                .collect(),
        );
        let g = minijinja::context! { findings => Value::from_object(list) };
        for name in ["rows.md.j2", "rows.html.j2"] {
            let text = env
                .get_template(name)
                .and_then(|t| t.render(minijinja::context! { g => g.clone() }))
                .expect("renders");
            let lines: Vec<&str> = text.split('\n').collect();
            let half = lines.len() / 2;
            assert_eq!(lines[..half], lines[half..2 * half], "{name}: {text}");
            assert!(half >= 4, "{name}: {text}");
        }
        let error = env
            .render_str("{{ 1 | failure_rows_md }}", minijinja::context! {})
            .expect_err("not findings");
        assert!(error.to_string().contains("a list of findings"), "{error}");
    }

    /// The row filters of the "all findings" table and the control
    /// matrix print what the bundled templates' loops printed, on hostile
    /// text, every status, an unknown severity and state, no region and an
    /// empty region, and an empty list.
    #[test]
    fn the_row_filters_print_what_the_template_loops_printed() {
        let renderer = Renderer::new(None, Arc::new(crate::i18n::Texts::load("ja").expect("ja")))
            .expect("renderer");
        let mut env = renderer.env.clone();
        env.add_template(
            "listed.html.j2",
            concat!(
                "<tbody>\n",
                r#"{% for f in listed %}<tr><td><span class="badge {{ f.status }}">{{ f.status | status_label }}</span></td><td>{{ f.severity | severity_label }}</td><td><code>{{ f.check_id }}</code></td><td>{{ f.account_id }}</td><td>{{ f.region or t("global") }}</td><td><code>{{ f.resource.id }}</code></td><td>{{ f.message }}</td></tr>"#,
                "\n{% endfor %}\n</tbody>\n",
                "===\n<tbody>\n{{ listed | finding_rows_html }}</tbody>\n===\n.\n",
            ),
        )
        .expect("template");
        env.add_template(
            "controls.md.j2",
            concat!(
                "|---|\n{% for c in controls %}\n",
                "| {{ c.id | md }} | {{ c.title | md }} | {{ c.state | state_label }} | {% for id in c.checks %}`{{ id }}`{% if not loop.last %}, {% endif %}{% endfor %} | {{ c.pass }} | {{ c.fail }} | {{ c.error }} |\n",
                "{% endfor %}\n\n",
                "===\n|---|\n{{ controls | control_rows_md }}\n===\n.\n",
            ),
        )
        .expect("template");
        env.add_template(
            "controls.html.j2",
            concat!(
                "<tbody>\n{% for c in controls %}\n",
                r#"<tr><td>{{ c.id }}</td><td>{{ c.title }}</td><td><span class="badge {{ c.state | replace('_', '') }}">{{ c.state | state_label }}</span></td><td>{% for id in c.checks %}<code>{{ id }}</code> {% endfor %}</td><td class="num">{{ c.pass }}</td><td class="num">{{ c.fail }}</td><td class="num">{{ c.error }}</td></tr>"#,
                "\n{% endfor %}\n</tbody>\n",
                "===\n<tbody>\n{{ controls | control_rows_html }}</tbody>\n===\n.\n",
            ),
        )
        .expect("template");
        let base = Finding {
            check_id: "cloudtrail-enabled".into(),
            title: "t".into(),
            severity: "high".into(),
            status: Status::Fail,
            account_id: "111111111111".into(),
            region: None,
            resource: crate::result::Resource {
                resource_type: "AWS::CloudTrail::Trail".into(),
                id: "arn:aws:cloudtrail:us-east-1:111111111111:trail/a".into(),
            },
            message: "m".into(),
            evidence: BTreeMap::new(),
            remediation: "r".into(),
            controls: Arc::new(BTreeMap::new()),
            waiver: None,
        };
        let mut findings = Vec::new();
        for (i, status) in Status::ALL.into_iter().enumerate() {
            let mut f = base.clone();
            f.status = status;
            f.region = [None, Some(""), Some("eu-west-1")][i % 3].map(Into::into);
            findings.push(f);
        }
        let mut hostile = base.clone();
        hostile.severity = "weird<&>".into();
        hostile.check_id = "a'b/c\"d".into();
        hostile.account_id = "1|2<3>&'/\"".into();
        hostile.region = Some("eu-*west*\u{202E}".into());
        hostile.resource.id = "<script>alert(1)</script>".into();
        hostile.message = "a\nb | `c` <img src=x onerror=alert(1)> $x$ \u{1b}[31m".into();
        findings.push(hostile);
        let controls = Value::from(Serde(&[
            ControlRow {
                id: "AU-2",
                title: "Event Logging",
                group: None,
                state: ControlState::Failing,
                checks: vec!["cloudtrail-enabled", "a|b`c<d>"],
                pass: 3,
                fail: 1,
                error: 0,
                skip: 2,
            },
            ControlRow {
                id: "10.2.1*",
                title: "| <b>x</b> & \u{202E} `y` _z_",
                group: Some("g"),
                state: ControlState::NotApplicable,
                checks: vec![],
                pass: 0,
                fail: 0,
                error: 12_345_678,
                skip: 0,
            },
            ControlRow {
                id: "1.1",
                title: "t",
                group: None,
                state: ControlState::Manual,
                checks: vec!["one"],
                pass: 0,
                fail: 0,
                error: 0,
                skip: 0,
            },
        ]));
        let lists = [
            FindingList(findings.into_iter().map(Arc::new).collect()),
            FindingList(Vec::new()),
        ];
        for (list, controls) in lists
            .into_iter()
            .zip([controls, Value::from(Vec::<Value>::new())])
        {
            let empty = list.0.is_empty();
            let ctx = minijinja::context! {
                listed => Value::from_object(list),
                controls => controls,
            };
            for name in ["listed.html.j2", "controls.md.j2", "controls.html.j2"] {
                let text = env
                    .get_template(name)
                    .and_then(|t| t.render(ctx.clone()))
                    .expect("renders");
                let halves: Vec<&str> = text.split("===\n").collect();
                let [loops, filters, "."] = halves[..] else {
                    panic!("{name}: {text}")
                };
                assert_eq!(loops, filters, "{name}");
                assert!(empty || loops.lines().count() >= 4, "{name}: {text}");
            }
        }
        let error = env
            .render_str("{{ 1 | control_rows_md }}", minijinja::context! {})
            .expect_err("not controls");
        assert!(
            error.to_string().contains("controls of a framework"),
            "{error}"
        );
        let error = env
            .render_str("{{ 1 | finding_rows_html }}", minijinja::context! {})
            .expect_err("not findings");
        assert!(error.to_string().contains("a list of findings"), "{error}");
    }
}
