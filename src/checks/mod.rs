//! Loading and validating the declarative checks (`checks/*.yaml`) and the
//! framework catalogues (`checks/frameworks/*.yaml`).
//!
//! This module owns the check file format: which keys exist, what they mean,
//! which CEL variables each scope offers, and how problems are reported.
//! It compiles every CEL expression and message template at load time, so a
//! broken check never reaches a scan. It depends on `model` (for the list
//! of API operations a check may require), `input` and `diag` (reading
//! files with limits, located errors) and `filter_pattern` (to verify a
//! monitor's recommended pattern against its sample events); it knows nothing of how
//! checks are evaluated.

pub mod frameworks;
pub mod i18n;
pub mod monitor;

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::OPERATIONS;
pub use frameworks::{Control, Framework};
pub use monitor::{Events, Monitor, SampleEvent};
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Severity of a check, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str() == s.to_ascii_lowercase())
            .ok_or_else(|| format!("unknown severity `{s}` (critical, high, medium, low, info)"))
    }
}

/// What a check is evaluated over: the engine evaluates it once per item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// Once for the whole scan.
    Organization,
    /// Once per scanned account.
    Account,
    /// Once per scanned account and enabled region.
    Region,
    /// Once per distinct trail (in its owner account when scanned).
    Trail,
    /// Once per S3 bucket that receives trail logs, in its owner account.
    Bucket,
    /// Once per CloudWatch Logs log group.
    LogGroup,
    /// Once per GuardDuty detector.
    Detector,
    /// Once per VPC of a scanned account and region.
    Vpc,
    /// Once per CloudTrail Lake event data store, in its home region.
    EventDataStore,
}

impl Scope {
    /// Whether items of this scope belong to one scanned account and are
    /// evaluated with its batch (`engine::run_streaming`); the others
    /// (organization, trail, bucket) are evaluated once over the whole
    /// snapshot.
    pub fn is_per_account(self) -> bool {
        match self {
            Scope::Account
            | Scope::Region
            | Scope::LogGroup
            | Scope::Detector
            | Scope::Vpc
            | Scope::EventDataStore => true,
            Scope::Organization | Scope::Trail | Scope::Bucket => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Organization => "organization",
            Scope::Account => "account",
            Scope::Region => "region",
            Scope::Trail => "trail",
            Scope::Bucket => "bucket",
            Scope::LogGroup => "log_group",
            Scope::Detector => "detector",
            Scope::Vpc => "vpc",
            Scope::EventDataStore => "event_data_store",
        }
    }

    /// The CEL variables bound for an item of this scope.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Scope::Organization => &[
                "org",
                "scan",
                "params",
                "accounts",
                "guardduty_admin_detectors",
                "securityhub_admin_hubs",
            ],
            Scope::Account => &["org", "scan", "params", "account"],
            Scope::Region => &["org", "scan", "params", "account", "region"],
            Scope::Trail => &["org", "scan", "params", "account", "trail"],
            Scope::Bucket => &["org", "scan", "params", "account", "bucket"],
            Scope::LogGroup => &["org", "scan", "params", "account", "region", "log_group"],
            Scope::Detector => &["org", "scan", "params", "account", "region", "detector"],
            Scope::Vpc => &["org", "scan", "params", "account", "region", "vpc"],
            Scope::EventDataStore => &[
                "org",
                "scan",
                "params",
                "account",
                "region",
                "event_data_store",
            ],
        }
    }
}

/// A parameter value: the type of the default is the type overrides must have.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ParamValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<String>),
}

