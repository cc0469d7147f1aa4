//! The check catalogue and report templates compiled into the binary, used
//! when no directory is given, so an installed binary works anywhere.

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

use crate::checks::SourceFile;
use std::path::PathBuf;

/// The embedded check, framework and sample event files, as the loader
/// takes them.
pub fn check_sources() -> Vec<SourceFile> {
    CHECK_FILES
        .iter()
        .filter(|(path, _)| path.ends_with(".yaml") || path.ends_with(".json"))
        .map(|(path, text)| SourceFile {
            path: PathBuf::from(path),
            text: (*text).to_owned(),
        })
        .collect()
}
