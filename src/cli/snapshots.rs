//! Saved snapshots and journals: loading one or several, and `auditscope
//! merge`.

use super::Failure;
use auditscope::collect;
use auditscope::spooled::Spooled;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A snapshot file: a journal (`.jsonl`) or a JSON/YAML snapshot.
pub(crate) fn load_snapshot(path: &Path) -> Result<auditscope::model::Snapshot, Failure> {
    let snapshot = read_snapshot(path)?;
    if auditscope::journal::is_journal(path) {
        warn_partial(path, &snapshot);
    }
    Ok(snapshot)
}

/// [`load_snapshot`] without saying whether a journal is partial.
fn read_snapshot(path: &Path) -> Result<auditscope::model::Snapshot, Failure> {
    if auditscope::journal::is_journal(path) {
        let read = auditscope::journal::read(path).map_err(|e| Failure(e.to_string()))?;
        warn(&read.warnings);
        return Ok(read.snapshot);
    }
    collect::mock::load(path).map_err(|d| Failure(d.to_string()))
}

/// Says that the journal at `path` holds an interrupted scan, if it does.
pub(crate) fn warn_partial(path: &Path, snapshot: &auditscope::model::Snapshot) {
    if snapshot.partial {
        warn_partial_path(path);
    }
}

/// Says that the journal at `path` holds an interrupted scan.
fn warn_partial_path(path: &Path) {
    eprintln!(
        "warning: {} is a partial scan (interrupted); the reports say so",
        path.display()
    );
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
    let mut parts = Vec::with_capacity(paths.len());
    let mut partial = Vec::new();
    for path in paths {
        let snapshot = read_snapshot(path)?;
        if auditscope::journal::is_journal(path) && snapshot.partial {
            partial.push(path.clone());
        }
        parts.push((path.as_path(), snapshot));
    }
    let merged = auditscope::journal::merge(parts).map_err(Failure)?;
    warn_partial_shards(&partial, merged.partial);
    Ok(merged)
}

/// Names the journals among a merge's inputs that hold an interrupted
/// scan: a warning while the merged snapshot is partial too, else a note
/// that the other inputs hold the accounts they miss.
fn warn_partial_shards(journals: &[PathBuf], merged_partial: bool) {
    for path in journals {
        match merged_partial {
            true => warn_partial_path(path),
            false => eprintln!(
                "note: {} is a partial scan (interrupted); the other snapshots hold the accounts it misses",
                path.display()
            ),
        }
    }
}

/// The snapshots at `paths` merged, read one account at a time with
/// their accounts spooled in `dir` ([`auditscope::spooled::merge_files`]),
/// when they are all plain valid snapshots or journals; else `None`, to be
/// read whole by [`load_snapshots`], which reports the problem. Prints
/// what reading had to skip or repair.
pub(crate) fn read_merged(
    paths: &[PathBuf],
    dir: &Path,
) -> Result<Option<(auditscope::model::Snapshot, Spooled)>, Failure> {
    let Some(merged) = auditscope::spooled::merge_files(paths, dir).map_err(Failure)? else {
        return Ok(None);
    };
    warn(&merged.warnings);
    warn_partial_shards(&merged.partial, merged.snapshot.partial);
    tracing::info!(
        files = paths.len(),
        accounts = merged.snapshot.accounts.len(),
        stubs = merged.spooled.stubs.len(),
        "snapshots merged one account at a time"
    );
    Ok(Some((merged.snapshot, merged.spooled)))
}

/// `auditscope merge`: the snapshots at `paths` merged into one JSON
/// snapshot at `out`. Plain valid snapshots and journals are read and
/// written one account at a time (flat memory, for the merge step of a
/// sharded organization scan), spooled beside `out`;
/// `AUDITSCOPE_SNAPSHOT_IN_MEMORY=1` reads them whole.
pub(crate) fn merge_command(paths: &[PathBuf], out: &Path) -> Result<ExitCode, Failure> {
    refuse_journal_name(out)?;
    let _held = super::hold_parent(out)?;
    let dir = super::parent_dir(out);
    let streamed = match in_memory() || !dir.is_dir() {
        true => None,
        false => read_merged(paths, dir)?,
    };
    let (accounts, partial) = match streamed {
        Some((snapshot, spooled)) => {
            super::write_snapshot_with(out, |w| spooled.write_whole(&snapshot, w))?;
            (snapshot.accounts.len(), snapshot.partial)
        }
        None => {
            let snapshot = load_snapshots(paths)?;
            super::write_snapshot_with(out, |w| serde_json::to_writer_pretty(w, &snapshot))?;
            (snapshot.accounts.len(), snapshot.partial)
        }
    };
    eprintln!(
        "wrote {}: {} account(s) from {} snapshot(s){}",
        out.display(),
        accounts,
        paths.len(),
        if partial { ", partial" } else { "" }
    );
    Ok(ExitCode::SUCCESS)
}

/// A JSON snapshot is never written under a journal's name: it would be
/// read back as a journal (and fail), and the journal it replaced, often
/// an input of the same merge, would be lost.
pub(crate) fn refuse_journal_name(out: &Path) -> Result<(), Failure> {
    match auditscope::journal::is_journal(out) {
        true => Err(Failure(format!(
            "{}: a snapshot is written as JSON; give --out a .json name (a .jsonl file is read as a collection journal)",
            out.display()
        ))),
        false => Ok(()),
    }
}

/// `AUDITSCOPE_SNAPSHOT_IN_MEMORY=1` (docs/scaling.md): read snapshots
/// whole, never spooled.
pub(crate) fn in_memory() -> bool {
    std::env::var("AUDITSCOPE_SNAPSHOT_IN_MEMORY").is_ok_and(|v| v == "1")
}
