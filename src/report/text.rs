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
    // Most text is short printable ASCII.
    if text.len() <= MAX_SHOWN_CHARS && printable_ascii(text.as_bytes()) {
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

/// Whether `bytes` are all printable ASCII, tab or line breaks: read
/// eight bytes at a time, a word with no byte below a space, at or above
/// DEL passing at once (a byte at a time, this was 3% of a large scan's
/// time). Bit tricks from "Bit Twiddling Hacks" (S. E. Anderson,
/// "Determine if a word has a byte less than n"): they may flag a word
/// that is fine, never miss one that is not, and a flagged word is read
/// byte by byte.
fn printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let plain = |b: &u8| (b' '..0x7f).contains(b) || matches!(b, b'\t' | b'\n' | b'\r');
    let mut words = bytes.chunks_exact(8);
    for word in &mut words {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let w = u64::from_le_bytes(eight);
        let below_space = w.wrapping_sub(ONES * u64::from(b' ')) & !w;
        let del = w ^ (ONES * 0x7f);
        let is_del = del.wrapping_sub(ONES) & !del;
        if (w | below_space | is_del) & HIGH != 0 && !word.iter().all(plain) {
            return false;
        }
    }
    words.remainder().iter().all(plain)
}

/// Escapes text for a GitHub-flavoured Markdown table cell or inline text:
/// Markdown punctuation is backslash-escaped, `<`, `>` and `&` become
/// entities (no raw HTML), line breaks become spaces (a table row stays one
/// row), after [`visible`].
pub fn markdown_escaped(text: &str) -> Cow<'_, str> {
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
        return text;
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
    Cow::Owned(out)
}

/// [`markdown_escaped`] as an owned string.
pub fn markdown_escape(text: &str) -> String {
    markdown_escaped(text).into_owned()
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

#[cfg(test)]
/// [`visible_json`] of `value` as it is after a round trip through
/// template values, where every map is sorted: each map's entries in byte
/// order of their keys (before [`visible`] is applied to them). What the
/// `json_line` and `tojson_pretty` filters print for a finding's evidence
/// read from the template, computed from the finding itself.
pub fn visible_json_sorted(value: &serde_json::Value) -> serde_json::Value {
    visible_in_order(value, false)
}

#[cfg(test)]
/// [`visible_json_sorted`], then every map sorted again by its keys as
/// shown: the order in which minijinja's `tojson` prints a map (its maps
/// are sorted), for [`json_line`].
pub fn visible_json_shown_order(value: &serde_json::Value) -> serde_json::Value {
    visible_in_order(value, true)
}

#[cfg(test)]
/// [`visible_json_sorted`], each map sorted again by the keys as shown
/// when `by_shown_key`.
fn visible_in_order(value: &serde_json::Value, by_shown_key: bool) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::String(s) => Value::String(visible(s).into_owned()),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| visible_in_order(item, by_shown_key))
                .collect(),
        ),
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let mut shown: serde_json::Map<String, Value> = entries
                .into_iter()
                .map(|(k, v)| (visible(k).into_owned(), visible_in_order(v, by_shown_key)))
                .collect();
            if by_shown_key {
                shown.sort_keys();
            }
            Value::Object(shown)
        }
        other => other.clone(),
    }
}

/// A JSON value serialized as [`visible_json_sorted`] (or, when
/// `by_shown_key`, [`visible_json_shown_order`]) would make it, without
/// making it: every string shown with [`visible`], every map in key order
/// and then, when `by_shown_key`, in the order of its keys as shown. Keys
/// that are shown alike are one entry, at the first one's place with the
/// last one's value, as when the made value collects them.
pub struct Shown<'a> {
    pub value: &'a serde_json::Value,
    pub by_shown_key: bool,
}

impl serde::Serialize for Shown<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        use serde_json::Value;
        match self.value {
            Value::String(text) => serializer.serialize_str(&visible(text)),
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for value in items {
                    seq.serialize_element(&Shown {
                        value,
                        by_shown_key: self.by_shown_key,
                    })?;
                }
                seq.end()
            }
            Value::Object(map) => {
                let mut entries: Vec<(&str, &Value)> =
                    map.iter().map(|(k, v)| (k.as_str(), v)).collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                serialize_shown_map(serializer, entries, self.by_shown_key)
            }
            other => other.serialize(serializer),
        }
    }
}

