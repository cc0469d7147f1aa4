//! `auditscope scan`: load or collect a snapshot, evaluate the checks,
//! apply waivers and the baseline, write the reports, apply the gate.

use super::args::ScanArgs;
use super::live::{collect_live, collect_organization};
use super::snapshots::{
    in_memory, load_snapshot, load_snapshots, read_journal, read_merged, warn_partial,
    whole_unless_streamed,
};
use super::{load_catalogue, now_rfc3339, Failure};
use anyhow::{anyhow, Result};
use auditscope::checks::{Catalogue, ParamValue, Severity};
use auditscope::collect;
use auditscope::engine::{self, RunInfo};
use auditscope::report::{changes_markdown, Format, PageJob, RenderOptions, Renderer, ReportError};
use auditscope::result::{Finding, ScanResult, Status, WaiverState};
use auditscope::spooled::Spooled;

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    parameters: BTreeMap<String, BTreeMap<String, ParamValue>>,
}

/// Parameter overrides from `--config` then `--param` (the latter wins).
fn parameter_overrides(
    config: Option<&Path>,
    params: &[String],
    catalogue: &Catalogue,
) -> Result<BTreeMap<String, BTreeMap<String, ParamValue>>> {
    let mut overrides = BTreeMap::new();
    if let Some(path) = config {
        let text = auditscope::input::read(path).map_err(|d| anyhow!("{d}"))?;
        let file: ConfigFile =
            auditscope::input::parse_yaml(path, &text).map_err(|d| anyhow!("{d}"))?;
        overrides = file.parameters;
    }
    for param in params {
        let (key, value) = param
            .split_once('=')
            .ok_or_else(|| anyhow!("--param `{param}`: expected CHECK.NAME=VALUE"))?;
        let (check_id, name) = key
            .rsplit_once('.')
            .ok_or_else(|| anyhow!("--param `{param}`: expected CHECK.NAME=VALUE"))?;
        let check = catalogue
            .check(check_id)
            .ok_or_else(|| anyhow!("--param `{param}`: unknown check `{check_id}`"))?;
        let default = check.parameters.get(name).ok_or_else(|| {
            anyhow!(
                "--param `{param}`: check `{check_id}` has no parameter `{name}` (it has: {})",
                check
                    .parameters
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
        let parsed = default
            .parse_like(value)
            .map_err(|e| anyhow!("--param `{param}`: {e}"))?;
        overrides
            .entry(check_id.to_owned())
            .or_insert_with(BTreeMap::new)
            .insert(name.to_owned(), parsed);
    }
    Ok(overrides)
}

pub(crate) fn scan(args: ScanArgs) -> Result<ExitCode, Failure> {
    let formats = args
        .format
        .iter()
        .map(|f| f.parse::<Format>())
        .collect::<Result<Vec<_>, _>>()?;
    let (mut catalogue, texts) = load_catalogue(&args.catalogue)?;
    // Waivers are checked against the whole catalogue, so one file serves
    // runs that select different checks.
    let waivers = match &args.waivers {
        Some(path) => {
            let ids: Vec<&str> = catalogue.checks.iter().map(|c| c.id.as_str()).collect();
            Some(auditscope::waivers::Waivers::load(path, &ids)?)
        }
        None => None,
    };
    // Parameters too are checked against the whole catalogue: one
    // configuration file serves runs that select different checks.
    let overrides = parameter_overrides(args.config.as_deref(), &args.params, &catalogue)?;
    catalogue
        .override_parameters(&overrides)
        .map_err(|problems| Failure(problems.join("\n")))?;
    catalogue.select(&args.check_patterns)?;
    if let Some(framework) = &args.framework {
        catalogue.select_framework(framework)?;
    }
    let renderer = Renderer::new(args.templates.as_deref(), texts.clone())?;
    // Read the baseline before scanning, so a bad file fails fast.
    let baseline = args
        .baseline
        .as_deref()
        .map(|path| ScanResult::load(path).map(|old| (path, old)))
        .transpose()
        .map_err(|d| Failure(d.to_string()))?;

    // The output directory is this scan's alone: another scan writing
    // there would take its spool and temporary files for leftovers.
    let mut out_lock = match args.out.is_dir() {
        true => Some(auditscope::atomic::lock_dir(&args.out)?),
        false => None,
    };
    let started_at = now_rfc3339();
    let phase = std::time::Instant::now();
    // A large snapshot's accounts, on disk until their batch.
    let mut spooled = None;
    // AUDITSCOPE_SNAPSHOT_IN_MEMORY=1 is a tuning knob (docs/scaling.md):
    // a machine with memory to spare skips the second parse of each account.
    let may_spool = baseline.is_none() && !engine::reads_every_account(&catalogue) && !in_memory();
    let (snapshot, source) = match (&args.mock, args.snapshot.as_slice()) {
        (Some(path), _) => (
            collect::mock::load(path).map_err(|d| Failure(d.to_string()))?,
            format!("mock:{}", path.display()),
        ),
        (None, [path]) => {
            let loaded = match may_spool {
                false => None,
                true => spool_snapshot(path, &args.out, args.split_accounts, &mut out_lock)?,
            };
            let snapshot = match loaded {
                Some((snapshot, on_disk)) => {
                    spooled = on_disk;
                    snapshot
                }
                None => load_snapshot(path)?,
            };
            (snapshot, format!("snapshot:{}", path.display()))
        }
        (None, [_, ..]) => {
            let loaded = match may_spool {
                false => None,
                true => {
                    hold(&args.out, &mut out_lock)?;
                    read_merged(&args.snapshot, &args.out)?
                }
            };
            let snapshot = match loaded {
                Some((snapshot, on_disk)) => {
                    let (snapshot, on_disk) =
                        whole_unless_streamed(snapshot, on_disk, args.split_accounts)?;
                    spooled = on_disk;
                    snapshot
                }
                None => load_snapshots(&args.snapshot)?,
            };
            (snapshot, format!("snapshots:{}", args.snapshot.len()))
        }
        (None, []) if args.live.org.org => {
            let journal = args
                .live
                .org
                .journal
                .clone()
                .unwrap_or_else(|| args.out.join("snapshot.jsonl"));
            // The journal goes into the output directory by default, and
            // collecting may take an hour: hold the directory first.
            hold(&args.out, &mut out_lock)?;
            let spool = may_spool.then_some((args.out.as_path(), args.split_accounts));
            let (snapshot, on_disk) = collect_organization(&args.live, &journal, spool)?;
            spooled = on_disk;
            let source = format!(
                "aws:{}",
                snapshot
                    .organization
                    .as_ref()
                    .map(|o| o.id.as_str())
                    .unwrap_or("organization")
            );
            (snapshot, source)
        }
        (None, []) => (collect_live(&args.live)?, "aws".to_owned()),
    };
    tracing::info!(
        elapsed_ms = phase.elapsed().as_millis() as u64,
        accounts = snapshot.accounts.len(),
        "loaded snapshot"
    );
    // Expiry is judged on the day the facts were collected, so the same
    // snapshot gives the same result; without a collection time, today.
    let as_of = waivers.as_ref().map(|_| {
        snapshot
            .collected_at
            .as_deref()
            .and_then(auditscope::engine::view::parse_time)
            .map(|t| t.date())
            .unwrap_or_else(|| {
                eprintln!("{}", texts.get("cli-warning-no-collected-at"));
                time::OffsetDateTime::now_utc().date()
            })
    });
    hold(&args.out, &mut out_lock)?;
    // Held until the scan returns.
    let _out_lock = out_lock;
    // Reports are renamed into place when whole; what an interrupted
    // earlier run left half-written goes, and so would this run's.
    // (accounts/ takes an atomic copy when it links to another file system.)
    let accounts_dir = args.out.join(auditscope::report::ACCOUNTS_DIR);
    auditscope::atomic::remove_leftovers(&args.out);
    auditscope::atomic::remove_leftovers(&accounts_dir);
    super::interrupt::clean_on_exit(args.out.clone());
    super::interrupt::clean_on_exit(accounts_dir.clone());
    // Something other than a directory where account pages will go is
    // reported before any work is done.
    let paged = snapshot.accounts.len() > args.split_accounts
        && formats
            .iter()
            .any(|f| matches!(f, Format::Markdown | Format::Html));
    if paged && accounts_dir.exists() && !accounts_dir.is_dir() {
        return Err(Failure(format!(
            "cannot write the account pages: {} is in the way (not a directory)",
            accounts_dir.display()
        )));
    }
    // Every report is written into a stage and moved into place when all
    // are written: an interrupted or failed scan leaves the earlier
    // reports as they were, never a mix (report::Stage).
    let stage = auditscope::report::Stage::new(&args.out)
        .map_err(|e| Failure(format!("cannot write to {}: {e}", args.out.display())))?;
    let staged = stage.path().to_owned();
    let options = RenderOptions {
        timestamps: args.timestamps,
        split_above: args.split_accounts,
        ..RenderOptions::default()
    };
    let info = RunInfo {
        source,
        started_at,
        finished_at: None,
        texts: Some(texts.clone()),
        // A tuning knob (docs/scaling.md): smaller batches hold less,
        // larger ones keep both cores busier.
        accounts_per_batch: accounts_per_batch()?,
    };
    // Above --split-accounts the reports are split per account anyway, so
    // findings go to the reports as each batch of accounts is evaluated
    // and are not held (docs/architecture.md, "Streaming and scale"). A
    // comparison with a baseline reads both results whole, so it keeps
    // them in memory.
    let streamed = baseline.is_none() && snapshot.accounts.len() > args.split_accounts;
    let phase = std::time::Instant::now();
    let mut failing = Failing::default();
    let mut stream = None;
    let mut pages_during_evaluation = false;
    let mut result = if streamed {
        let accounts: Vec<String> = snapshot.accounts.iter().map(|a| a.id.clone()).collect();
        let mut writer = renderer.stream(&staged, &catalogue, &accounts, &options)?;
        let mut waiving = waivers.as_ref().zip(as_of).map(|(w, d)| w.tally(d));
        let uses = |waiving: &Option<auditscope::waivers::WaiverTally>| {
            waiving.as_ref().map(|w| w.so_far()).unwrap_or_default()
        };
        // Each batch's account pages are rendered while its findings are
        // in memory, beside the next batch's evaluation, unless a page
        // shows what only the end can tell. The scan's times are final
        // now when they are cleared (--deterministic); otherwise the time
        // it finishes is known only then, which a page shows with
        // --timestamps or may show with the user's --templates.
        let mut shell = engine::result_shell(&snapshot, &catalogue, info.clone());
        if args.deterministic {
            shell.scan.started_at = None;
            shell.scan.finished_at = None;
        }
        let times_final = args.deterministic || (args.templates.is_none() && !args.timestamps);
        let pages = writer.pages_as_you_go(&formats, shell, &uses(&waiving), times_final);
        pages_during_evaluation = pages.is_some();
        let stubs = spooled.as_ref().map(|s: &Spooled| engine::Stubs {
            ids: &s.stubs,
            unread_lakes: &s.unread_lakes,
        });
        let mut loader = SpoolLoader(spooled.as_ref());
        let writer_ref = &mut writer;
        let evaluate = |render: &mut dyn FnMut(PageJob) -> Result<(), ReportError>| {
            engine::run_from(
                &snapshot,
                stubs,
                &catalogue,
                info,
                &mut loader,
                &mut |accounts, mut findings| {
                    for finding in &mut findings {
                        if let Some(waiving) = &mut waiving {
                            waiving.apply(finding);
                        }
                        failing.add(finding);
                    }
                    let ids: Vec<String> = accounts.iter().map(|a| a.id.clone()).collect();
                    match writer_ref.add(&ids, findings, || uses(&waiving))? {
                        Some(job) => render(job),
                        None => Ok(()),
                    }
                },
            )
        };
        let mut result = match &pages {
            Some(pages) => {
                let (result, written) = pages.beside(evaluate)?;
                writer.pages_rendered(written);
                result
            }
            None => evaluate(&mut |_| Ok(()))?,
        };
        result.summary = writer.summary(&catalogue.control_index());
        if let Some(waiving) = waiving {
            result.waivers = waiving.finish();
        }
        stream = Some(writer);
        result
    } else {
        let mut result = engine::run(&snapshot, &catalogue, info);
        if let (Some(waivers), Some(as_of)) = (&waivers, as_of) {
            waivers.apply(&mut result, as_of);
            result.finalize(&catalogue.control_index());
        }
        for finding in &result.findings {
            failing.add(finding);
        }
        result
    };
    // Everything needed from the snapshot is in the result now.
    drop(snapshot);
    drop(spooled);
    let finding_count: u64 = result.summary.by_status.values().sum();
    tracing::info!(
        elapsed_ms = phase.elapsed().as_millis() as u64,
        findings = finding_count,
        streamed,
        "evaluated checks"
    );
    for waiver in &result.waivers {
        if waiver.state != WaiverState::Active {
            let args = [
                ("waiver", waiver.source.as_str().into()),
                ("check", waiver.check_id.as_str().into()),
                ("account", waiver.account_id.as_str().into()),
                ("expires", waiver.waiver.expires.to_string().into()),
            ];
            let id = match waiver.state {
                WaiverState::Expired => "cli-warning-waiver-expired",
                _ => "cli-warning-waiver-unused",
            };
            eprintln!("{}", texts.format(id, &args));
        }
    }
    let diff = baseline.map(|(path, old)| {
        let diff = auditscope::diff::compare(&old, &result);
        result.changes =
            Some(diff.changes(&auditscope::diff::describe_baseline(path, &old, &texts)));
        diff
    });
    result.scan.finished_at = now_rfc3339();
    if args.deterministic {
        result.scan.started_at = None;
        result.scan.finished_at = None;
    }
    let mut all_written = Vec::new();
    let mut wrote = Vec::new();
    // A stream writes the account pages of every format at once: each
    // batch of findings is read back once for all of them.
    let mut pages = Vec::new();
    if let Some(stream) = &mut stream {
        let phase = std::time::Instant::now();
        pages = stream.write_pages(&formats, &result)?;
        tracing::info!(
            elapsed_ms = phase.elapsed().as_millis() as u64,
            files = pages.iter().map(|(_, p)| p.len()).sum::<usize>(),
            // If so, their time is part of the evaluation's.
            during_evaluation = pages_during_evaluation,
            "rendered account pages"
        );
    }
    // One format at a time: each streams to its file, so peak memory is the
    // result (or the stream's tally) plus what one page shows.
    for format in formats {
        let phase = std::time::Instant::now();
        let written = match &mut stream {
            Some(stream) => {
                let mut written = stream.write(format, &result)?;
                if let Some(at) = pages.iter().position(|(f, _)| *f == format) {
                    written.extend(pages.swap_remove(at).1);
                }
                written
            }
            None => renderer.write(format, &staged, &result, &catalogue, &options)?,
        };
        tracing::info!(
            elapsed_ms = phase.elapsed().as_millis() as u64,
            files = written.len(),
            ?format,
            "rendered report"
        );
        // Said once the files are in place.
        let file = stage.final_path(&written[0]).display().to_string();
        wrote.push(match written.len() {
            1 => texts.format("cli-wrote", &[("file", file.into())]),
            n => texts.format(
                "cli-wrote-pages",
                &[
                    ("file", file.into()),
                    ("pages", (n - 1).into()),
                    ("dir", accounts_dir.display().to_string().into()),
                ],
            ),
        });
        all_written.extend(written);
    }
    // The spool goes before the reports are moved into place.
    drop(stream);
    if let (Some(diff), Some(changes)) = (&diff, &result.changes) {
        let file = staged.join(auditscope::report::DIFF_FILE);
        auditscope::atomic::write(&file, |out| -> Result<(), Failure> {
            out.write_all(changes_markdown(changes, &texts).as_bytes())?;
            Ok(())
        })?;
        all_written.push(file.clone());
        wrote.push(texts.format(
            "cli-wrote-diff",
            &[
                ("file", stage.final_path(&file).display().to_string().into()),
                ("new", diff.new_failures.len().into()),
                ("resolved", diff.resolved.len().into()),
                ("still", diff.still_failing.len().into()),
            ],
        ));
    }
    let all_written = stage.publish(&all_written).map_err(|e| {
        Failure(format!(
            "cannot move the reports into {}: {e}",
            args.out.display()
        ))
    })?;
    for line in wrote {
        eprintln!("{line}");
    }
    // Only now, with every new file in place: the earlier scan's files
    // that this one did not write (a diff.md of another baseline, pages of
    // accounts no longer scanned, a format not asked for).
    let removed = auditscope::report::remove_stale(&args.out, &all_written).map_err(|e| {
        Failure(format!(
            "cannot remove stale reports in {}: {e}",
            args.out.display()
        ))
    })?;
    for path in removed {
        eprintln!(
            "{}",
            texts.format(
                "cli-removed",
                &[("file", path.display().to_string().into())]
            )
        );
    }
    let by_status = &result.summary.by_status;
    let count = |status: &str| by_status.get(status).copied().unwrap_or(0);
    eprintln!(
        "{}",
        texts.format(
            "cli-summary",
            &[
                ("findings", finding_count.into()),
                ("pass", count("PASS").into()),
                ("fail", count("FAIL").into()),
                ("error", count("ERROR").into()),
                ("skip", count("SKIP").into()),
                ("waived", count("WAIVED").into()),
                ("accounts", result.scan.accounts.len().into()),
            ]
        )
    );
    if let Some(code) = super::interrupt::exit_code() {
        eprintln!("{}", texts.get("cli-interrupted"));
        return Ok(ExitCode::from(code));
    }
    Ok(gate(
        &failing,
        diff.as_ref(),
        args.fail_on,
        args.fail_on_new,
        &texts,
    ))
}

/// Creates the output directory `out` if needed and holds it for this
/// scan (`lock`, taken once): another scan writing there would take this
/// one's spool and temporary files for leftovers.
fn hold(out: &Path, lock: &mut Option<auditscope::atomic::DirLock>) -> Result<(), Failure> {
    if lock.is_none() {
        std::fs::create_dir_all(out)
            .map_err(|e| Failure(format!("cannot create {}: {e}", out.display())))?;
        *lock = Some(auditscope::atomic::lock_dir(out)?);
    }
    Ok(())
}

/// Reads a JSON snapshot or a journal one account at a time
/// ([`Spooled`]), spooling the accounts in `out` (created and held here),
/// when it has more than `split_above` accounts: the scan then streams,
/// and holds one batch of accounts at a time. A smaller one is made whole;
/// `None`: the file is to be read whole (YAML, or a problem the whole
/// reader reports with its line and column).
fn spool_snapshot(
    path: &Path,
    out: &Path,
    split_above: usize,
    out_lock: &mut Option<auditscope::atomic::DirLock>,
) -> Result<Option<(auditscope::model::Snapshot, Option<Spooled>)>, Failure> {
    let journal = auditscope::journal::is_journal(path);
    if !journal && !auditscope::input::is_json(path) {
        return Ok(None);
    }
    hold(out, out_lock)?;
    if journal {
        // A problem is reported by the whole reader, with its line.
        let Ok(read) = read_journal(path, out, split_above) else {
            return Ok(None);
        };
        warn_partial(path, &read.0);
        return Ok(Some(read));
    }
    let (snapshot, spooled) = match Spooled::read(path, out) {
        Ok(Some(read)) => read,
        Ok(None) => return Ok(None),
        // The file itself cannot be opened: the whole reader says why.
        Err(_) if std::fs::File::open(path).is_err() => return Ok(None),
        // The spool cannot be written or read back: reading the file
        // whole instead would take the memory of every account without a
        // word.
        Err(e) => {
            return Err(Failure(format!(
                "cannot write the snapshot spool in {}: {e}",
                out.display()
            )))
        }
    };
    whole_unless_streamed(snapshot, spooled, split_above).map(Some)
}

/// Reads each batch's stubs back from the spool, if there is one.
struct SpoolLoader<'s>(Option<&'s Spooled>);

impl engine::Loader<ReportError> for SpoolLoader<'_> {
    fn load(
        &mut self,
        stubs: &[auditscope::model::Account],
    ) -> Result<Vec<auditscope::model::Account>, ReportError> {
        match self.0 {
            Some(spooled) => spooled
                .load(stubs)
                .map_err(|e| ReportError::Internal(e.to_string())),
            None => Ok(stubs.to_vec()),
        }
    }

    fn not_loaded(&mut self, ids: std::collections::BTreeSet<String>) -> Result<(), ReportError> {
        match ids.is_empty() {
            true => Ok(()),
            false => Err(ReportError::Internal(format!(
                "the facts of account(s) {} were needed but not loaded (a bug: please report it); AUDITSCOPE_SNAPSHOT_IN_MEMORY=1 reads the snapshot whole",
                ids.into_iter().collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// `AUDITSCOPE_ACCOUNTS_PER_BATCH`: a positive number of accounts, or 0
/// (the default) when unset.
fn accounts_per_batch() -> Result<usize, Failure> {
    let Ok(text) = std::env::var("AUDITSCOPE_ACCOUNTS_PER_BATCH") else {
        return Ok(0);
    };
    match text.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Failure(format!(
            "AUDITSCOPE_ACCOUNTS_PER_BATCH=`{text}`: expected a positive number of accounts"
        ))),
    }
}

/// The FAIL findings of a scan as the gate needs them, folded one at a
/// time: per severity, how many and the first in canonical order.
#[derive(Default)]
struct Failing {
    by_severity: BTreeMap<String, (usize, Arc<Finding>)>,
}

impl Failing {
    fn add(&mut self, finding: &Arc<Finding>) {
        if finding.status != Status::Fail {
            return;
        }
        match self.by_severity.get_mut(&*finding.severity) {
            Some((count, first)) => {
                *count += 1;
                if finding.key() < first.key() {
                    *first = Arc::clone(finding);
                }
            }
            None => {
                self.by_severity
                    .insert(finding.severity.to_string(), (1, Arc::clone(finding)));
            }
        }
    }
}

/// The CI gate: exit 1 when a FAIL at or above `fail_on` exists, counting
/// only failures new against the baseline with `only_new`.
fn gate(
    failing: &Failing,
    diff: Option<&auditscope::diff::Diff>,
    fail_on: Option<Severity>,
    only_new: bool,
    texts: &auditscope::i18n::Texts,
) -> ExitCode {
    if fail_on.is_none() && !only_new {
        return ExitCode::SUCCESS;
    }
    let threshold = fail_on.unwrap_or(Severity::Info);
    let at_or_above = |severity: &str| {
        severity
            .parse::<Severity>()
            .map_or(true, |s| s <= threshold)
    };
    let (count, first): (usize, Option<&Finding>) = match (only_new, diff) {
        (true, Some(diff)) => {
            let new: Vec<&Finding> = diff
                .new_failures
                .iter()
                .map(|c| c.finding.as_ref())
                .filter(|f| at_or_above(&f.severity))
                .collect();
            (new.len(), new.first().copied())
        }
        _ => failing
            .by_severity
            .iter()
            .filter(|(severity, _)| at_or_above(severity))
            .fold((0, None), |(count, first), (_, (n, f))| {
                let first = match first {
                    Some(g) if Finding::key(g) <= f.key() => Some(g),
                    _ => Some(f.as_ref()),
                };
                (count + n, first)
            }),
    };
    let Some(first) = first else {
        return ExitCode::SUCCESS;
    };
    eprintln!(
        "{}",
        texts.format(
            if only_new { "cli-gate-new" } else { "cli-gate" },
            &[
                ("count", count.into()),
                (
                    "severity",
                    texts.label("severity-", threshold.as_str()).into()
                ),
                ("check", first.check_id.to_string().into()),
                ("account", first.account_id.to_string().into()),
                ("message", first.message.as_str().into()),
            ]
        )
    );
    ExitCode::from(1)
}
