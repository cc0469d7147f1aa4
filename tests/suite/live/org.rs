//! Organization scans against moto: an organization made through the
//! Organizations API, every account seeded with its own (assumed)
//! credentials, scanned from the management account.

use super::harness::{self, Fault, Proxy};
use super::seed::{self, Seeder};
use super::{rows, World, ACCOUNT};
use auditscope::collect::aws::org::{self, OrgOptions};
use auditscope::model::{AccountRole, Snapshot};
use auditscope::result::{ScanResult, Status};
use std::collections::BTreeSet;
use std::path::Path;

const REGIONS: &str = "us-east-1,eu-west-1";

/// An organization in moto: the management account (moto's default
/// account) and members made with CreateAccount, in two OUs, one member
/// closed (suspended).
pub struct Org {
    pub world: World,
    pub members: Vec<String>,
    pub suspended: String,
    pub security_ou: String,
    pub workloads_ou: String,
}

async fn assumed(world: &World, account: &str) -> aws_config::SdkConfig {
    let sts = aws_sdk_sts::Client::new(&world.sdk);
    let answer = sts
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("seed")
        .send()
        .await
        .expect("assume role for seeding");
    let c = answer.credentials().expect("credentials");
    world
        .sdk
        .to_builder()
        .credentials_provider(
            aws_credential_types::provider::SharedCredentialsProvider::new(
                aws_credential_types::Credentials::new(
                    c.access_key_id(),
                    c.secret_access_key(),
                    Some(c.session_token().to_owned()),
                    None,
                    "seed",
                ),
            ),
        )
        .build()
}

/// The `gaps` scenario's account, made the account `id`'s (bucket names
/// are global, so they carry the id). The management account's trail
/// becomes a multi-region organization trail.
fn account_world(id: &str, management: bool) -> auditscope::model::Account {
    let path = crate::root().join("mock/scenarios/gaps.yaml");
    let mock = auditscope::collect::mock::load(&path).unwrap_or_else(|d| panic!("{d}"));
    let original = &mock.accounts[0];
    let mut account = seed::rename(
        original,
        &[
            (original.id.clone(), id.to_owned()),
            ("gaps-trail".to_owned(), format!("gaps-trail-{id}")),
        ],
    );
    if management {
        for trail in &mut account.trails {
            trail.is_organization_trail = true;
            trail.is_multi_region = true;
        }
    } else {
        // A member's own trail is single-region: only the organization
        // trail makes its logging multi-region.
        account.trails.clear();
        account.buckets.clear();
    }
    account
}

impl Org {
    pub async fn start(members: usize) -> Org {
        use aws_sdk_organizations::types::OrganizationFeatureSet as FeatureSet;
        let world = World::start().await;
        let organizations = aws_sdk_organizations::Client::new(&world.sdk);
        organizations
            .create_organization()
            .feature_set(FeatureSet::All)
            .send()
            .await
            .expect("organization");
        let root = organizations
            .list_roots()
            .send()
            .await
            .expect("roots")
            .roots()
            .first()
            .and_then(|r| r.id())
            .expect("root id")
            .to_owned();
        let ou = |name: &'static str| {
            let organizations = organizations.clone();
            let root = root.clone();
            async move {
                organizations
                    .create_organizational_unit()
                    .parent_id(root)
                    .name(name)
                    .send()
                    .await
                    .expect("ou")
                    .organizational_unit()
                    .and_then(|u| u.id())
                    .expect("ou id")
                    .to_owned()
            }
        };
        let security_ou = ou("Security").await;
        let workloads_ou = ou("Workloads").await;
        let mut ids = Vec::new();
        for n in 0..=members {
            let id = organizations
                .create_account()
                .email(format!("aws+{n}@example.com"))
                .account_name(format!("member-{n}"))
                .send()
                .await
                .expect("account")
                .create_account_status()
                .and_then(|s| s.account_id())
                .expect("account id")
                .to_owned();
            let target = if n == 0 { &security_ou } else { &workloads_ou };
            organizations
                .move_account()
                .account_id(&id)
                .source_parent_id(&root)
                .destination_parent_id(target)
                .send()
                .await
                .expect("move account");
            ids.push(id);
        }
        let suspended = ids.pop().expect("one more account");
        organizations
            .close_account()
            .account_id(&suspended)
            .send()
            .await
            .expect("close account");
        organizations
            .register_delegated_administrator()
            .account_id(&ids[0])
            .service_principal("guardduty.amazonaws.com")
            .send()
            .await
            .expect("delegated administrator");

