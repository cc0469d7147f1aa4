//! Hostile, broken or interrupted input: the tests behind README's promises
//! (clear error and exit 2, nothing written outside `--out`, suggested
//! commands that do only what they say, every string escaped, the same
//! output for the same input). Inputs live in `tests/fixtures/hardening/`;
//! several come from `../shared/cases/hardening/`.

use crate::cli::auditscope;
use crate::root;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/hardening").join(name)
}

/// Scans `world` into a new directory (all formats and account pages) and
/// returns it; the scan must succeed.
pub fn scan_into(world: &Path, extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().expect("tempdir");
    let mut args = vec![
        "scan",
        "--snapshot",
        world.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
        "--format",
        "json,md,html,ocsf",
    ];
    args.extend_from_slice(extra);
    let output = auditscope(&args);
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    out
}

/// The Markdown files a scan wrote: report.md and the account pages.
pub fn markdown_files(out: &Path) -> Vec<PathBuf> {
    report_files(out, "md")
}

/// `report.<extension>` and the account pages of that format in `out`.
pub fn report_files(out: &Path, extension: &str) -> Vec<PathBuf> {
    let mut files = vec![out.join(format!("report.{extension}"))];
    if let Ok(entries) = std::fs::read_dir(out.join("accounts")) {
        let mut pages: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == extension))
            .collect();
        pages.sort();
        files.extend(pages);
    }
    files
}

/// Every suggested shell command of a scan's outputs, as a reader would
/// copy it: the `sh` code blocks of the Markdown (as a CommonMark parser
/// sees them), the `<pre>` blocks under "Commands to fix" of the HTML (as
/// a browser shows them) and each `fix` of result.json.
fn suggested_commands(out: &Path) -> BTreeSet<String> {
    use pulldown_cmark::{CodeBlockKind, Event, Parser, Tag, TagEnd};
    let mut commands = BTreeSet::new();
    for file in markdown_files(out) {
        let text = std::fs::read_to_string(&file).expect("markdown");
        let mut block: Option<String> = None;
        for event in Parser::new(&text) {
            match event {
                Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "sh" => {
                    block = Some(String::new())
                }
                Event::Text(t) if block.is_some() => block.get_or_insert_default().push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some(b) = block.take() {
                        commands.insert(b);
                    }
                }
                _ => {}
            }
        }
    }
    for file in report_files(out, "html") {
        let html = std::fs::read_to_string(file).expect("html");
        for part in html.split("<summary>Commands to fix").skip(1) {
            let Some(pre) = part.split_once("<pre>").map(|(_, rest)| rest) else {
                continue;
            };
            let Some((body, _)) = pre.split_once("</pre>") else {
                continue;
            };
            commands.insert(unescape_html(body));
        }
    }
    let result: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("result.json")).expect("json"))
            .expect("result.json");
    for finding in result["findings"].as_array().expect("findings") {
        for command in finding["evidence"]["fix"].as_array().into_iter().flatten() {
            commands.insert(command.as_str().expect("a command").to_owned());
        }
    }
    commands
}