impl ParamValue {
    pub fn kind(&self) -> &'static str {
        match self {
            ParamValue::Bool(_) => "boolean",
            ParamValue::Int(_) => "integer",
            ParamValue::Float(_) => "number",
            ParamValue::Text(_) => "string",
            ParamValue::List(_) => "list of strings",
        }
    }

    /// Parses `text` as a value of the same type as `self`.
    pub fn parse_like(&self, text: &str) -> Result<ParamValue, String> {
        let wrong = || format!("`{text}` is not a {}", self.kind());
        Ok(match self {
            ParamValue::Bool(_) => ParamValue::Bool(text.parse().map_err(|_| wrong())?),
            ParamValue::Int(_) => ParamValue::Int(text.parse().map_err(|_| wrong())?),
            ParamValue::Float(_) => ParamValue::Float(text.parse().map_err(|_| wrong())?),
            ParamValue::Text(_) => ParamValue::Text(text.to_owned()),
            ParamValue::List(_) => ParamValue::List(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
            ),
        })
    }

    /// Why the value cannot be a parameter, if it cannot: every number a
    /// check takes is a count, a number of days or hours, or a severity,
    /// so it is finite and not negative.
    pub fn problem(&self) -> Option<String> {
        match self {
            ParamValue::Int(n) if *n < 0 => Some(format!("{n} is negative")),
            ParamValue::Float(x) if !x.is_finite() => Some(format!("{x} is not a finite number")),
            ParamValue::Float(x) if *x < 0.0 => Some(format!("{x} is negative")),
            _ => None,
        }
    }

    /// Whether `other` may replace `self` (same type; an integer may stand
    /// for a number).
    pub fn same_kind(&self, other: &ParamValue) -> bool {
        matches!(
            (self, other),
            (ParamValue::Bool(_), ParamValue::Bool(_))
                | (ParamValue::Int(_), ParamValue::Int(_))
                | (
                    ParamValue::Float(_),
                    ParamValue::Float(_) | ParamValue::Int(_)
                )
                | (ParamValue::Text(_), ParamValue::Text(_))
                | (ParamValue::List(_), ParamValue::List(_))
        )
    }
}

/// A compiled CEL expression with its source text.
#[derive(Clone)]
pub struct Expr {
    pub source: String,
    pub program: Arc<cel::Program>,
}

impl std::fmt::Debug for Expr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Expr").field(&self.source).finish()
    }
}

/// Message templates (minijinja) rendered over the item's variables.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Messages {
    pub pass: String,
    pub fail: String,
    /// Reason given when `applies_when` is false.
    pub skip: Option<String>,
    /// Reason given when `unknown_when` is true.
    pub unknown: Option<String>,
}

/// How to fix a failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remediation {
    pub text: String,
    #[serde(default)]
    pub cli: Option<String>,
    #[serde(default)]
    pub terraform: Option<String>,
}

/// A loaded, validated check.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    pub description: String,
    pub rationale: String,
    pub scope: Scope,
    /// IAM actions whose failure makes the check's result unknown (ERROR).
    pub requires: Vec<String>,
    pub parameters: BTreeMap<String, ParamValue>,
    pub applies_when: Option<Expr>,
    pub assert: Expr,
    pub unknown_when: Option<Expr>,
    pub messages: Messages,
    pub evidence: Vec<(String, Expr)>,
    pub remediation: Remediation,
    pub references: Vec<String>,
    /// Framework id → control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// For metric-filter alarm checks: the events the alarm must fire on.
    pub monitor: Option<Monitor>,
    /// The file the check was loaded from.
    pub path: PathBuf,
}

impl Check {
    /// Whether the check's CEL expressions or message templates may read
    /// the variable `name`, so the engine can leave out a costly variable
    /// no check reads (the organization scope's `accounts`). Errs towards
    /// yes: a template that does not parse, or calls `debug()` (which
    /// shows every variable), or takes in another template (`include`,
    /// `extends`, `import`: messages of all checks share one environment),
    /// counts as reading it.
    pub fn may_read(&self, name: &str) -> bool {
        let in_cel = self
            .applies_when
            .iter()
            .chain([&self.assert])
            .chain(self.unknown_when.iter())
            .chain(self.evidence.iter().map(|(_, e)| e))
            .any(|e| e.program.references().has_variable(name));
        if in_cel {
            return true;
        }
        let env = minijinja::Environment::new();
        [
            Some(&self.messages.pass),
            Some(&self.messages.fail),
            self.messages.skip.as_ref(),
            self.messages.unknown.as_ref(),
        ]
        .into_iter()
        .flatten()
        .any(|source| match env.template_from_str(source) {
            Ok(template) => {
                let read = template.undeclared_variables(false);
                read.contains(name)
                    || read.contains("debug")
                    || ["include", "extends", "import"]
                        .iter()
                        .any(|tag| source.contains(tag))
            }
            Err(_) => true,
        })
    }
}

