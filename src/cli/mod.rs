//! The `auditscope` command line: one module per command, argument types
//! apart ([`args`]), as ripgrep keeps its flags apart from its search.
//!
//! Exit codes: 0 the command completed; 1 a `--fail-on` gate tripped; 2
//! usage, configuration or input errors (with file, line and column where
//! there is one); 130 (143 for SIGTERM) interrupted, after writing what
//! could be written.

mod args;
mod catalogue;
mod diff;
mod interrupt;
mod live;
mod scan;
mod snapshots;

use args::{CatalogueArgs, Cli, Command};
use auditscope::checks::{self, Catalogue};
use auditscope::embedded;
use auditscope::i18n::Texts;
use clap::Parser as _;
use std::io::Write as _;
use std::process::ExitCode;

/// An error that ends the command with exit code 2 and a clear message.
pub(crate) struct Failure(pub(crate) String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(error: E) -> Self {
        Failure(error.to_string())
    }
}

/// Parses the arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("AUDITSCOPE_LOG"))
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never in a CI log
        // or a file.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    if matches!(
        cli.command,
        Command::Scan(_) | Command::Collect { .. } | Command::Merge { .. }
    ) {
        interrupt::watch();
    }
    let outcome = match cli.command {
        Command::Scan(args) => scan::scan(*args),
        Command::Checks { command } => catalogue::checks_command(command),
        Command::Frameworks { command } => catalogue::frameworks_command(command),
        Command::Diff { old, new, lang } => diff::diff_command(&old, &new, &lang),
        Command::Collect { out, live } => live::collect_command(out.as_deref(), &live),
        Command::Merge { snapshots, out } => snapshots::merge_command(&snapshots, &out),
        Command::IamPolicy => {
            print_stdout(&format!("{}\n", auditscope::collect::aws::iam_policy()))
                .map(|()| ExitCode::SUCCESS)
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

/// Writes a snapshot as pretty JSON, atomically: an interrupted write never
/// leaves a truncated snapshot under its name.
pub(crate) fn write_snapshot(
    path: &std::path::Path,
    snapshot: &auditscope::model::Snapshot,
) -> Result<(), Failure> {
    let _held = hold_parent(path)?;
    write_snapshot_with(path, |out| serde_json::to_writer_pretty(out, snapshot))
}

/// The directory a file at `path` goes into (`.` for a bare file name).
pub(crate) fn parent_dir(path: &std::path::Path) -> &std::path::Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    }
}

/// Holds the directory of `path` as a scan does: a scan writing there
/// would take this command's temporary files for leftovers and remove
/// them. `None` when the directory does not exist (writing then fails
/// with the usual message).
pub(crate) fn hold_parent(
    path: &std::path::Path,
) -> Result<Option<auditscope::atomic::DirLock>, Failure> {
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Ok(None);
    }
    let held = auditscope::atomic::lock_dir(dir)?;
    // Held, the directory's temporary files are this process's: those of
    // an interrupted run go now, this run's if it is stopped.
    auditscope::atomic::remove_leftovers(dir);
    interrupt::clean_on_exit(dir.to_path_buf());
    Ok(Some(held))
}

/// Writes a snapshot with `write` (pretty JSON), then a newline,
/// atomically: an interrupted write never leaves a truncated snapshot
/// under its name. The caller holds the directory ([`hold_parent`]).
pub(crate) fn write_snapshot_with<E>(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> Result<(), E>,
) -> Result<(), Failure>
where
    Failure: From<E>,
{
    snapshots::refuse_journal_name(path)?;
    auditscope::atomic::write(path, |out| -> Result<(), Failure> {
        write(&mut *out)?;
        out.write_all(b"\n")?;
        Ok(())
    })
}

/// Writes a command's output to standard output. A reader that stops early
/// (`auditscope iam-policy | head -1`) ends the command quietly, as Unix
/// tools do, instead of a "Broken pipe" panic.
pub(crate) fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure(format!("cannot write to standard output: {e}"))),
    }
}

/// The catalogue, its texts in the language asked for, and that
/// language's fixed strings.
pub(crate) fn load_catalogue(
    args: &CatalogueArgs,
) -> Result<(Catalogue, std::sync::Arc<Texts>), Failure> {
    let texts = texts(&args.lang)?;
    let loaded = match &args.checks_dir {
        Some(dir) => checks::load_dir(dir),
        None => checks::load_sources(&embedded::check_sources()),
    };
    let mut catalogue = loaded.map_err(|d| Failure(d.to_string()))?;
    catalogue.localize(texts.lang());
    Ok((catalogue, texts))
}

/// The fixed strings of the language `--lang` names, or the environment's
/// (see [`auditscope::i18n::from_env`]). An unknown language is an error
/// that lists the available ones.
pub(crate) fn texts(arg: &args::LangArg) -> Result<std::sync::Arc<Texts>, Failure> {
    let lang = arg.lang.clone().unwrap_or_else(auditscope::i18n::from_env);
    Texts::load(&lang)
        .map(std::sync::Arc::new)
        .map_err(|e| Failure(e.to_string()))
}

pub(crate) fn now_rfc3339() -> Option<String> {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .ok()
}