fn unescape_html(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// Runs each command with bash in a sandbox whose `aws` does nothing, and
/// returns the names of the files the commands created there.
fn run_in_sandbox(commands: &BTreeSet<String>) -> Vec<String> {
    let sandbox = tempfile::tempdir().expect("sandbox");
    let bin = sandbox.path().join("bin");
    let work = sandbox.path().join("work");
    std::fs::create_dir_all(&bin).expect("bin");
    std::fs::create_dir_all(&work).expect("work");
    let aws = bin.join("aws");
    std::fs::write(&aws, "#!/bin/sh\nexit 0\n").expect("aws");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&aws, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    for command in commands {
        Command::new("bash")
            .args(["-c", command])
            .current_dir(&work)
            .env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
            .env("HOME", &work)
            .output()
            .expect("bash runs");
    }
    let mut created: Vec<String> = std::fs::read_dir(&work)
        .expect("work")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    created.sort();
    created
}

/// `fix-exec.py` of the shared cases, as a test: names, regions, ARNs and
/// dimension names full of shell syntax, in every link of the alarm chain.
#[test]
fn suggested_commands_do_only_what_they_say() {
    for world in [
        "hostile-fix.yaml",
        "fix-unquoted-region.yaml",
        "fix-unquoted-topic-region.yaml",
        "fix-md-fence-quote.yaml",
    ] {
        let out = scan_into(&fixture(world), &["--split-accounts", "0"]);
        let commands = suggested_commands(out.path());
        let mentioning: Vec<&String> = commands.iter().filter(|c| c.contains("PWNED")).collect();
        assert!(
            !mentioning.is_empty(),
            "{world}: no suggested command carries the hostile names; the test would prove nothing"
        );
        let created = run_in_sandbox(&commands);
        assert!(
            created.is_empty(),
            "{world}: running the suggested commands created {created:?}; commands:\n{}",
            mentioning
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
}

/// HTML tags the Markdown templates write themselves.
const TEMPLATE_TAGS: &[&str] = &["details", "/details", "summary", "/summary", "a", "/a"];

/// Problems a Markdown file shows to a reader on GitHub: raw HTML that did
/// not come from the template, `javascript:` links, table rows whose cell
/// count differs from their header, bidirectional controls.
fn markdown_problems(file: &Path) -> Vec<String> {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let text = std::fs::read_to_string(file).expect("markdown");
    let mut problems = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(&text, options) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                for tag in html.split('<').skip(1) {
                    let name: String = tag
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
                        .collect();
                    if !TEMPLATE_TAGS.contains(&name.to_ascii_lowercase().as_str()) {
                        problems.push(format!(
                            "raw HTML from data: <{}",
                            &tag[..tag.len().min(60)]
                        ));
                    }
                }
            }
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if !dest_url.starts_with("accounts/") && !dest_url.starts_with("../") =>
            {
                problems.push(format!("a link from data: {dest_url}"));
            }
            _ => {}
        }
    }
    // GFM: a row's cells are split on pipes not escaped by a backslash.
    let cells = |line: &str| {
        let mut count = 1;
        let mut escaped = false;
        let inner = line.trim().trim_start_matches('|');
        let inner = inner.strip_suffix('|').unwrap_or(inner);
        for c in inner.chars() {
            match (c, escaped) {
                ('\\', false) => escaped = true,
                ('|', false) => count += 1,
                _ => escaped = false,
            }
        }
        count
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut header: Option<usize> = None;
    for (i, line) in lines.iter().enumerate() {
        let is_delimiter = line.starts_with("|---") || line.starts_with("|:--");
        if is_delimiter && i > 0 {
            header = Some(cells(lines[i - 1]));
            continue;
        }
        match header {
            Some(n) if line.starts_with('|') && cells(line) != n => {
                problems.push(format!(
                    "line {}: {} cells, header {n}: {line}",
                    i + 1,
                    cells(line)
                ));
            }
            Some(_) if line.starts_with('|') => {}
            Some(_) => header = None,
            None => {}
        }
    }
    for c in text.chars() {
        if auditscope::shell::is_bidi_control(c) {
            problems.push(format!(
                "bidirectional control U+{:04X} passed through",
                c as u32
            ));
        }
    }
    problems
}

/// `md-check.py` of the shared cases, as a test: a world whose every
/// string carries Markdown, HTML, template or Unicode tricks; a baseline
/// whose fields do too (diff.md); waivers with such reasons.
#[test]
fn every_string_from_data_is_escaped_in_every_markdown_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A baseline that fails everything the world passes, with hostile
    // fields, so every section of the changes has rows.
    let first = scan_into(&fixture("hostile-md.yaml"), &["--deterministic"]);
    let mut baseline: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(first.path().join("result.json")).expect("result"),
    )
    .expect("json");
    let evil = "<img src=x onerror=alert(1)>|`x`\n\u{202E}[l](javascript:alert(1))";
    for finding in baseline["findings"].as_array_mut().expect("findings") {
        finding["status"] = "FAIL".into();
        finding["message"] = evil.into();
        finding["resource"]["id"] =
            format!("{}{evil}", finding["resource"]["id"].as_str().unwrap_or("")).into();
    }
    let mut gone = baseline["findings"][0].clone();
    gone["check_id"] = format!("gone{evil}").into();
    gone["account_id"] = format!("1{evil}").into();
    gone["region"] = evil.into();
    gone["severity"] = evil.into();
    baseline["findings"]
        .as_array_mut()
        .expect("findings")
        .push(gone);
    baseline["scan"]["source"] = evil.into();
    let baseline_path = dir.path().join("baseline.json");
    std::fs::write(&baseline_path, baseline.to_string()).expect("baseline");
    let waivers = dir.path().join("waivers.yaml");
    std::fs::write(
        &waivers,
        "waivers:\n  - check: cloudtrail-multi-region-logging\n    account: '*'\n    reason: \"<b>accepted</b> | risk `x` \\u202e\"\n    owner: '[me](javascript:alert(1))'\n    expires: 2099-01-01\n  - check: guardduty-enabled\n    account: '*'\n    resource: '<i>*'\n    reason: unused <script>\n    owner: o\n    expires: 2000-01-01\n",
    )
    .expect("waivers");
    let runs = [
        (&["--split-accounts", "0"][..], "en"),
        (&[][..], "en"),
        (&["--split-accounts", "0"][..], "ja"),
        (&[][..], "ja"),
    ];
    for (extra, lang) in runs {
        let mut args = vec![
            "--baseline",
            baseline_path.to_str().expect("utf-8"),
            "--waivers",
            waivers.to_str().expect("utf-8"),
            "--lang",
            lang,
        ];
        args.extend_from_slice(extra);
        let out = scan_into(&fixture("hostile-md.yaml"), &args);
        let mut files = markdown_files(out.path());
        files.push(out.path().join("diff.md"));
        assert!(files.len() >= 2, "{files:?}");
        for file in files {
            let problems = markdown_problems(&file);
            assert!(
                problems.is_empty(),
                "{}:\n{}",
                file.display(),
                problems.join("\n")
            );
        }
        // The strings are there, as text.
        let report = std::fs::read_to_string(out.path().join("report.md")).expect("report");
        assert!(
            report.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "{report}"
        );
        assert!(report.contains("⟨U+202E⟩"));
    }
}

