//! Reading the documents a user hands to auditscope: snapshots and mock
//! worlds, check and framework files, waivers, configuration, baselines.
//!
//! YAML and JSON get the same limits, so the same data is accepted or
//! refused whichever way it is written: at most [`MAX_DOCUMENT_BYTES`] per
//! file and [`MAX_DEPTH`] levels of nesting (serde_json's own recursion
//! limit). A JSON document cannot hold more values than it has bytes, so a
//! YAML document may not either: its node budget is its size, which still
//! stops alias expansion ("billion laughs") long before memory runs out.
//! Every problem is a [`Diagnostic`] with file, line and column.

use crate::diag::Diagnostic;
use serde::de::DeserializeOwned;
use std::path::Path;

/// The largest document read: 1 GiB (a 10,000-account snapshot is about
/// 70 MiB).
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// The deepest nesting of mappings and sequences, the same for YAML and
/// JSON (serde_json's limit).
pub const MAX_DEPTH: usize = 128;

/// Reads a whole document as text, refusing files larger than
/// [`MAX_DOCUMENT_BYTES`] and text that is not UTF-8.
pub fn read(path: &Path) -> Result<String, Diagnostic> {
    let cannot = |e: std::io::Error| Diagnostic::file(path, None, format!("cannot read: {e}"));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_DOCUMENT_BYTES {
        return Err(Diagnostic::file(
            path,
            None,
            format!(
                "the file is {} MiB, more than the {} MiB a document may have",
                size >> 20,
                MAX_DOCUMENT_BYTES >> 20
            ),
        ));
    }
    std::fs::read_to_string(path).map_err(cannot)
}

/// Whether `path` names a JSON document (else YAML).
pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// Parses a document by its extension: JSON for `.json`, YAML otherwise.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    if is_json(path) {
        parse_json(path, text, "")
    } else {
        parse_yaml(path, text)
    }
}

/// Parses JSON; `prefix` comes before the parser's message.
pub fn parse_json<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    prefix: &str,
) -> Result<T, Diagnostic> {
    serde_json::from_str(text).map_err(|e| Diagnostic::from_json(path, text, &e, prefix))
}

/// Parses YAML with limits equal to JSON's (see the module documentation).
pub fn parse_yaml<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    serde_saphyr::from_str_with_options(text, yaml_options(text))
        .map_err(|e| Diagnostic::from_yaml(path, text, &e))
}

/// The YAML parser's options for a document of this text.
pub fn yaml_options(text: &str) -> serde_saphyr::Options {
    let size = text.len().max(4096);
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: MAX_DEPTH,
            max_nodes: size,
            max_events: size.saturating_mul(2),
            max_total_scalar_bytes: size,
        },
    }
}
