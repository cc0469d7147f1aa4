//! Files written whole or not at all.
//!
//! Reports, merged snapshots and `diff.md` are written to a temporary file
//! in the same directory (`.auditscope-*.tmp`) and renamed over the final
//! name only when complete: an interrupt (SIGINT, SIGTERM), a full disk or
//! a template error never leaves a truncated file under a report's name.
//! A leftover temporary file of a killed process is removed by the next
//! write into the directory, or by the interrupt handler.

use std::io::Write;
use std::path::{Path, PathBuf};

const PREFIX: &str = ".auditscope-";
const SUFFIX: &str = ".tmp";

/// An I/O failure on `path`.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {}: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `path` through `fill`, atomically (see the module
/// documentation). The directory must exist. An error of `fill` is
/// returned as it is, and nothing is left behind.
pub fn write<E: From<WriteError>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<(), E> {
    let fail = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    // The file is replaced, never written through: what is there must be
    // a file (not a device such as /dev/null, a pipe, a directory or a
    // symbolic link, which a rename would replace).
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        if !meta.file_type().is_file() {
            return Err(fail(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it exists and is not a regular file (a directory, device, pipe or symbolic link); auditscope replaces the files it writes, so it will not write there",
            ))
            .into());
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = tempfile::Builder::new()
        .prefix(PREFIX)
        .suffix(SUFFIX)
        .tempfile_in(dir)
        .map_err(fail)?;
    let mut out = std::io::BufWriter::new(temp);
    fill(&mut out)?;
    let temp = out.into_inner().map_err(|e| fail(e.into_error()))?;
    temp.as_file().sync_data().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// An exclusive hold on an output directory for one process: reports,
/// account pages, spools and journals in it are this process's to write
/// and to clean up. Released when dropped or when the process ends, even
/// by SIGKILL (an advisory `flock(2)` on the directory itself on Unix, on
/// `.auditscope.lock` in it elsewhere), so nothing stale ever blocks a
/// later run.
#[derive(Debug)]
pub struct DirLock {
    _held: std::fs::File,
}

/// Why [`lock_dir`] failed.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the directory.
    #[error(
        "another auditscope process is writing to {}; wait for it to finish or choose another --out",
        path.display()
    )]
    Busy { path: PathBuf },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Takes the exclusive hold of `dir` (which must exist) without waiting.
///
/// Two scans writing to one directory would remove each other's spools
/// and temporary files as leftovers ([`remove_leftovers`]) and mix their
/// reports; the second one stops with [`LockError::Busy`] instead. Where
/// the lock cannot be taken for another reason (a file system without
/// advisory locks), the directory is used unlocked, with a warning.
pub fn lock_dir(dir: &Path) -> Result<DirLock, LockError> {
    let io = |source| LockError::Io {
        path: dir.to_owned(),
        source,
    };
    #[cfg(unix)]
    let file = std::fs::File::open(dir).map_err(io)?;
    #[cfg(not(unix))]
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".auditscope.lock"))
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(DirLock { _held: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(LockError::Busy {
            path: dir.to_owned(),
        }),
        Err(std::fs::TryLockError::Error(e)) => {
            // No lock manager (ENOLCK on some NFS mounts), or a file system
            // that does not lock directories: a lock that cannot be had is
            // no reason to refuse a scan.
            tracing::warn!(dir = %dir.display(), error = %e, "output directory not locked");
            Ok(DirLock { _held: file })
        }
    }
}

/// Removes the temporary files (and spool directories) an interrupted
/// write left in `dir`.
pub fn remove_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(PREFIX) && name.ends_with(SUFFIX) {
            // A directory is a streamed scan's spool (report::Stream).
            let path = entry.path();
            if path.is_dir() {
                // A spool's writer may add a file while it is removed (an
                // interrupt during a scan): try again until it is gone.
                for _ in 0..20 {
                    if std::fs::remove_dir_all(&path).is_ok() || !path.exists() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(25));
                }
            } else {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("report.md");
        write::<WriteError>(&path, |out| {
            out.write_all(b"old").map_err(|source| WriteError {
                path: path.clone(),
                source,
            })
        })
        .expect("first write");
        let failed = write::<WriteError>(&path, |out| {
            let _ = out.write_all(b"half of the new");
            Err(WriteError {
                path: path.clone(),
                source: std::io::Error::other("template failed"),
            })
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.md")]);
    }
}
