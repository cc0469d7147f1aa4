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
    let temp = filled(path, fill)?;
    commit(temp, path)?;
    Ok(())
}

/// The temporary file beside `path`, written through `fill`.
fn filled<E: From<WriteError>>(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
) -> Result<tempfile::NamedTempFile, E> {
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
    let mut out = std::io::BufWriter::with_capacity(128 * 1024, Writeback::new(temp, 64 << 20));
    fill(&mut out)?;
    let out = out.into_inner().map_err(|e| fail(e.into_error()))?;
    Ok(out.finish().map_err(fail)?)
}

/// A temporary file being written that, every `step` bytes, has a thread
/// of its own make what is written so far durable (`fdatasync`), so that
/// the sync before the rename waits only for the last part. Without it,
/// the 650 MB `result.json` of a 1,000-account scan waited about half a
/// second for its sync, and ten times that at 10,000 accounts. A file
/// smaller than `step` starts no thread.
struct Writeback {
    file: tempfile::NamedTempFile,
    step: u64,
    unsynced: u64,
    /// Wakes the thread; the thread returns its first error, which the
    /// final sync would not see again (the two share one open file).
    syncer: Option<(
        std::sync::mpsc::SyncSender<()>,
        std::thread::JoinHandle<std::io::Result<()>>,
    )>,
}

impl Writeback {
    fn new(file: tempfile::NamedTempFile, step: u64) -> Self {
        Writeback {
            file,
            step,
            unsynced: 0,
            syncer: None,
        }
    }

    /// Asks the thread, started on first use, to sync. A request while
    /// one waits is dropped: the waiting one covers it.
    fn sync_in_background(&mut self) {
        if self.syncer.is_none() {
            let Ok(file) = self.file.as_file().try_clone() else {
                return;
            };
            let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
            let Ok(thread) = std::thread::Builder::new()
                .name("writeback".into())
                .spawn(move || woken.iter().try_for_each(|()| file.sync_data()))
            else {
                return;
            };
            self.syncer = Some((wake, thread));
        }
        if let Some((wake, _)) = &self.syncer {
            let _ = wake.try_send(());
        }
    }

    /// The file, once the thread is done; its error, if it had one.
    fn finish(mut self) -> std::io::Result<tempfile::NamedTempFile> {
        if let Some((wake, thread)) = self.syncer.take() {
            drop(wake);
            thread
                .join()
                .map_err(|_| std::io::Error::other("the writeback thread panicked"))??;
        }
        Ok(self.file)
    }
}