#[test]
fn the_shared_markdown_cases_render_as_text() {
    for world in [
        "md-unescaped-region.yaml",
        "md-unescaped-collection-error.yaml",
    ] {
        let out = scan_into(&fixture(world), &["--split-accounts", "0"]);
        for file in markdown_files(out.path()) {
            let problems = markdown_problems(&file);
            assert!(
                problems.is_empty(),
                "{world}: {}:\n{}",
                file.display(),
                problems.join("\n")
            );
        }
    }
}

/// A small deterministic generator (no dependency needed for shuffling).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Shuffles every list of a snapshot, except those whose order means
/// something: an OU path (root first) and documents (policies, event
/// patterns) that are judged as written.
fn shuffle(value: &mut serde_json::Value, rng: &mut Lcg) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            for i in (1..items.len()).rev() {
                let j = rng.below(i + 1);
                items.swap(i, j);
            }
            for item in items {
                shuffle(item, rng);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if !matches!(key.as_str(), "ou_path" | "policy" | "event_pattern") {
                    shuffle(item, rng);
                }
            }
        }
        _ => {}
    }
}

/// Same input, same output: every list of a world shuffled gives the same
/// bytes in every format.
#[test]
fn shuffled_worlds_give_byte_identical_reports() {
    let dir = tempfile::tempdir().expect("tempdir");
    for world in [
        "mock/acme",
        "mock/scenarios/gaps.yaml",
        "mock/scenarios/monitoring.yaml",
    ] {
        let snapshot = auditscope::collect::mock::load(&root().join(world)).expect("world loads");
        let original = serde_json::to_value(&snapshot).expect("json");
        // One path for every variant: the source is part of the output.
        let write = |value: &serde_json::Value| {
            let path = dir.path().join("world.json");
            std::fs::write(&path, value.to_string()).expect("write");
            path
        };
        let reference = scan_into(&write(&original), &["--deterministic"]);
        let mut changed = 0;
        for seed in 1..=3u64 {
            let mut shuffled = original.clone();
            shuffle(&mut shuffled, &mut Lcg(seed));
            changed += usize::from(shuffled != original);
            let out = scan_into(&write(&shuffled), &["--deterministic"]);
            for file in [
                "result.json",
                "report.md",
                "report.html",
                "findings.ocsf.json",
            ] {
                let a = std::fs::read(reference.path().join(file)).expect("reference");
                let b = std::fs::read(out.path().join(file)).expect("shuffled");
                let (a, b) = (String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
                if a != b {
                    let line = a
                        .lines()
                        .zip(b.lines())
                        .position(|(x, y)| x != y)
                        .unwrap_or(0);
                    panic!(
                        "{world}, seed {seed}: {file} differs at line {}:\n{}\n{}",
                        line + 1,
                        a.lines().nth(line).unwrap_or(""),
                        b.lines().nth(line).unwrap_or("")
                    );
                }
            }
        }
        assert!(
            changed > 0,
            "{world}: no shuffle changed the order of anything"
        );
    }
}

/// The clock never reaches deterministic output: a world without
/// `collected_at` gives the same reports at any time, and its ages are
/// "not assessed" rather than measured from now.
#[test]
fn a_world_without_collection_time_reports_the_same_bytes() {
    let first = scan_into(&fixture("no-collected-at.yaml"), &["--deterministic"]);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = scan_into(&fixture("no-collected-at.yaml"), &["--deterministic"]);
    for file in [
        "report.md",
        "report.html",
        "result.json",
        "findings.ocsf.json",
    ] {
        let read = |dir: &Path| std::fs::read_to_string(dir.join(file)).expect("report");
        assert!(
            read(first.path()) == read(second.path()),
            "{file} changed with the clock"
        );
    }
    let result: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(first.path().join("result.json")).expect("result"),
    )
    .expect("json");
    let delivery = result["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["check_id"] == "cloudtrail-s3-delivery-healthy")
        .expect("delivery finding");
    assert_eq!(delivery["status"], "ERROR", "{delivery}");
    assert!(delivery["message"]
        .as_str()
        .unwrap_or("")
        .contains("collected_at"));
}

/// Runs auditscope and returns (exit code, stderr).
fn run(args: &[&str]) -> (Option<i32>, String) {
    let output = auditscope(args);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{stderr}");
    (output.status.code(), stderr)
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}

/// Bad input: exit 2 and an error at file:line:col, never a panic.
#[test]
fn bad_snapshots_are_located_errors() {
    let out = tempfile::tempdir().expect("tempdir");
    for (world, expected) in [
        ("zero-regions.yaml", "zero-regions.yaml:3:12"),
        ("two-trails-no-arn.yaml", "two-trails-no-arn.yaml:9:11"),
        ("dup-trail-arn-a.yaml", "appears twice"),
        ("dup-trail-arn-b.yaml", "appears twice"),
        (
            "invalid-collected-at.yaml",
            "invalid-collected-at.yaml:5:15",
        ),
    ] {
        let (code, stderr) = run(&[
            "scan",
            "--snapshot",
            path_str(&fixture(world)),
            "--out",
            path_str(out.path()),
        ]);
        assert_eq!(code, Some(2), "{world}: {stderr}");
        assert!(
            stderr.contains(expected),
            "{world}: want `{expected}` in:\n{stderr}"
        );
    }
    // The same data as YAML and as JSON: the same verdict (both load).
    let yaml = out.path().join("nodes.yaml");
    let json = out.path().join("nodes.json");
    let items = vec!["a"; 250_001];
    std::fs::write(
        &yaml,
        format!(
            "accounts:\n- id: '111111111111'\n  regions: [us-east-1]\n  ou_path: [{}]\n",
            items.join(", ")
        ),
    )
    .expect("yaml");
    std::fs::write(
        &json,
        serde_json::json!({"accounts": [{"id": "111111111111", "regions": ["us-east-1"], "ou_path": items}]}).to_string(),
    )
    .expect("json");
    for file in [&yaml, &json] {
        let (code, stderr) = run(&[
            "scan",
            "--snapshot",
            path_str(file),
            "--out",
            path_str(out.path()),
            "--format",
            "json",
        ]);
        assert_eq!(code, Some(0), "{}: {stderr}", file.display());
    }
    // A 10 MB line: the diagnostic shows a bounded excerpt of it.
    let huge = out.path().join("huge.json");
    std::fs::write(
        &huge,
        format!(r#"{{"accounts":[{{"id":"111111111111","regions":["us-east-1"],"name":"{}"}}], "oops": 1}}"#, "A".repeat(10 << 20)),
    )
    .expect("huge");
    let (code, stderr) = run(&[
        "scan",
        "--snapshot",
        path_str(&huge),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("unknown field `oops`") && stderr.len() < 2_000,
        "{} bytes",
        stderr.len()
    );
    // A value longer than any AWS value is refused; a long one that is
    // possible is shortened in the reports and kept whole in result.json.
    let base: serde_json::Value = serde_json::to_value(
        auditscope::collect::mock::load(&root().join("mock/scenarios/gaps.yaml")).expect("gaps"),
    )
    .expect("json");
    for (length, code) in [(auditscope::model::MAX_TEXT_BYTES + 1, 2), (60_000, 0)] {
        let mut world = base.clone();
        let name = "N".repeat(length);
        world["accounts"][0]["trails"][0]["name"] = name.clone().into();
        let file = out.path().join("long.json");
        std::fs::write(&file, world.to_string()).expect("long");
        let dir = out.path().join(format!("long-{length}"));
        let (got, stderr) = run(&[
            "scan",
            "--snapshot",
            path_str(&file),
            "--out",
            path_str(&dir),
        ]);
        assert_eq!(got, Some(code), "{length}: {stderr}");
        if code == 0 {
            let report = std::fs::read_to_string(dir.join("report.md")).expect("md");
            assert!(
                !report.contains(&name)
                    && report.contains("more characters; the full value is in result.json")
            );
            let result = std::fs::read_to_string(dir.join("result.json")).expect("json");
            assert!(result.contains(&name));
        }
    }
}

/// Checks and waivers: what `checks validate` refuses, `scan` refuses
/// too, with the same located error.
#[test]
fn checks_and_waivers_that_would_run_away_are_located_errors() {
    let out = tempfile::tempdir().expect("tempdir");
    let world = fixture("one-account.yaml");
    for (dir, expected) in [
        ("cel-stack-overflow", "deep-sum.yaml:7:9"),
        ("tmpl-loop-hang", "slow-message.yaml:10:"),
    ] {
        let checks = fixture(dir);
        let (code, validate) = run(&["checks", "validate", path_str(&checks)]);
        assert_eq!(code, Some(2), "{dir}: {validate}");
        assert!(validate.contains(expected), "{dir}: {validate}");
        let (code, scan) = run(&[
            "scan",
            "--snapshot",
            path_str(&world),
            "--checks-dir",
            path_str(&checks),
            "--out",
            path_str(out.path()),
        ]);
        assert_eq!(code, Some(2), "{dir}: {scan}");
        assert!(scan.contains(expected), "{dir}: {scan}");
    }
    let (code, stderr) = run(&[
        "scan",
        "--snapshot",
        path_str(&world),
        "--waivers",
        path_str(&fixture("waiver-glob-panic.yaml")),
        "--out",
        path_str(out.path()),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("waiver-glob-panic.yaml:7:15") && stderr.contains("too complex"),
        "{stderr}"
    );
}

/// Journals: a cut or damaged line costs at most its account; ids that
/// would be paths never reach the file system.
#[test]
fn damaged_journals_keep_their_complete_accounts() {
    let out = tempfile::tempdir().expect("tempdir");
    for journal in [
        "journal-cut-then-appended.jsonl",
        "journal-cut-utf8.jsonl",
        "journal-cut-ascii.jsonl",
    ] {
        let dir = out.path().join(journal);
        let (code, stderr) = run(&[
            "scan",
            "--snapshot",
            path_str(&fixture(journal)),
            "--out",
            path_str(&dir),
            "--format",
            "json",
        ]);
        assert_eq!(code, Some(0), "{journal}: {stderr}");
        assert!(
            stderr.contains("warning:"),
            "{journal}: the damage is named: {stderr}"
        );
        let result: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join("result.json")).expect("result"),
        )
        .expect("json");
        assert!(
            !result["scan"]["accounts"]
                .as_array()
                .expect("accounts")
                .is_empty(),
            "{journal}"
        );
    }
    // Nothing is written outside --out, whatever the ids.
    let nested = out.path().join("a/b/out");
    let (_, stderr) = run(&[
        "scan",
        "--snapshot",
        path_str(&fixture("journal-traversal.jsonl")),
        "--out",
        path_str(&nested),
        "--split-accounts",
        "0",
        "--format",
        "md",
    ]);
    assert!(stderr.contains("not 12 digits"), "{stderr}");
    let mut outside = Vec::new();
    let mut stack = vec![out.path().to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "md") && !path.starts_with(&nested) {
                outside.push(path);
            }
        }
    }
    assert!(outside.is_empty(), "{outside:?}");
    assert!(!Path::new("/tmp/TRAVERSAL-absolute.md").exists());
}

