//! `auditscope checks` and `auditscope frameworks`: list, show and
//! validate the catalogue.

use super::args::{ChecksCommand, FrameworksCommand};
use super::{load_catalogue, print_stdout, Failure};
use auditscope::checks;
use std::fmt::Write as _;
use std::process::ExitCode;

pub(crate) fn checks_command(command: ChecksCommand) -> Result<ExitCode, Failure> {
    let mut out = String::new();
    match command {
        ChecksCommand::List(args) => {
            let (catalogue, t) = load_catalogue(&args)?;
            for check in &catalogue.checks {
                let _ = writeln!(
                    out,
                    "{:<40} {} {:<13} {}",
                    check.id,
                    pad(&t.label("severity-", check.severity.as_str()), 9),
                    check.scope.as_str(),
                    check.title
                );
            }
        }
        ChecksCommand::Show { id, catalogue } => {
            let (catalogue, t) = load_catalogue(&catalogue)?;
            let check = catalogue.check(&id).ok_or_else(|| {
                Failure(t.format("cli-unknown-check", &[("id", id.as_str().into())]))
            })?;
            let _ = writeln!(
                out,
                "{} ({}, {} {})\n",
                check.id,
                t.get(&format!("severity-{}", check.severity.as_str())),
                t.get("cli-scope"),
                check.scope.as_str()
            );
            let _ = writeln!(out, "{}\n", check.title);
            let _ = writeln!(
                out,
                "{}\n  {}\n",
                t.get("cli-what-it-checks"),
                check.description.trim()
            );
            let _ = writeln!(out, "{}\n  {}\n", t.get("cli-why"), check.rationale.trim());
            let _ = writeln!(
                out,
                "{}\n  {}\n",
                t.get("cli-passes-when"),
                check.assert.source.trim()
            );
            if let Some(monitor) = &check.monitor {
                let _ = writeln!(out, "{}", t.get("cli-alarm-must-fire"));
                for event in &monitor.must_match {
                    let _ = writeln!(out, "  {:<48} {}", event.name, event.summary);
                }
                let _ = writeln!(out, "\n{}", t.get("cli-near-misses"));
                for event in &monitor.must_not_match {
                    let _ = writeln!(out, "  {:<48} {}", event.name, event.summary);
                }
                if !monitor.shared.is_empty() {
                    let _ = writeln!(
                        out,
                        "\n{}\n  {}",
                        t.get("cli-shared"),
                        monitor.shared.join(", ")
                    );
                }
                let _ = writeln!(
                    out,
                    "\n{}",
                    t.format(
                        "cli-sample-account",
                        &[(
                            "account",
                            auditscope::checks::monitor::SAMPLE_ACCOUNT_ID.into()
                        )]
                    )
                );
                let _ = writeln!(
                    out,
                    "\n{}\n  {}",
                    t.get("cli-alarm-counts"),
                    t.get("cli-alarm-counts-detail")
                );
                let _ = writeln!(
                    out,
                    "\n{}\n  {}\n",
                    t.get("cli-recommended-pattern"),
                    monitor.pattern
                );
            }
            if let Some(applies) = &check.applies_when {
                let _ = writeln!(
                    out,
                    "{}\n  {}\n",
                    t.get("cli-applies-when"),
                    applies.source.trim()
                );
            }
            if !check.parameters.is_empty() {
                let _ = writeln!(out, "{}", t.get("cli-parameters"));
                for (name, value) in &check.parameters {
                    let _ = writeln!(
                        out,
                        "  {name} = {}",
                        serde_json::to_string(value).unwrap_or_default()
                    );
                }
                let _ = writeln!(out);
            }
            if !check.requires.is_empty() {
                let _ = writeln!(
                    out,
                    "{}\n  {}\n",
                    t.get("cli-needs-actions"),
                    check.requires.join(", ")
                );
            }
            let _ = writeln!(
                out,
                "{}\n  {}",
                t.get("cli-how-to-fix"),
                check.remediation.text.trim()
            );
            if let Some(cli) = &check.remediation.cli {
                let _ = writeln!(out, "\n  CLI:\n{}", indent(cli));
            }
            if let Some(terraform) = &check.remediation.terraform {
                let _ = writeln!(out, "\n  Terraform:\n{}", indent(terraform));
            }
            let _ = writeln!(out, "\n{}", t.get("cli-controls"));
            for (framework, controls) in &check.frameworks {
                let _ = writeln!(out, "  {framework}: {}", controls.join(", "));
            }
            let _ = writeln!(out, "\n{}", t.get("cli-references"));
            for reference in &check.references {
                let _ = writeln!(out, "  {reference}");
            }
        }
        ChecksCommand::Validate { dir } => match checks::load_dir(&dir) {
            Ok(catalogue) => {
                let _ = writeln!(
                    out,
                    "{}: {} checks and {} frameworks are valid",
                    dir.display(),
                    catalogue.checks.len(),
                    catalogue.frameworks.len()
                );
            }
            Err(problems) => {
                let _ = writeln!(out, "{problems}");
                print_stdout(&out)?;
                return Ok(ExitCode::from(2));
            }
        },
    }
    print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}

/// `text` padded with spaces to `width` terminal columns (a Japanese
/// character takes two), so columns line up in every language.
fn pad(text: &str, width: usize) -> String {
    let shown = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn frameworks_command(command: FrameworksCommand) -> Result<ExitCode, Failure> {
    let mut out = String::new();
    match command {
        FrameworksCommand::List(args) => {
            let (catalogue, t) = load_catalogue(&args)?;
            for framework in catalogue.frameworks.values() {
                let covered = framework
                    .controls
                    .iter()
                    .filter(|c| {
                        catalogue
                            .checks_for_control(&framework.id, &c.id)
                            .next()
                            .is_some()
                    })
                    .count();
                let _ = writeln!(
                    out,
                    "{:<16} {} {} ({})",
                    framework.id,
                    framework.title,
                    framework.version,
                    t.format(
                        "cli-framework-coverage",
                        &[
                            ("controls", framework.controls.len().into()),
                            ("covered", covered.into())
                        ]
                    )
                );
            }
        }
        FrameworksCommand::Show { id, catalogue } => {
            let (catalogue, t) = load_catalogue(&catalogue)?;
            let framework = catalogue.frameworks.get(&id).ok_or_else(|| {
                Failure(t.format("cli-unknown-framework", &[("id", id.as_str().into())]))
            })?;
            let _ = writeln!(
                out,
                "{} — {} {}",
                framework.id, framework.title, framework.version
            );
            for control in &framework.controls {
                let mapped: Vec<&str> = catalogue
                    .checks_for_control(&framework.id, &control.id)
                    .collect();
                let coverage = if mapped.is_empty() {
                    t.get("cli-manual")
                } else {
                    mapped.join(", ")
                };
                let _ = writeln!(
                    out,
                    "{:<14} {} {}",
                    control.id,
                    pad(&control.title, 60),
                    coverage
                );
            }
        }
    }
    print_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
