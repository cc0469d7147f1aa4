//! A scan above `--split-accounts` streams its findings to the reports
//! batch by batch (issue #18). What it writes must be byte for byte what
//! the in-memory path writes for the same input: the JSON result, OCSF,
//! and the split Markdown and HTML reports with every account page.

use crate::{binary, catalogue, english, root};
use auditscope::engine::{self, RunInfo};
use auditscope::report::{Format, RenderOptions, Renderer};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir`, by relative path.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under dir").to_path_buf();
                found.insert(relative, std::fs::read(&path).expect("read"));
            }
        }
    }
    found
}

/// The reports of the in-memory path, through the library, as the CLI's
/// `--deterministic` scan would describe them.
fn in_memory(flag: &str, input: &Path, waivers: Option<&Path>, split_above: usize, out: &Path) {
    let snapshot = match auditscope::journal::is_journal(input) {
        true => {
            auditscope::journal::read(input)
                .expect("journal reads")
                .snapshot
        }
        false => auditscope::collect::mock::load(input).expect("input loads"),
    };
    let catalogue = catalogue();
    let texts = english();
    let kind = if flag == "--mock" { "mock" } else { "snapshot" };
    let mut result = engine::run(
        &snapshot,
        &catalogue,
        RunInfo {
            source: format!("{kind}:{}", input.display()),
            texts: Some(texts.clone()),
            ..Default::default()
        },
    );
    if let Some(path) = waivers {
        let ids: Vec<&str> = catalogue.checks.iter().map(|c| c.id.as_str()).collect();
        let waivers = auditscope::waivers::Waivers::load(path, &ids).expect("waivers load");
        let as_of = snapshot
            .collected_at
            .as_deref()
            .and_then(engine::view::parse_time)
            .expect("collected_at")
            .date();
        waivers.apply(&mut result, as_of);
        result.finalize(&catalogue.control_index());
    }
    let renderer = Renderer::new(None, texts).expect("renderer");
    let options = RenderOptions {
        split_above,
        ..RenderOptions::default()
    };
    for format in [Format::Json, Format::Markdown, Format::Html, Format::Ocsf] {
        renderer
            .write(format, out, &result, &catalogue, &options)
            .expect("in-memory reports");
    }
}

/// The reports of the CLI, which streams above `split_above` accounts.
fn streamed(flag: &str, input: &Path, waivers: Option<&Path>, split_above: usize, out: &Path) {
    let mut command = binary();
    command
        // Several batches even in the small worlds, so that each check's
        // findings come from several spool files and must be joined in order.
        .env("AUDITSCOPE_ACCOUNTS_PER_BATCH", "2")
        .arg("scan")
        .arg(flag)
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--deterministic", "--format", "json,md,html,ocsf"])
        .args(["--split-accounts", &split_above.to_string()]);
    if let Some(path) = waivers {
        command.arg("--waivers").arg(path);
    }
    let output = command.output().expect("run auditscope");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Compares the two paths' files; returns the streamed ones' directory.
fn assert_same(
    flag: &str,
    input: &Path,
    waivers: Option<&Path>,
    split_above: usize,
) -> tempfile::TempDir {
    let memory = tempfile::tempdir().expect("tempdir");
    let stream = tempfile::tempdir().expect("tempdir");
    in_memory(flag, input, waivers, split_above, memory.path());
    streamed(flag, input, waivers, split_above, stream.path());
    let (expected, actual) = (files(memory.path()), files(stream.path()));
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (path, bytes) in &expected {
        if actual[path] != *bytes {
            let (a, b) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&actual[path]),
            );
            let line = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(a.lines().count().min(b.lines().count()));
            panic!(
                "{} differs at line {}:\n in memory: {:?}\n streamed:  {:?}",
                path.display(),
                line + 1,
                a.lines().nth(line),
                b.lines().nth(line)
            );
        }
    }
    assert!(
        expected.keys().any(|p| p.starts_with("accounts")),
        "the reports were split"
    );
    stream
}

#[test]
fn a_streamed_scan_of_acme_writes_what_the_in_memory_scan_writes() {
    let acme = root().join("mock/acme");
    assert_same("--mock", &acme, None, 0);
    // Waivers are applied finding by finding as batches go by; their use
    // counts are known only at the end, which the account pages show.
    assert_same(
        "--mock",
        &acme,
        Some(&root().join("examples/waivers.yaml")),
        2,
    );
}

/// Scans `mock/acme` in batches of two with `waivers` and says whether
/// the account pages were rendered while each batch's findings were in
/// memory (the CLI logs it).
fn pages_during_evaluation(waivers: &Path, extra: &[&str]) -> bool {
    let out = tempfile::tempdir().expect("tempdir");
    let output = binary()
        .env("AUDITSCOPE_ACCOUNTS_PER_BATCH", "2")
        .env("AUDITSCOPE_LOG", "info")
        .arg("scan")
        .arg("--mock")
        .arg(root().join("mock/acme"))
        .arg("--out")
        .arg(out.path())
        .arg("--waivers")
        .arg(waivers)
        .args(["--split-accounts", "2"])
        .args(extra)
        .output()
        .expect("run auditscope");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("rendered account pages"))
        .unwrap_or_else(|| panic!("no page phase in {stderr}"));
    line.contains("during_evaluation=true")
}

#[test]
fn pages_rendered_as_each_batch_is_evaluated_show_their_accounts_waivers() {
    // Waivers of one account each: active, expired (acme was collected on
    // 2026-11-20) and unused (the check passes there). Their use counts
    // are final once their account's batch is evaluated, so the pages are
    // rendered then, and must be what the in-memory path writes.
    let dir = tempfile::tempdir().expect("tempdir");
    let waivers = dir.path().join("waivers.yaml");
    let waiver = |check: &str, account: &str, expires: &str| {
        format!(
            "  - check: {check}\n    account: \"{account}\"\n    reason: test\n    \
             owner: owner@example.com\n    expires: {expires}\n"
        )
    };
    let text = [
        "waivers:\n".to_owned(),
        waiver("alarm-cloudtrail-changes", "111111111111", "2099-01-01"),
        waiver("alarm-console-auth-failures", "555555555555", "2026-01-01"),
        waiver(
            "cloudtrail-organization-trail",
            "111111111111",
            "2099-01-01",
        ),
        waiver("alarm-route-table-changes", "333333333333", "2099-01-01"),
    ]
    .concat();
    std::fs::write(&waivers, text).expect("write waivers");
    let out = assert_same("--mock", &root().join("mock/acme"), Some(&waivers), 2);
    let result: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.path().join("result.json")).expect("result.json"),
    )
    .expect("result.json parses");
    let states: Vec<&str> = result["waivers"]
        .as_array()
        .expect("waivers")
        .iter()
        .filter_map(|w| w["state"].as_str())
        .collect();
    assert_eq!(states, ["active", "expired", "unused", "active"]);
    assert!(pages_during_evaluation(&waivers, &["--deterministic"]));
    // A waiver of any account is counted until the end, and the time the
    // scan finished is known only then: the pages wait for both. This
    // expired one shows every page the count of all five accounts.
    let any_account = dir.path().join("any-account.yaml");
    let text = [
        "waivers:\n".to_owned(),
        waiver("alarm-cloudtrail-changes", "*", "2026-01-01"),
    ];
    std::fs::write(&any_account, text.concat()).expect("write waivers");
    assert_same("--mock", &root().join("mock/acme"), Some(&any_account), 2);
    assert!(!pages_during_evaluation(&any_account, &["--deterministic"]));
    assert!(!pages_during_evaluation(&waivers, &["--timestamps"]));
}

#[test]
fn pages_of_the_users_templates_show_the_times_of_the_finished_scan() {
    // A user's template sees the scan's times. The time the scan finishes
    // is known only at the end unless --deterministic clears both, so the
    // pages wait for it.
    let templates = tempfile::tempdir().expect("tempdir");
    let bundled = std::fs::read_to_string(root().join("reports/report.md.j2")).expect("template");
    std::fs::write(
        templates.path().join("report.md.j2"),
        format!(
            "{bundled}\nstarted {{{{ scan.started_at }}}} finished {{{{ scan.finished_at }}}}\n"
        ),
    )
    .expect("write template");
    for (deterministic, during, shown) in [
        (false, false, "finished 20"),
        (true, true, "started None finished None"),
    ] {
        let out = tempfile::tempdir().expect("tempdir");
        let mut command = binary();
        command
            .env("AUDITSCOPE_ACCOUNTS_PER_BATCH", "2")
            .env("AUDITSCOPE_LOG", "info")
            .args(["scan", "--mock"])
            .arg(root().join("mock/acme"))
            .arg("--out")
            .arg(out.path())
            .arg("--templates")
            .arg(templates.path())
            .args(["--split-accounts", "2", "--format", "md"]);
        if deterministic {
            command.arg("--deterministic");
        }
        let output = command.output().expect("run auditscope");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{stderr}");
        assert!(
            stderr.contains(&format!("during_evaluation={during}")),
            "{stderr}"
        );
        let page = std::fs::read_to_string(out.path().join("accounts/555555555555.md"))
            .expect("the last batch's page");
        assert!(page.contains(shown), "{page}");
    }
}

/// `mock/acme` (as `snapshot`) where members' facts lead elsewhere than
/// the management account.
fn acme_with_cross_account_deliveries(
    mut snapshot: auditscope::model::Snapshot,
) -> auditscope::model::Snapshot {
    // Members' facts lead elsewhere than the management account:
    // - workload-dev delivers a VPC's flow logs to a log group of
    //   workload-prod (cross-account delivery);
    // - a sixth account, workload-test (workload-dev's facts under its own
    //   id, held as a stub), delivers one to a group of its own that is
    //   gone: a miss in a batch's own account is a finding, not a stub's;
    // - workload-prod delivers one to a group whose ARN names no account,
    //   which workload-dev holds (lookups are by ARN, so its holder is
    //   kept whole);
    // - without delegated administrators the security account is kept
    //   whole only because it holds the Security Lake data lake every
    //   account's region reads.
    let deliver =
        |snapshot: &mut auditscope::model::Snapshot, account: &str, region: &str, group: &str| {
            let flow_log = snapshot
                .accounts
                .iter_mut()
                .find(|a| a.id == account)
                .and_then(|a| a.region_facts.iter_mut().find(|f| f.region == region))
                .and_then(|f| f.flow_logs.first_mut())
                .expect("a flow log");
            flow_log.log_destination_type = Some("cloud-watch-logs".into());
            flow_log.log_destination = Some(group.into());
            flow_log.log_group_name = group.rsplit(':').next().map(str::to_owned);
        };
    let dev_text = serde_json::to_string(&snapshot.accounts[4]).expect("json");
    assert!(
        dev_text.contains("\"555555555555\""),
        "workload-dev is last"
    );
    let mut test: auditscope::model::Account =
        serde_json::from_str(&dev_text.replace("555555555555", "666666666666")).expect("json");
    test.name = Some("acme-workload-test".into());
    test.buckets.clear();
    snapshot.accounts.push(test);
    deliver(
        &mut snapshot,
        "555555555555",
        "us-east-1",
        "arn:aws:logs:eu-west-1:444444444444:log-group:vpc-flow-logs",
    );
    deliver(
        &mut snapshot,
        "666666666666",
        "eu-west-1",
        "arn:aws:logs:eu-west-1:666666666666:log-group:gone",
    );
    deliver(
        &mut snapshot,
        "444444444444",
        "us-east-1",
        "arn:aws:logs:us-east-1::log-group:odd",
    );
    let dev = snapshot
        .accounts
        .iter_mut()
        .find(|a| a.id == "555555555555")
        .expect("workload-dev");
    let facts = dev
        .region_facts
        .iter_mut()
        .find(|f| f.region == "us-east-1")
        .expect("us-east-1");
    facts.log_groups.push(auditscope::model::LogGroup {
        name: "odd".into(),
        arn: "arn:aws:logs:us-east-1::log-group:odd:*".into(),
        ..Default::default()
    });
    snapshot
        .organization
        .as_mut()
        .expect("an organization")
        .delegated_administrators
        .clear();
    snapshot
}

#[test]
fn a_json_snapshot_read_one_account_at_a_time_gives_the_whole_snapshots_reports() {
    // Above --split-accounts a JSON snapshot is read one account at a time
    // (`auditscope::spooled`): the plain members are held as stubs and
    // read back batch by batch, in batches of two, while the management
    // account, the log archive and the delegated administrator, which the
    // members' trails, alarms and detectors lead to, are held whole.
    let dir = tempfile::tempdir().expect("tempdir");
    let json = dir.path().join("acme.json");
    let snapshot = auditscope::collect::mock::load(&root().join("mock/acme")).expect("acme");
    std::fs::write(&json, serde_json::to_vec(&snapshot).expect("json")).expect("written");
    assert_same("--snapshot", &json, None, 0);
    assert_same(
        "--snapshot",
        &json,
        Some(&root().join("examples/waivers.yaml")),
        2,
    );
    let snapshot = acme_with_cross_account_deliveries(snapshot);
    std::fs::write(&json, serde_json::to_vec(&snapshot).expect("json")).expect("written");
    let out = assert_same("--snapshot", &json, None, 0);
    let page = std::fs::read_to_string(out.path().join("accounts/555555555555.md")).expect("page");
    assert!(
        page.contains("444444444444"),
        "the flow log's group is named"
    );
    let page = std::fs::read_to_string(out.path().join("accounts/666666666666.md")).expect("page");
    assert!(page.contains("gone"), "the missing group is named");
    // The same organization as the journal an organization scan writes
    // (and `scan --snapshot snapshot.jsonl` reads), where workload-prod
    // was collected twice: first with Security Lake unread in us-east-1.
    // The later line wins, also for what the stubs tell of Security Lake.
    let journal = dir.path().join("acme.jsonl");
    let mut writer = auditscope::journal::Journal::create(
        &journal,
        snapshot.source.clone(),
        snapshot.collected_at.clone(),
        snapshot.organization.clone(),
        snapshot.accounts.iter().map(|a| a.id.clone()).collect(),
    )
    .expect("journal");
    let errors_of = |id: &str| -> Vec<_> {
        snapshot
            .errors
            .iter()
            .filter(|e| e.account_id == id)
            .cloned()
            .collect()
    };
    let mut earlier = snapshot.accounts[3].clone();
    assert_eq!(earlier.id, "444444444444");
    for facts in &mut earlier.region_facts {
        facts.security_lake = None;
    }
    writer
        .account(&earlier, &errors_of(&earlier.id))
        .expect("account line");
    for account in &snapshot.accounts {
        writer
            .account(account, &errors_of(&account.id))
            .expect("account line");
    }
    writer.finish(None).expect("end line");
    assert_same("--snapshot", &journal, None, 0);
}

/// Runs auditscope with `args`, the whole reader forced when `whole`;
/// fails the test unless it succeeds, and checks that the files were
/// merged one account at a time, with stubs, unless `whole`.
fn run_ok(args: &[&std::ffi::OsStr], whole: bool) {
    let mut command = binary();
    command
        .env("AUDITSCOPE_ACCOUNTS_PER_BATCH", "2")
        .env("AUDITSCOPE_LOG", "info")
        .args(args);
    if whole {
        command.env("AUDITSCOPE_SNAPSHOT_IN_MEMORY", "1");
    }
    let output = command.output().expect("run auditscope");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let streamed = stderr
        .lines()
        .find(|l| l.contains("snapshots merged one account at a time"));
    match whole {
        true => assert!(streamed.is_none(), "{stderr}"),
        false => assert!(
            streamed.is_some_and(|l| l.contains("stubs=") && !l.contains("stubs=0")),
            "{stderr}"
        ),
    }
}

#[test]
fn shards_are_merged_and_scanned_one_account_at_a_time_as_if_read_whole() {
    // The merge step of a sharded organization scan: a JSON shard and a
    // journal shard (which collected workload-prod again: the later file
    // wins), where members of one shard deliver to log groups of another.
    let dir = tempfile::tempdir().expect("tempdir");
    let acme = auditscope::collect::mock::load(&root().join("mock/acme")).expect("acme");
    let world = acme_with_cross_account_deliveries(acme);
    let first = ["111111111111", "444444444444", "666666666666"];
    let mut part = world.clone();
    part.accounts.retain(|a| first.contains(&a.id.as_str()));
    part.errors
        .retain(|e| first.contains(&e.account_id.as_str()));
    let json = dir.path().join("shard-0.json");
    std::fs::write(&json, serde_json::to_vec(&part).expect("json")).expect("written");
    let journal = dir.path().join("shard-1.jsonl");
    // The later file's copy of workload-prod is the one merged.
    let mut world = world;
    let prod = world
        .accounts
        .iter_mut()
        .find(|a| a.id == "444444444444")
        .expect("prod");
    prod.name = Some("acme-workload-prod-collected-again".into());
    let second: Vec<&auditscope::model::Account> = world
        .accounts
        .iter()
        .filter(|a| !first.contains(&a.id.as_str()) || a.id == "444444444444")
        .collect();
    let mut writer = auditscope::journal::Journal::create(
        &journal,
        world.source.clone(),
        world.collected_at.clone(),
        world.organization.clone(),
        second.iter().map(|a| a.id.clone()).collect(),
    )
    .expect("journal");
    for account in &second {
        let errors: Vec<_> = world
            .errors
            .iter()
            .filter(|e| e.account_id == account.id)
            .cloned()
            .collect();
        writer.account(account, &errors).expect("account line");
    }
    writer.finish(None).expect("end line");
    let merged = |name: &str, whole: bool| {
        let out = dir.path().join(name);
        run_ok(
            &[
                "merge".as_ref(),
                json.as_os_str(),
                journal.as_os_str(),
                "--out".as_ref(),
                out.as_os_str(),
            ],
            whole,
        );
        std::fs::read(out).expect("merged")
    };
    let (streamed, whole) = (merged("streamed.json", false), merged("whole.json", true));
    assert!(
        streamed == whole,
        "the streamed merge writes what the whole one writes"
    );
    let merged: auditscope::model::Snapshot = serde_json::from_slice(&streamed).expect("json");
    assert_eq!(merged.accounts, world.accounts);
    // `scan` with several --snapshot merges them the same way.
    let scan = |whole: bool| {
        let out = tempfile::tempdir().expect("tempdir");
        run_ok(
            &[
                "scan".as_ref(),
                "--snapshot".as_ref(),
                json.as_os_str(),
                "--snapshot".as_ref(),
                journal.as_os_str(),
                "--out".as_ref(),
                out.path().as_os_str(),
                "--deterministic".as_ref(),
                "--format".as_ref(),
                "json,md,html,ocsf".as_ref(),
                "--split-accounts".as_ref(),
                "0".as_ref(),
            ],
            whole,
        );
        files(out.path())
    };
    let (streamed, whole) = (scan(false), scan(true));
    assert_eq!(
        streamed.keys().collect::<Vec<_>>(),
        whole.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &whole {
        assert!(streamed[path] == *bytes, "{} differs", path.display());
    }
    assert!(streamed.keys().any(|p| p.starts_with("accounts")));
}

/// The failures of `check` in a Markdown report: from its heading to the
/// next heading.
fn failure_section<'a>(report: &'a str, check: &str) -> Option<&'a str> {
    report.split("\n### ").find(|section| {
        section
            .lines()
            .next()
            .is_some_and(|heading| heading.contains(&format!("`{check}`")))
    })
}

#[test]
fn a_streamed_scan_across_several_batches_keeps_canonical_order() {
    // An organization of synthetic accounts, in batches of 2 (see
    // `streamed`). AUDITSCOPE_TEST_SYNTHETIC_ACCOUNTS=300 makes it the
    // larger comparison of issue #18 (about two minutes in a debug build).
    let accounts: usize = std::env::var("AUDITSCOPE_TEST_SYNTHETIC_ACCOUNTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(9);
    let dir = tempfile::tempdir().expect("tempdir");
    let snapshot = dir.path().join("synthetic.json");
    let status = std::process::Command::new("python3")
        .arg(root().join("bench/mockgen.py"))
        .args(["--synthetic", &accounts.to_string()])
        .arg(&snapshot)
        .status()
        .expect("python3 runs bench/mockgen.py");
    assert!(status.success());
    let out = assert_same("--snapshot", &snapshot, None, 5);
    // Each VPC's flow log group has its own fix commands: the summary
    // shows the first ten blocks of a check and counts the rest, which
    // the account pages show.
    let blocks = |section: &str| section.matches("<details><summary>Commands to fix").count();
    let summary = std::fs::read_to_string(out.path().join("report.md")).expect("summary");
    let section =
        failure_section(&summary, "alarm-vpc-flow-log-rejects").expect("the flow log alarm fails");
    assert_eq!(blocks(section), 10);
    assert!(
        section.contains("more distinct sets of commands"),
        "{section}"
    );
    let pages: usize = std::fs::read_dir(out.path().join("accounts"))
        .expect("pages")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| {
            let page = std::fs::read_to_string(e.path()).expect("page");
            failure_section(&page, "alarm-vpc-flow-log-rejects").map_or(0, blocks)
        })
        .sum();
    assert!(pages > 10, "the account pages show every block ({pages})");
}

#[test]
fn an_interrupted_or_finished_stream_leaves_no_spool() {
    let out = tempfile::tempdir().expect("tempdir");
    streamed("--mock", &root().join("mock/acme"), None, 0, out.path());
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // A spool left by a killed run goes with the next run's tidying.
    let stale = out.path().join(".auditscope-spool-killed.tmp");
    std::fs::create_dir_all(&stale).expect("mkdir");
    std::fs::write(stale.join("0.json"), b"{}").expect("write");
    streamed("--mock", &root().join("mock/acme"), None, 0, out.path());
    assert!(!stale.exists());
}

/// Above `--split-accounts` the HTML report is a summary page plus one page
/// per account: every page escapes what came from data, the summary links
/// each account's page (heat map and failures) and each page links back.
#[test]
fn the_split_html_report_escapes_every_page_and_its_links_resolve() {
    let out = crate::hardening::scan_into(
        &crate::hardening::fixture("hostile-md.yaml"),
        &["--split-accounts", "0"],
    );
    let pages = crate::hardening::report_files(out.path(), "html");
    assert!(pages.len() >= 2, "{pages:?}");
    for page in &pages {
        let html = std::fs::read_to_string(page).expect("page");
        assert!(
            !html.contains("<img src=x"),
            "{}: raw HTML from data",
            page.display()
        );
        assert!(!html.contains("<script>alert"), "{}", page.display());
    }
    let summary = std::fs::read_to_string(out.path().join("report.html")).expect("summary");
    let mut linked = 0;
    for part in summary.split("href=\"accounts/").skip(1) {
        let target = part.split(['"', '#']).next().expect("a link");
        assert!(
            out.path().join("accounts").join(target).is_file(),
            "summary links a missing page {target}"
        );
        linked += 1;
    }
    assert!(linked >= pages.len() - 1, "every account page is linked");
    // The summary counts each check's failing accounts rather than list
    // them (that made a 1,000-account page 18 MB); each account's page
    // lists its failures under the check's anchor.
    assert!(
        summary.contains("Failing in "),
        "failing accounts are counted"
    );
    for page in &pages[1..] {
        let html = std::fs::read_to_string(page).expect("page");
        assert!(
            html.contains("href=\"../report.html\""),
            "{}",
            page.display()
        );
        for part in html.split("<section class=\"finding\"").skip(1) {
            assert!(
                part.starts_with(" id=\""),
                "{}: a failure without an anchor",
                page.display()
            );
        }
    }
}

#[test]
fn a_streamed_scan_names_what_it_could_not_write_and_rejects_a_bad_batch_size() {
    let out = tempfile::tempdir().expect("tempdir");
    // A file where the account pages go.
    std::fs::write(out.path().join("accounts"), b"in the way").expect("write");
    let output = binary()
        .args(["scan", "--mock"])
        .arg(root().join("mock/acme"))
        .arg("--out")
        .arg(out.path())
        .args(["--split-accounts", "0"])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(!stderr.contains("templates"), "{stderr}");
    for bad in ["0", "-3", "abc"] {
        let output = binary()
            .env("AUDITSCOPE_ACCOUNTS_PER_BATCH", bad)
            .args(["scan", "--mock"])
            .arg(root().join("mock/acme"))
            .arg("--out")
            .arg(out.path().join("other"))
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.contains("AUDITSCOPE_ACCOUNTS_PER_BATCH"), "{stderr}");
    }
}

/// The organization scope's `accounts` (every account's view) is built
/// only when an organization check may read it (`Check::may_read`): a
/// check reading it in CEL, in a message, or through `debug()` sees every
/// scanned account; the shipped checks, which do not, leave it out and
/// evaluate the same (the comparisons above).
#[test]
fn an_organization_check_reading_accounts_sees_every_account() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join("frameworks")).expect("mkdir");
    std::fs::write(
        dir.path().join("frameworks/f.yaml"),
        "id: f\ntitle: F\nversion: \"1\"\nurl: https://example.com\ndescription: d\ncontrols:\n  - id: C-1\n    title: a control\n",
    )
    .expect("write");
    let check = |id: &str, assert: &str, pass: &str| {
        format!(
            "id: {id}\ntitle: t\nseverity: low\nscope: organization\ndescription: d\nrationale: r\nassert: '{assert}'\nmessages:\n  pass: \"{pass}\"\n  fail: \"no\"\nremediation:\n  text: t\nreferences:\n  - https://example.com\nframeworks:\n  f: [C-1]\n"
        )
    };
    for (id, assert, pass) in [
        // In CEL, through a macro.
        (
            "in-cel",
            "size(accounts) == 5 && accounts.all(a, size(a.id) == 12)",
            "yes",
        ),
        // Only in the message.
        ("in-message", "true", "{{ accounts | length }} accounts"),
        // Through debug(), which shows every variable.
        (
            "in-debug",
            "true",
            "{{ \\\"acme-workload-dev\\\" in debug() }}",
        ),
        // Through another check's message, which may read it.
        ("in-include", "true", "{% include 'in-message.pass' %}"),
        // Not at all.
        ("not-read", "true", "plain"),
    ] {
        std::fs::write(
            dir.path().join(format!("{id}.yaml")),
            check(id, assert, pass),
        )
        .expect("write");
    }
    let catalogue = auditscope::checks::load_dir(dir.path()).expect("checks load");
    let by_id = |id: &str| catalogue.checks.iter().find(|c| c.id == id).expect("check");
    assert!(by_id("in-cel").may_read("accounts"));
    assert!(by_id("in-message").may_read("accounts"));
    assert!(by_id("in-debug").may_read("accounts"));
    assert!(by_id("in-include").may_read("accounts"));
    assert!(!by_id("not-read").may_read("accounts"));
    let snapshot = auditscope::collect::mock::load(&root().join("mock/acme")).expect("acme");
    assert_eq!(snapshot.accounts.len(), 5);
    let message = |catalogue: &auditscope::checks::Catalogue, id: &str| {
        let result = engine::run(&snapshot, catalogue, RunInfo::default());
        let finding = result
            .findings
            .iter()
            .find(|f| &*f.check_id == id)
            .expect("finding")
            .clone();
        (finding.status, finding.message.clone())
    };
    for (id, expected) in [
        ("in-cel", "yes"),
        ("in-message", "5 accounts"),
        ("in-debug", "True"),
    ] {
        // Alone in the catalogue, so nothing else asks for the views.
        let mut alone = catalogue.clone();
        alone.checks.retain(|c| c.id == id);
        let (status, text) = message(&alone, id);
        assert_eq!(status, auditscope::result::Status::Pass, "{id}: {text}");
        assert_eq!(text, expected, "{id}");
    }
}
