//! The collection journal: a snapshot written one account at a time, as
//! JSON Lines, so an interrupted organization scan (Ctrl-C, a crash,
//! expired credentials) keeps every account it finished and can resume.
//!
//! Line 1 is the scan (`"kind": "scan"`: organization, planned accounts);
//! then one line per collected account with its failed calls; a last
//! `"kind": "end"` line says the collection completed. A journal without
//! it loads as a partial snapshot whose missing accounts are listed as not
//! scanned. Each line is flushed as it is written; a line cut short by a
//! crash is ignored on reading.

use crate::model::{Account, AccountRef, CollectionError, Organization, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Line {
    Scan {
        schema_version: u32,
        source: Option<String>,
        collected_at: Option<String>,
        organization: Option<Organization>,
        /// Accounts the scan set out to collect.
        planned: Vec<String>,
    },
    Account {
        account: Box<Account>,
        errors: Vec<CollectionError>,
    },
    End {
        finished_at: Option<String>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}:{line}: {message}")]
    Format {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// An open journal, appended to one account at a time.
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

impl Journal {
    /// Starts a new journal (replacing any file at `path`).
    pub fn create(
        path: &Path,
        source: Option<String>,
        collected_at: Option<String>,
        organization: Option<Organization>,
        planned: Vec<String>,
    ) -> Result<Journal, JournalError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| io(path, e))?;
        }
        let file = std::fs::File::create(path).map_err(|e| io(path, e))?;
        let mut journal = Journal {
            path: path.to_owned(),
            file,
        };
        journal.write(&Line::Scan {
            schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
            source,
            collected_at,
            organization,
            planned,
        })?;
        Ok(journal)
    }

    /// Opens an existing journal to continue it: returns it with the
    /// snapshot so far and the accounts already collected.
    pub fn resume(path: &Path) -> Result<(Journal, Snapshot, BTreeSet<String>), JournalError> {
        let (snapshot, done) = read(path)?;
        let file = std::fs::OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        Ok((
            Journal {
                path: path.to_owned(),
                file,
            },
            snapshot,
            done,
        ))
    }

    pub fn account(
        &mut self,
        account: &Account,
        errors: &[CollectionError],
    ) -> Result<(), JournalError> {
        self.write(&Line::Account {
            account: Box::new(account.clone()),
            errors: errors.to_vec(),
        })
    }

    /// Marks the collection complete.
    pub fn finish(mut self, finished_at: Option<String>) -> Result<(), JournalError> {
        self.write(&Line::End { finished_at })
    }

    fn write(&mut self, line: &Line) -> Result<(), JournalError> {
        let mut text = serde_json::to_string(line).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        // One write per line, then to disk: a crash loses at most the
        // account being written, never one already reported done.
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io(&self.path, e))
    }
}

fn io(path: &Path, e: std::io::Error) -> JournalError {
    JournalError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

/// Whether `path` looks like a journal (rather than a JSON or YAML
/// snapshot).
pub fn is_journal(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "jsonl")
}

