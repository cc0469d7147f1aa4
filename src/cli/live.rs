//! Live collection: `auditscope collect`, and the collecting half of a
//! live `scan` (one account, or with `--org` every account of the
//! organization into a journal).

use super::args::LiveArgs;
use super::{now_rfc3339, Failure};
use auditscope::collect;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Collects the live account of the current credentials.
pub(crate) fn collect_live(live: &LiveArgs) -> Result<auditscope::model::Snapshot, Failure> {
    let options = live_options(live);
    runtime()?.block_on(async {
        let sdk = collect::aws::load_config(live.profile.as_deref(), live.region.as_deref()).await;
        let bar = progress_bar(live.quiet, "regions");
        if let collect::aws::Regions::List(list) = &options.regions {
            bar.set_length(list.len() as u64);
        }
        let tick = |region: &str| {
            bar.inc(1);
            bar.set_message(format!("collected {region}"));
        };
        let snapshot = collect::aws::collect_account(&sdk, &options, &tick).await;
        bar.finish_and_clear();
        let snapshot = snapshot.map_err(|e| Failure(e.to_string()))?;
        for error in &snapshot.errors {
            tracing::warn!(
                account = %error.account_id,
                region = error.region.as_deref().unwrap_or("global"),
                "{}:{} failed: {} {}",
                error.service,
                error.operation,
                error.code,
                error.message
            );
        }
        let calls: u64 = snapshot
            .accounts
            .iter()
            .flat_map(|a| a.api_calls.values())
            .sum();
        eprintln!(
            "collected account {} in {} region(s): {} API calls, {} failed",
            snapshot
                .accounts
                .first()
                .map(|a| a.id.as_str())
                .unwrap_or("?"),
            snapshot.regions().len(),
            calls,
            snapshot.errors.len()
        );
        Ok(snapshot)
    })
}

/// A progress bar on stderr, hidden when stderr is not a terminal or with
/// --quiet.
fn progress_bar(quiet: bool, unit: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    if let Ok(style) = indicatif::ProgressStyle::with_template(&format!(
        "{{spinner}} {unit} {{pos}}/{{len}} {{wide_msg}} {{elapsed}} eta {{eta}}"
    )) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    bar
}

fn live_options(live: &LiveArgs) -> collect::aws::Options {
    let regions = match live.regions.trim() {
        "all" | "" => collect::aws::Regions::All,
        list => collect::aws::Regions::List(
            list.split(',')
                .map(|r| r.trim().to_owned())
                .filter(|r| !r.is_empty())
                .collect(),
        ),
    };
    collect::aws::Options {
        regions,
        concurrency: live.concurrency,
        ..Default::default()
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure(format!("cannot start the async runtime: {e}")))
}

/// Collects every selected account of the organization into `journal`,
/// one account at a time, and returns the snapshot it holds: complete, or
/// partial when interrupted (Ctrl-C), in which case `--resume` continues.
///
/// With `spool` (a directory and `--split-accounts`), a journal of more
/// accounts is read with its accounts held as stubs in a spool there
/// ([`auditscope::spooled`]), which the evaluation reads back batch by
/// batch.
pub(crate) fn collect_organization(
    live: &LiveArgs,
    journal_path: &Path,
    spool: Option<(&Path, usize)>,
) -> Result<
    (
        auditscope::model::Snapshot,
        Option<auditscope::spooled::Spooled>,
    ),
    Failure,
