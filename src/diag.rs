//! Diagnostics for problems in user-supplied files (checks, mock worlds,
//! snapshots, configuration): file, line, column, the
//! check they belong to, and the offending line with a caret under it.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: PathBuf,
    /// 1-based; 0 when the problem has no position (a missing file).
    pub line: u64,
    /// 1-based.
    pub column: u64,
    pub check_id: Option<String>,
    pub message: String,
    /// The source line the problem is on, if known.
    pub source_line: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `line`:`column` of `source` (the whole file text).
    pub fn at(
        file: &Path,
        source: &str,
        line: u64,
        column: u64,
        check_id: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        let source_line = line
            .checked_sub(1)
            .and_then(|index| source.lines().nth(index as usize))
            .map(str::to_owned);
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column: column.max(1),
            check_id: check_id.map(str::to_owned),
            message: message.into(),
            source_line,
        }
    }

    /// A problem with a whole file (unreadable, missing).
    pub fn file(file: &Path, check_id: Option<&str>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            check_id: check_id.map(str::to_owned),
            message: message.into(),
            source_line: None,
        }
    }

    /// Turns a serde_json error into a diagnostic at its line and column,
    /// with `prefix` before the message (which loses its own "at line").
    pub fn from_json(file: &Path, source: &str, error: &serde_json::Error, prefix: &str) -> Self {
        let message = error.to_string();
        let message = match message.rfind(" at line ") {
            Some(index) => &message[..index],
            None => &message,
        };
        Diagnostic::at(
            file,
            source,
            error.line() as u64,
            error.column() as u64,
            None,
            format!("{prefix}{message}"),
        )
    }

    /// Turns a serde-saphyr error into a diagnostic, keeping its position.
    pub fn from_yaml(file: &Path, source: &str, error: &serde_saphyr::Error) -> Self {
        let (line, column) = error
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((0, 0));
        Diagnostic::at(file, source, line, column, None, yaml_message(error))
    }
}

/// The bare message of a serde-saphyr error, without the position prefix and
/// snippet that its `Display` adds (we render our own).
fn yaml_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // "line 3 column 1: unknown field ..." -> "unknown field ..."
    match first.split_once(": ") {
        Some((position, rest)) if position.starts_with("line ") => rest.to_owned(),
        _ => first.to_owned(),
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        let check = self
            .check_id
            .as_deref()
            .map(|id| format!(" (check {id})"))
            .unwrap_or_default();
        if self.line == 0 {
            return write!(f, "  --> {}{check}", self.file.display());
        }
        write!(
            f,
            "  --> {}:{}:{}{check}",
            self.file.display(),
            self.line,
            self.column
        )?;
        if let Some(text) = &self.source_line {
            let gutter = self.line.to_string();
            let pad = " ".repeat(gutter.len());
            let caret_pad: String = text
                .chars()
                .take(self.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{gutter} | {text}\n{pad} | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// Every problem found in one load, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, diagnostic) in self.0.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            writeln!(f, "{diagnostic}")?;
        }
        write!(f, "{} problem(s) found", self.0.len())
    }
}

impl std::error::Error for Diagnostics {}
