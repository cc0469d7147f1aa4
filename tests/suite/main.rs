//! One test binary for the whole suite (faster CI: one link, shared deps).

mod check_table;
mod cli;
mod examples;
mod hardening;
mod i18n;
mod journal;
mod live;
mod loader;
mod monitor;
mod outputs;
mod reports;
mod streaming;
mod verdicts;

use auditscope::checks::{self, Catalogue};
use auditscope::engine::{self, RunInfo};
use auditscope::result::ScanResult;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The English fixed strings of the reports.
pub fn english() -> std::sync::Arc<auditscope::i18n::Texts> {
    std::sync::Arc::new(auditscope::i18n::Texts::load("en").expect("English catalogue"))
}

pub fn catalogue() -> Catalogue {
    checks::load_dir(&root().join("checks"))
        .unwrap_or_else(|d| panic!("bundled checks must load:\n{d}"))
}

/// Evaluates a world from `mock/`.
pub fn scan(world: &str) -> ScanResult {
    evaluate_file(
        &root().join("mock").join(world),
        &catalogue(),
        RunInfo {
            source: format!("mock:{world}"),
            ..Default::default()
        },
    )
}

/// Evaluates the mock world or snapshot file at `path`.
pub fn evaluate_file(path: &Path, catalogue: &Catalogue, info: RunInfo) -> ScanResult {
    let snapshot = auditscope::collect::mock::load(path)
        .unwrap_or_else(|d| panic!("{}:\n{d}", path.display()));
    engine::run(&snapshot, catalogue, info)
}

/// The built binary in the C locale: tests read its English output, so
/// the developer's `LANG=ja_JP.UTF-8` must not change it.
pub fn binary() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_auditscope"));
    command
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C");
    command
}