/// Every relative link of every Markdown file points to a file that was
/// written (an unscanned management account has no page).
#[test]
fn every_link_in_every_report_resolves() {
    use pulldown_cmark::{Event, Parser, Tag};
    for (world, extra) in [
        (
            fixture("split-dangling-link.yaml"),
            &["--split-accounts", "0"][..],
        ),
        (root().join("mock/acme"), &["--split-accounts", "2"][..]),
    ] {
        let out = scan_into(&world, extra);
        let files = markdown_files(out.path());
        assert!(files.len() > 1, "the report is split");
        for file in files {
            let text = std::fs::read_to_string(&file).expect("md");
            for event in Parser::new(&text) {
                if let Event::Start(Tag::Link { dest_url, .. }) = event {
                    let target = dest_url.split('#').next().unwrap_or("");
                    if target.is_empty() || target.contains("://") {
                        continue;
                    }
                    let resolved = file.parent().expect("dir").join(target);
                    assert!(
                        resolved.is_file(),
                        "{}: link to {dest_url} does not resolve",
                        file.display()
                    );
                }
            }
        }
    }
}

/// A second scan into the same --out leaves none of the first scan's
/// files that it did not write, and touches nothing else there.
#[test]
fn a_second_scan_replaces_the_first_and_nothing_else() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = path_str(out.path());
    let first = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "json,md,html,ocsf",
        "--split-accounts",
        "2",
    ]);
    assert_eq!(first.0, Some(0), "{}", first.1);
    let baseline = out.path().join("baseline.json");
    std::fs::copy(out.path().join("result.json"), &baseline).expect("copy");
    let mine = out.path().join("notes.txt");
    std::fs::write(&mine, "the user's").expect("notes");
    std::fs::write(out.path().join("accounts/README.txt"), "the user's too").expect("notes");
    let with_diff = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--baseline",
        path_str(&baseline),
        "--split-accounts",
        "2",
    ]);
    assert_eq!(with_diff.0, Some(0), "{}", with_diff.1);
    assert!(out.path().join("diff.md").exists());
    let second = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "json,md",
    ]);
    assert_eq!(second.0, Some(0), "{}", second.1);
    for gone in [
        "diff.md",
        "report.html",
        "findings.ocsf.json",
        "accounts/111111111111.md",
    ] {
        assert!(!out.path().join(gone).exists(), "{gone} lingers");
    }
    for kept in [
        "result.json",
        "report.md",
        "notes.txt",
        "baseline.json",
        "accounts/README.txt",
    ] {
        assert!(out.path().join(kept).exists(), "{kept} was removed");
    }
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A template error never leaves a truncated report under its name.
#[test]
fn a_failing_template_leaves_the_previous_report_whole() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = path_str(out.path());
    let (code, stderr) = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "md",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let before = std::fs::read(out.path().join("report.md")).expect("report");
    let templates = tempfile::tempdir().expect("templates");
    // Half the report renders, then the template fails.
    let broken = std::fs::read_to_string(root().join("reports/report.md.j2")).expect("template")
        + "{{ none.attribute.of_nothing() }}";
    std::fs::write(templates.path().join("report.md.j2"), broken).expect("write");
    let (code, stderr) = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "md",
        "--templates",
        path_str(templates.path()),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(
        std::fs::read(out.path().join("report.md")).expect("report"),
        before
    );
    let names: Vec<String> = std::fs::read_dir(out.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["report.md".to_owned()]);
    // A template that never ends runs out of fuel: a clear error.
    std::fs::write(
        templates.path().join("report.md.j2"),
        "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
    )
    .expect("write");
    let (code, stderr) = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "md",
        "--templates",
        path_str(templates.path()),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("report.md.j2"), "{stderr}");
}

