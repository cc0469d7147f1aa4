//! Translations of check and framework texts: `checks/i18n/<lang>/<check-id>.yaml`
//! (title, description, rationale, messages, remediation text) and
//! `checks/i18n/<lang>/frameworks/<framework-id>.yaml` (framework and
//! control titles). They sit beside the English files rather than inside
//! them so that a check stays one readable file and adding a language is
//! adding a directory. [`super::Catalogue::localize`] applies them.
//!
//! Checked at load time, with located errors: each file names a check or
//! framework that exists, every control it titles exists, and every message
//! is a valid template within the same work bound as the English one
//! (the same test, `message_problem`).
//! Completeness (every check and control translated, nothing left in
//! English) is a catalogue test.

use super::{Catalogue, SourceFile};
use crate::diag::Diagnostic;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The translated text of one check. Commands and Terraform are not
/// translated; message templates use the English message's variables.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckText {
    pub title: String,
    pub description: String,
    pub rationale: String,
    #[serde(default)]
    pub messages: MessageTexts,
    /// `remediation.text` of the check.
    pub remediation: String,
}

/// Translated message templates; a missing one stays English.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MessageTexts {
    #[serde(default)]
    pub pass: Option<String>,
    #[serde(default)]
    pub fail: Option<String>,
    #[serde(default)]
    pub skip: Option<String>,
    #[serde(default)]
    pub unknown: Option<String>,
}

impl MessageTexts {
    /// (key, template) of each message given.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("pass", self.pass.as_ref()),
            ("fail", self.fail.as_ref()),
            ("skip", self.skip.as_ref()),
            ("unknown", self.unknown.as_ref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
    }
}

/// The translated titles of one framework catalogue.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkText {
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Which published translation the wording follows, stated honestly.
    pub translation_source: String,
    /// Control id → title.
    pub controls: BTreeMap<String, String>,
}

/// Every translated text of one language.
#[derive(Debug, Clone, Default)]
pub struct Translation {
    pub checks: BTreeMap<String, CheckText>,
    pub frameworks: BTreeMap<String, FrameworkText>,
}

/// The language of a translation file (`.../i18n/<lang>/...`), and whether
/// it is a framework file; `None` for other files.
pub(super) fn language_of(path: &Path) -> Option<(String, bool)> {
    let parts: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let at = parts.iter().rposition(|p| p == "i18n")?;
    let lang = parts.get(at + 1)?.clone();
    let rest = &parts[at + 2..];
    match rest {
        [_file] => Some((lang, false)),
        [dir, _file] if dir == "frameworks" => Some((lang, true)),
        _ => None,
    }
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Reads the translation files among `files` into `catalogue`, checking
/// them against the loaded checks and frameworks.
pub(super) fn load(catalogue: &mut Catalogue, files: &[&SourceFile]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for file in files {
        let Some((lang, is_framework)) = language_of(&file.path) else {
            continue;
        };
        let stem = file_stem(&file.path);
        let options = crate::input::yaml_options(&file.text);
        if is_framework {
            match serde_saphyr::from_str_with_options::<FrameworkText>(&file.text, options) {
                Err(e) => problems.push(Diagnostic::from_yaml(&file.path, &file.text, &e)),
                Ok(text) => {
                    match catalogue.frameworks.get(&stem) {
                        None => problems.push(Diagnostic::file(
                            &file.path,
                            None,
                            format!("translation of an unknown framework `{stem}`"),
                        )),
                        Some(framework) => {
                            for id in text.controls.keys() {
                                if framework.control(id).is_none() {
                                    let (line, column) = super::find_value(&file.text, id);
                                    problems.push(Diagnostic::at(
                                        &file.path,
                                        &file.text,
                                        line,
                                        column,
                                        None,
                                        format!("framework `{stem}` has no control `{id}`"),
                                    ));
                                }
                            }
                        }
                    }
                    catalogue
                        .translations
                        .entry(lang)
                        .or_default()
                        .frameworks
                        .insert(stem, text);
                }
            }
            continue;
        }
        match serde_saphyr::from_str_with_options::<CheckText>(&file.text, options) {
            Err(e) => problems.push(Diagnostic::from_yaml(&file.path, &file.text, &e)),
            Ok(text) => {
                let Some(check) = catalogue.check(&stem) else {
                    problems.push(Diagnostic::file(
                        &file.path,
                        None,
                        format!("translation of an unknown check `{stem}`"),
                    ));
                    continue;
                };
                let english = [
                    ("pass", Some(&check.messages.pass)),
                    ("fail", Some(&check.messages.fail)),
                    ("skip", check.messages.skip.as_ref()),
                    ("unknown", check.messages.unknown.as_ref()),
                ];
                for (key, template) in text.messages.iter() {
                    let (line, column) = super::find_key(&file.text, key);
                    let mut problem = |message: String| {
                        problems.push(Diagnostic::at(
                            &file.path,
                            &file.text,
                            line,
                            column,
                            Some(&stem),
                            message,
                        ))
                    };
                    if !english.iter().any(|(k, e)| *k == key && e.is_some()) {
                        problem(format!(
                            "`messages.{key}`: the check has no such message to translate"
                        ));
                        continue;
                    }
                    if let Some(message) = super::message_problem(key, template) {
                        problem(message);
                    }
                }
                catalogue
                    .translations
                    .entry(lang)
                    .or_default()
                    .checks
                    .insert(stem, text);
            }
        }
    }
    problems
}

impl Catalogue {
    /// The languages with translations in this catalogue, besides English.
    pub fn languages(&self) -> Vec<&str> {
        self.translations.keys().map(String::as_str).collect()
    }

    /// Replaces the English texts of checks and frameworks with those of
    /// `lang` where a translation gives them (English stays where none
    /// does; a catalogue test keeps the shipped languages complete).
    pub fn localize(&mut self, lang: &str) {
        let Some(translation) = self.translations.get(lang) else {
            return;
        };
        for check in &mut self.checks {
            let Some(text) = translation.checks.get(&check.id) else {
                continue;
            };
            check.title = text.title.clone();
            check.description = text.description.clone();
            check.rationale = text.rationale.clone();
            check.remediation.text = text.remediation.clone();
            for (key, template) in text.messages.iter() {
                let slot = match key {
                    "pass" => &mut check.messages.pass,
                    "fail" => &mut check.messages.fail,
                    "skip" => match check.messages.skip.as_mut() {
                        Some(slot) => slot,
                        None => continue,
                    },
                    _ => match check.messages.unknown.as_mut() {
                        Some(slot) => slot,
                        None => continue,
                    },
                };
                *slot = template.clone();
            }
        }
        for (id, framework) in &mut self.frameworks {
            let Some(text) = translation.frameworks.get(id) else {
                continue;
            };
            framework.title = text.title.clone();
            if text.description.is_some() {
                framework.description = text.description.clone();
            }
            for control in &mut framework.controls {
                if let Some(title) = text.controls.get(&control.id) {
                    control.title = title.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translation_files_are_recognized_by_their_place() {
        assert_eq!(
            language_of(Path::new("checks/i18n/ja/guardduty-enabled.yaml")),
            Some(("ja".into(), false))
        );
        assert_eq!(
            language_of(Path::new("checks/i18n/ja/frameworks/pci-dss-4.0.yaml")),
            Some(("ja".into(), true))
        );
        assert_eq!(
            language_of(Path::new("checks/guardduty-enabled.yaml")),
            None
        );
        assert_eq!(language_of(Path::new("checks/i18n/ja/x/y/z.yaml")), None);
    }
}