> {
    use auditscope::journal::Journal;
    use collect::aws::org;
    let options = live_options(live);
    let org_options = org::OrgOptions {
        role_name: live.org.role_name.clone(),
        external_id: live.org.external_id.clone(),
        max_accounts: live.org.max_accounts,
        ou: live.org.ou.clone(),
        accounts: live.org.accounts.clone(),
        exclude_accounts: live.org.exclude_accounts.clone(),
        shard: live.org.shard,
    };
    runtime()?.block_on(async {
        let sdk = collect::aws::load_config(live.profile.as_deref(), live.region.as_deref()).await;
        let plan = org::plan(&sdk, &options, &org_options)
            .await
            .map_err(|e| Failure(e.to_string()))?;
        let (mut journal, done) = if live.org.resume && journal_path.exists() {
            let (journal, so_far) =
                Journal::resume(journal_path).map_err(|e| Failure(e.to_string()))?;
            super::snapshots::warn(&so_far.warnings);
            let done = so_far.done;
            if so_far.snapshot.organization.as_ref().map(|o| &o.id) != Some(&plan.organization.id) {
                return Err(Failure(format!(
                    "{} is a journal of another organization; remove it or drop --resume",
                    journal_path.display()
                )));
            }
            eprintln!(
                "resuming {}: {} account(s) already collected",
                journal_path.display(),
                done.len()
            );
            (journal, done)
        } else {
            let journal = Journal::create(
                journal_path,
                Some("aws".into()),
                now_rfc3339(),
                Some(plan.organization.clone()),
                plan.accounts.iter().map(|a| a.id.clone()).collect(),
            )
            .map_err(|e| Failure(e.to_string()))?;
            (journal, Default::default())
        };
        let todo = plan.accounts.iter().filter(|a| !done.contains(&a.id)).count();
        eprintln!(
            "organization {}: {} account(s) to scan, {} not scanned (suspended or filtered out)",
            plan.organization.id,
            todo,
            plan.organization.accounts_not_scanned.len()
        );
        let bar = progress_bar(live.quiet, "accounts");
        bar.set_length(todo as u64);
        let mut failed = 0usize;
        let mut write_error = None;
        let mut sink = |collected: org::Collected| {
            if collected.errors.iter().any(|e| e.blocks_account()) {
                failed += 1;
                bar.println(format!(
                    "account {} not reachable: {}",
                    collected.account.id,
                    collected
                        .errors
                        .first()
                        .map(|e| format!("{} {}", e.iam_action(), e.code))
                        .unwrap_or_default()
                ));
            }
            if let Err(e) = journal.account(&collected.account, &collected.errors) {
                write_error.get_or_insert(e);
            }
            bar.inc(1);
            bar.set_message(format!("{failed} failed"));
        };
        let graceful = super::interrupt::graceful();
        let interrupted = tokio::select! {
            () = org::collect_accounts(&sdk, &options, &org_options, &plan, &done, &mut sink) => false,
            () = super::interrupt::requested() => true,
        };
        drop(graceful);
        bar.finish_and_clear();
        if let Some(e) = write_error {
            return Err(Failure(format!("cannot write the journal: {e}")));
        }
        if interrupted {
            eprintln!(
                "interrupted: the accounts collected so far are in {}; reports are marked partial; `--resume` continues",
                journal_path.display()
            );
        } else {
            journal
                .finish(now_rfc3339())
                .map_err(|e| Failure(e.to_string()))?;
        }
        let (snapshot, spooled) = match spool {
            Some((dir, split_above)) => {
                super::snapshots::read_journal(journal_path, dir, split_above)?
            }
            None => {
                let read = auditscope::journal::read(journal_path)
                    .map_err(|e| Failure(e.to_string()))?;
                super::snapshots::warn(&read.warnings);
                (read.snapshot, None)
            }
        };
        eprintln!(
            "collected {} account(s), {} not reachable, {} failed call(s)",
            snapshot.accounts.len(),
            failed,
            snapshot.errors.len()
        );
        Ok((snapshot, spooled))
    })
}

pub(crate) fn collect_command(out: Option<&Path>, live: &LiveArgs) -> Result<ExitCode, Failure> {
    if live.org.org {
        let journal = live
            .org
            .journal
            .clone()
            .or_else(|| out.map(Path::to_owned))
            .unwrap_or_else(|| PathBuf::from("snapshot.jsonl"));
        if !auditscope::journal::is_journal(&journal) {
            return Err(Failure(format!(
                "{}: an organization scan writes a journal; name it *.jsonl",
                journal.display()
            )));
        }
        collect_organization(live, &journal, None)?;
        eprintln!("wrote {}", journal.display());
        return Ok(if let Some(code) = super::interrupt::exit_code() {
            ExitCode::from(code)
        } else {
            ExitCode::SUCCESS
        });
    }
    let out = out.unwrap_or(Path::new("snapshot.json"));
    let snapshot = collect_live(live)?;
    super::write_snapshot(out, &snapshot)?;
    eprintln!("wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