/// Reports and account pages are staged and moved into place only when
/// every one is written. A scan that fails (here a template error on the
/// third account's page; an interrupt or a full disk alike) leaves the
/// earlier scan's reports and pages exactly as they were, not a mix of old
/// and new, and leaves no stage behind; a user's own file in `accounts/`
/// is never touched.
#[test]
fn a_scan_failing_among_the_account_pages_leaves_the_earlier_pages() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = path_str(out.path());
    let scan = |templates: Option<&Path>, extra: &[&str]| {
        let mut args = vec![
            "scan",
            "--mock",
            "mock/acme",
            "--out",
            dir,
            "--format",
            "json,md,html",
            "--split-accounts",
            "0",
        ];
        if let Some(templates) = templates {
            args.extend(["--templates", path_str(templates)]);
        }
        args.extend(extra);
        run(&args)
    };
    let (code, stderr) = scan(None, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let baseline_dir = tempfile::tempdir().expect("tempdir");
    let baseline = baseline_dir.path().join("result.json");
    std::fs::copy(out.path().join("result.json"), &baseline).expect("copy");
    let accounts = out.path().join("accounts");
    std::fs::write(accounts.join("README.txt"), "ours").expect("write");
    let pages = |dir: &Path| -> BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(dir)
            .expect("accounts")
            .flatten()
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).expect("page"),
                )
            })
            .collect()
    };
    let before = pages(&accounts);
    assert!(before.len() > 8, "{:?}", before.keys());
    let summaries = || {
        ["report.md", "report.html"].map(|name| std::fs::read(out.path().join(name)).expect(name))
    };
    let summaries_before = summaries();
    // The new pages differ from the earlier ones, and the third account's
    // page fails half-way, after the first two accounts' pages.
    let templates = tempfile::tempdir().expect("templates");
    let changed = std::fs::read_to_string(root().join("reports/report.md.j2"))
        .expect("template")
        .replacen("{% if account_page %}", "{% if account_page %}CHANGED ", 1)
        + "{% if account_page and scan.accounts[0] == \"333333333333\" %}{{ none.attribute.of_nothing() }}{% endif %}";
    std::fs::write(templates.path().join("report.md.j2"), changed).expect("write");
    // Streamed (pages first), and in memory with a baseline (the summary
    // first, which then went into place before the pages failed).
    for extra in [&[][..], &["--baseline", path_str(&baseline)][..]] {
        let (code, stderr) = scan(Some(templates.path()), extra);
        assert_eq!(code, Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains("report.md.j2"), "{stderr}");
        assert_eq!(pages(&accounts), before, "{extra:?}: accounts/ changed");
        assert!(
            summaries() == summaries_before,
            "{extra:?}: a summary page changed"
        );
        assert!(!out.path().join("diff.md").exists());
    }
    let hidden: Vec<String> = std::fs::read_dir(out.path())
        .expect("out")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    // Without the error, the new pages replace the earlier ones and the
    // user's file stays.
    let working = std::fs::read_to_string(root().join("reports/report.md.j2"))
        .expect("template")
        .replacen("{% if account_page %}", "{% if account_page %}CHANGED ", 1);
    std::fs::write(templates.path().join("report.md.j2"), working).expect("write");
    let (code, stderr) = scan(Some(templates.path()), &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let after = pages(&accounts);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(after["README.txt"], b"ours");
    for (name, page) in &after {
        if name.ends_with(".md") {
            assert!(page.starts_with(b"CHANGED "), "{name}");
        }
    }
}