        let endpoints = harness::endpoints(&world.moto, &world.bridge);
        let management = Seeder {
            sdk: world.sdk.clone(),
            endpoints: endpoints.clone(),
        };
        management.seed(&account_world(ACCOUNT, true)).await;
        for id in &ids {
            let seeder = Seeder {
                sdk: assumed(&world, id).await,
                endpoints: endpoints.clone(),
            };
            seeder.seed(&account_world(id, false)).await;
        }
        Org {
            world,
            members: ids,
            suspended,
            security_ou,
            workloads_ou,
        }
    }

    fn options(
        &self,
        endpoints: std::collections::BTreeMap<String, String>,
    ) -> auditscope::collect::aws::Options {
        let mut options = self.world.options(&["us-east-1", "eu-west-1"]);
        options.endpoints = endpoints;
        options
    }
}

/// Collects the planned accounts into one snapshot (in memory).
async fn collect_snapshot(
    sdk: &aws_config::SdkConfig,
    options: &auditscope::collect::aws::Options,
    org_options: &OrgOptions,
    plan: &org::Plan,
) -> Snapshot {
    let mut snapshot = Snapshot {
        organization: Some(plan.organization.clone()),
        ..Snapshot::default()
    };
    let mut sink = |c: org::Collected| {
        snapshot.accounts.push(c.account);
        snapshot.errors.extend(c.errors);
    };
    org::collect_accounts(sdk, options, org_options, plan, &BTreeSet::new(), &mut sink).await;
    snapshot.normalize();
    snapshot
}

fn result_of(dir: &Path) -> ScanResult {
    ScanResult::load(&dir.join("result.json")).unwrap_or_else(|e| panic!("{e}"))
}

fn accounts_of(result: &ScanResult) -> BTreeSet<String> {
    result
        .findings
        .iter()
        .map(|f| f.account_id.to_string())
        .collect()
}

/// The binary with every endpoint at `url` (moto through a proxy).
fn auditscope_at(url: &str, args: &[&str]) -> std::process::Command {
    let mut command = crate::binary();
    command
        .args(args)
        .current_dir(crate::root())
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_SESSION_TOKEN")
        .env("AWS_CONFIG_FILE", "/nonexistent/config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", url);
    command
}

