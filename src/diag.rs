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
    /// The source line the problem is on (at most [`EXCERPT_RADIUS`]
    /// characters either side of the column), if known.
    pub source_line: Option<String>,
    /// The column's character offset in `source_line`.
    pub caret: usize,
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
        // Only the part of a long line that a diagnostic shows is kept.
        let excerpt = line
            .checked_sub(1)
            .and_then(|index| source.lines().nth(index as usize))
            .map(|text| excerpt(text, column.saturating_sub(1) as usize));
        Diagnostic {
            file: file.to_path_buf(),
            line,
            column: column.max(1),
            check_id: check_id.map(str::to_owned),
            message: message.into(),
            source_line: excerpt.as_ref().map(|(text, _)| text.clone()),
            caret: excerpt.map_or(0, |(_, caret)| caret),
        }
    }

    /// A problem found after parsing, placed where the last of `anchors`
    /// occurs in `source` after the ones before it (an account id, then a
    /// trail ARN, ...): the nearest a document without recorded positions
    /// can say. Without a match, the problem is about the whole file.
    pub fn locate(
        file: &Path,
        source: &str,
        anchors: &[String],
        message: impl Into<String>,
    ) -> Self {
        let mut from = 0;
        let mut found = None;
        for anchor in anchors {
            if let Some(at) = find_outside_comments(source, from, anchor) {
                found = Some(at);
                from = at + anchor.len();
            }
        }
        match found {
            Some(offset) => {
                let before = &source[..offset];
                let line = before.matches('\n').count() as u64 + 1;
                let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u64 + 1;
                Diagnostic::at(file, source, line, column, None, message)
            }
            None => Diagnostic::file(file, None, message),
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
            caret: 0,
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
/// snippet that its `Display` adds (we render our own); a breached limit in
/// words, not as a debug dump.
fn yaml_message(error: &serde_saphyr::Error) -> String {
    if let serde_saphyr::Error::Budget { breach, .. } = error {
        use serde_saphyr::budget::BudgetBreach as B;
        return match breach {
            B::Nodes { nodes } => format!(
                "the YAML document has more values ({nodes}) than its size allows; a JSON document of the same size could not hold them either (YAML aliases that expand too far?)"
            ),
            B::Depth { depth } => format!(
                "the YAML document nests {depth} levels deep, more than the {} allowed",
                crate::input::MAX_DEPTH
            ),
            B::Events { .. } | B::ScalarBytes { .. } => {
                "the YAML document expands to more data than its size allows (YAML aliases that expand too far?)".to_owned()
            }
            other => format!("the YAML document exceeds a parser limit ({other:?})"),
        };
    }
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
                .take(self.caret)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n{pad} |\n{gutter} | {text}\n{pad} | {caret_pad}^")?;
        }
        Ok(())
    }
}

/// The first occurrence of `needle` in `source` at or after `from` that is
/// not on a YAML comment line (a line whose text starts with `#`).
fn find_outside_comments(source: &str, from: usize, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    let mut start = from;
    while let Some(index) = source.get(start..)?.find(needle) {
        let at = start + index;
        let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
        if !source[line_start..at].trim_start().starts_with('#') {
            return Some(at);
        }
        start = at + needle.len();
    }
    None
}

/// Characters shown on each side of the column in a long line.
const EXCERPT_RADIUS: usize = 60;

/// At most [`EXCERPT_RADIUS`] characters either side of the 0-based
/// character `column` of `line`, with `…` where it was cut, and the caret's
/// character offset in the excerpt. A 10 MB one-line JSON document gives a
/// two-line diagnostic, not 20 MB of terminal output. Control characters
/// are shown as spaces.
fn excerpt(line: &str, column: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    let column = column.min(chars.len());
    let start = column.saturating_sub(EXCERPT_RADIUS);
    let end = (column + EXCERPT_RADIUS).min(chars.len());
    let mut text = String::new();
    let mut caret = column - start;
    if start > 0 {
        text.push('…');
        caret += 1;
    }
    text.extend(
        chars[start..end]
            .iter()
            .map(|&c| if c.is_control() && c != '\t' { ' ' } else { c }),
    );
    if end < chars.len() {
        text.push('…');
    }
    (text, caret)
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
