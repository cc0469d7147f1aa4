//! The languages of reports, check texts and the command line.
//!
//! One catalogue per language, and adding a language is adding files:
//!
//! - `reports/i18n/<lang>.ftl`: every fixed string of the reports and the
//!   CLI, as [Fluent](https://projectfluent.org/) messages (arguments and
//!   plurals are Fluent's business). `en.ftl` is the source.
//! - `checks/i18n/<lang>/<check-id>.yaml`: a check's title, description,
//!   rationale, messages and remediation text; `checks/i18n/<lang>/frameworks/`
//!   holds the framework titles and control titles (see
//!   [`crate::checks::Catalogue::localize`]).
//!
//! Machine values never change with the language: statuses, severities,
//! ids and keys in `result.json` stay English; `result.json` records the
//! language its messages were written in.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::collections::BTreeSet;

/// The language of the source texts, used when no other is asked for and
/// for any message a translation lacks.
pub const DEFAULT_LANG: &str = "en";

/// Where the Fluent catalogues live, under the report files.
const FTL_DIR: &str = "reports/i18n/";

/// The languages this build has a catalogue for, sorted.
pub fn available() -> Vec<String> {
    crate::embedded::REPORT_FILES
        .iter()
        .filter_map(|(path, _)| path.strip_prefix(FTL_DIR)?.strip_suffix(".ftl"))
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The language the environment asks for: the first set of `LC_ALL`,
/// `LC_MESSAGES` and `LANG` (POSIX precedence), reduced to its language
/// (`ja_JP.UTF-8` → `ja`), if this build has it; else English.
pub fn from_env() -> String {
    let value = ["LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|v| !v.is_empty());
    value
        .and_then(|v| language_of(&v))
        .filter(|lang| available().contains(lang))
        .unwrap_or_else(|| DEFAULT_LANG.to_owned())
}

/// The language part of a POSIX locale name (`ja_JP.UTF-8@x` → `ja`);
/// `None` for `C` and `POSIX`.
fn language_of(locale: &str) -> Option<String> {
    let lang = locale
        .split(['_', '.', '@', '-'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (!lang.is_empty() && lang != "c" && lang != "posix").then_some(lang)
}

/// The English catalogue, parsed once per process: what the engine and
/// its views write in when no language is given. Should the embedded
/// catalogue not parse (a catalogue test keeps it parsing), an empty one
/// shows message ids instead of failing.
pub fn english() -> &'static Texts {
    static ENGLISH: std::sync::OnceLock<Texts> = std::sync::OnceLock::new();
    ENGLISH.get_or_init(|| {
        Texts::load(DEFAULT_LANG).unwrap_or_else(|_| Texts {
            lang: DEFAULT_LANG.to_owned(),
            bundle: FluentBundle::new_concurrent(Vec::new()),
            ids: BTreeSet::new(),
            plain: Default::default(),
            fallback: None,
        })
    })
}

/// Fixed strings of one language, with English behind it for any message
/// the language lacks (a catalogue test keeps the shipped ones complete).
pub struct Texts {
    lang: String,
    bundle: FluentBundle<FluentResource>,
    ids: BTreeSet<String>,
    /// Each message of this catalogue that formats without arguments
    /// and without error, formatted once: the reports ask for the same
    /// labels (`global`, `status-FAIL`) on every row.
    plain: std::collections::HashMap<String, String>,
    fallback: Option<Box<Texts>>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts").field("lang", &self.lang).finish()
    }
}

/// Errors: an unknown language, or a catalogue that does not parse.
#[derive(Debug, thiserror::Error)]
pub enum LangError {
    #[error("unknown language `{0}`; available: {1}")]
    Unknown(String, String),
    #[error("{path}: {message}")]
    Catalogue { path: String, message: String },
}

impl Texts {
    /// The embedded catalogue of `lang`.
    pub fn load(lang: &str) -> Result<Texts, LangError> {
        let source = |lang: &str| {
            let path = format!("{FTL_DIR}{lang}.ftl");
            crate::embedded::REPORT_FILES
                .iter()
                .find(|(p, _)| *p == path)
                .map(|(_, text)| (path, *text))
        };
        let Some((path, text)) = source(lang) else {
            return Err(LangError::Unknown(lang.to_owned(), available().join(", ")));
        };
        let fallback = if lang == DEFAULT_LANG {
            None
        } else {
            Some(Box::new(Texts::load(DEFAULT_LANG)?))
        };
        Texts::parse(lang, &path, text, fallback)
    }

    /// Parses one catalogue. Every syntax error is reported with its line.
    pub fn parse(
        lang: &str,
        path: &str,
        text: &str,
        fallback: Option<Box<Texts>>,
    ) -> Result<Texts, LangError> {
        let resource = FluentResource::try_new(text.to_owned()).map_err(|(_, errors)| {
            let messages: Vec<String> = errors
                .iter()
                .map(|e| {
                    let line = text[..e.pos.start.min(text.len())].lines().count().max(1);
                    format!("line {line}: {}", e.kind)
                })
                .collect();
            LangError::Catalogue {
                path: path.to_owned(),
                message: messages.join("; "),
            }
        })?;
        let ids = resource
            .entries()
            .filter_map(|entry| match entry {
                fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_owned()),
                _ => None,
            })
            .collect();
        let locale = lang.parse().map_err(|e| LangError::Catalogue {
            path: path.to_owned(),
            message: format!("`{lang}` is not a language identifier: {e}"),
        })?;
        let mut bundle = FluentBundle::new_concurrent(vec![locale]);
        // Isolation marks (U+2068/U+2069) would land in Markdown and in
        // terminals; the reports neutralize bidi controls themselves.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource)
            .map_err(|errors| LangError::Catalogue {
                path: path.to_owned(),
                message: errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            })?;
        let mut plain: std::collections::HashMap<String, String> = Default::default();
        for id in &ids {
            let id: &String = id;
            if let Some(pattern) = bundle.get_message(id.as_str()).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, Some(&FluentArgs::new()), &mut errors);
                if errors.is_empty() {
                    plain.insert(id.clone(), text.into_owned());
                }
            }
        }
        Ok(Texts {
            lang: lang.to_owned(),
            bundle,
            ids,
            plain,
            fallback,
        })
    }

    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The message ids of this catalogue (not of its fallback).
    pub fn ids(&self) -> &BTreeSet<String> {
        &self.ids
    }

    /// Whether this catalogue or its fallback has message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id) || self.fallback.as_ref().is_some_and(|f| f.has(id))
    }

    /// Every value that has a label under `prefix` (here or in the
    /// fallback), with [`Texts::label`]'s text for it: the labels the
    /// reports print on every row, made once. A value missing from it is
    /// its own label.
    pub fn labels(&self, prefix: &str) -> std::collections::HashMap<String, String> {
        let mut ids: Vec<&String> = Vec::new();
        let mut texts = Some(self);
        while let Some(catalogue) = texts {
            ids.extend(catalogue.ids.iter());
            texts = catalogue.fallback.as_deref();
        }
        ids.into_iter()
            .filter_map(|id| id.strip_prefix(prefix))
            .map(|value| (value.to_owned(), self.label(prefix, value)))
            .collect()
    }

    /// The label of a machine value (`status-FAIL`), or the value itself
    /// when the catalogue has none (a value from a user's file).
    pub fn label(&self, prefix: &str, value: &str) -> String {
        let id = format!("{prefix}{value}");
        if self.has(&id) {
            self.get(&id)
        } else {
            value.to_owned()
        }
    }

    /// The message `id` without arguments.
    pub fn get(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` with arguments (`{ $name }` in the catalogue). A
    /// message missing here comes from English; missing there too, the id
    /// itself is shown, so a gap is visible, never a panic.
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        if args.is_empty() {
            if let Some(text) = self.plain.get(id) {
                return text.clone();
            }
        }
        self.format_uncached(id, args)
    }

    /// [`Texts::format`] without the formatted plain messages.
    fn format_uncached(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return match &self.fallback {
                Some(english) => english.format(id, args),
                None => id.to_owned(),
            };
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.as_str())),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned()
    }
}

/// An argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(value: &str) -> Self {
        Arg::Text(value.to_owned())
    }
}

impl From<String> for Arg {
    fn from(value: String) -> Self {
        Arg::Text(value)
    }
}

impl From<usize> for Arg {
    fn from(value: usize) -> Self {
        Arg::Number(value as f64)
    }
}

impl From<u64> for Arg {
    fn from(value: u64) -> Self {
        Arg::Number(value as f64)
    }
}

impl From<f64> for Arg {
    fn from(value: f64) -> Self {
        Arg::Number(value)
    }
}

/// An RFC 3339 time as the language writes dates: `2026年11月30日 12:00
/// UTC` in Japanese; English keeps the RFC 3339 text. Text that is not a
/// time is returned as it is.
pub fn date_time(lang: &str, text: &str) -> String {
    let Ok(t) = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    else {
        return text.to_owned();
    };
    let t = t.to_offset(time::UtcOffset::UTC);
    match lang {
        "ja" => format!(
            "{}年{}月{}日 {:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        ),
        // English reports keep the RFC 3339 text they always had.
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_made_once_are_the_labels_asked_one_by_one() {
        for lang in super::available() {
            let texts = super::Texts::load(&lang).expect("catalogue");
            for prefix in ["status-", "severity-", "state-", "waiver-state-"] {
                let labels = texts.labels(prefix);
                assert!(!labels.is_empty(), "{lang} {prefix}");
                let mut values: Vec<String> = labels.keys().cloned().collect();
                // Values no catalogue labels, as a user's file may hold.
                values.extend(["", "made-up", "FAIL ", "fail"].map(String::from));
                for value in values {
                    let once = labels.get(&value).cloned().unwrap_or_else(|| value.clone());
                    assert_eq!(once, texts.label(prefix, &value), "{lang} {prefix}{value}");
                }
            }
        }
    }

    #[test]
    fn a_message_formatted_once_reads_as_formatted_each_time() {
        for lang in super::available() {
            let texts = super::Texts::load(&lang).expect("loads");
            assert!(!texts.plain.is_empty(), "{lang}");
            for id in texts
                .ids()
                .iter()
                .chain(["no-such-message".to_owned()].iter())
            {
                assert_eq!(
                    texts.format(id, &[]),
                    texts.format_uncached(id, &[]),
                    "{lang} {id}"
                );
            }
            // A message with arguments is never served without them.
            assert!(!texts.plain.contains_key("failures-intro"), "{lang}");
        }
    }

    use super::*;

    #[test]
    fn locales_reduce_to_their_language() {
        assert_eq!(language_of("ja_JP.UTF-8").as_deref(), Some("ja"));
        assert_eq!(language_of("ja").as_deref(), Some("ja"));
        assert_eq!(language_of("en_US@euro").as_deref(), Some("en"));
        assert_eq!(language_of("C"), None);
        assert_eq!(language_of("POSIX"), None);
        assert_eq!(language_of(""), None);
    }

    #[test]
    fn a_missing_message_falls_back_to_english_then_to_its_id() {
        let english = Texts::parse("en", "en.ftl", "a = A\nb = B { $n }\n", None).unwrap();
        let other = Texts::parse("ja", "ja.ftl", "a = エー\n", Some(Box::new(english))).unwrap();
        assert_eq!(other.get("a"), "エー");
        assert_eq!(other.format("b", &[("n", 2usize.into())]), "B 2");
        assert_eq!(other.get("zzz"), "zzz");
    }

    #[test]
    fn a_broken_catalogue_is_an_error_with_its_line() {
        let error = Texts::parse("en", "en.ftl", "a = A\nb\n", None).unwrap_err();
        assert!(error.to_string().contains("line 2"), "{error}");
    }

    #[test]
    fn dates_follow_the_language() {
        assert_eq!(
            date_time("ja", "2026-11-30T12:05:00Z"),
            "2026年11月30日 12:05 UTC"
        );
        assert_eq!(
            date_time("en", "2026-11-30T12:05:00Z"),
            "2026-11-30T12:05:00Z"
        );
        assert_eq!(date_time("ja", "not a date"), "not a date");
    }
}
