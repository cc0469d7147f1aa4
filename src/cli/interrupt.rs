//! Ctrl-C (SIGINT) and SIGTERM, in every phase of a command.
//!
//! One thread waits for the signals for the whole run. While an
//! organization's accounts are being collected, the first signal asks the
//! collection to stop: the accounts already in the journal are kept, the
//! reports are rendered and marked partial, and the command exits 130 (143
//! for SIGTERM). At any other time, or on a second signal, the command
//! exits at once with that code, after removing the temporary files of a
//! report being written (reports are renamed into place only when whole,
//! see `auditscope::atomic`), so no truncated report is ever left.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Mutex, OnceLock};

struct State {
    /// Set while a phase stops gracefully on the first signal.
    graceful: AtomicBool,
    /// The exit code of the signal received (130 or 143), 0 before.
    received: AtomicU8,
    /// Tells the graceful phase that a signal came.
    notify: tokio::sync::watch::Sender<bool>,
    /// Directories whose temporary files go on a forced exit.
    dirs: Mutex<Vec<PathBuf>>,
}

static STATE: OnceLock<State> = OnceLock::new();

/// Starts watching for SIGINT and SIGTERM (once per process).
pub(crate) fn watch() {
    STATE.get_or_init(|| {
        let (notify, _) = tokio::sync::watch::channel(false);
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(wait_for_signals)
            .ok();
        State {
            graceful: AtomicBool::new(false),
            received: AtomicU8::new(0),
            notify,
            dirs: Mutex::new(Vec::new()),
        }
    });
}

fn wait_for_signals() {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    runtime.block_on(async {
        #[cfg(unix)]
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            #[cfg(unix)]
            let code = tokio::select! {
                _ = tokio::signal::ctrl_c() => 130,
                Some(()) = async {
                    match terminate.as_mut() {
                        Some(signal) => signal.recv().await,
                        None => std::future::pending().await,
                    }
                } => 143,
            };
            #[cfg(not(unix))]
            let code = {
                let _ = tokio::signal::ctrl_c().await;
                130
            };
            received(code);
        }
    });
}

fn received(code: u8) {
    let Some(state) = STATE.get() else {
        std::process::exit(code.into());
    };
    let first = state.received.swap(code, Ordering::SeqCst) == 0;
    if first && state.graceful.load(Ordering::SeqCst) {
        eprintln!("\ninterrupted: finishing the accounts being written; press Ctrl-C again to stop at once");
        state.notify.send_replace(true);
        return;
    }
    if let Ok(dirs) = state.dirs.lock() {
        for dir in dirs.iter() {
            auditscope::atomic::remove_leftovers(dir);
        }
    }
    eprintln!("\ninterrupted");
    std::process::exit(code.into());
}

/// While the guard lives, the first signal stops the phase gracefully
/// ([`requested`] completes) instead of ending the process.
pub(crate) struct Graceful;

impl Drop for Graceful {
    fn drop(&mut self) {
        if let Some(state) = STATE.get() {
            state.graceful.store(false, Ordering::SeqCst);
        }
    }
}

pub(crate) fn graceful() -> Graceful {
    watch();
    if let Some(state) = STATE.get() {
        state.graceful.store(true, Ordering::SeqCst);
    }
    Graceful
}

/// Completes when a signal asks the graceful phase to stop.
pub(crate) async fn requested() {
    let Some(state) = STATE.get() else {
        return std::future::pending().await;
    };
    let mut receiver = state.notify.subscribe();
    if *receiver.borrow_and_update() {
        return;
    }
    let _ = receiver.changed().await;
}

/// Removes the temporary files in `dir` if the process is stopped.
pub(crate) fn clean_on_exit(dir: PathBuf) {
    watch();
    if let Some(state) = STATE.get() {
        if let Ok(mut dirs) = state.dirs.lock() {
            dirs.push(dir);
        }
    }
}

/// The exit code of a signal that interrupted a graceful phase (130 for
/// SIGINT, 143 for SIGTERM), if one came.
pub(crate) fn exit_code() -> Option<u8> {
    STATE
        .get()
        .map(|s| s.received.load(Ordering::SeqCst))
        .filter(|&code| code != 0)
}