/// All checks and frameworks of one load.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub checks: Vec<Check>,
    pub frameworks: BTreeMap<String, Framework>,
    /// Sample CloudTrail records (`events/*.json`) that monitors name.
    pub events: Events,
    /// Texts in other languages, by language (`i18n/<lang>/`).
    pub translations: BTreeMap<String, i18n::Translation>,
}

impl Catalogue {
    /// Each check's position in `checks`, by id.
    pub fn check_positions(&self) -> std::collections::HashMap<String, usize> {
        self.checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect()
    }

    /// Per framework, every control of its catalogue and whether a loaded
    /// check maps to it: what `ScanResult::finalize` needs to summarize.
    pub fn control_index(&self) -> BTreeMap<String, Vec<(String, bool)>> {
        self.frameworks
            .iter()
            .map(|(id, framework)| {
                let list = framework
                    .controls
                    .iter()
                    .map(|c| {
                        let covered = self.checks_for_control(id, &c.id).next().is_some();
                        (c.id.clone(), covered)
                    })
                    .collect();
                (id.clone(), list)
            })
            .collect()
    }

    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Ids of the checks that map to `control` of `framework`.
    pub fn checks_for_control<'a>(
        &'a self,
        framework: &'a str,
        control: &'a str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.checks
            .iter()
            .filter(move |c| {
                c.frameworks
                    .get(framework)
                    .is_some_and(|ids| ids.iter().any(|id| id == control))
            })
            .map(|c| c.id.as_str())
    }

    /// Keeps only the checks whose id matches one of `patterns` (globs).
    pub fn select(&mut self, patterns: &[String]) -> Result<(), String> {
        if patterns.is_empty() {
            return Ok(());
        }
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let glob = globset::Glob::new(pattern)
                .map_err(|e| format!("invalid --checks pattern `{pattern}`: {e}"))?;
            builder.add(glob);
        }
        let set = builder
            .build()
            .map_err(|e| format!("invalid --checks patterns: {e}"))?;
        self.checks.retain(|c| set.is_match(&c.id));
        if self.checks.is_empty() {
            return Err(format!("no check matches {}", patterns.join(", ")));
        }
        Ok(())
    }

    /// Keeps only the checks mapped to framework `id`.
    pub fn select_framework(&mut self, id: &str) -> Result<(), String> {
        if !self.frameworks.contains_key(id) {
            return Err(format!(
                "unknown framework `{id}` (known: {})",
                self.frameworks
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        self.checks.retain(|c| c.frameworks.contains_key(id));
        self.frameworks.retain(|k, _| k == id);
        Ok(())
    }

    /// Applies parameter overrides: check id → parameter → value.
    pub fn override_parameters(
        &mut self,
        overrides: &BTreeMap<String, BTreeMap<String, ParamValue>>,
    ) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for (check_id, values) in overrides {
            let Some(check) = self.checks.iter_mut().find(|c| &c.id == check_id) else {
                problems.push(format!("parameter override for unknown check `{check_id}`"));
                continue;
            };
            for (name, value) in values {
                match check.parameters.get(name) {
                    None => problems.push(format!(
                        "check `{check_id}` has no parameter `{name}` (it has: {})",
                        join_or_none(check.parameters.keys())
                    )),
                    Some(default) if !default.same_kind(value) => problems.push(format!(
                        "parameter `{check_id}.{name}` must be a {}, got a {}",
                        default.kind(),
                        value.kind()
                    )),
                    Some(_) if value.problem().is_some() => problems.push(format!(
                        "parameter `{check_id}.{name}`: {}",
                        value.problem().unwrap_or_default()
                    )),
                    Some(_) => {
                        check.parameters.insert(name.clone(), value.clone());
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn join_or_none<'a>(items: impl Iterator<Item = &'a String>) -> String {
    let list: Vec<&str> = items.map(String::as_str).collect();
    if list.is_empty() {
        "none".to_owned()
    } else {
        list.join(", ")
    }
}

/// One file handed to the loader: where it came from and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

/// Reads every check and framework file under `dir`.
pub fn load_dir(dir: &Path) -> Result<Catalogue, Diagnostics> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let mut dirs = vec![
        (dir.to_path_buf(), "yaml", true),
        (dir.join("frameworks"), "yaml", true),
        (dir.join("events"), "json", false),
    ];
    // Translations: i18n/<lang>/ and i18n/<lang>/frameworks/.
    if let Ok(languages) = std::fs::read_dir(dir.join("i18n")) {
        let mut languages: Vec<PathBuf> = languages
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        languages.sort();
        for lang in languages {
            dirs.push((lang.join("frameworks"), "yaml", false));
            dirs.push((lang, "yaml", false));
        }
    }
    for (sub, ext, required) in dirs {
        let entries = match std::fs::read_dir(&sub) {
            Ok(entries) => entries,
            Err(_) if !required && !sub.exists() => continue,
            Err(e) => {
                problems.push(Diagnostic::file(
                    &sub,
                    None,
                    format!("cannot read directory: {e}"),
                ));
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == ext || (ext == "yaml" && x == "yml"))
            })
            .collect();
        paths.sort();
        for path in paths {
            match crate::input::read(&path) {
                Ok(text) => files.push(SourceFile { path, text }),
                Err(problem) => problems.push(problem),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Diagnostics(problems));
    }
    load_sources(&files)
}

/// Loads checks, frameworks and sample events from in-memory files. Files
/// whose parent directory is named `frameworks` are catalogues, `.json`
/// files under `events` are sample events; the others are checks.
pub fn load_sources(files: &[SourceFile]) -> Result<Catalogue, Diagnostics> {
    let mut problems = Vec::new();
    let mut frameworks = BTreeMap::new();
    let in_dir = |f: &SourceFile, dir: &str| {
        f.path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == dir)
    };
    let mut events = Events::new();
    for file in files
        .iter()
        .filter(|f| in_dir(f, "events") && f.path.extension().is_some_and(|x| x == "json"))
    {
        match monitor::load_event(&file.path, &file.text) {
            Ok(event) => {
                events.insert(event.name.clone(), Arc::new(event));
            }
            Err(problem) => problems.push(problem),
        }
    }
    let (translation_files, files): (Vec<&SourceFile>, Vec<&SourceFile>) = files
        .iter()
        .partition(|f| i18n::language_of(&f.path).is_some());
    let (framework_files, check_files): (Vec<&SourceFile>, Vec<&SourceFile>) = files
        .into_iter()
        .filter(|f| !in_dir(f, "events"))
        .partition(|f| in_dir(f, "frameworks"));

    for file in framework_files {
        match serde_saphyr::from_str_with_options::<Framework>(
            &file.text,
            crate::input::yaml_options(&file.text),
        ) {
            Err(e) => problems.push(Diagnostic::from_yaml(&file.path, &file.text, &e)),
            Ok(framework) => {
                let stem = file_stem(&file.path);
                if framework.id != stem {
                    let (line, col) = find_key(&file.text, "id");
                    problems.push(Diagnostic::at(
                        &file.path,
                        &file.text,
                        line,
                        col,
                        None,
                        format!(
                            "framework id `{}` must equal the file name `{stem}`",
                            framework.id
                        ),
                    ));
                }
                let mut seen = BTreeSet::new();
                for control in &framework.controls {
                    if !seen.insert(control.id.clone()) {
                        let (line, col) = find_value(&file.text, &control.id);
                        problems.push(Diagnostic::at(
                            &file.path,
                            &file.text,
                            line,
                            col,
                            None,
                            format!("control `{}` is listed twice", control.id),
                        ));
                    }
                }
                frameworks.insert(framework.id.clone(), framework);
            }
        }
    }

    let mut checks: Vec<Check> = Vec::new();
    let mut ids: BTreeMap<String, PathBuf> = BTreeMap::new();
    for file in check_files {
        match compile_check(file, &frameworks, &events) {
            Ok(check) => {
                if let Some(first) = ids.get(&check.id) {
                    let (line, col) = find_key(&file.text, "id");
                    problems.push(Diagnostic::at(
                        &file.path,
                        &file.text,
                        line,
                        col,
                        Some(&check.id),
                        format!("duplicate check id, first defined in {}", first.display()),
                    ));
                } else {
                    ids.insert(check.id.clone(), file.path.clone());
                    checks.push(check);
                }
            }
            Err(mut found) => problems.append(&mut found),
        }
    }
    if problems.is_empty() {
        checks.sort_by(|a, b| a.id.cmp(&b.id));
        let mut catalogue = Catalogue {
            checks,
            frameworks,
            events,
            translations: BTreeMap::new(),
        };
        problems = i18n::load(&mut catalogue, &translation_files);
        if problems.is_empty() {
            return Ok(catalogue);
        }
    }
    Err(Diagnostics(problems))
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// What is wrong with message template `messages.<name>`, if anything: it
/// does not parse, or it exceeds its work bound without any data (a loop
/// over a range), which it would in every scan.
fn message_problem(name: &str, template: &str) -> Option<String> {
    let mut templates = minijinja::Environment::new();
    templates.set_fuel(Some(MESSAGE_FUEL));
    match templates.template_from_str(template) {
        Err(e) => Some(format!("invalid template in `messages.{name}`: {e}")),
        Ok(compiled) => match compiled.render(minijinja::context! {}) {
            Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => Some(format!(
                "`messages.{name}` does more work than a message may ({MESSAGE_FUEL} template steps): {e}"
            )),
            _ => None,
        },
    }
}

/// Position (line, column) of `key:` at the start of a line, or (1, 1).
fn find_key(text: &str, key: &str) -> (u64, u64) {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with(&format!("{key}:")) {
            let column = line.len() - trimmed.len() + 1;
            return (index as u64 + 1, column as u64);
        }
    }
    (1, 1)
}

/// Position of the first occurrence of `value` in the text, or (1, 1).
fn find_value(text: &str, value: &str) -> (u64, u64) {
    for (index, line) in text.lines().enumerate() {
        if let Some(column) = line.find(value) {
            return (index as u64 + 1, column as u64 + 1);
        }
    }
    (1, 1)
}

/// The check file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCheck {
    id: Spanned<String>,
    title: String,
    severity: Severity,
    description: String,
    rationale: String,
    scope: Scope,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
    #[serde(default)]
    parameters: BTreeMap<String, ParamValue>,
    #[serde(default)]
    applies_when: Option<Spanned<String>>,
    #[serde(rename = "assert")]
    assertion: Spanned<String>,
    #[serde(default)]
    unknown_when: Option<Spanned<String>>,
    messages: RawMessages,
    #[serde(default)]
    evidence: BTreeMap<String, Spanned<String>>,
    remediation: Remediation,
    references: Vec<String>,
    frameworks: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    monitor: Option<monitor::RawMonitor>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessages {
    pass: Spanned<String>,
    fail: Spanned<String>,
    #[serde(default)]
    skip: Option<Spanned<String>>,
    #[serde(default)]
    unknown: Option<Spanned<String>>,
}

/// Collects the problems of one check file.
struct CheckProblems<'a> {
    file: &'a SourceFile,
    id: Option<String>,
    found: Vec<Diagnostic>,
    /// Variables offered besides the scope's (`monitor`).
    extra_variables: Vec<&'static str>,
}

impl CheckProblems<'_> {
    fn at(&mut self, line: u64, column: u64, message: impl Into<String>) {
        self.found.push(Diagnostic::at(
            &self.file.path,
            &self.file.text,
            line,
            column,
            self.id.as_deref(),
            message,
        ));
    }

    fn spanned(&mut self, value: &Spanned<String>, message: impl Into<String>) {
        self.at(value.referenced.line(), value.referenced.column(), message);
    }

    /// Compiles a CEL expression and checks the variables it uses and its
    /// size: the evaluator recurses once per level of the expression tree,
    /// so a deeper tree is refused here, in `checks validate` and `scan`
    /// alike, instead of overflowing the stack during a scan.
    fn expr(
        &mut self,
        field: &str,
        value: &Spanned<String>,
        scope: Scope,
        params: &BTreeMap<String, ParamValue>,
    ) -> Option<Expr> {
        if value.value.len() > MAX_CEL_CHARS {
            self.spanned(
                value,
                format!(
                    "`{field}` is {} characters long; a CEL expression may have at most {MAX_CEL_CHARS}",
                    value.value.len()
                ),
            );
            return None;
        }
        let program = match cel::Program::compile(&value.value) {
            Ok(program) => program,
            Err(errors) => {
                for error in errors.errors {
                    let (line, column) = self.position_in(value, error.pos);
                    self.at(
                        line,
                        column,
                        format!("invalid CEL in `{field}`: {}", error.msg),
                    );
                }
                return None;
            }
        };
        let depth = cel_depth(program.expression());
        if depth > MAX_CEL_DEPTH {
            self.spanned(
                value,
                format!(
                    "`{field}` nests {depth} levels deep; at most {MAX_CEL_DEPTH} are allowed (split it, or use `all`/`exists` over a list)"
                ),
            );
            return None;
        }
        let allowed: Vec<&str> = scope
            .variables()
            .iter()
            .chain(&self.extra_variables)
            .copied()
            .collect();
        let references = program.references();
        let binders = comprehension_binders(&value.value);
        for variable in references.variables() {
            if !allowed.contains(&variable) && !binders.contains(variable) {
                let offset = find_identifier(&value.value, variable).unwrap_or(0);
                let (line, column) = self.position_in(value, offset_to_pos(&value.value, offset));
                self.at(
                    line,
                    column,
                    format!(
                        "unknown variable `{variable}` in `{field}`; scope `{}` offers: {}",
                        scope.as_str(),
                        allowed.join(", ")
                    ),
                );
            }
        }
        for (offset, name) in param_references(&value.value) {
            if !params.contains_key(&name) {
                let (line, column) = self.position_in(value, offset_to_pos(&value.value, offset));
                self.at(
                    line,
                    column,
                    format!(
                        "unknown parameter `params.{name}` in `{field}`; declared: {}",
                        join_or_none(params.keys())
                    ),
                );
            }
        }
        Some(Expr {
            source: value.value.clone(),
            program: Arc::new(program),
        })
    }

    /// Maps a (line, column) inside a YAML scalar to a file position.
    fn position_in(&self, value: &Spanned<String>, pos: (isize, isize)) -> (u64, u64) {
        let start_line = value.referenced.line();
        let start_column = value.referenced.column();
        let inner_line = pos.0.max(1) as u64;
        let inner_column = pos.1.max(1) as u64;
        let file_line_text = self
            .file
            .text
            .lines()
            .nth(start_line.saturating_sub(1) as usize)
            .unwrap_or_default();
        // Quoted scalars start at the quote; the value one column later.
        let quote = file_line_text
            .chars()
            .nth(start_column.saturating_sub(1) as usize)
            .is_some_and(|c| c == '"' || c == '\'');
        if inner_line == 1 {
            (
                start_line,
                start_column + u64::from(quote) + inner_column - 1,
            )
        } else {
            // Block scalars keep the indentation of their first line.
            (start_line + inner_line - 1, start_column + inner_column - 1)
        }
    }
}

/// Template steps (minijinja fuel) one message may take: a message of the
/// bundled checks takes a few hundred.
pub const MESSAGE_FUEL: u64 = 100_000;

/// The longest CEL expression accepted, in bytes.
pub const MAX_CEL_CHARS: usize = 16 * 1024;

/// The deepest CEL expression tree accepted. The bundled checks need 20 at
/// most; evaluation threads have stacks for many times this.
pub const MAX_CEL_DEPTH: usize = 128;

/// The depth of a compiled CEL expression tree, found without recursion
/// (a hostile tree may be deeper than the stack).
fn cel_depth(root: &cel::IdedExpr) -> usize {
    use cel::common::ast::{EntryExpr, Expr as E};
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        let children: Vec<&cel::IdedExpr> = match &node.expr {
            E::Call(call) => call
                .target
                .as_deref()
                .into_iter()
                .chain(call.args.iter())
                .collect(),
            E::Comprehension(c) => vec![
                &c.iter_range,
                &c.accu_init,
                &c.loop_cond,
                &c.loop_step,
                &c.result,
            ],
            E::List(list) => list.elements.iter().collect(),
            E::Map(map) => map
                .entries
                .iter()
                .flat_map(|e| match &e.expr {
                    EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
                    EntryExpr::StructField(f) => vec![&f.value],
                })
                .collect(),
            E::Struct(s) => s
                .entries
                .iter()
                .flat_map(|e| match &e.expr {
                    EntryExpr::MapEntry(m) => vec![&m.key, &m.value],
                    EntryExpr::StructField(f) => vec![&f.value],
                })
                .collect(),
            E::Select(select) => vec![&select.operand],
            E::Ident(_) | E::Literal(_) | E::Unspecified => Vec::new(),
        };
        stack.extend(children.into_iter().map(|c| (c, depth + 1)));
    }
    deepest
}

/// Names bound by CEL comprehension macros (`list.exists(x, ...)`).
fn comprehension_binders(source: &str) -> BTreeSet<String> {
    let mut binders = BTreeSet::new();
    for macro_name in ["exists", "all", "exists_one", "map", "filter"] {
        let needle = format!(".{macro_name}(");
        let mut rest = source;
        while let Some(index) = rest.find(&needle) {
            rest = &rest[index + needle.len()..];
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                binders.insert(name);
            }
        }
    }
    binders
}