/// A map of `entries` (in key order) as [`Shown`] serializes one.
pub fn serialize_shown_map<'a, S: serde::Serializer>(
    serializer: S,
    entries: impl IntoIterator<Item = (&'a str, &'a serde_json::Value)>,
    by_shown_key: bool,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut shown: Vec<(Cow<'a, str>, &'a serde_json::Value)> = entries
        .into_iter()
        .map(|(key, value)| (visible(key), value))
        .collect();
    // The keys of a map differ; shown, they can be alike only when one of
    // them was changed.
    if shown.iter().any(|(key, _)| matches!(key, Cow::Owned(_))) {
        let mut at: std::collections::HashMap<Cow<'a, str>, usize> =
            std::collections::HashMap::new();
        let mut merged: Vec<(Cow<'a, str>, &'a serde_json::Value)> = Vec::new();
        for (key, value) in shown {
            match at.get(&key) {
                Some(&i) => merged[i].1 = value,
                None => {
                    at.insert(key.clone(), merged.len());
                    merged.push((key, value));
                }
            }
        }
        shown = merged;
    }
    if by_shown_key {
        shown.sort_by(|a, b| a.0.cmp(&b.0));
    }
    let mut map = serializer.serialize_map(Some(shown.len()))?;
    for (key, value) in &shown {
        map.serialize_entry(
            key.as_ref(),
            &Shown {
                value,
                by_shown_key,
            },
        )?;
    }
    map.end()
}

/// `value` on one line as minijinja's `tojson` filter writes it: a space
/// after `,` and `:`, and `<`, `>`, `&` and `'` escaped (`\u003c`) so the
/// text is safe in HTML too; maps in their order here. Written by
/// `serde_json` straight from the value, without converting it to a
/// template value first. A unit test compares the two on every kind of
/// value and on random floats.
pub fn json_line(value: &impl serde::Serialize) -> String {
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, SpacedHtmlSafe);
    // Serializing a JSON value to memory cannot fail.
    let _ = serde::Serialize::serialize(value, &mut serializer);
    String::from_utf8(out).unwrap_or_default()
}

/// The layout and escaping of [`json_line`].
struct SpacedHtmlSafe;

/// `, ` before every item of a list or map but the first.
fn separate<W: ?Sized + std::io::Write>(out: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        out.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for SpacedHtmlSafe {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(out, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separate(out, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
    ) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        out: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let escaped: &[u8] = match b {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                b'&' => b"\\u0026",
                b'\'' => b"\\u0027",
                _ => continue,
            };
            out.write_all(&bytes[start..i])?;
            out.write_all(escaped)?;
            start = i + 1;
        }
        out.write_all(&bytes[start..])
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
    fn printable_ascii_is_every_byte_the_slow_way_passes() {
        let slow = |bytes: &[u8]| {
            bytes
                .iter()
                .all(|&b| (b' '..0x7f).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
        };
        for b in 0..=u8::MAX {
            // Alone, and late in a long run, where the loop works many
            // bytes at a time.
            let mut long = vec![b'a'; 77];
            long[70] = b;
            assert_eq!(printable_ascii(&[b]), slow(&[b]), "byte {b:#04x}");
            assert_eq!(
                printable_ascii(&long),
                slow(&long),
                "byte {b:#04x} in a run"
            );
        }
        assert!(printable_ascii(b""));
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
    fn json_line_writes_what_minijinja_tojson_writes() {
        let tojson = |value: &serde_json::Value| {
            minijinja::filters::tojson(
                &minijinja::Value::from(minijinja::value::Serde(value)),
                None,
                minijinja::value::Kwargs::from_iter(std::iter::empty::<(&str, minijinja::Value)>()),
            )
            .expect("json")
            .to_string()
        };
        let mut values = vec![
            serde_json::json!({"a": [1, -2, 2.5, 1e300, 1e-7, 0.1, 18446744073709551615u64, -9223372036854775808i64],
                "b": {}, "c": [], "d": null, "e": true, "f": false,
                "g": "<script>&'\"\\/\u{8}\u{c}\n\r\t\u{1}\u{1f}\u{7f}é\u{202E}😀",
                "h": [[{"x": {"y": []}}], {}]}),
            serde_json::json!("plain"),
            serde_json::json!([]),
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..50_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let value = f64::from_bits(state);
            if value.is_finite() {
                values.push(serde_json::json!(value));
            }
            values.push(serde_json::json!((state % 2_000_000) as f64 / 1000.0));
        }
        for value in &values {
            // tojson prints maps sorted; json_line in their order.
            let shown = visible_json_shown_order(value);
            assert_eq!(json_line(&shown), tojson(&shown), "{value}");
        }
    }

    #[test]
    fn fences_outgrow_backtick_runs() {
        assert_eq!(fence_for(["no ticks"]), "```");
        assert_eq!(fence_for(["a````b", "``"]), "`````");
    }
}
