//! The `auditscope` command line: argument parsing, wiring and exit codes.
//!
//! Exit codes: 0 the command completed; 2 usage, configuration or input
//! errors (with file, line and column where there is one).

use anyhow::{anyhow, Context as _, Result};
use auditscope::checks::{self, Catalogue, ParamValue, Severity};
use auditscope::diag::Diagnostic;
use auditscope::engine::{self, RunInfo};
use auditscope::report::{changes_markdown, Format, RenderOptions, Renderer};
use auditscope::result::{ScanResult, Status, WaiverState};
use auditscope::{collect, embedded};
use clap::{Args, Parser, Subcommand};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "auditscope",
    version,
    about = "Is audit logging and monitoring really in place in every AWS account and region? Maps the answer to NIST 800-53, PCI DSS and CIS."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scan the live account (or with --org the organization), a mock world
    /// or saved snapshots, evaluate the checks and write reports.
    Scan(Box<ScanArgs>),
    /// List, show or validate checks.
    Checks {
        #[command(subcommand)]
        command: ChecksCommand,
    },
    /// List or show framework control catalogues.
    Frameworks {
        #[command(subcommand)]
        command: FrameworksCommand,
    },
    /// Collect the live account's facts into a snapshot file, to evaluate
    /// later with `scan --snapshot` (offline, any number of times).
    Collect {
        /// The snapshot file to write: JSON, or with --org a journal
        /// (`.jsonl`, written one account at a time).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        live: Box<LiveArgs>,
    },
    /// Combine snapshots of one organization (shards of a --shard scan, or
    /// resumed parts) into one snapshot, to evaluate with `scan --snapshot`.
    Merge {
        /// Snapshots or journals to combine; a later one wins for an account
        /// that is in several.
        #[arg(required = true, value_name = "FILE")]
        snapshots: Vec<PathBuf>,
        /// The combined snapshot (JSON).
        #[arg(long, default_value = "snapshot.json", value_name = "FILE")]
        out: PathBuf,
    },
    /// Print the least-privilege IAM policy the collector needs (JSON).
    IamPolicy,
    /// Compare two result.json files: new failures, resolved, still failing
    /// (Markdown on stdout, for a pull-request comment).
    Diff {
        /// The earlier result (the baseline).
        old: PathBuf,
        /// The later result.
        new: PathBuf,
    },
}

#[derive(Args)]
struct CatalogueArgs {
    /// Directory of check files (default: the catalogue built into the binary).
    #[arg(long, value_name = "DIR")]
    checks_dir: Option<PathBuf>,
}

#[derive(Args)]
struct ScanArgs {
    /// Mock world: a directory (world.yaml + accounts/*.yaml) or a snapshot
    /// file. Without --mock or --snapshot, the live AWS account of the
    /// current credentials is scanned.
    #[arg(long, value_name = "PATH", conflicts_with = "snapshot")]
    mock: Option<PathBuf>,
    /// A saved snapshot or journal (`auditscope collect`) to re-evaluate
    /// offline; repeat it to evaluate several as one (shards).
    #[arg(long, value_name = "FILE")]
    snapshot: Vec<PathBuf>,
    #[command(flatten)]
    live: LiveArgs,
    /// Directory to write the reports into.
    #[arg(long, default_value = "out", value_name = "DIR")]
    out: PathBuf,
    /// Formats to write: json, md, html, ocsf (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "json,md,html")]
    format: Vec<String>,
    /// Only run checks whose id matches one of these globs (e.g. 'cloudtrail-*').
    #[arg(long = "checks", value_name = "GLOB", value_delimiter = ',')]
    check_patterns: Vec<String>,
    /// Only run checks mapped to this framework, and report only it.
    #[arg(long, value_name = "ID")]
    framework: Option<String>,
    #[command(flatten)]
    catalogue: CatalogueArgs,
    /// Report templates directory (default: the templates built into the binary).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Configuration file with parameter overrides (`parameters: {check-id: {name: value}}`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override one parameter: CHECK.NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "CHECK.NAME=VALUE")]
    params: Vec<String>,
    /// Leave scan times out of result.json too (Markdown never has them unless --timestamps).
    #[arg(long)]
    deterministic: bool,
    /// Show scan times in the Markdown and HTML reports.
    #[arg(long)]
    timestamps: bool,
    /// A previous result.json: also write diff.md (new failures, resolved,
    /// still failing).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Exit 1 when a FAIL at or above this severity exists (critical, high,
    /// medium, low, info).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Count only failures that are new against --baseline (with --fail-on:
    /// new ones at or above that severity).
    #[arg(long, requires = "baseline")]
    fail_on_new: bool,
    /// Accepted risks (YAML): failing findings they match become WAIVED
    /// until the waiver expires.
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
    /// Above this many accounts, the Markdown report links to one file per
    /// account under accounts/ instead of listing every finding.
    #[arg(long, default_value_t = 25, value_name = "N")]
    split_accounts: usize,
}

