//! Strings from data as reports show them: escaped for Markdown or HTML,
//! with invisible controls made visible and very long values shortened.
//!
//! Everything that came from AWS or from a user (names, regions, ARNs,
//! messages, collection errors, a baseline's fields) passes through here:
//! the Markdown templates escape every expression by default (a custom
//! auto-escape mode, so no field can be forgotten), the HTML templates use
//! minijinja's HTML escaping after [`visible`].

use std::borrow::Cow;

/// Characters of a value shown in a report; longer values are cut (the
/// full value stays in `result.json`). AWS names and ARNs are far shorter
/// (an ARN is at most 2,048 characters).
pub const MAX_SHOWN_CHARS: usize = 4096;

/// Characters kept of a value that is cut.
const KEPT_CHARS: usize = 2048;

pub use crate::shell::is_bidi_control;

/// `text` with bidirectional controls and C0 control characters other than
/// tab and newline written as `⟨U+202E⟩`, and cut after
/// [`MAX_SHOWN_CHARS`] characters with a note of how much is left out.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Most text is short printable ASCII: one pass over the bytes, with
    // no early exit so that it runs many bytes at a time.
    if text.len() <= MAX_SHOWN_CHARS
        && !text.bytes().fold(false, |odd, b| {
            odd | (b >= 0x7f) | (b < b' ' && !matches!(b, b'\t' | b'\n' | b'\r'))
        })
    {
        return Cow::Borrowed(text);
    }
    let needs_marks = text
        .chars()
        .any(|c| is_bidi_control(c) || (c.is_control() && c != '\t' && c != '\n' && c != '\r'));
    let long = text.len() > MAX_SHOWN_CHARS && text.chars().count() > MAX_SHOWN_CHARS;
    if !needs_marks && !long {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    for (shown, c) in text.chars().enumerate() {
        if long && shown == KEPT_CHARS {
            let rest = text.chars().count() - KEPT_CHARS;
            out.push_str(&format!(
                "… [{rest} more characters; the full value is in result.json]"
            ));
            break;
        }
        if is_bidi_control(c) || (c.is_control() && c != '\t' && c != '\n' && c != '\r') {
            out.push_str(&format!("⟨U+{:04X}⟩", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes text for a GitHub-flavoured Markdown table cell or inline text:
/// Markdown punctuation is backslash-escaped, `<`, `>` and `&` become
/// entities (no raw HTML), line breaks become spaces (a table row stays one
/// row), after [`visible`].
pub fn markdown_escape(text: &str) -> String {
    let text = visible(text);
    // Most values (ids, regions, plain messages) need nothing escaped.
    if !text.bytes().any(|b| {
        matches!(
            b,
            b'|' | b'`'
                | b'*'
                | b'_'
                | b'['
                | b']'
                | b'\\'
                | b'#'
                | b'~'
                | b'$'
                | b'<'
                | b'>'
                | b'&'
                | b'\n'
                | b'\r'
                | b'\t'
        )
    }) {
        return text.into_owned();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '`' | '*' | '_' | '[' | ']' | '\\' | '#' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' | '\t' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

/// An identifier as a Markdown code span when it is one (letters, digits
/// and `-_.:/`), else escaped text: a code span shows backslashes as they
/// are, so only text that needs no escaping may go in one.
pub fn markdown_code(text: &str) -> String {
    let plain = !text.is_empty()
        && text.len() <= 256
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b));
    if plain {
        format!("`{text}`")
    } else {
        markdown_escape(text)
    }
}

/// A value for a code block of a report: every string in it passed
/// through [`visible`] (the JSON stays valid; long strings are cut).
pub fn visible_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(visible(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(visible_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (visible(k).into_owned(), visible_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// [`visible_json`] of `value` as it is after a round trip through
/// template values, where every map is sorted: each map's entries in byte
/// order of their keys (before [`visible`] is applied to them). What the
/// `json_line` and `tojson_pretty` filters print for a finding's evidence
/// read from the template, computed from the finding itself.
pub fn visible_json_sorted(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(visible(s).into_owned()),
        Value::Array(items) => Value::Array(items.iter().map(visible_json_sorted).collect()),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (visible(k).into_owned(), visible_json_sorted(v)))
                    .collect(),
            )
        }
        other => other.clone(),
    }
}

/// A CommonMark code fence for a block holding `pieces`: backticks, one
/// more than the longest run of backticks in them and at least three, so
/// nothing in the content can close the block early. The content itself is
/// never changed (a command must stay exactly what it is).
pub fn fence_for<'a>(pieces: impl IntoIterator<Item = &'a str>) -> String {
    let mut longest = 0;
    for piece in pieces {
        let mut run = 0;
        for c in piece.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_cells_cannot_break_tables_or_inject_html() {
        assert_eq!(
            markdown_escape("a|b`c`\n<script>"),
            "a\\|b\\`c\\` &lt;script&gt;"
        );
        assert_eq!(
            markdown_escape("![x](javascript:y)"),
            "!\\[x\\](javascript:y)"
        );
        // GitHub renders `$…$` as math.
        assert_eq!(markdown_escape("{ $.a = 1 }"), "{ \\$.a = 1 }");
    }

    #[test]
    fn bidirectional_controls_and_control_characters_are_shown() {
        assert_eq!(visible("abc\u{202E}fed"), "abc⟨U+202E⟩fed");
        assert_eq!(visible("a\u{1b}[31m"), "a⟨U+001B⟩[31m");
        assert_eq!(visible("tab\tok"), "tab\tok");
    }

    #[test]
    fn long_values_are_cut_with_a_note() {
        let long = "A".repeat(MAX_SHOWN_CHARS + 10);
        let shown = visible(&long);
        assert!(shown.starts_with(&"A".repeat(KEPT_CHARS)));
        assert!(shown.contains(&format!(
            "{} more characters",
            MAX_SHOWN_CHARS + 10 - KEPT_CHARS
        )));
        assert_eq!(visible(&"A".repeat(MAX_SHOWN_CHARS)).len(), MAX_SHOWN_CHARS);
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence_for(["no ticks"]), "```");
        assert_eq!(fence_for(["a````b", "``"]), "`````");
    }
}
