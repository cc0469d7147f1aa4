//! Shell commands that reports suggest ("Commands to fix"), built so that
//! a reader who copies one runs exactly the command it says, whatever the
//! names, regions and ARNs from AWS contain.
//!
//! Every word goes through [`quote`]: a word made only of characters no
//! POSIX shell treats specially is written as it is, any other word is
//! wrapped in single quotes, inside which `sh`, `bash` and `zsh` expand
//! nothing; a single quote in the word is written as `'\''`. Placeholders
//! the reader must replace (`<role-arn>`) are quoted too, so a command run
//! unedited fails at AWS instead of redirecting the shell's input.
//!
//! A word holding control characters or Unicode bidirectional controls,
//! which would make the command read differently from what it runs, is
//! written in ANSI-C quotes (`$'…'`, bash and zsh) with those characters
//! as `\uXXXX`; a POSIX `sh` reads that as a different, harmless word.

use std::borrow::Cow;

/// One word quoted for a POSIX shell (see the module documentation).
pub fn quote(word: &str) -> Cow<'_, str> {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@+,%".contains(&b));
    if plain {
        Cow::Borrowed(word)
    } else if word.chars().any(hidden) {
        let mut quoted = String::from("$'");
        for c in word.chars() {
            match c {
                '\\' => quoted.push_str("\\\\"),
                '\'' => quoted.push_str("\\'"),
                c if hidden(c) => quoted.push_str(&format!("\\u{:04x}", c as u32)),
                c => quoted.push(c),
            }
        }
        quoted.push('\'');
        Cow::Owned(quoted)
    } else {
        Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
    }
}

/// Unicode bidirectional controls (embeddings, overrides and isolates,
/// U+202A–U+202E and U+2066–U+2069) and the marks that steer them: in a
/// report or a command they could make text read differently from what it
/// is ("Trojan Source"), so they are never shown as they are.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Characters a reader of a command would not see as they are.
fn hidden(c: char) -> bool {
    c.is_control()
        || is_bidi_control(c)
        || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
}

/// A command line of `words`, each [`quote`]d and separated by one space.
pub fn command<S: AsRef<str>>(words: impl IntoIterator<Item = S>) -> String {
    words
        .into_iter()
        .map(|w| quote(w.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_words_stay_plain_and_others_are_quoted() {
        assert_eq!(quote("us-east-1"), "us-east-1");
        assert_eq!(
            quote("arn:aws:sns:us-east-1:111111111111:alarms"),
            "arn:aws:sns:us-east-1:111111111111:alarms"
        );
        assert_eq!(quote(""), "''");
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(touch x)"), "'$(touch x)'");
        assert_eq!(quote("<role-arn>"), "'<role-arn>'");
        assert_eq!(quote("~/x"), "'~/x'");
        assert_eq!(
            command(["aws", "sns", "create-topic", "--name", "a;b"]),
            "aws sns create-topic --name 'a;b'"
        );
        assert_eq!(quote("gnp\u{202E}exe"), r"$'gnp\u202eexe'");
        assert_eq!(quote("a\nb'c"), r"$'a\u000ab\'c'");
    }

    /// What bash makes of a quoted word, by its own rules: the word back.
    fn unquote(text: &str) -> Option<String> {
        if let Some(body) = text.strip_prefix("$'").and_then(|t| t.strip_suffix('\'')) {
            let mut out = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next()? {
                        'u' => {
                            let hex: String = chars.by_ref().take(4).collect();
                            out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
                        }
                        other => out.push(other),
                    },
                    '\'' => return None,
                    c => out.push(c),
                }
            }
            return Some(out);
        }
        let mut out = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('\'') {
                let end = after.find('\'')?;
                out.push_str(&after[..end]);
                rest = &after[end + 1..];
            } else if let Some(after) = rest.strip_prefix("\\'") {
                out.push('\'');
                rest = after;
            } else {
                let c = rest.chars().next()?;
                if !(c.is_ascii_alphanumeric() || "-_./:=@+,%".contains(c)) {
                    return None;
                }
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        Some(out)
    }

    proptest! {
        #[test]
        fn quoting_round_trips_any_text(word in "\\PC{0,40}|[';$`\"\\\\ \n*?~<>|&(){}#!\u{202E}\u{2066}\t]{0,20}") {
            let quoted = quote(&word);
            prop_assert_eq!(unquote(&quoted), Some(word.clone()), "{}", quoted);
        }
    }
}