/// Where and how to collect from AWS (live scans and `collect`).
#[derive(Args, Clone)]
struct LiveArgs {
    /// Named profile of the shared AWS config (SSO profiles too); default:
    /// the standard chain (environment, AWS_PROFILE, web identity, IMDS).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Regions to scan: `all` (every region enabled for the account, from
    /// account:ListRegions) or a comma-separated list.
    #[arg(long, default_value = "all", value_name = "all|LIST")]
    regions: String,
    /// Region for global calls (STS, S3 control); default: the profile's.
    #[arg(long, value_name = "REGION")]
    region: Option<String>,
    /// Regions collected at the same time (API rate limits are per region,
    /// so every commercial region at once is the default).
    #[arg(long, default_value_t = 17, value_name = "N")]
    concurrency: usize,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    org: OrgArgs,
}

/// Organization-wide scans from the management (or a delegated
/// administrator) account.
#[derive(Args, Clone)]
struct OrgArgs {
    /// Scan every active account of the AWS Organization.
    #[arg(long)]
    org: bool,
    /// Role assumed in each account but the caller's.
    #[arg(
        long,
        default_value = "auditscope-readonly",
        value_name = "NAME",
        requires = "org"
    )]
    role_name: String,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "org")]
    external_id: Option<String>,
    /// Accounts collected at the same time.
    #[arg(long, default_value_t = 8, value_name = "N", requires = "org")]
    max_accounts: usize,
    /// Only accounts under this organizational unit (or root), recursively.
    #[arg(long, value_name = "OU_ID", requires = "org")]
    ou: Option<String>,
    /// Only these accounts (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "org")]
    accounts: Vec<String>,
    /// Leave these accounts out (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "org")]
    exclude_accounts: Vec<String>,
    /// Scan only shard I of N (accounts whose id mod N is I-1); combine the
    /// shards with `auditscope merge`.
    #[arg(long, value_name = "I/N", requires = "org")]
    shard: Option<collect::aws::org::Shard>,
    /// Continue an interrupted scan from its journal instead of starting
    /// over.
    #[arg(long, requires = "org")]
    resume: bool,
    /// The journal the organization scan writes one account at a time
    /// (default: OUT/snapshot.jsonl for scan).
    #[arg(long, value_name = "FILE", requires = "org")]
    journal: Option<PathBuf>,
}