impl Write for Writeback {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.unsynced += n as u64;
        if self.unsynced >= self.step {
            self.unsynced = 0;
            self.sync_in_background();
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// Makes `temp` durable, then renames it to `path`: after a crash the
/// name holds the old file or the whole new one.
fn commit(temp: tempfile::NamedTempFile, path: &Path) -> Result<(), WriteError> {
    let fail = |source| WriteError {
        path: path.to_owned(),
        source,
    };
    temp.as_file().sync_data().map_err(fail)?;
    temp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// Writes files as [`write`] does, but makes each durable and renames it
/// on a thread of its own: the writer goes on while the disk catches up.
/// A scan's account pages are thousands of files; waiting for each one's
/// `fdatasync` took about 2 of the 15 seconds of a 1,000-account scan.
///
/// At most `pending` written files wait for the thread (each holds an open
/// file). A file is in place only once [`Committer::finish`] returns; the
/// first error is returned by every later [`Committer::write`] and by
/// `finish`, and files handed over after it are removed. Dropped without
/// `finish`, it waits for the thread to commit what it was handed.
pub struct Committer {
    jobs: Option<std::sync::mpsc::SyncSender<(tempfile::NamedTempFile, PathBuf)>>,
    failed: std::sync::Arc<std::sync::Mutex<Option<(PathBuf, std::io::ErrorKind, String)>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Committer {
    /// Starts the thread. An error is the system's refusal to start one.
    pub fn start(pending: usize) -> std::io::Result<Committer> {
        Self::start_with(pending, commit)
    }

    /// [`Committer::start`] with `commit` in place of [`commit`].
    fn start_with(
        pending: usize,
        commit: fn(tempfile::NamedTempFile, &Path) -> Result<(), WriteError>,
    ) -> std::io::Result<Committer> {
        let (jobs, queue) =
            std::sync::mpsc::sync_channel::<(tempfile::NamedTempFile, PathBuf)>(pending);
        let failed = std::sync::Arc::new(std::sync::Mutex::new(None));
        let record = std::sync::Arc::clone(&failed);
        let thread = std::thread::Builder::new()
            .name("commit".into())
            .spawn(move || {
                for (temp, path) in queue {
                    // After an error the rest are only removed (dropped).
                    let stopped = record.lock().map_or(true, |f| f.is_some());
                    if stopped {
                        continue;
                    }
                    if let Err(e) = commit(temp, &path) {
                        if let Ok(mut first) = record.lock() {
                            *first = Some((e.path, e.source.kind(), e.source.to_string()));
                        }
                    }
                }
            })?;
        Ok(Committer {
            jobs: Some(jobs),
            failed,
            thread: Some(thread),
        })
    }

    /// The first error of the thread, if any.
    fn error(&self) -> Option<WriteError> {
        let failed = self.failed.lock().ok()?;
        let (path, kind, message) = failed.as_ref()?;
        Some(WriteError {
            path: path.clone(),
            source: std::io::Error::new(*kind, message.clone()),
        })
    }

    /// Writes `path` through `fill` into a temporary file, and hands it to
    /// the thread to make durable and rename.
    pub fn write<E: From<WriteError>>(
        &self,
        path: &Path,
        fill: impl FnOnce(&mut dyn Write) -> Result<(), E>,
    ) -> Result<(), E> {
        if let Some(error) = self.error() {
            return Err(error.into());
        }
        let temp = filled(path, fill)?;
        let sent = match &self.jobs {
            Some(jobs) => jobs.send((temp, path.to_owned())).is_ok(),
            None => false,
        };
        if !sent {
            return Err(self
                .error()
                .unwrap_or_else(|| WriteError {
                    path: path.to_owned(),
                    source: std::io::Error::other("the commit thread stopped"),
                })
                .into());
        }
        Ok(())
    }

    /// Waits until every file written is durable and in place; returns the
    /// first error.
    pub fn finish(mut self) -> Result<(), WriteError> {
        self.stop();
        match self.error() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn stop(&mut self) {
        self.jobs = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                if let Ok(mut first) = self.failed.lock() {
                    first.get_or_insert((
                        PathBuf::new(),
                        std::io::ErrorKind::Other,
                        "the commit thread panicked".into(),
                    ));
                }
            }
        }
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        self.stop();
    }
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

    /// A file larger than the step is synced in the background while it
    /// is written, and reads back as written.
    #[test]
    fn a_large_file_is_synced_as_it_is_written_and_reads_back_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let temp = tempfile::NamedTempFile::new_in(dir.path()).expect("temp");
        let mut out = Writeback::new(temp, 1000);
        let mut expected = Vec::new();
        for i in 0..500u32 {
            let line = format!("line {i}\n");
            out.write_all(line.as_bytes()).expect("write");
            expected.extend_from_slice(line.as_bytes());
        }
        assert!(out.syncer.is_some(), "a sync was started");
        let temp = out.finish().expect("synced");
        assert_eq!(std::fs::read(temp.path()).expect("read"), expected);
        let mut small = Writeback::new(
            tempfile::NamedTempFile::new_in(dir.path()).expect("temp"),
            1000,
        );
        small.write_all(&[b'x'; 999]).expect("write");
        assert!(small.syncer.is_none(), "no thread below the step");
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn text(path: &Path, text: &str) -> impl FnOnce(&mut dyn Write) -> Result<(), WriteError> {
        let (path, text) = (path.to_owned(), text.to_owned());
        move |out| {
            out.write_all(text.as_bytes())
                .map_err(|source| WriteError { path, source })
        }
    }

    #[test]
    fn files_handed_to_the_committer_are_in_place_once_it_finishes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let commit = Committer::start(2).expect("thread");
        for i in 0..50 {
            let path = dir.path().join(format!("{i:02}.md"));
            commit
                .write(&path, text(&path, &format!("page {i}")))
                .expect("write");
        }
        commit.finish().expect("finish");
        let expected: Vec<String> = (0..50).map(|i| format!("{i:02}.md")).collect();
        assert_eq!(names(dir.path()), expected);
        for i in 0..50 {
            let path = dir.path().join(format!("{i:02}.md"));
            assert_eq!(
                std::fs::read_to_string(path).expect("read"),
                format!("page {i}")
            );
        }
    }

    /// A commit that fails is reported by `finish` with its file's path;
    /// the files handed over after it are removed, not put in place, and
    /// no temporary file is left.
    #[test]
    fn a_failed_commit_is_reported_and_the_files_after_it_are_removed() {
        /// Set once c.md is handed over: b.md fails only then, so the
        /// failure is not known when c.md is written.
        static C_HANDED_OVER: std::sync::atomic::AtomicBool =
            std::sync::atomic::AtomicBool::new(false);
        fn fails_on_b(temp: tempfile::NamedTempFile, path: &Path) -> Result<(), WriteError> {
            if path.ends_with("b.md") {
                let waited = std::time::Instant::now();
                while !C_HANDED_OVER.load(std::sync::atomic::Ordering::SeqCst)
                    && waited.elapsed() < std::time::Duration::from_secs(30)
                {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                return Err(WriteError {
                    path: path.to_owned(),
                    source: std::io::Error::new(std::io::ErrorKind::StorageFull, "disk full"),
                });
            }
            commit(temp, path)
        }
        let dir = tempfile::tempdir().expect("tempdir");
        // One file may wait, so that handing over c.md does not wait for
        // b.md's commit.
        let commit = Committer::start_with(1, fails_on_b).expect("thread");
        for name in ["a.md", "b.md", "c.md"] {
            let path = dir.path().join(name);
            commit.write(&path, text(&path, name)).expect("handed over");
        }
        C_HANDED_OVER.store(true, std::sync::atomic::Ordering::SeqCst);
        let error = commit.finish().expect_err("b failed");
        assert!(error.path.ends_with("b.md"), "{error}");
        assert_eq!(error.source.kind(), std::io::ErrorKind::StorageFull);
        assert_eq!(names(dir.path()), vec!["a.md".to_owned()]);
    }
}
