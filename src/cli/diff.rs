//! `auditscope diff`: the changes between two results, as Markdown for a
//! pull-request comment.

use super::args::LangArg;
use super::{print_stdout, texts, Failure};
use auditscope::report::changes_markdown;
use auditscope::result::ScanResult;
use std::path::Path;
use std::process::ExitCode;

pub(crate) fn diff_command(old: &Path, new: &Path, lang: &LangArg) -> Result<ExitCode, Failure> {
    let texts = texts(lang)?;
    let load = |path: &Path| ScanResult::load(path).map_err(|d| Failure(d.to_string()));
    let baseline = load(old)?;
    let diff = auditscope::diff::compare(&baseline, &load(new)?);
    let changes = diff.changes(&auditscope::diff::describe_baseline(old, &baseline, &texts));
    print_stdout(&changes_markdown(&changes, &texts))?;
    Ok(ExitCode::SUCCESS)
}