#[derive(Subcommand)]
enum ChecksCommand {
    /// One line per check: id, severity, scope, title.
    List(CatalogueArgs),
    /// Everything about one check: why, how it decides, how to fix, mappings.
    Show {
        id: String,
        #[command(flatten)]
        catalogue: CatalogueArgs,
    },
    /// Validate check and framework files; prints every problem, exits 2 if any.
    Validate {
        /// Directory of checks (default: ./checks).
        #[arg(default_value = "checks")]
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum FrameworksCommand {
    /// One line per framework.
    List(CatalogueArgs),
    /// Every control of a framework with the checks mapped to it.
    Show {
        id: String,
        #[command(flatten)]
        catalogue: CatalogueArgs,
    },
}

/// An error that ends the command with exit code 2 and a clear message.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string())
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AUDITSCOPE_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Scan(args) => scan(*args),
        Command::Checks { command } => checks_command(command),
        Command::Frameworks { command } => frameworks_command(command),
        Command::Diff { old, new } => diff_command(&old, &new),
        Command::Collect { out, live } => collect_command(out.as_deref(), &live),
        Command::Merge { snapshots, out } => merge_command(&snapshots, &out),
        Command::IamPolicy => {
            println!("{}", collect::aws::iam_policy());
            Ok(ExitCode::SUCCESS)
        }
    };
    match outcome {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("{message}");
            ExitCode::from(2)
        }
    }
}