/// `auditscope iam-policy | head -1`: a reader that stops early ends the
/// command quietly, as Unix tools do.
#[test]
fn a_closed_pipe_ends_output_quietly() {
    for args in [
        &["iam-policy"][..],
        &["checks", "list"][..],
        &["frameworks", "show", "nist-800-53-r5"][..],
    ] {
        let mut child = crate::binary()
            .args(args)
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}

/// A parameter of a check deselected by --checks is accepted; a negative
/// count is not.
#[test]
fn parameters_of_deselected_checks_are_accepted_and_negative_ones_are_not() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = path_str(out.path());
    let (code, stderr) = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "json",
        "--checks",
        "guardduty-*",
        "--param",
        "logs-retention-minimum.min_retention_days=30",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stderr) = run(&[
        "scan",
        "--mock",
        "mock/acme",
        "--out",
        dir,
        "--format",
        "json",
        "--param",
        "logs-retention-minimum.min_retention_days=-1",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("negative"), "{stderr}");
}

/// Shards that together hold every account merge into a complete
/// snapshot, even when one of them was interrupted.
#[test]
fn a_complete_merge_is_not_partial() {
    use auditscope::journal::Journal;
    use auditscope::model::{Account, Organization};
    let dir = tempfile::tempdir().expect("tempdir");
    let organization = Organization {
        id: "o-example0000".into(),
        management_account_id: "111111111111".into(),
        ..Default::default()
    };
    let account = |id: &str| Account {
        id: id.into(),
        regions: vec!["us-east-1".into()],
        ..Default::default()
    };
    let planned = vec!["111111111111".to_owned(), "222222222222".to_owned()];
    // An interrupted run that got one account, and a later one that got
    // the other.
    let first = dir.path().join("first.jsonl");
    let mut journal = Journal::create(
        &first,
        None,
        Some("2026-11-20T12:00:00Z".into()),
        Some(organization.clone()),
        planned.clone(),
    )
    .expect("journal");
    journal
        .account(&account("111111111111"), &[])
        .expect("account");
    drop(journal);
    let second = dir.path().join("second.jsonl");
    let mut journal = Journal::create(
        &second,
        None,
        Some("2026-11-20T13:00:00Z".into()),
        Some(organization),
        vec!["222222222222".into()],
    )
    .expect("journal");
    journal
        .account(&account("222222222222"), &[])
        .expect("account");
    journal.finish(None).expect("finish");
    let merged = dir.path().join("merged.json");
    let (code, stderr) = run(&[
        "merge",
        path_str(&first),
        path_str(&second),
        "--out",
        path_str(&merged),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("2 account(s) from 2 snapshot(s)\n"),
        "{stderr}"
    );
    // The interrupted input is named, though the merge is complete: with
    // a note, not a warning that the reports say it is partial.
    assert!(
        stderr.contains(&format!(
            "note: {} is a partial scan (interrupted); the other snapshots hold the accounts it misses",
            first.display()
        )),
        "{stderr}"
    );
    // The output is never written under a journal's name (the journal,
    // often an input, would be lost), nor through a link, a device or a
    // pipe; a leftover of an interrupted write in the directory goes.
    let leftover = dir.path().join(".auditscope-left.tmp");
    std::fs::write(&leftover, b"half").expect("leftover");
    let journal_before = std::fs::read(&first).expect("journal");
    let (code, stderr) = run(&[
        "merge",
        path_str(&first),
        path_str(&second),
        "--out",
        path_str(&first),
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("give --out a .json name"), "{stderr}");
    assert_eq!(std::fs::read(&first).expect("journal"), journal_before);
    #[cfg(unix)]
    {
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&merged, &link).expect("symlink");
        let target_before = std::fs::read(&merged).expect("merged");
        let (code, stderr) = run(&[
            "merge",
            path_str(&first),
            path_str(&second),
            "--out",
            path_str(&link),
        ]);
        assert_eq!(code, Some(2), "{stderr}");
        assert!(stderr.contains("not a regular file"), "{stderr}");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&merged).expect("merged"), target_before);
    }
    // A journal of one account under `organization`, merged after
    // `second` streamed and whole: refused, with an error that holds
    // `expected(second, journal)`.
    let refused =
        |name: &str, organization: Organization, expected: &dyn Fn(&Path, &Path) -> String| {
            let path = dir.path().join(name);
            let mut journal = Journal::create(
                &path,
                None,
                None,
                Some(organization),
                vec!["333333333333".into()],
            )
            .expect("journal");
            journal
                .account(&account("333333333333"), &[])
                .expect("account");
            journal.finish(None).expect("finish");
            for whole in ["0", "1"] {
                let output = crate::binary()
                    .env("AUDITSCOPE_SNAPSHOT_IN_MEMORY", whole)
                    .args(["merge", path_str(&second), path_str(&path), "--out"])
                    .arg(dir.path().join("two.json"))
                    .output()
                    .expect("run");
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert_eq!(output.status.code(), Some(2), "{stderr}");
                assert!(stderr.contains(&expected(&second, &path)), "{stderr}");
            }
        };
    // Two organizations: both files are named.
    refused(
        "other.jsonl",
        Organization {
            id: "o-other000000".into(),
            management_account_id: "333333333333".into(),
            ..Default::default()
        },
        &|second, other| {
            format!(
                "{} holds o-example0000, {} holds o-other000000",
                second.display(),
                other.display()
            )
        },
    );
    // The same organization with another management account: which
    // account's trails are the organization's would depend on the order.
    refused(
        "moved.jsonl",
        Organization {
            id: "o-example0000".into(),
            management_account_id: "222222222222".into(),
            ..Default::default()
        },
        &|second, moved| {
            format!(
                "{} names 111111111111, {} names 222222222222",
                second.display(),
                moved.display()
            )
        },
    );
    assert!(!leftover.exists(), "the leftover was removed");
    let snapshot: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).expect("merged")).expect("json");
    assert_eq!(snapshot["partial"], false);
    let (code, stderr) = run(&["merge", path_str(&first), "--out", path_str(&merged)]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("snapshot(s), partial"),
        "alone, the interrupted run is partial: {stderr}"
    );
}

