//! Saved snapshots and journals: loading one or several, and `auditscope
//! merge`.

use super::Failure;
use auditscope::collect;
use auditscope::spooled::Spooled;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A snapshot file: a journal (`.jsonl`) or a JSON/YAML snapshot.
pub(crate) fn load_snapshot(path: &Path) -> Result<auditscope::model::Snapshot, Failure> {
    if auditscope::journal::is_journal(path) {
        let read = auditscope::journal::read(path).map_err(|e| Failure(e.to_string()))?;
        warn(&read.warnings);
        warn_partial(path, &read.snapshot);
        return Ok(read.snapshot);
    }
    collect::mock::load(path).map_err(|d| Failure(d.to_string()))
}

/// Says that the journal at `path` holds an interrupted scan, if it does.
pub(crate) fn warn_partial(path: &Path, snapshot: &auditscope::model::Snapshot) {
    if snapshot.partial {
        eprintln!(
            "warning: {} is a partial scan (interrupted); the reports say so",
            path.display()
        );
    }
}

/// Reads a journal with its accounts held as stubs in a spool in `dir`
/// when it has more than `split_above` accounts (a scan that streams);
/// a smaller one is made whole. Prints what reading had to skip or repair.
pub(crate) fn read_journal(
    path: &Path,
    dir: &Path,
    split_above: usize,
) -> Result<(auditscope::model::Snapshot, Option<Spooled>), Failure> {
    let (read, spooled) =
        auditscope::journal::read_spooled(path, dir).map_err(|e| Failure(e.to_string()))?;
    warn(&read.warnings);
    whole_unless_streamed(read.snapshot, spooled, split_above)
}

/// A spooled snapshot as the scan uses it: its stubs and spool when it
/// has more than `split_above` accounts (the scan streams), else made
/// whole, every stub read back.
pub(crate) fn whole_unless_streamed(
    mut snapshot: auditscope::model::Snapshot,
    spooled: Spooled,
    split_above: usize,
) -> Result<(auditscope::model::Snapshot, Option<Spooled>), Failure> {
    if snapshot.accounts.len() > split_above {
        return Ok((snapshot, Some(spooled)));
    }
    spooled
        .fill(&mut snapshot)
        .map_err(|e| Failure(e.to_string()))?;
    Ok((snapshot, None))
}

/// Prints what reading a journal had to skip or repair.
pub(crate) fn warn(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

pub(crate) fn load_snapshots(paths: &[PathBuf]) -> Result<auditscope::model::Snapshot, Failure> {
    let snapshots = paths
        .iter()
        .map(|p| load_snapshot(p))
        .collect::<Result<Vec<_>, _>>()?;
    auditscope::journal::merge(snapshots).map_err(Failure)
}

pub(crate) fn merge_command(paths: &[PathBuf], out: &Path) -> Result<ExitCode, Failure> {
    let snapshot = load_snapshots(paths)?;
    super::write_snapshot(out, &snapshot)?;
    eprintln!(
        "wrote {}: {} account(s) from {} snapshot(s){}",
        out.display(),
        snapshot.accounts.len(),
        paths.len(),
        if snapshot.partial { ", partial" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}