fn load_catalogue(args: &CatalogueArgs) -> Result<Catalogue, Failure> {
    let loaded = match &args.checks_dir {
        Some(dir) => checks::load_dir(dir),
        None => checks::load_sources(&embedded::check_sources()),
    };
    loaded.map_err(|d| Failure(d.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    parameters: BTreeMap<String, BTreeMap<String, ParamValue>>,
}

/// Parameter overrides from `--config` then `--param` (the latter wins).
fn parameter_overrides(
    config: Option<&Path>,
    params: &[String],
    catalogue: &Catalogue,
) -> Result<BTreeMap<String, BTreeMap<String, ParamValue>>> {
    let mut overrides = BTreeMap::new();
    if let Some(path) = config {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file: ConfigFile = serde_saphyr::from_str(&text)
            .map_err(|e| anyhow!("{}", Diagnostic::from_yaml(path, &text, &e)))?;
        overrides = file.parameters;
    }
    for param in params {
        let (key, value) = param
            .split_once('=')
            .ok_or_else(|| anyhow!("--param `{param}`: expected CHECK.NAME=VALUE"))?;
        let (check_id, name) = key
            .rsplit_once('.')
            .ok_or_else(|| anyhow!("--param `{param}`: expected CHECK.NAME=VALUE"))?;
        let check = catalogue
            .check(check_id)
            .ok_or_else(|| anyhow!("--param `{param}`: unknown check `{check_id}`"))?;
        let default = check.parameters.get(name).ok_or_else(|| {
            anyhow!(
                "--param `{param}`: check `{check_id}` has no parameter `{name}` (it has: {})",
                check
                    .parameters
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let parsed = default
            .parse_like(value)
            .map_err(|e| anyhow!("--param `{param}`: {e}"))?;
        overrides
            .entry(check_id.to_owned())
            .or_insert_with(BTreeMap::new)
            .insert(name.to_owned(), parsed);
    }
    Ok(overrides)
}

fn now_rfc3339() -> Option<String> {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}

fn scan(args: ScanArgs) -> Result<ExitCode, Failure> {
    let formats = args
        .format
        .iter()
        .map(|f| f.parse::<Format>())
        .collect::<Result<Vec<_>, _>>()?;
    let mut catalogue = load_catalogue(&args.catalogue)?;
    // Waivers are checked against the whole catalogue, so one file serves
    // runs that select different checks.
    let waivers = match &args.waivers {
        Some(path) => {
            let ids: Vec<&str> = catalogue.checks.iter().map(|c| c.id.as_str()).collect();
            let today = time::OffsetDateTime::now_utc().date();
            Some(auditscope::waivers::Waivers::load(path, &ids, today)?)
        }
        None => None,
    };
    catalogue.select(&args.check_patterns)?;
    if let Some(framework) = &args.framework {
        catalogue.select_framework(framework)?;
    }
    let overrides = parameter_overrides(args.config.as_deref(), &args.params, &catalogue)?;
    catalogue
        .override_parameters(&overrides)
        .map_err(|problems| Failure(problems.join("\n")))?;
    let renderer = Renderer::new(args.templates.as_deref())?;
    // Read the baseline before scanning, so a bad file fails fast.
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| ScanResult::load(path).map(|old| (path, old)))
        .transpose()
        .map_err(|d| Failure(d.to_string()))?;

    let started_at = now_rfc3339();
    let phase = std::time::Instant::now();
    let (snapshot, source) = match (&args.mock, args.snapshot.as_slice()) {
        (Some(path), _) => (
            collect::mock::load(path).map_err(|d| Failure(d.to_string()))?,
            format!("mock:{}", path.display()),
        ),
        (None, [path]) => (load_snapshot(path)?, format!("snapshot:{}", path.display())),
        (None, [_, ..]) => (
            load_snapshots(&args.snapshot)?,
            format!("snapshots:{}", args.snapshot.len()),
        ),
        (None, []) if args.live.org.org => {
            let journal = args
                .live
                .org
                .journal
                .clone()
                .unwrap_or_else(|| args.out.join("snapshot.jsonl"));
            let snapshot = collect_organization(&args.live, &journal)?;
            let source = format!(
                "aws:{}",
                snapshot
                    .organization
                    .as_ref()
                    .map(|o| o.id.as_str())
                    .unwrap_or("organization")
            );
            (snapshot, source)
        }
        (None, []) => (collect_live(&args.live)?, "aws".to_owned()),
    };
    tracing::info!(
        elapsed_ms = phase.elapsed().as_millis() as u64,
        accounts = snapshot.accounts.len(),
        "loaded snapshot"
    );
    let phase = std::time::Instant::now();
    let mut result = engine::run(
        &snapshot,
        &catalogue,
        RunInfo {
            source,
            started_at,
            finished_at: None,
        },
        Some(time::OffsetDateTime::now_utc()),
    );
    tracing::info!(
        elapsed_ms = phase.elapsed().as_millis() as u64,
        findings = result.findings.len(),
        "evaluated checks"
    );
    if let Some(waivers) = &waivers {
        waivers.apply(&mut result);
        result.finalize(&catalogue.control_index());
        for waiver in &result.waivers {
            if waiver.state != WaiverState::Active {
                eprintln!(
                    "warning: waiver {} for {} in {} is {}",
                    waiver.source,
                    waiver.check_id,
                    waiver.account_id,
                    match waiver.state {
                        WaiverState::Expired => format!("expired since {}", waiver.waiver.expires),
                        _ => "unused: it matches no failing finding".to_owned(),
                    }
                );
            }
        }
    }
    let diff = baseline.map(|(path, old)| {
        let diff = auditscope::diff::compare(&old, &result);
        result.changes = Some(diff.changes(&auditscope::diff::describe_baseline(path, &old)));
        diff
    });
    result.scan.finished_at = now_rfc3339();
    if args.deterministic {
        result.scan.started_at = None;
        result.scan.finished_at = None;
    }
    std::fs::create_dir_all(&args.out)
        .map_err(|e| Failure(format!("cannot create {}: {e}", args.out.display())))?;
    let options = RenderOptions {
        timestamps: args.timestamps,
        split_above: args.split_accounts,
        ..RenderOptions::default()
    };
    // One format at a time: each streams to its file, so peak memory is the
    // result plus one row being rendered.
    for format in formats {
        let phase = std::time::Instant::now();
        let written = renderer.write(format, &args.out, &result, &catalogue, &options)?;
        tracing::info!(
            elapsed_ms = phase.elapsed().as_millis() as u64,
            files = written.len(),
            ?format,
            "rendered report"
        );
        match written.len() {
            1 => eprintln!("wrote {}", written[0].display()),
            n => eprintln!(
                "wrote {} and {} account pages under {}",
                written[0].display(),
                n - 1,
                args.out.join("accounts").display()
            ),
        }
    }
    if let (Some(diff), Some(changes)) = (&diff, &result.changes) {
        let file = args.out.join("diff.md");
        std::fs::write(&file, changes_markdown(changes))
            .map_err(|e| Failure(format!("cannot write {}: {e}", file.display())))?;
        eprintln!(
            "wrote {}: {} new failures, {} resolved, {} still failing",
            file.display(),
            diff.new_failures.len(),
            diff.resolved.len(),
            diff.still_failing.len()
        );
    }
    let by_status = &result.summary.by_status;
    eprintln!(
        "{} findings: {} PASS, {} FAIL, {} ERROR, {} SKIP, {} WAIVED across {} account(s)",
        result.findings.len(),
        by_status.get("PASS").copied().unwrap_or(0),
        by_status.get("FAIL").copied().unwrap_or(0),
        by_status.get("ERROR").copied().unwrap_or(0),
        by_status.get("SKIP").copied().unwrap_or(0),
        by_status.get("WAIVED").copied().unwrap_or(0),
        result.scan.accounts.len()
    );
    Ok(gate(&result, diff.as_ref(), args.fail_on, args.fail_on_new))
}

/// The CI gate: exit 1 when a FAIL at or above `fail_on` exists, counting
/// only failures new against the baseline with `only_new`.
fn gate(
    result: &ScanResult,
    diff: Option<&auditscope::diff::Diff>,
    fail_on: Option<Severity>,
    only_new: bool,
) -> ExitCode {
    if fail_on.is_none() && !only_new {
        return ExitCode::SUCCESS;
    }
    let threshold = fail_on.unwrap_or(Severity::Info);
    let at_or_above = |severity: &str| {
        severity
            .parse::<Severity>()
            .map_or(true, |s| s <= threshold)
    };
    let failing: Vec<&auditscope::result::Finding> = match (only_new, diff) {
        (true, Some(diff)) => diff
            .new_failures
            .iter()
            .map(|c| c.finding.as_ref())
            .filter(|f| at_or_above(&f.severity))
            .collect(),
        _ => result
            .findings
            .iter()
            .map(|f| f.as_ref())
            .filter(|f| f.status == Status::Fail && at_or_above(&f.severity))
            .collect(),
    };
    if failing.is_empty() {
        return ExitCode::SUCCESS;
    }
    eprintln!(
        "gate: {} {}failure(s) at or above {}, e.g. {} in {}: {}",
        failing.len(),
        if only_new { "new " } else { "" },
        threshold.as_str(),
        failing[0].check_id,
        failing[0].account_id,
        failing[0].message
    );
    ExitCode::from(1)
}

fn diff_command(old: &Path, new: &Path) -> Result<ExitCode, Failure> {
    let load = |path: &Path| ScanResult::load(path).map_err(|d| Failure(d.to_string()));
    let baseline = load(old)?;
    let diff = auditscope::diff::compare(&baseline, &load(new)?);
    let changes = diff.changes(&auditscope::diff::describe_baseline(old, &baseline));
    print!("{}", changes_markdown(&changes));
    Ok(ExitCode::SUCCESS)
}

fn checks_command(command: ChecksCommand) -> Result<ExitCode, Failure> {
    match command {
        ChecksCommand::List(args) => {
            let catalogue = load_catalogue(&args)?;
            for check in &catalogue.checks {
                println!(
                    "{:<40} {:<9} {:<13} {}",
                    check.id,
                    check.severity.as_str(),
                    check.scope.as_str(),
                    check.title
                );
            }
        }
        ChecksCommand::Show { id, catalogue } => {
            let catalogue = load_catalogue(&catalogue)?;
            let check = catalogue.check(&id).ok_or_else(|| {
                Failure(format!(
                    "unknown check `{id}`; see `auditscope checks list`"
                ))
            })?;
            println!(
                "{} ({}, scope {})\n",
                check.id,
                check.severity.as_str(),
                check.scope.as_str()
            );
            println!("{}\n", check.title);
            println!("What it checks\n  {}\n", check.description.trim());
            println!("Why it matters\n  {}\n", check.rationale.trim());
            println!("Passes when (CEL)\n  {}\n", check.assert.source.trim());
            if let Some(monitor) = &check.monitor {
                println!("Alarm must fire on (checks/events/)");
                for event in &monitor.must_match {
                    println!("  {:<48} {}", event.name, event.summary);
                }
                println!("\nAnd ignore the near-misses");
                for event in &monitor.must_not_match {
                    println!("  {:<48} {}", event.name, event.summary);
                }
                println!("\nRecommended filter pattern\n  {}\n", monitor.pattern);
            }
            if let Some(applies) = &check.applies_when {
                println!("Applies when (CEL)\n  {}\n", applies.source.trim());
            }
            if !check.parameters.is_empty() {
                println!("Parameters");
                for (name, value) in &check.parameters {
                    println!(
                        "  {name} = {}",
                        serde_json::to_string(value).unwrap_or_default()
                    );
                }
                println!();
            }
            if !check.requires.is_empty() {
                println!("Needs IAM actions\n  {}\n", check.requires.join(", "));
            }
            println!("How to fix\n  {}", check.remediation.text.trim());
            if let Some(cli) = &check.remediation.cli {
                println!("\n  CLI:\n{}", indent(cli));
            }
            if let Some(terraform) = &check.remediation.terraform {
                println!("\n  Terraform:\n{}", indent(terraform));
            }
            println!("\nControls");
            for (framework, controls) in &check.frameworks {
                println!("  {framework}: {}", controls.join(", "));
            }
            println!("\nReferences");
            for reference in &check.references {
                println!("  {reference}");
            }
        }
        ChecksCommand::Validate { dir } => match checks::load_dir(&dir) {
            Ok(catalogue) => println!(
                "{}: {} checks and {} frameworks are valid",
                dir.display(),
                catalogue.checks.len(),
                catalogue.frameworks.len()
            ),
            Err(problems) => {
                println!("{problems}");
                return Ok(ExitCode::from(2));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn frameworks_command(command: FrameworksCommand) -> Result<ExitCode, Failure> {
    match command {
        FrameworksCommand::List(args) => {
            let catalogue = load_catalogue(&args)?;
            for framework in catalogue.frameworks.values() {
                let covered = framework
                    .controls
                    .iter()
                    .filter(|c| {
                        catalogue
                            .checks_for_control(&framework.id, &c.id)
                            .next()
                            .is_some()
                    })
                    .count();
                println!(
                    "{:<16} {} ({} controls, {} covered by checks)",
                    framework.id,
                    framework.title,
                    framework.controls.len(),
                    covered
                );
            }
        }
        FrameworksCommand::Show { id, catalogue } => {
            let catalogue = load_catalogue(&catalogue)?;
            let framework = catalogue.frameworks.get(&id).ok_or_else(|| {
                Failure(format!(
                    "unknown framework `{id}`; see `auditscope frameworks list`"
                ))
            })?;
            println!(
                "{} — {} {}",
                framework.id, framework.title, framework.version
            );
            for control in &framework.controls {
                let mapped: Vec<&str> = catalogue
                    .checks_for_control(&framework.id, &control.id)
                    .collect();
                let coverage = if mapped.is_empty() {
                    "manual".to_owned()
                } else {
                    mapped.join(", ")
                };
                println!("{:<14} {:<60} {}", control.id, control.title, coverage);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Collects the live account of the current credentials.
fn collect_live(live: &LiveArgs) -> Result<auditscope::model::Snapshot, Failure> {
    let options = live_options(live);
    runtime()?.block_on(async {
        let sdk = collect::aws::load_config(live.profile.as_deref(), live.region.as_deref()).await;
        let bar = progress_bar(live.quiet, "regions");
        if let collect::aws::Regions::List(list) = &options.regions {
            bar.set_length(list.len() as u64);
        }
        let tick = |region: &str| {
            bar.inc(1);
            bar.set_message(format!("collected {region}"));
        };
        let snapshot = collect::aws::collect_account(&sdk, &options, &tick).await;
        bar.finish_and_clear();
        let snapshot = snapshot.map_err(|e| Failure(e.to_string()))?;
        for error in &snapshot.errors {
            tracing::warn!(
                account = %error.account_id,
                region = error.region.as_deref().unwrap_or("global"),
                "{}:{} failed: {} {}",
                error.service,
                error.operation,
                error.code,
                error.message
            );
        }
        let calls: u64 = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.api_calls.values())
            .sum();
        eprintln!(
            "collected account {} in {} region(s): {} API calls, {} failed",
            snapshot
                .accounts
                .first()
                .map(|a| a.id.as_str())
                .unwrap_or("?"),
            snapshot.regions().len(),
            calls,
            snapshot.errors.len()
        );
        Ok(snapshot)
    })
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with
/// --quiet.
fn progress_bar(quiet: bool, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {unit} {{pos}}/{{len}} {{wide_msg}} {{elapsed}} eta {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

/// A snapshot file: a journal (`.jsonl`) or a JSON/YAML snapshot.
fn load_snapshot(path: &Path) -> Result<auditscope::model::Snapshot, Failure> {
    if auditscope::journal::is_journal(path) {
        let (snapshot, _) = auditscope::journal::read(path).map_err(|e| Failure(e.to_string()))?;
        if snapshot.partial {
            eprintln!(
                "warning: {} is a partial scan (interrupted); the reports say so",
                path.display()
            );
        }
        return Ok(snapshot);
    }
    collect::mock::load(path).map_err(|d| Failure(d.to_string()))
}

fn load_snapshots(paths: &[PathBuf]) -> Result<auditscope::model::Snapshot, Failure> {
    let snapshots = paths
        .iter()
        .map(|p| load_snapshot(p))
        .collect::<Result<Vec<_>, _>>()?;
    auditscope::journal::merge(snapshots).map_err(Failure)
}

fn merge_command(paths: &[PathBuf], out: &Path) -> Result<ExitCode, Failure> {
    let snapshot = load_snapshots(paths)?;
    let text = serde_json::to_string_pretty(&snapshot)?;
    std::fs::write(out, text + "\n")
        .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "wrote {}: {} account(s) from {} snapshot(s){}",
        out.display(),
        snapshot.accounts.len(),
        paths.len(),
        if snapshot.partial { ", partial" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

fn live_options(live: &LiveArgs) -> collect::aws::Options {
    let regions = match live.regions.trim() {
        "all" | "" => collect::aws::Regions::All,
        list => collect::aws::Regions::List(
            list.split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
        ),
    };
    collect::aws::Options {
        regions,
        concurrency: live.concurrency,
        ..Default::default()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))
}

/// Collects every selected account of the organization into `journal`,
/// one account at a time, and returns the snapshot it holds: complete, or
/// partial when interrupted (Ctrl-C), in which case `--resume` continues.
fn collect_organization(
    live: &LiveArgs,
    journal_path: &Path,
) -> Result<auditscope::model::Snapshot, Failure> {
    use auditscope::journal::Journal;
    use collect::aws::org;
    let options = live_options(live);
    let org_options = org::OrgOptions {
        role_name: live.org.role_name.clone(),
        external_id: live.org.external_id.clone(),
        max_accounts: live.org.max_accounts,
        ou: live.org.ou.clone(),
        accounts: live.org.accounts.clone(),
        exclude_accounts: live.org.exclude_accounts.clone(),
        shard: live.org.shard,
    };
    runtime()?.block_on(async {
        let sdk = collect::aws::load_config(live.profile.as_deref(), live.region.as_deref()).await;
        let plan = org::plan(&sdk, &options, &org_options)
            .await
            .map_err(|e| Failure(e.to_string()))?;
        let (mut journal, done) = if live.org.resume && journal_path.exists() {
            let (journal, so_far, done) =
                Journal::resume(journal_path).map_err(|e| Failure(e.to_string()))?;
            if so_far.organization.as_ref().map(|o| &o.id) != Some(&plan.organization.id) {
                return Err(Failure(format!(
                    "{} is a journal of another organization; remove it or drop --resume",
                    journal_path.display()
                )));
            }
            eprintln!(
                "resuming {}: {} account(s) already collected",
                journal_path.display(),
                done.len()
            );
            (journal, done)
        } else {
            let journal = Journal::create(
                journal_path,
                Some("aws".into()),
                now_rfc3339(),
                Some(plan.organization.clone()),
                plan.accounts.iter().map(|a| a.id.clone()).collect(),
            )
            .map_err(|e| Failure(e.to_string()))?;
            (journal, Default::default())
        };
        let todo = plan.accounts.iter().filter(|a| !done.contains(&a.id)).count();
        eprintln!(
            "organization {}: {} account(s) to scan, {} not scanned (suspended or filtered out)",
            plan.organization.id,
            todo,
            plan.organization.accounts_not_scanned.len()
        );
        let bar = progress_bar(live.quiet, "accounts");
        bar.set_length(todo as u64);
        let mut failed = 0usize;
        let mut write_error = None;
        let mut sink = |collected: org::Collected| {
            if collected.errors.iter().any(|e| e.blocks_account()) {
                failed += 1;
                bar.println(format!(
                    "account {} not reachable: {}",
                    collected.account.id,
                    collected
                        .errors
                        .first()
                        .map(|e| format!("{} {}", e.iam_action(), e.code))
                        .unwrap_or_default()
                ));
            }
            if let Err(e) = journal.account(&collected.account, &collected.errors) {
                write_error.get_or_insert(e);
            }
            bar.inc(1);
            bar.set_message(format!("{failed} failed"));
        };
        let interrupted = tokio::select! {
            () = org::collect_accounts(&sdk, &options, &org_options, &plan, &done, &mut sink) => false,
            _ = tokio::signal::ctrl_c() => true,
        };
        bar.finish_and_clear();
        if let Some(e) = write_error {
            return Err(Failure(format!("cannot write the journal: {e}")));
        }
        if interrupted {
            eprintln!(
                "interrupted: the accounts collected so far are in {}; reports are marked partial; `--resume` continues",
                journal_path.display()
            );
        } else {
            journal
                .finish(now_rfc3339())
                .map_err(|e| Failure(e.to_string()))?;
        }
        let (snapshot, _) =
            auditscope::journal::read(journal_path).map_err(|e| Failure(e.to_string()))?;
        eprintln!(
            "collected {} account(s), {} not reachable, {} failed call(s)",
            snapshot.accounts.len(),
            failed,
            snapshot.errors.len()
        );
        Ok(snapshot)
    })
}

fn collect_command(out: Option<&Path>, live: &LiveArgs) -> Result<ExitCode, Failure> {
    if live.org.org {
        let journal = live
            .org
            .journal
            .clone()
            .or_else(|| out.map(Path::to_owned))
            .unwrap_or_else(|| PathBuf::from("snapshot.jsonl"));
        if !auditscope::journal::is_journal(&journal) {
            return Err(Failure(format!(
                "{}: an organization scan writes a journal; name it *.jsonl",
                journal.display()
            )));
        }
        let snapshot = collect_organization(live, &journal)?;
        eprintln!("wrote {}", journal.display());
        return Ok(if snapshot.partial {
            ExitCode::from(130)
        } else {
            ExitCode::SUCCESS
        });
    }
    let out = out.unwrap_or(Path::new("snapshot.json"));
    let snapshot = collect_live(live)?;
    let text = serde_json::to_string_pretty(&snapshot)?;
    std::fs::write(out, text + "\n")
        .map_err(|e| Failure(format!("cannot write {}: {e}", out.display())))?;
    eprintln!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
