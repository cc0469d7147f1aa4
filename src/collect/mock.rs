//! Loading mock worlds and saved snapshots.
//!
//! A mock world is a directory with an optional `world.yaml` (the
//! Snapshot's top-level fields: organization, collected_at, errors) and one
//! file per account under `accounts/` (an `Account` each), or a single
//! YAML/JSON file holding a whole Snapshot. Both use the Snapshot model, so
//! every mock is also a valid saved snapshot. Every file passes
//! [`Snapshot::validate`]; a file the loader does not know what to do with
//! is an error, never skipped (hidden files such as `.gitkeep` aside).

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Account, Snapshot};
use std::path::{Path, PathBuf};

/// The documents a snapshot was read from, to place problems in them.
type Sources = Vec<(PathBuf, String)>;

/// Loads a saved snapshot (JSON or YAML file) or a mock world (directory or file).
pub fn load(path: &Path) -> Result<Snapshot, Diagnostics> {
    let (mut snapshot, sources) = if path.is_dir() {
        load_dir(path)?
    } else {
        let text = crate::input::read(path).map_err(|d| Diagnostics(vec![d]))?;
        let snapshot =
            crate::input::parse::<Snapshot>(path, &text).map_err(|d| Diagnostics(vec![d]))?;
        (snapshot, vec![(path.to_owned(), text)])
    };
    let problems = snapshot.validate();
    if !problems.is_empty() {
        return Err(Diagnostics(
            problems
                .into_iter()
                .map(|problem| place(&sources, path, problem))
                .collect(),
        ));
    }
    snapshot.normalize();
    Ok(snapshot)
}

/// A validation problem as a diagnostic in the document that holds its
/// first anchor (an account's own file in a mock world).
fn place(sources: &Sources, fallback: &Path, problem: crate::model::Invalid) -> Diagnostic {
    let holder = problem.anchors.first().and_then(|first| {
        sources
            .iter()
            .find(|(_, text)| text.contains(first.as_str()))
    });
    match holder.or(sources.first()) {
        Some((file, text)) => Diagnostic::locate(file, text, &problem.anchors, problem.message),
        None => Diagnostic::file(fallback, None, problem.message),
    }
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

fn is_document(path: &Path) -> bool {
    path.extension()
        .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
}

fn load_dir(dir: &Path) -> Result<(Snapshot, Sources), Diagnostics> {
    let mut problems = Vec::new();
    let entries = |dir: &Path| -> Result<Vec<PathBuf>, Diagnostic> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Diagnostic::file(dir, None, format!("cannot read directory: {e}")))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| !is_hidden(p))
            .collect();
        paths.sort();
        Ok(paths)
    };
    let accounts_dir = dir.join("accounts");
    let world_file = dir.join("world.yaml");
    for path in entries(dir).map_err(|d| Diagnostics(vec![d]))? {
        if path != world_file && path != accounts_dir {
            problems.push(Diagnostic::file(
                &path,
                None,
                "unexpected file in a mock world: it holds `world.yaml` and `accounts/` (one file per account) only",
            ));
        }
    }
    let mut sources = Vec::new();
    let mut snapshot = if world_file.exists() {
        let text = crate::input::read(&world_file).map_err(|d| Diagnostics(vec![d]))?;
        let parsed = crate::input::parse::<Snapshot>(&world_file, &text);
        sources.push((world_file.clone(), text));
        match parsed {
            Ok(s) => s,
            Err(d) => {
                problems.push(d);
                Snapshot::default()
            }
        }
    } else {
        Snapshot::default()
    };
    let files = match entries(&accounts_dir) {
        Ok(files) => files,
        Err(_) if !accounts_dir.exists() && !snapshot.accounts.is_empty() => Vec::new(),
        Err(d) => {
            problems.push(Diagnostic::file(
                &accounts_dir,
                None,
                format!(
                    "a mock world needs an accounts/ directory with one file per account: {}",
                    d.message
                ),
            ));
            Vec::new()
        }
    };
    for file in files {
        if !is_document(&file) {
            problems.push(Diagnostic::file(
                &file,
                None,
                "unexpected file under accounts/: each file is one account, as .yaml, .yml or .json",
            ));
            continue;
        }
        let text = match crate::input::read(&file) {
            Ok(text) => text,
            Err(d) => {
                problems.push(d);
                continue;
            }
        };
        match crate::input::parse::<Account>(&file, &text) {
            Ok(account) => snapshot.accounts.push(account),
            Err(d) => problems.push(d),
        }
        sources.push((file, text));
    }
    if problems.is_empty() {
        if snapshot.source.is_none() {
            snapshot.source = Some(format!("mock:{}", dir.display()));
        }
        Ok((snapshot, sources))
    } else {
        Err(Diagnostics(problems))
    }
}