fn run(mut command: std::process::Command) -> std::process::Output {
    let output = command.output().expect("run auditscope");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// An uninterrupted, unsharded organization scan into `dir/full`, the
/// reference the resumed and sharded scans are compared with.
fn full_scan(proxy: &Proxy, dir: &Path) -> std::path::PathBuf {
    let full = dir.join("full");
    run(auditscope_at(
        &proxy.url,
        &[
            "scan",
            "--org",
            "--regions",
            REGIONS,
            "--format",
            "json",
            "--out",
            path(&full),
        ],
    ));
    full
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organization_scan_covers_every_active_account() {
    let org = Org::start(5).await;
    let proxy = Proxy::start(org.world.moto.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("org");
    run(auditscope_at(
        &proxy.url,
        &[
            "scan",
            "--org",
            "--regions",
            REGIONS,
            "--format",
            "json,md,html",
            "--out",
            path(&out),
        ],
    ));
    let result = result_of(&out);
    let mut expected: BTreeSet<String> = org.members.iter().cloned().collect();
    expected.insert(ACCOUNT.to_owned());
    let scanned = accounts_of(&result);
    assert!(
        expected.is_subset(&scanned),
        "{scanned:?} lacks some of {expected:?}"
    );
    assert!(
        !scanned.contains(&org.suspended),
        "the suspended account was scanned"
    );
    // Each member through its own assumed role, all read from the
    // management account: the journal has who is who and where.
    let auditscope::journal::Read { snapshot, done, .. } =
        auditscope::journal::read(&out.join("snapshot.jsonl")).expect("journal");
    assert!(!snapshot.partial);
    assert_eq!(done.len(), 6);
    let organization = snapshot.organization.as_ref().expect("organization");
    assert_eq!(organization.management_account_id, ACCOUNT);
    assert_eq!(
        organization.delegated_administrators[0].account_id,
        org.members[0]
    );
    let skipped: Vec<&str> = organization
        .accounts_not_scanned
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(skipped, [org.suspended.as_str()]);
    for account in &snapshot.accounts {
        let (role, path) = if account.id == ACCOUNT {
            (AccountRole::Management, vec!["Root"])
        } else if account.id == org.members[0] {
            (AccountRole::Member, vec!["Root", "Security"])
        } else {
            (AccountRole::Member, vec!["Root", "Workloads"])
        };
        assert_eq!(
            (account.role, account.ou_path.clone()),
            (role, path.iter().map(|s| s.to_string()).collect()),
            "{}",
            account.id
        );
        assert!(
            account.api_calls.values().sum::<u64>() > 10,
            "{} was not collected",
            account.id
        );
    }
    assert_eq!(super::real_errors(&snapshot), vec![]);
    // Organization-aware: the management account's organization trail
    // makes every member's logging multi-region although the members have
    // no trail of their own; each member's own gaps still fail.
    for member in &org.members[1..] {
        let status = |check: &str| -> Vec<Status> {
            result
                .findings
                .iter()
                .filter(|f| &*f.check_id == check && &*f.account_id == member)
                .map(|f| f.status)
                .collect()
        };
        assert_eq!(
            status("cloudtrail-multi-region-logging"),
            [Status::Pass],
            "{member}"
        );
        assert!(
            status("config-recorder-enabled").contains(&Status::Pass),
            "{member}"
        );
    }
    let report = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(
        report.contains(&org.suspended),
        "the report names the skipped account"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_whose_role_cannot_be_assumed_is_error_for_itself_only() {
    let org = Org::start(5).await;
    let proxy = Proxy::start(org.world.moto.addr);
    let denied = org.members[2].clone();
    let target = denied.clone();
    proxy.fault(Fault::new(
        move |r| {
            r.operation().as_deref() == Some("AssumeRole")
                && String::from_utf8_lossy(&r.body).contains(&target)
        },
        403,
        "AccessDenied",
        None,
    ));
    let options = org.options(harness::all_through(&proxy));
    let sdk = harness::sdk_config(&proxy.url).await;
    let plan = org::plan(&sdk, &options, &OrgOptions::default())
        .await
        .expect("plan");
    // Filters: an OU (recursive), a list, an exclusion.
    let ids =
        |plan: &org::Plan| -> Vec<String> { plan.accounts.iter().map(|a| a.id.clone()).collect() };
    for (filter, expected) in [
        (
            OrgOptions {
                ou: Some(org.security_ou.clone()),
                ..OrgOptions::default()
            },
            vec![org.members[0].clone()],
        ),
        (
            OrgOptions {
                ou: Some(org.workloads_ou.clone()),
                exclude_accounts: vec![org.members[1].clone()],
                ..OrgOptions::default()
            },
            org.members[2..].to_vec(),
        ),
        (
            OrgOptions {
                accounts: vec![ACCOUNT.to_owned(), org.suspended.clone()],
                ..OrgOptions::default()
            },
            vec![ACCOUNT.to_owned()],
        ),
    ] {
        let mut expected = expected;
        expected.sort();
        let filtered = org::plan(&sdk, &options, &filter).await.expect("plan");
        assert_eq!(ids(&filtered), expected);
        assert_eq!(
            filtered.accounts.len() + filtered.organization.accounts_not_scanned.len(),
            7,
            "every account is either scanned or named as not scanned"
        );
    }
    let snapshot = collect_snapshot(&sdk, &options, &OrgOptions::default(), &plan).await;
    assert_eq!(
        snapshot.accounts.len(),
        6,
        "every account is in the snapshot"
    );
    let blocked: Vec<_> = snapshot
        .errors
        .iter()
        .filter(|e| e.blocks_account())
        .collect();
    assert_eq!(blocked.len(), 1, "{blocked:?}");
    assert_eq!(
        (blocked[0].account_id.as_str(), blocked[0].code.as_str()),
        (denied.as_str(), "AccessDenied")
    );
    assert!(
        blocked[0].message.contains("auditscope-readonly"),
        "{}",
        blocked[0].message
    );

    let result = super::evaluate(&snapshot);
    let of = |account: &str| -> Vec<Status> {
        result
            .findings
            .iter()
            .filter(|f| &*f.account_id == account)
            .map(|f| f.status)
            .collect()
    };
    let denied_statuses = of(&denied);
    assert!(denied_statuses.len() > 10, "{denied_statuses:?}");
    assert!(
        denied_statuses.iter().all(|s| *s == Status::Error),
        "{denied_statuses:?}"
    );
    let message = result
        .findings
        .iter()
        .find(|f| *f.account_id == *denied)
        .map(|f| f.message.clone())
        .unwrap_or_default();
    assert!(message.contains("sts:AssumeRole"), "{message}");
    for other in org
        .members
        .iter()
        .filter(|m| **m != denied)
        .chain([&ACCOUNT.to_owned()])
    {
        let statuses = of(other);
        assert!(
            statuses.iter().filter(|s| **s == Status::Error).count() < statuses.len() / 4,
            "{other} suffered from another account's failure: {statuses:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_scan_resumed_equals_an_uninterrupted_one() {
    let org = Org::start(5).await;
    let proxy = Proxy::start(org.world.moto.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let full = full_scan(&proxy, dir.path());
    // Slow every call down and start one account at a time, so the scan
    // can be stopped once two accounts are in the journal.
    proxy.set_latency(std::time::Duration::from_millis(40));
    let slow_scan = |out: &Path| {
        let journal = out.join("snapshot.jsonl");
        let mut child = auditscope_at(
            &proxy.url,
            &[
                "scan",
                "--org",
                "--regions",
                REGIONS,
                "--format",
                "json,md",
                "--max-accounts",
                "1",
                "--out",
                path(out),
            ],
        )
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
        let started = std::time::Instant::now();
        loop {
            let lines = std::fs::read_to_string(&journal)
                .map(|t| t.lines().count())
                .unwrap_or(0);
            if lines >= 3 {
                break;
            }
            assert!(
                started.elapsed().as_secs() < 120,
                "the scan never got going"
            );
            assert!(
                child.try_wait().expect("wait").is_none(),
                "the scan ended before it was cut"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        child
    };
    // Ctrl-C: the accounts collected are rendered, marked partial, and the
    // scan exits 130 like `collect --org`.
    let interrupted = dir.path().join("interrupted");
    let child = slow_scan(&interrupted);
    let signal = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill -INT");
    assert!(signal.success());
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    let report = std::fs::read_to_string(interrupted.join("report.md")).expect("partial report");
    assert!(report.contains("Partial scan"), "{report}");
    assert!(result_of(&interrupted).scan.partial);
    // A crash: the process is killed with no chance to clean up.
    let cut = dir.path().join("cut");
    let journal = cut.join("snapshot.jsonl");
    let mut child = slow_scan(&cut);
    child.kill().expect("kill");
    let _ = child.wait();
    proxy.set_latency(std::time::Duration::ZERO);
    // The crash also cuts the last account line in half (a write the disk
    // did not finish): resuming, twice, still gets every account.
    let mut bytes = std::fs::read(&journal).expect("journal");
    if bytes.last() == Some(&b'\n') {
        bytes.pop();
    }
    let last = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    bytes.truncate(last + (bytes.len() - last) / 2);
    std::fs::write(&journal, &bytes).expect("cut the journal");
    let auditscope::journal::Read {
        snapshot: partial,
        done,
        ..
    } = auditscope::journal::read(&journal).expect("journal");
    assert!(
        partial.partial && done.len() < 6,
        "{} accounts done",
        done.len()
    );
    // A partial journal renders, marked partial, naming what is missing.
    let partial_out = dir.path().join("partial");
    run(auditscope_at(
        &proxy.url,
        &[
            "scan",
            "--snapshot",
            path(&journal),
            "--format",
            "md",
            "--out",
            path(&partial_out),
        ],
    ));
    let report = std::fs::read_to_string(partial_out.join("report.md")).expect("report");
    assert!(report.contains("Partial scan"), "{report}");
    assert!(report.contains("interrupted"), "{report}");

    for _ in 0..2 {
        run(auditscope_at(
            &proxy.url,
            &[
                "scan",
                "--org",
                "--resume",
                "--regions",
                REGIONS,
                "--format",
                "json",
                "--out",
                path(&cut),
            ],
        ));
    }
    let auditscope::journal::Read {
        snapshot: resumed,
        done: done_after,
        ..
    } = auditscope::journal::read(&journal).expect("journal");
    assert!(!resumed.partial);
    assert_eq!(done_after.len(), 6);
    assert_eq!(rows(&result_of(&cut)), rows(&result_of(&full)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_merged_equal_a_full_scan() {
    let org = Org::start(5).await;
    let proxy = Proxy::start(org.world.moto.addr);
    let dir = tempfile::tempdir().expect("tempdir");
    let full = full_scan(&proxy, dir.path());
    let mut journals = Vec::new();
    // Shard 1 given, 2 and 3 from a Kubernetes Indexed Job's and an AWS
    // Batch array job's 0-based index (`--shard auto/3`).
    let shards = [
        ("1", "1/3", None),
        ("2", "auto/3", Some(("JOB_COMPLETION_INDEX", "1"))),
        ("3", "auto/3", Some(("AWS_BATCH_JOB_ARRAY_INDEX", "2"))),
    ];
    for (name, shard, index) in shards {
        let journal = dir.path().join(format!("shard-{name}.jsonl"));
        let mut command = auditscope_at(
            &proxy.url,
            &[
                "collect",
                "--org",
                "--regions",
                REGIONS,
                "--shard",
                shard,
                "--out",
                path(&journal),
            ],
        );
        if let Some((variable, value)) = index {
            command.env(variable, value);
        }
        run(command);
        journals.push(journal);
    }
    let sizes: Vec<usize> = journals
        .iter()
        .map(|j| auditscope::journal::read(j).expect("journal").done.len())
        .collect();
    assert_eq!(
        sizes.iter().sum::<usize>(),
        6,
        "shards overlap or miss: {sizes:?}"
    );
    let merged = dir.path().join("merged.json");
    let mut args = vec!["merge", "--out", path(&merged)];
    args.extend(journals.iter().map(|j| path(j)));
    run(auditscope_at(&proxy.url, &args));
    let out = dir.path().join("merged");
    run(auditscope_at(
        &proxy.url,
        &[
            "scan",
            "--snapshot",
            path(&merged),
            "--format",
            "json",
            "--out",
            path(&out),
        ],
    ));
    assert_eq!(rows(&result_of(&out)), rows(&result_of(&full)));
    let merged: Snapshot =
        serde_json::from_str(&std::fs::read_to_string(&merged).expect("merged")).expect("json");
    let skipped: Vec<&str> = merged
        .organization
        .as_ref()
        .map(|o| {
            o.accounts_not_scanned
                .iter()
                .map(|a| a.id.as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(skipped, [org.suspended.as_str()]);
}

#[test]
fn shards_split_accounts_by_id() {
    let shards: Vec<org::Shard> = ["1/3", "2/3", "3/3"]
        .iter()
        .map(|s| s.parse().expect("shard"))
        .collect();
    for id in [
        "111111111111",
        "222222222222",
        "123456789012",
        "not-a-number",
    ] {
        assert_eq!(shards.iter().filter(|s| s.contains(id)).count(), 1, "{id}");
    }
    for bad in ["0/3", "4/3", "1/0", "x/2", "2"] {
        assert!(bad.parse::<org::Shard>().is_err(), "{bad}");
    }
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The organization benchmark (run by `bench/org.sh`, ignored in the test
/// suite): 50 member accounts and the management account x 4 regions,
/// answered from a recording of moto with 50 ms added to every call.
/// Prints wall time against the bound (rounds of --max-accounts accounts x
/// the per-account critical path) and memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "benchmark: bench/org.sh"]
async fn bench_org_scan_50_accounts_4_regions() {
    let members: usize = std::env::var("AUDITSCOPE_BENCH_ACCOUNTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let latency = std::time::Duration::from_millis(50);
    // AssumeRole; GetCallerIdentity; in a region ListDetectors ->
    // ListFindings -> GetFindings; GetBucketLocation -> bucket configuration.
    const PER_ACCOUNT: u32 = 7;
    let org = Org::start(members).await;
    let proxy = Proxy::start(org.world.moto.addr);
    let mut options = org.options(harness::all_through(&proxy));
    options.regions = auditscope::collect::aws::Regions::List(
        ["us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2"]
            .iter()
            .map(|r| r.to_string())
            .collect(),
    );
    let sdk = harness::sdk_config(&proxy.url).await;
    let org_options = OrgOptions::default();
    let collect = |plan: org::Plan| {
        let (sdk, options, org_options) = (&sdk, &options, &org_options);
        async move { collect_snapshot(sdk, options, org_options, &plan).await }
    };
    proxy.record();
    let plan = org::plan(&sdk, &options, &org_options).await.expect("plan");
    let accounts = plan.accounts.len();
    let started = std::time::Instant::now();
    let reference = collect(plan.clone()).await;
    let through_moto = started.elapsed();
    proxy.replay();
    proxy.set_latency(latency);
    let calls_before = proxy.calls();
    let started = std::time::Instant::now();
    let plan = org::plan(&sdk, &options, &org_options).await.expect("plan");
    let planned = started.elapsed();
    let calls_plan = proxy.calls() - calls_before;
    let rss_before = peak_rss_mib();
    let started = std::time::Instant::now();
    let snapshot = collect(plan).await;
    let wall = started.elapsed();
    let calls = proxy.calls() - calls_before - calls_plan;
    let rounds = accounts.div_ceil(org_options.max_accounts) as u32;
    let bound = latency * PER_ACCOUNT * rounds;
    let size = serde_json::to_vec(&snapshot).map(|v| v.len()).unwrap_or(0);
    println!(
        "org scan, {accounts} accounts x 4 regions, {} ms per call, --max-accounts {}: plan {:.0} ms ({calls_plan} calls); accounts {:.0} ms ({calls} calls, {:.0} per account) against a bound of {} ms ({rounds} rounds x {PER_ACCOUNT} dependent calls): ratio {:.2}; through moto {:.1} s; snapshot {:.1} KiB per account; peak RSS {:.0} MiB (before collecting {:.0} MiB)",
        latency.as_millis(),
        org_options.max_accounts,
        planned.as_secs_f64() * 1000.0,
        wall.as_secs_f64() * 1000.0,
        calls as f64 / accounts as f64,
        bound.as_millis(),
        wall.as_secs_f64() / bound.as_secs_f64(),
        through_moto.as_secs_f64(),
        size as f64 / accounts as f64 / 1024.0,
        peak_rss_mib(),
        rss_before,
    );
    assert_eq!(snapshot.accounts.len(), reference.accounts.len());
    assert_eq!(super::real_errors(&snapshot), vec![]);
}