/// `params.NAME` references with their byte offsets.
fn param_references(source: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut start = 0;
    while let Some(index) = source[start..].find("params.") {
        let at = start + index;
        let preceded_by_ident = source[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.');
        let name: String = source[at + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !preceded_by_ident && !name.is_empty() {
            found.push((at, name));
        }
        start = at + 7;
    }
    found
}

fn find_identifier(source: &str, name: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(index) = source[start..].find(name) {
        let at = start + index;
        let before = source[..at].chars().next_back();
        let after = source[at + name.len()..].chars().next();
        let is_ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !is_ident(before) && !is_ident(after) && before != Some('.') {
            return Some(at);
        }
        start = at + name.len();
    }
    None
}

/// Byte offset to 1-based (line, column) within `source`.
fn offset_to_pos(source: &str, offset: usize) -> (isize, isize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as isize, column as isize)
}

fn is_kebab_case(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn compile_check(
    file: &SourceFile,
    frameworks: &BTreeMap<String, Framework>,
    events: &Events,
) -> Result<Check, Vec<Diagnostic>> {
    let raw: RawCheck =
        serde_saphyr::from_str_with_options(&file.text, crate::input::yaml_options(&file.text))
            .map_err(|e| vec![Diagnostic::from_yaml(&file.path, &file.text, &e)])?;
    let id = raw.id.value.clone();
    let mut problems = CheckProblems {
        file,
        id: Some(id.clone()),
        found: Vec::new(),
        extra_variables: Vec::new(),
    };
    let monitor = raw.monitor.as_ref().and_then(|raw_monitor| {
        problems.extra_variables.push("monitor");
        let flow_logs = raw_monitor.source() == Some(monitor::Source::VpcFlowLogs);
        if flow_logs && raw.scope != Scope::Vpc {
            problems.at(
                find_key(&file.text, "scope").0,
                1,
                "a check with `monitor.source: vpc_flow_logs` must have `scope: vpc` (the alarm chain is judged per VPC)",
            );
        } else if !flow_logs && raw.scope != Scope::Account {
            problems.at(
                find_key(&file.text, "scope").0,
                1,
                "a check with `monitor` must have `scope: account` (the alarm chain is judged per account)",
            );
        }
        let mut found = Vec::new();
        let monitor = monitor::compile(raw_monitor, events, &mut found);
        for (value, message) in found {
            problems.spanned(&value, message);
        }
        monitor
    });
    let stem = file_stem(&file.path);
    if !is_kebab_case(&id) {
        problems.spanned(
            &raw.id,
            format!("check id `{id}` must be kebab-case (a-z, 0-9, -)"),
        );
    }
    if id != stem {
        problems.spanned(
            &raw.id,
            format!("check id `{id}` must equal the file name `{stem}`"),
        );
    }
    for action in &raw.requires {
        if !OPERATIONS.contains(&action.value.as_str()) {
            problems.spanned(
                action,
                format!("unknown IAM action `{}` in `requires`", action.value),
            );
        }
    }
    let scope = raw.scope;
    let params = &raw.parameters;
    for (name, value) in params {
        if let Some(problem) = value.problem() {
            let (line, column) = find_key(&file.text, name);
            problems.at(line, column, format!("parameter `{name}`: {problem}"));
        }
    }
    let applies_when = raw
        .applies_when
        .as_ref()
        .and_then(|v| problems.expr("applies_when", v, scope, params));
    let assert = problems.expr("assert", &raw.assertion, scope, params);
    let unknown_when = raw
        .unknown_when
        .as_ref()
        .and_then(|v| problems.expr("unknown_when", v, scope, params));
    if unknown_when.is_some() != raw.messages.unknown.is_some() {
        problems.at(
            find_key(&file.text, "messages").0,
            1,
            "`unknown_when` and `messages.unknown` go together: give both or neither",
        );
    }
    if applies_when.is_some() && raw.messages.skip.is_none() {
        problems.at(
            find_key(&file.text, "messages").0,
            1,
            "a check with `applies_when` needs `messages.skip` (the reason shown when it does not apply)",
        );
    }
    let mut evidence = Vec::new();
    for (name, value) in &raw.evidence {
        if let Some(expr) = problems.expr(&format!("evidence.{name}"), value, scope, params) {
            evidence.push((name.clone(), expr));
        }
    }
    let messages = [
        Some(("pass", &raw.messages.pass)),
        Some(("fail", &raw.messages.fail)),
        raw.messages.skip.as_ref().map(|m| ("skip", m)),
        raw.messages.unknown.as_ref().map(|m| ("unknown", m)),
    ];
    for (name, template) in messages.into_iter().flatten() {
        if let Some(problem) = message_problem(name, &template.value) {
            problems.spanned(template, problem);
        }
    }
    if raw.frameworks.is_empty() {
        problems.at(
            find_key(&file.text, "frameworks").0,
            1,
            "a check must map to at least one framework control",
        );
    }
    for (framework_id, controls) in &raw.frameworks {
        let Some(framework) = frameworks.get(framework_id) else {
            let (line, column) = find_key(&file.text, framework_id);
            problems.at(
                line,
                column,
                format!(
                    "unknown framework `{framework_id}` (known: {})",
                    join_or_none(frameworks.keys())
                ),
            );
            continue;
        };
        for control in controls {
            if framework.control(&control.value).is_none() {
                problems.spanned(
                    control,
                    format!(
                        "unknown control `{}` in framework `{framework_id}`",
                        control.value
                    ),
                );
            }
        }
    }
    if raw.references.is_empty() {
        problems.at(
            find_key(&file.text, "references").0,
            1,
            "a check must cite at least one reference for its mappings",
        );
    }
    match (assert, problems.found.is_empty()) {
        (Some(assert), true) => Ok(Check {
            id,
            title: raw.title,
            severity: raw.severity,
            description: raw.description,
            rationale: raw.rationale,
            scope,
            requires: raw.requires.into_iter().map(|r| r.value).collect(),
            parameters: raw.parameters,
            applies_when,
            assert,
            unknown_when,
            messages: Messages {
                pass: raw.messages.pass.value,
                fail: raw.messages.fail.value,
                skip: raw.messages.skip.map(|m| m.value),
                unknown: raw.messages.unknown.map(|m| m.value),
            },
            evidence,
            remediation: raw.remediation,
            references: raw.references,
            frameworks: raw
                .frameworks
                .into_iter()
                .map(|(k, v)| (k, v.into_iter().map(|c| c.value).collect()))
                .collect(),
            monitor,
            path: file.path.clone(),
        }),
        _ => Err(problems.found),
    }
}
