//! The job-runner examples (GitHub Actions matrix, Kubernetes Indexed Job,
//! AWS Batch array job) run real commands: every `auditscope` command in
//! them names a subcommand and flags the binary has, each collects shards
//! of the organization with `--shard`, merges them, and evaluates once, and
//! the shard count agrees with the runner's parallelism.

use crate::root;
use serde_json::Value;

const EXAMPLES: &[&str] = &[
    "examples/github-actions-org-scan.yml",
    "examples/kubernetes-indexed-job.yaml",
    "examples/aws-batch-array-job.yaml",
];

const SUBCOMMANDS: &[&str] = &[
    "scan",
    "collect",
    "merge",
    "diff",
    "checks",
    "frameworks",
    "iam-policy",
];

/// The YAML documents of an example, as JSON values.
fn documents(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(path)).expect("example");
    text.split("\n---\n")
        .map(|doc| serde_saphyr::from_str::<Value>(doc).unwrap_or_else(|e| panic!("{path}: {e}")))
        .collect()
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Every `auditscope SUBCOMMAND ...` command of an example, as words.
fn commands(path: &str) -> Vec<Vec<String>> {
    let mut texts = Vec::new();
    for doc in documents(path) {
        strings(&doc, &mut texts);
    }
    let mut found = Vec::new();
    for text in texts {
        let joined = text.replace("\\\n", " ");
        for segment in joined.split(['\n', ';']).flat_map(|s| s.split("&&")) {
            let words: Vec<String> = segment.split_whitespace().map(str::to_owned).collect();
            if let Some(at) = words.iter().position(|w| w == "auditscope") {
                if words
                    .get(at + 1)
                    .is_some_and(|w| SUBCOMMANDS.contains(&w.as_str()))
                {
                    found.push(words[at..].to_vec());
                }
            }
        }
    }
    found
}

fn help(subcommand: &str) -> String {
    let output = crate::binary()
        .args([subcommand, "--help"])
        .output()
        .expect("run");
    assert!(output.status.success(), "{subcommand} --help");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn every_example_command_exists_with_its_flags() {
    let mut problems = Vec::new();
    for path in EXAMPLES {
        let commands = commands(path);
        assert!(!commands.is_empty(), "{path}: no auditscope command");
        for words in &commands {
            let help = help(&words[1]);
            for flag in words.iter().filter(|w| w.starts_with("--")) {
                let name = flag.split('=').next().unwrap_or(flag);
                if !help.contains(&format!("{name} ")) && !help.contains(&format!("{name}\n")) {
                    problems.push(format!("{path}: `auditscope {}` has no {name}", words[1]));
                }
            }
        }
        let has = |sub: &str, flags: &[&str]| {
            commands
                .iter()
                .any(|w| w[1] == sub && flags.iter().all(|f| w.iter().any(|x| x == f)))
        };
        if !has("collect", &["--org", "--shard"]) {
            problems.push(format!("{path}: no `collect --org --shard`"));
        }
        if !has("merge", &["--out"]) {
            problems.push(format!("{path}: no `merge`"));
        }
        if !has("scan", &["--snapshot"]) {
            problems.push(format!("{path}: no `scan --snapshot` of the merged shards"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The N of `--shard I/N` or `auto/N` in an example.
fn shard_count(path: &str) -> u64 {
    let words = commands(path)
        .into_iter()
        .find(|w| w[1] == "collect")
        .expect("collect");
    let at = words.iter().position(|w| w == "--shard").expect("--shard");
    words[at + 1]
        .rsplit('/')
        .next()
        .and_then(|n| n.trim_start_matches('$').parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_shard_count_agrees_with_the_runner() {
    let k8s = documents("examples/kubernetes-indexed-job.yaml");
    let job = k8s
        .iter()
        .find(|d| d["metadata"]["name"] == "auditscope-collect")
        .expect("collect job");
    assert_eq!(job["spec"]["completionMode"], "Indexed");
    let n = shard_count("examples/kubernetes-indexed-job.yaml");
    assert_eq!(job["spec"]["completions"].as_u64(), Some(n));
    assert_eq!(job["spec"]["parallelism"].as_u64(), Some(n));

    let batch = &documents("examples/aws-batch-array-job.yaml")[0];
    assert_eq!(
        batch["collectJob"]["arrayProperties"]["size"].as_u64(),
        Some(shard_count("examples/aws-batch-array-job.yaml"))
    );

    let actions = &documents("examples/github-actions-org-scan.yml")[0];
    let shards = actions["jobs"]["collect"]["strategy"]["matrix"]["shard"]
        .as_array()
        .expect("matrix")
        .len() as u64;
    assert_eq!(actions["env"]["SHARDS"].as_u64(), Some(shards));
}