/// Ctrl-C while the checks are evaluated or the reports written: the scan
/// stops at once with exit 130 and leaves no half-written report.
#[test]
fn ctrl_c_stops_a_scan_in_any_phase_without_a_truncated_report() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A world large enough to take seconds: acme's workload accounts
    // copied under 400 ids.
    let acme = auditscope::collect::mock::load(&root().join("mock/acme")).expect("acme");
    let mut world = serde_json::to_value(&acme).expect("json");
    let template = serde_json::to_string(&world["accounts"][4]).expect("account");
    let accounts = world["accounts"].as_array_mut().expect("accounts");
    for i in 0..400 {
        let id = format!("{:012}", 700_000_000_000u64 + i);
        let copy = template.replace("555555555555", &id);
        accounts.push(serde_json::from_str(&copy).expect("copy"));
    }
    let file = dir.path().join("big.json");
    std::fs::write(&file, world.to_string()).expect("world");
    let out = dir.path().join("out");
    let mut interrupted = 0;
    for delay_ms in [300u64, 1500] {
        let child = crate::binary()
            .args([
                "scan",
                "--snapshot",
                path_str(&file),
                "--out",
                path_str(&out),
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(sent.success());
        let output = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&output.stderr);
        if output.status.code() == Some(0) {
            // Finished before the signal came: nothing to check here.
            continue;
        }
        assert_eq!(
            output.status.code(),
            Some(130),
            "after {delay_ms} ms: {stderr}"
        );
        interrupted += 1;
        if let Ok(entries) = std::fs::read_dir(&out) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                assert!(!name.ends_with(".tmp"), "a temporary file was left: {name}");
                if name == "result.json" {
                    let text = std::fs::read_to_string(entry.path()).expect("read");
                    serde_json::from_str::<serde_json::Value>(&text).expect("a whole result.json");
                }
            }
        }
    }
    assert!(interrupted > 0, "every scan finished before the signal");
}

