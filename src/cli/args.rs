//! Command-line arguments: what each command accepts, apart from what it
//! does (the orchestration lives in the sibling modules, one per command).

use auditscope::checks::Severity;
use auditscope::collect;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "auditscope",
    version,
    about = "Is audit logging and monitoring really in place in every AWS account and region? Maps the answer to NIST 800-53, PCI DSS and CIS."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
        #[command(flatten)]
        lang: LangArg,
    },
}

#[derive(Args)]
pub(crate) struct CatalogueArgs {
    /// Directory of check files (default: the catalogue built into the binary).
    #[arg(long, value_name = "DIR")]
    pub(crate) checks_dir: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) lang: LangArg,
}

#[derive(Args)]
pub(crate) struct LangArg {
    /// Language of reports and texts: `en` or `ja` (default: from LC_ALL,
    /// LC_MESSAGES or LANG, `ja_*` giving Japanese; else English).
    /// result.json keeps statuses, ids and keys in English.
    #[arg(long = "lang", value_name = "LANG")]
    pub(crate) lang: Option<String>,
}

#[derive(Args)]
pub(crate) struct ScanArgs {
    /// Mock world: a directory (world.yaml + accounts/*.yaml) or a snapshot
    /// file. Without --mock or --snapshot, the live AWS account of the
    /// current credentials is scanned.
    #[arg(long, value_name = "PATH", conflicts_with = "snapshot")]
    pub(crate) mock: Option<PathBuf>,
    /// A saved snapshot or journal (`auditscope collect`) to re-evaluate
    /// offline; repeat it to evaluate several as one (shards).
    #[arg(long, value_name = "FILE")]
    pub(crate) snapshot: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) live: LiveArgs,
    /// Directory to write the reports into.
    #[arg(long, default_value = "out", value_name = "DIR")]
    pub(crate) out: PathBuf,
    /// Formats to write: json, md, html, ocsf (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "json,md,html")]
    pub(crate) format: Vec<String>,
    /// Only run checks whose id matches one of these globs (e.g. 'cloudtrail-*').
    #[arg(long = "checks", value_name = "GLOB", value_delimiter = ',')]
    pub(crate) check_patterns: Vec<String>,
    /// Only run checks mapped to this framework, and report only it.
    #[arg(long, value_name = "ID")]
    pub(crate) framework: Option<String>,
    #[command(flatten)]
    pub(crate) catalogue: CatalogueArgs,
    /// Report templates directory (default: the templates built into the binary).
    #[arg(long, value_name = "DIR")]
    pub(crate) templates: Option<PathBuf>,
    /// Configuration file with parameter overrides (`parameters: {check-id: {name: value}}`).
    #[arg(long, value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Override one parameter: CHECK.NAME=VALUE (repeatable).
    #[arg(long = "param", value_name = "CHECK.NAME=VALUE")]
    pub(crate) params: Vec<String>,
    /// Leave scan times out of result.json too (Markdown never has them unless --timestamps).
    #[arg(long)]
    pub(crate) deterministic: bool,
    /// Show scan times in the Markdown and HTML reports.
    #[arg(long)]
    pub(crate) timestamps: bool,
    /// A previous result.json: also write diff.md (new failures, resolved,
    /// still failing).
    #[arg(long, value_name = "FILE")]
    pub(crate) baseline: Option<PathBuf>,
    /// Exit 1 when a FAIL at or above this severity exists (critical, high,
    /// medium, low, info).
    #[arg(long, value_name = "SEVERITY")]
    pub(crate) fail_on: Option<Severity>,
    /// Count only failures that are new against --baseline (with --fail-on:
    /// new ones at or above that severity).
    #[arg(long, requires = "baseline")]
    pub(crate) fail_on_new: bool,
    /// Accepted risks (YAML): failing findings they match become WAIVED
    /// until the waiver expires.
    #[arg(long, value_name = "FILE")]
    pub(crate) waivers: Option<PathBuf>,
    /// Above this many accounts, the Markdown and HTML reports link to one
    /// page per account under accounts/ instead of listing every finding,
    /// and findings are streamed to the reports instead of held in memory.
    #[arg(long, default_value_t = 25, value_name = "N")]
    pub(crate) split_accounts: usize,
}

/// Where and how to collect from AWS (live scans and `collect`).
#[derive(Args, Clone)]
pub(crate) struct LiveArgs {
    /// Named profile of the shared AWS config (SSO profiles too); default:
    /// the standard chain (environment, AWS_PROFILE, web identity, IMDS).
    #[arg(long, value_name = "NAME")]
    pub(crate) profile: Option<String>,
    /// Regions to scan: `all` (every region enabled for the account, from
    /// account:ListRegions) or a comma-separated list.
    #[arg(long, default_value = "all", value_name = "all|LIST")]
    pub(crate) regions: String,
    /// Region for global calls (STS, S3 control); default: the profile's.
    #[arg(long, value_name = "REGION")]
    pub(crate) region: Option<String>,
    /// Regions collected at the same time (API rate limits are per region,
    /// so every commercial region at once is the default).
    #[arg(long, default_value_t = 17, value_name = "N")]
    pub(crate) concurrency: usize,
    /// No progress bar.
    #[arg(long, short)]
    pub(crate) quiet: bool,
    #[command(flatten)]
    pub(crate) org: OrgArgs,
}

/// Organization-wide scans from the management (or a delegated
/// administrator) account.
#[derive(Args, Clone)]
pub(crate) struct OrgArgs {
    /// Scan every active account of the AWS Organization.
    #[arg(long)]
    pub(crate) org: bool,
    /// Role assumed in each account but the caller's.
    #[arg(
        long,
        default_value = "auditscope-readonly",
        value_name = "NAME",
        requires = "org"
    )]
    pub(crate) role_name: String,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID", requires = "org")]
    pub(crate) external_id: Option<String>,
    /// Accounts collected at the same time.
    #[arg(long, default_value_t = 8, value_name = "N", requires = "org")]
    pub(crate) max_accounts: usize,
    /// Only accounts under this organizational unit (or root), recursively.
    #[arg(long, value_name = "OU_ID", requires = "org")]
    pub(crate) ou: Option<String>,
    /// Only these accounts (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "org")]
    pub(crate) accounts: Vec<String>,
    /// Leave these accounts out (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "LIST", requires = "org")]
    pub(crate) exclude_accounts: Vec<String>,
    /// Scan only shard I of N (accounts whose id mod N is I-1); combine the
    /// shards with `auditscope merge`. `auto/N` takes I from the job
    /// runner: JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or
    /// AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job), both 0-based.
    #[arg(long, value_name = "I/N", requires = "org")]
    pub(crate) shard: Option<collect::aws::org::Shard>,
    /// Continue an interrupted scan from its journal instead of starting
    /// over.
    #[arg(long, requires = "org")]
    pub(crate) resume: bool,
    /// The journal the organization scan writes one account at a time
    /// (default: OUT/snapshot.jsonl for scan).
    #[arg(long, value_name = "FILE", requires = "org")]
    pub(crate) journal: Option<PathBuf>,
}

#[derive(Subcommand)]
pub(crate) enum ChecksCommand {
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
pub(crate) enum FrameworksCommand {
    /// One line per framework.
    List(CatalogueArgs),
    /// Every control of a framework with the checks mapped to it.
    Show {
        id: String,
        #[command(flatten)]
        catalogue: CatalogueArgs,
    },
}
