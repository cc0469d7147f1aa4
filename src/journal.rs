//! The collection journal: a snapshot written one account at a time, as
//! JSON Lines, so an interrupted organization scan (Ctrl-C, a crash,
//! expired credentials) keeps every account it finished and can resume.
//!
//! Line 1 is the scan (`"kind": "scan"`: organization, planned accounts);
//! then one line per collected account with its failed calls; a last
//! `"kind": "end"` line says the collection completed. A journal without
//! it loads as a partial snapshot whose missing accounts are listed as not
//! scanned. Each line is written in one write and synced to disk; damage
//! (a line cut by a crash, bytes flipped on disk) costs at most the account
//! of the damaged line, and a resume first removes a cut last line so that
//! no record is ever glued onto it.

use crate::model::{Account, AccountRef, CollectionError, Organization, Snapshot};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead as _, Seek as _, SeekFrom, Write as _};
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
    #[error("{}", invalid_text(path, problems, warnings))]
    Invalid {
        path: PathBuf,
        /// (line, message) per problem.
        problems: Vec<(usize, String)>,
        /// What reading skipped before the problems were found.
        warnings: Vec<String>,
    },
}

fn invalid_text(path: &Path, problems: &[(usize, String)], warnings: &[String]) -> String {
    let mut text = String::new();
    for warning in warnings {
        text.push_str(&format!("warning: {warning}\n"));
    }
    for (line, message) in problems {
        text.push_str(&format!(
            "error: {message}\n  --> {}:{line}\n",
            path.display()
        ));
    }
    text.push_str(&format!("{} problem(s) found", problems.len()));
    text
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

    /// Opens an existing journal to continue it: returns it with what it
    /// holds. A last line cut short by a crash is removed first (what it
    /// held was never reported done, and is collected again), so the next
    /// record starts on a line of its own instead of being glued to it.
    pub fn resume(path: &Path) -> Result<(Journal, Read), JournalError> {
        let read = read(path)?;
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
            .map_err(|e| io(path, e))?;
        match read.tail {
            Tail::Terminated => {}
            Tail::Cut { complete_len } => file.set_len(complete_len).map_err(|e| io(path, e))?,
            Tail::Unterminated => {
                (&file).seek(SeekFrom::End(0)).map_err(|e| io(path, e))?;
                (&file).write_all(b"\n").map_err(|e| io(path, e))?;
            }
        }
        let mut file = file;
        file.seek(SeekFrom::End(0)).map_err(|e| io(path, e))?;
        Ok((
            Journal {
                path: path.to_owned(),
                file,
            },
            read,
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

/// How a journal ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tail {
    /// The last line ends with a newline.
    Terminated,
    /// The last line has no newline but is a whole record (cut just before
    /// its newline): it counts, and a resume adds the newline.
    Unterminated,
    /// The last line was cut short; the journal's first `complete_len`
    /// bytes are whole lines.
    Cut { complete_len: u64 },
}

/// What reading a journal gives.
#[derive(Debug)]
pub struct Read {
    /// Partial when planned accounts are missing.
    pub snapshot: Snapshot,
    /// The accounts it holds.
    pub done: BTreeSet<String>,
    /// Lines that could not be read (each costs at most its own account)
    /// and records recovered from damaged lines, one sentence each.
    pub warnings: Vec<String>,
    pub tail: Tail,
}

/// Reads a journal into a snapshot, one line at a time. Damage costs at
/// most the account of the damaged line: a line cut short by a crash, a
/// line with bytes that are not UTF-8 or not JSON, anywhere in the file, is
/// skipped with a warning naming the account when it can be seen. A record
/// glued onto a cut line (a resume of an earlier version did that) is
/// recovered. The snapshot passes [`Snapshot::validate`], as every loaded
/// snapshot does; problems name the journal line.
pub fn read(path: &Path) -> Result<Read, JournalError> {
    read_with(path, &mut |account, _, _| Ok(account))
}

/// [`read`], with the accounts held as stubs in a spool in `dir`
/// ([`crate::spooled`]): the snapshot read, and where its stubs are.
pub fn read_spooled(
    path: &Path,
    dir: &Path,
) -> Result<(Read, crate::spooled::Spooled), JournalError> {
    let mut spooler = crate::spooled::Spooler::new(dir).map_err(|e| io(dir, e))?;
    let mut read = read_into(path, &mut spooler)?;
    let spooled = spooler.finish(&mut read.snapshot).map_err(|e| io(dir, e))?;
    Ok((read, spooled))
}

/// [`read_spooled`] with a spooler that may read other files too (the
/// shards of a merge, see [`crate::spooled::Spooler`]): what was read,
/// with stubs for the accounts spooled, before
/// [`crate::spooled::Spooler::finish`].
pub fn read_into(path: &Path, spooler: &mut crate::spooled::Spooler) -> Result<Read, JournalError> {
    let mut expected = false;
    read_with(path, &mut |account, line, organization| {
        if !expected {
            spooler.expect(organization);
            expected = true;
        }
        match line {
            Some(line) => spooler.add(account, line, crate::spooled::Format::JournalLine),
            None => Ok(spooler.keep_whole(account)),
        }
    })
}

/// The account of a journal's `account` line, as [`read`] reads it before
/// validation.
pub(crate) fn account_of_line(line: &[u8]) -> Result<Account, String> {
    match serde_json::from_slice::<Line>(line) {
        Ok(Line::Account { account, .. }) => Ok(*account),
        Ok(_) => Err("not an account line".into()),
        Err(e) => Err(e.to_string()),
    }
}

/// What [`read_with`] does with each valid account, the line it was read
/// from (`None` for a record recovered from a damaged line) and the
/// journal's organization: it gives what the snapshot holds of the account.
type Keep<'k> =
    dyn FnMut(Account, Option<&[u8]>, Option<&Organization>) -> std::io::Result<Account> + 'k;

/// [`read`], handing each valid account to `keep`.
fn read_with(path: &Path, keep: &mut Keep<'_>) -> Result<Read, JournalError> {
    let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
    let mut reader = std::io::BufReader::new(file);
    let mut snapshot = Snapshot::default();
    let mut planned = Vec::new();
    let mut done = BTreeSet::new();
    let mut lines_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut started = false;
    let mut complete_len = 0u64;
    let mut tail = Tail::Terminated;
    let mut buffer = Vec::new();
    let mut number = 0usize;
    loop {
        buffer.clear();
        let n = reader
            .read_until(b'\n', &mut buffer)
            .map_err(|e| io(path, e))?;
        if n == 0 {
            break;
        }
        number += 1;
        let terminated = buffer.last() == Some(&b'\n');
        let bytes = trim_ascii(&buffer);
        if bytes.is_empty() {
            complete_len += n as u64;
            continue;
        }
        let mut whole_line = true;
        let parsed = match serde_json::from_slice::<Line>(bytes) {
            Ok(line) => Some(line),
            Err(_) if !terminated => None,
            Err(e) => match recover(bytes) {
                Some(line) => {
                    whole_line = false;
                    warnings.push(format!(
                        "{}:{number}: a record was glued onto a line cut short; the cut part is ignored and the record kept",
                        path.display()
                    ));
                    Some(line)
                }
                None => {
                    warnings.push(format!(
                        "{}:{number}: unreadable line ({}){}; skipped",
                        path.display(),
                        short_error(&e),
                        account_named(bytes)
                            .map(|id| format!(
                                ", which held account {id}: it is listed as not collected"
                            ))
                            .unwrap_or_default()
                    ));
                    complete_len += n as u64;
                    continue;
                }
            },
        };
        let Some(line) = parsed else {
            // The last line, cut short by a crash: what it held was never
            // reported done, and a resume collects it again.
            warnings.push(format!(
                "{}:{number}: the last line was cut short{}; ignored",
                path.display(),
                account_named(bytes)
                    .map(|id| format!(" (account {id}, collected again by --resume)"))
                    .unwrap_or_default()
            ));
            tail = Tail::Cut { complete_len };
            break;
        };
        if terminated {
            complete_len += n as u64;
        } else {
            tail = Tail::Unterminated;
        }
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
            Line::Account {
                mut account,
                errors,
            } if started => {
                let problems = account.validate();
                if !problems.is_empty() {
                    let messages: Vec<String> = problems.into_iter().map(|p| p.message).collect();
                    warnings.push(format!(
                        "{}:{number}: account record skipped: {}",
                        path.display(),
                        messages.join("; ")
                    ));
                    continue;
                }
                // A resumed journal never repeats an account, but a
                // hand-joined one might: the later line wins.
                if !done.insert(account.id.clone()) {
                    snapshot.accounts.retain(|a| a.id != account.id);
                    snapshot.errors.retain(|e| e.account_id != account.id);
                }
                lines_of.insert(account.id.clone(), number);
                let account = keep(
                    *account,
                    whole_line.then_some(bytes),
                    snapshot.organization.as_ref(),
                )
                .map_err(|e| io(path, e))?;
                snapshot.accounts.push(account);
                snapshot.errors.extend(errors);
            }
            Line::End { .. } if started => {}
            _ => {
                return Err(JournalError::Format {
                    path: path.to_owned(),
                    line: number,
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
            message: "empty journal (no readable `scan` line)".into(),
        });
    }
    let missing: Vec<&String> = planned.iter().filter(|id| !done.contains(*id)).collect();
    if !missing.is_empty() {
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
                interrupted: true,
                ..AccountRef::default()
            });
        }
    }
    let problems = snapshot.validate();
    if !problems.is_empty() {
        return Err(JournalError::Invalid {
            path: path.to_owned(),
            problems: problems
                .into_iter()
                .map(|p| {
                    let line = p
                        .anchors
                        .first()
                        .and_then(|id| lines_of.get(id))
                        .copied()
                        .unwrap_or(1);
                    (line, p.message)
                })
                .collect(),
            warnings,
        });
    }
    snapshot.normalize();
    Ok(Read {
        snapshot,
        done,
        warnings,
        tail,
    })
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A whole record at the end of a damaged line: the last `{"kind"` from
/// which the rest parses.
fn recover(bytes: &[u8]) -> Option<Line> {
    let needle = b"{\"kind\"";
    (1..bytes.len().saturating_sub(needle.len() - 1))
        .rev()
        .filter(|&i| bytes[i..].starts_with(needle))
        .find_map(|i| serde_json::from_slice(&bytes[i..]).ok())
}

/// The account id a damaged account line seems to hold, to name it.
fn account_named(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let at = text.find("\"account\"")?;
    let rest = &text[at..];
    let id_at = rest.find("\"id\"")?;
    let digits: String = rest[id_at + 4..]
        .trim_start_matches([' ', ':', '"'])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    crate::model::is_account_id(&digits).then_some(digits)
}

/// The first line of a parser error, without its position (the journal
/// line is named instead).
fn short_error(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Combines snapshots of one organization (shards, or scans of parts of
/// it) into one. Accounts are taken once (the later snapshot wins); an
/// account skipped by one shard but collected by another is no longer
/// listed as not scanned, and the result is partial only while an
/// interrupted account is still missing. The result passes
/// [`Snapshot::validate`] like any loaded snapshot.
///
/// `parts` are the snapshots with the files they were read from: an
/// error names the two files that hold different organizations, or one
/// organization with different management accounts (which account's
/// trails are the organization's would depend on the files' order).
pub fn merge(parts: Vec<(&Path, Snapshot)>) -> Result<Snapshot, String> {
    let mut first: Option<(&Path, &Organization)> = None;
    for (path, snapshot) in &parts {
        let Some(organization) = &snapshot.organization else {
            continue;
        };
        match first {
            Some((at, seen)) if seen.id != organization.id => {
                return Err(format!(
                    "cannot merge snapshots of different organizations: {} holds {}, {} holds {}",
                    at.display(),
                    seen.id,
                    path.display(),
                    organization.id
                ))
            }
            Some((at, seen))
                if seen.management_account_id != organization.management_account_id =>
            {
                return Err(format!(
                    "cannot merge snapshots of organization {} with different management accounts: {} names {}, {} names {}",
                    seen.id,
                    at.display(),
                    seen.management_account_id,
                    path.display(),
                    organization.management_account_id
                ))
            }
            Some(_) => {}
            None => first = Some((path, organization)),
        }
    }
    let mut merged = Snapshot {
        schema_version: crate::model::SNAPSHOT_SCHEMA_VERSION,
        ..Snapshot::default()
    };
    // An input marked partial that does not say what is missing keeps the
    // result partial; one that lists its missing accounts does while they
    // are missing.
    let mut partial_without_list = false;
    for (_, snapshot) in parts {
        partial_without_list |= snapshot.partial
            && !snapshot
                .organization
                .as_ref()
                .is_some_and(|o| o.accounts_not_scanned.iter().any(|a| a.interrupted));
        match (&mut merged.organization, snapshot.organization) {
            // Checked above: the same organization and management account.
            (Some(have), Some(new)) => {
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
        merged.source = merged.source.or(snapshot.source);
        // The earliest collection time: ages are judged from it.
        merged.collected_at = match (merged.collected_at.take(), snapshot.collected_at) {
            (Some(a), Some(b)) => {
                let time = |t: &str| {
                    time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                        .ok()
                };
                Some(if time(&b) < time(&a) { b } else { a })
            }
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
    merged.partial = partial_without_list
        || merged
            .organization
            .as_ref()
            .is_some_and(|o| o.accounts_not_scanned.iter().any(|a| a.interrupted));
    let problems = merged.validate();
    if !problems.is_empty() {
        let lines: Vec<String> = problems
            .into_iter()
            .map(|p| format!("error: {}", p.message))
            .collect();
        return Err(format!(
            "the merged snapshot is not valid:\n{}",
            lines.join("\n")
        ));
    }
    merged.normalize();
    Ok(merged)
}