/// Two scans writing to one directory (or a scan and a `merge --out`): the
/// second stops with exit 2 and a clear message, and touches nothing there. Before the directory was
/// held, it removed the running scan's spool and temporary files as
/// leftovers of a killed run, which failed the first scan after minutes of
/// work. The hold goes with the process, so a later scan runs.
#[test]
fn a_second_scan_into_a_busy_directory_stops_and_touches_nothing() {
    let out = tempfile::tempdir().expect("tempdir");
    let spool = out.path().join(".auditscope-spool-live.tmp");
    std::fs::create_dir_all(&spool).expect("mkdir");
    std::fs::write(spool.join("0.json"), b"{}").expect("write");
    // The running scan: this process holds the directory as a scan does.
    let held = auditscope::atomic::lock_dir(out.path()).expect("first hold");
    let world = root().join("mock/acme");
    let args = [
        "scan",
        "--mock",
        world.to_str().expect("utf-8"),
        "--out",
        out.path().to_str().expect("utf-8"),
    ];
    let output = auditscope(&args);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another auditscope process is writing to")
            && stderr.contains(&out.path().display().to_string()),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(spool.join("0.json").is_file(), "the live spool was removed");
    assert!(!out.path().join("report.md").exists());
    // `merge --out` into the directory waits its turn too.
    let merged = out.path().join("merged.json");
    let output = auditscope(&[
        "merge",
        fixture("one-account.yaml").to_str().expect("utf-8"),
        "--out",
        merged.to_str().expect("utf-8"),
    ]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another auditscope process"), "{stderr}");
    assert!(!merged.exists());
    // Within one process too, a second hold is refused.
    assert!(matches!(
        auditscope::atomic::lock_dir(out.path()),
        Err(auditscope::atomic::LockError::Busy { .. })
    ));
    drop(held);
    let output = auditscope(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!spool.exists(), "a spool nobody holds is a leftover");
    assert!(out.path().join("report.md").is_file());
    let output = auditscope(&[
        "merge",
        fixture("one-account.yaml").to_str().expect("utf-8"),
        "--out",
        merged.to_str().expect("utf-8"),
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