/// Reads a journal into a snapshot (partial when it has no end line) and
/// the ids of the accounts it holds.
pub fn read(path: &Path) -> Result<(Snapshot, BTreeSet<String>), JournalError> {
    let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut snapshot = Snapshot::default();
    let mut planned = Vec::new();
    let mut done = BTreeSet::new();
    let mut ended = false;
    let mut started = false;
    let lines: Vec<String> = std::io::BufReader::new(file)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| io(path, e))?;
    let count = lines.len();
    for (index, text) in lines.iter().enumerate() {
        if text.trim().is_empty() {
            continue;
        }
        let line: Line = match serde_json::from_str(text) {
            Ok(line) => line,
            // The last line may be cut short by a crash: what it held was
            // never reported done, and a resume collects it again.
            Err(e) if index + 1 == count && e.is_eof() => {
                tracing::warn!("{}: ignoring an incomplete last line", path.display());
                continue;
            }
            Err(e) => {
                return Err(JournalError::Format {
                    path: path.to_owned(),
                    line: index + 1,
                    message: e.to_string(),
                })
            }
        };
        match line {
            Line::Scan {
                schema_version,
                source,
                collected_at,
                organization,
                planned: p,
            } if !started => {
                started = true;
                snapshot.schema_version = schema_version;
                snapshot.source = source;
                snapshot.collected_at = collected_at;
                snapshot.organization = organization;
                planned = p;
            }
            Line::Account { account, errors } if started => {
                // A resumed journal never repeats an account, but a
                // hand-joined one might: the later line wins.
                if !done.insert(account.id.clone()) {
                    snapshot.accounts.retain(|a| a.id != account.id);
                    snapshot.errors.retain(|e| e.account_id != account.id);
                }
                snapshot.accounts.push(*account);
                snapshot.errors.extend(errors);
            }
            Line::End { .. } if started => ended = true,
            _ => {
                return Err(JournalError::Format {
                    path: path.to_owned(),
                    line: index + 1,
                    message:
                        "expected one `scan` line first, then `account` lines and an `end` line"
                            .into(),
                })
            }
        }
    }
    if !started {
        return Err(JournalError::Format {
            path: path.to_owned(),
            line: 1,
            message: "empty journal (no `scan` line)".into(),
        });
    }
    let missing: Vec<&String> = planned.iter().filter(|id| !done.contains(*id)).collect();
    if !ended || !missing.is_empty() {
        snapshot.partial = true;
        let organization = snapshot
            .organization
            .get_or_insert_with(Organization::default);
        for id in missing {
            organization.accounts_not_scanned.push(AccountRef {
                id: id.clone(),
                reason: Some(
                    "not collected: the scan was interrupted (run again with --resume)".into(),
                ),
                ..AccountRef::default()
            });
        }
    }
    snapshot.normalize();
    Ok((snapshot, done))
}

/// Combines snapshots of one organization (shards, or scans of parts of
/// it) into one. Accounts are taken once (the later snapshot wins); an
/// account skipped by one shard but collected by another is no longer
/// listed as not scanned.
pub fn merge(snapshots: Vec<Snapshot>) -> Result<Snapshot, String> {
    let mut merged = Snapshot {
        schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
        ..Snapshot::default()
    };
    for snapshot in snapshots {
        match (&mut merged.organization, snapshot.organization) {
            (Some(have), Some(new)) => {
                if have.id != new.id {
                    return Err(format!(
                        "cannot merge snapshots of different organizations ({} and {})",
                        have.id, new.id
                    ));
                }
                have.accounts_not_scanned.extend(new.accounts_not_scanned);
                for admin in new.delegated_administrators {
                    if !have.delegated_administrators.contains(&admin) {
                        have.delegated_administrators.push(admin);
                    }
                }
            }
            (have @ None, new) => *have = new,
            (Some(_), None) => {}
        }
        let ids: BTreeSet<String> = snapshot.accounts.iter().map(|a| a.id.clone()).collect();
        merged.accounts.retain(|a| !ids.contains(&a.id));
        merged.errors.retain(|e| !ids.contains(&e.account_id));
        merged.accounts.extend(snapshot.accounts);
        merged.errors.extend(snapshot.errors);
        merged.partial |= snapshot.partial;
        merged.source = merged.source.or(snapshot.source);
        merged.collected_at = match (merged.collected_at.take(), snapshot.collected_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
    }
    let scanned: BTreeSet<&str> = merged.accounts.iter().map(|a| a.id.as_str()).collect();
    if let Some(organization) = merged.organization.as_mut() {
        organization
            .accounts_not_scanned
            .retain(|a| !scanned.contains(a.id.as_str()));
        organization
            .accounts_not_scanned
            .sort_by(|a, b| a.id.cmp(&b.id));
        organization
            .accounts_not_scanned
            .dedup_by(|a, b| a.id == b.id);
    }
    merged.normalize();
    Ok(merged)
}
