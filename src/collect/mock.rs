//! Loading mock worlds and saved snapshots.
//!
//! A mock world is a directory with an optional `world.yaml` (the
//! Snapshot's top-level fields: organization, collected_at, errors) and one
//! file per account under `accounts/` (an `Account` each), or a single
//! YAML/JSON file holding a whole Snapshot. Both use the Snapshot model, so
//! every mock is also a valid saved snapshot.

use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Account, Snapshot, SNAPSHOT_SCHEMA_VERSION};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read(path: &Path) -> Result<String, Diagnostics> {
    std::fs::read_to_string(path).map_err(|e| {
        Diagnostics(vec![Diagnostic::file(
            path,
            None,
            format!("cannot read: {e}"),
        )])
    })
}

fn parse<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, Diagnostic> {
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        serde_json::from_str(text).map_err(|e| Diagnostic::from_json(path, text, &e, ""))
    } else {
        serde_saphyr::from_str(text).map_err(|e| Diagnostic::from_yaml(path, text, &e))
    }
}

/// serde_json appends " at line L column C"; we show the position ourselves.
/// Loads a saved snapshot (JSON or YAML file) or a mock world (directory or file).
pub fn load(path: &Path) -> Result<Snapshot, Diagnostics> {
    let mut snapshot = if path.is_dir() {
        load_dir(path)?
    } else {
        let text = read(path)?;
        parse::<Snapshot>(path, &text).map_err(|d| Diagnostics(vec![d]))?
    };
    validate(&mut snapshot, path)?;
    snapshot.normalize();
    Ok(snapshot)
}

fn load_dir(dir: &Path) -> Result<Snapshot, Diagnostics> {
    let world_file = dir.join("world.yaml");
    let mut problems = Vec::new();
    let mut snapshot = if world_file.exists() {
        let text = read(&world_file)?;
        match parse::<Snapshot>(&world_file, &text) {
            Ok(s) => s,
            Err(d) => {
                problems.push(d);
                Snapshot::default()
            }
        }
    } else {
        Snapshot::default()
    };
    let accounts_dir = dir.join("accounts");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&accounts_dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| x == "yaml" || x == "yml" || x == "json")
            })
            .collect(),
        Err(e) if snapshot.accounts.is_empty() => {
            return Err(Diagnostics(vec![Diagnostic::file(
                &accounts_dir,
                None,
                format!("a mock world needs an accounts/ directory with one file per account: {e}"),
            )]))
        }
        Err(_) => Vec::new(),
    };
    files.sort();
    for file in files {
        let text = read(&file)?;
        match parse::<Account>(&file, &text) {
            Ok(account) => snapshot.accounts.push(account),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        if snapshot.source.is_none() {
            snapshot.source = Some(format!("mock:{}", dir.display()));
        }
        Ok(snapshot)
    } else {
        Err(Diagnostics(problems))
    }
}

/// Checks what serde cannot: versions, duplicate ids, dangling regions.
fn validate(snapshot: &mut Snapshot, path: &Path) -> Result<(), Diagnostics> {
    let mut problems = Vec::new();
    let mut problem = |message: String| problems.push(Diagnostic::file(path, None, message));
    if snapshot.schema_version == 0 {
        snapshot.schema_version = SNAPSHOT_SCHEMA_VERSION;
    } else if snapshot.schema_version > SNAPSHOT_SCHEMA_VERSION {
        problem(format!(
            "snapshot schema_version {} is newer than this build supports ({SNAPSHOT_SCHEMA_VERSION})",
            snapshot.schema_version
        ));
    }
    if snapshot.accounts.is_empty() {
        problem("the snapshot has no accounts".into());
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for account in &mut snapshot.accounts {
        *seen.entry(account.id.clone()).or_default() += 1;
        if account.id.len() != 12 || !account.id.chars().all(|c| c.is_ascii_digit()) {
            problem(format!("account id `{}` is not 12 digits", account.id));
        }
        for facts in &account.region_facts {
            if !account.regions.contains(&facts.region) {
                problem(format!(
                    "account {} has facts for region {} that is not in its `regions` list",
                    account.id, facts.region
                ));
            }
        }
        for trail in &mut account.trails {
            if trail.owner_account_id.is_empty() {
                trail.owner_account_id = crate::model::arn_account(&trail.arn)
                    .unwrap_or(&account.id)
                    .to_owned();
            }
            if trail.home_region.is_empty() {
                trail.home_region = trail.arn.split(':').nth(3).unwrap_or_default().to_owned();
            }
            if trail.home_region.is_empty() {
                problem(format!(
                    "trail {} in account {} has no home_region",
                    trail.name, account.id
                ));
            }
        }
        for bucket in &mut account.buckets {
            if bucket.owner_account_id.is_empty() {
                bucket.owner_account_id = account.id.clone();
            }
        }
    }
    for (id, count) in seen {
        if count > 1 {
            problem(format!("account {id} appears {count} times"));
        }
    }
    if let Some(org) = &snapshot.organization {
        if !snapshot
            .accounts
            .iter()
            .any(|a| a.id == org.management_account_id)
            && org.management_account_id.len() != 12
        {
            problem(format!(
                "organization management_account_id `{}` is not 12 digits",
                org.management_account_id
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(problems))
    }
}
