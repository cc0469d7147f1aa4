//! Organization-wide collection: read the organization from the
//! management (or a delegated administrator) account, pick the accounts to
//! scan, and collect each one, the caller's own account with the caller's
//! credentials and every other through `sts:AssumeRole` into a read-only
//! role. Accounts run in parallel up to a bound; one that cannot be reached
//! becomes data (a collection error that turns its checks into ERROR),
//! never a reason to stop the others.

use super::{describe_error, load_regions, CallLog, Clients, CollectError, Options, Regions};
use crate::model::{
    Account, AccountRef, AccountRole, CollectionError, DelegatedAdministrator, Organization,
};
use aws_config::SdkConfig;
use aws_credential_types::provider::{error::CredentialsError, future, ProvideCredentials};
use aws_credential_types::Credentials;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Service principals whose delegated administrators matter to the checks.
const DELEGATED_SERVICES: &[&str] = &[
    "cloudtrail.amazonaws.com",
    "config.amazonaws.com",
    "guardduty.amazonaws.com",
    "securityhub.amazonaws.com",
];

/// The name the tool's sessions carry in CloudTrail of every account.
pub const SESSION_NAME: &str = "auditscope";

/// How to reach and pick the accounts of an organization.
#[derive(Debug, Clone)]
pub struct OrgOptions {
    /// Role assumed in every account but the caller's.
    pub role_name: String,
    pub external_id: Option<String>,
    /// Accounts collected at the same time.
    pub max_accounts: usize,
    /// Only accounts under this OU (or root), recursively.
    pub ou: Option<String>,
    /// Only these accounts (empty: all).
    pub accounts: Vec<String>,
    pub exclude_accounts: Vec<String>,
    pub shard: Option<Shard>,
}

impl Default for OrgOptions {
    fn default() -> Self {
        OrgOptions {
            role_name: "auditscope-readonly".into(),
            external_id: None,
            max_accounts: 8,
            ou: None,
            accounts: Vec::new(),
            exclude_accounts: Vec::new(),
            shard: None,
        }
    }
}

/// Shard `index` of `count` (1-based), for fanning one organization out
/// over several machines. An account belongs to shard `id mod count + 1`:
/// stable for the account whatever else joins or leaves the organization,
/// so shards never overlap and never miss an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// The environment variables that carry a job runner's 0-based index:
/// a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX`) and an AWS Batch
/// array job (`AWS_BATCH_JOB_ARRAY_INDEX`).
pub const SHARD_INDEX_VARIABLES: &[&str] = &["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"];

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N`, or `auto/N` with I from the job runner's environment.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Shard::parse(text, |name| std::env::var(name).ok())
    }
}

impl Shard {
    /// Parses `I/N` (1 <= I <= N) or `auto/N`, where `auto` takes the
    /// first of [`SHARD_INDEX_VARIABLES`] that `env` has (0-based there,
    /// so index 0 is shard 1). Errors say what was expected.
    pub fn parse(text: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let bad =
            || format!("--shard `{text}`: expected I/N with 1 <= I <= N (e.g. 2/8), or auto/N");
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let count: u64 = count.trim().parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        let index: u64 = if index.trim() == "auto" {
            let (name, value) = SHARD_INDEX_VARIABLES
                .iter()
                .find_map(|name| env(name).map(|value| (*name, value)))
                .ok_or_else(|| {
                    format!(
                        "--shard auto/{count}: none of {} is set (a Kubernetes Indexed Job or an AWS Batch array job sets one)",
                        SHARD_INDEX_VARIABLES.join(", ")
                    )
                })?;
            let zero_based: u64 = value
                .trim()
                .parse()
                .map_err(|_| format!("--shard auto/{count}: {name} is `{value}`, not a number"))?;
            if zero_based >= count {
                return Err(format!(
                    "--shard auto/{count}: {name} is {zero_based}, but the indexes of {count} shards are 0 to {}",
                    count - 1
                ));
            }
            zero_based + 1
        } else {
            index.trim().parse().map_err(|_| bad())?
        };
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    pub fn contains(&self, account_id: &str) -> bool {
        // Account ids are 12 digits; anything else is hashed the same way
        // on every machine (FNV-1a).
        let n = account_id.parse::<u64>().unwrap_or_else(|_| {
            account_id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        });
        n % self.count == self.index - 1
    }
}

/// What the scan will do: the organization as read, the accounts to
/// collect (with their OU paths and roles) and the caller.
#[derive(Debug, Clone)]
pub struct Plan {
    pub organization: Organization,
    pub accounts: Vec<Account>,
    pub caller_account_id: String,
    /// The regions of the caller's account, for accounts that cannot be
    /// reached when `--regions all` was asked.
    pub caller_regions: Vec<String>,
}

/// Reads the organization and decides which accounts to scan.
pub async fn plan(
    sdk: &SdkConfig,
    options: &Options,
    org: &OrgOptions,
) -> Result<Plan, CollectError> {
    let log = CallLog::default();
    let clients = Clients::new(sdk, &log, options);
    let home = clients.home_region();
    let caller = super::caller_account(&clients, &home).await?;
    let caller_regions = match &options.regions {
        Regions::List(list) => list.clone(),
        Regions::All => load_regions(&clients, &home).await?,
    };
    let client = clients.organizations("us-east-1");
    let fail = |what: &str, e: String| {
        CollectError::Organization(format!(
            "organizations:{what}: {e}\n  hint: run from the management account or a delegated administrator for AWS Organizations"
        ))
    };
    let described = client
        .describe_organization()
        .send()
        .await
        .map_err(|e| fail("DescribeOrganization", error_text(&e)))?;
    let Some(described) = described.organization() else {
        return Err(fail(
            "DescribeOrganization",
            "no organization in the answer".into(),
        ));
    };
    let mut organization = Organization {
        id: described.id().unwrap_or_default().to_owned(),
        arn: described.arn().map(str::to_owned),
        management_account_id: described.master_account_id().unwrap_or_default().to_owned(),
        feature_set: described.feature_set().map(|f| f.as_str().to_owned()),
        ..Organization::default()
    };
    let pages = client
        .list_accounts()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| fail("ListAccounts", error_text(&e)))?;
    let listed: Vec<_> = pages
        .iter()
        .flat_map(|p| p.accounts().iter().cloned())
        .collect();
    let (paths, under_ou) = ou_paths(&client, org.ou.as_deref())
        .await
        .map_err(|(what, e)| fail(what, e))?;
    for principal in DELEGATED_SERVICES {
        let answer = client
            .list_delegated_administrators()
            .service_principal(*principal)
            .into_paginator()
            .send()
            .try_collect()
            .await;
        match answer {
            Ok(pages) => {
                for admin in pages.iter().flat_map(|p| p.delegated_administrators()) {
                    organization
                        .delegated_administrators
                        .push(DelegatedAdministrator {
                            account_id: admin.id().unwrap_or_default().to_owned(),
                            service_principal: (*principal).to_owned(),
                        });
                }
            }
            // Not fatal: the checks that need it say what is missing.
            Err(e) => tracing::warn!(
                "organizations:ListDelegatedAdministrators ({principal}) failed: {}",
                error_text(&e)
            ),
        }
    }

    let mut accounts = Vec::new();
    for listed in listed {
        let id = listed.id().unwrap_or_default().to_owned();
        let name = listed.name().map(str::to_owned);
        let status = listed.status().map(|s| s.as_str().to_owned());
        let skip = |reason: &str| AccountRef {
            id: id.clone(),
            name: name.clone(),
            status: status.clone(),
            reason: Some(reason.to_owned()),
            interrupted: false,
        };
        let reason = if status.as_deref() != Some("ACTIVE") {
            Some(format!(
                "{} (only active accounts can be scanned)",
                status.as_deref().unwrap_or("no status")
            ))
        } else if !org.accounts.is_empty() && !org.accounts.contains(&id) {
            Some("not in --accounts".into())
        } else if org.exclude_accounts.contains(&id) {
            Some("in --exclude-accounts".into())
        } else if under_ou.as_ref().is_some_and(|set| !set.contains(&id)) {
            Some(format!(
                "outside --ou {}",
                org.ou.as_deref().unwrap_or_default()
            ))
        } else if org.shard.is_some_and(|s| !s.contains(&id)) {
            // Another shard's: not listed as skipped, or a merge of all
            // shards would name every account as not scanned.
            continue;
        } else {
            None
        };
        if let Some(reason) = reason {
            organization.accounts_not_scanned.push(skip(&reason));
            continue;
        }
        let role = if id == organization.management_account_id {
            AccountRole::Management
        } else {
            AccountRole::Member
        };
        accounts.push(Account {
            ou_path: paths.get(&id).cloned().unwrap_or_default(),
            name,
            email: listed.email().map(str::to_owned),
            status,
            role,
            id,
            ..Account::default()
        });
    }
    accounts.sort_by(|a, b| a.id.cmp(&b.id));
    organization
        .accounts_not_scanned
        .sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Plan {
        organization,
        accounts,
        caller_account_id: caller,
        caller_regions,
    })
}

fn error_text<E>(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> String
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = describe_error(error);
    format!("{code}: {message}")
}

/// Each account's OU path (names from the root down, starting with
/// `Root`), one walk of the tree: a call per OU, not per account. With
/// `ou`, also the accounts under that OU (or root), recursively.
async fn ou_paths(
    client: &aws_sdk_organizations::Client,
    ou: Option<&str>,
) -> Result<(BTreeMap<String, Vec<String>>, Option<BTreeSet<String>>), (&'static str, String)> {
    let roots = client
        .list_roots()
        .into_paginator()
        .send()
        .try_collect()
        .await
        .map_err(|e| ("ListRoots", error_text(&e)))?;
    let mut paths = BTreeMap::new();
    let mut under: Option<BTreeSet<String>> = ou.map(|_| BTreeSet::new());
    // (parent id, its path, inside the --ou subtree)
    let mut queue: Vec<(String, Vec<String>, bool)> = roots
        .iter()
        .flat_map(|p| p.roots())
        .filter_map(|r| r.id())
        .map(|id| (id.to_owned(), vec!["Root".to_owned()], ou == Some(id)))
        .collect();
    while let Some((parent, path, inside)) = queue.pop() {
        let accounts = client
            .list_accounts_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| ("ListAccountsForParent", error_text(&e)))?;
        for id in accounts
            .iter()
            .flat_map(|p| p.accounts())
            .filter_map(|a| a.id())
        {
            paths.insert(id.to_owned(), path.clone());
            if inside {
                if let Some(set) = under.as_mut() {
                    set.insert(id.to_owned());
                }
            }
        }
        let units = client
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .map_err(|e| ("ListOrganizationalUnitsForParent", error_text(&e)))?;
        for unit in units.iter().flat_map(|p| p.organizational_units()) {
            let Some(id) = unit.id() else { continue };
            let mut child = path.clone();
            child.push(unit.name().unwrap_or(id).to_owned());
            queue.push((id.to_owned(), child, inside || ou == Some(id)));
        }
    }
    Ok((paths, under))
}

/// One collected account: its facts and its failed calls.
pub struct Collected {
    pub account: Account,
    pub errors: Vec<CollectionError>,
}

/// Collects the planned accounts (skipping `done`), at most
/// `org.max_accounts` at a time, handing each to `sink` as it finishes (in
/// the caller's task, so the sink can write it out before the next).
pub async fn collect_accounts(
    sdk: &SdkConfig,
    options: &Options,
    org: &OrgOptions,
    plan: &Plan,
    done: &BTreeSet<String>,
    sink: &mut (dyn FnMut(Collected) + Send),
) {
    use futures_util::StreamExt as _;
    let log = CallLog::default();
    let clients = Clients::new(sdk, &log, options);
    let sts = clients.sts(&clients.home_region());
    let todo = plan.accounts.iter().filter(|a| !done.contains(&a.id));
    let mut running = futures_util::stream::iter(todo)
        .map(|planned| collect_one(sdk, &sts, options, org, plan, planned))
        .buffer_unordered(org.max_accounts.max(1));
    while let Some(collected) = running.next().await {
        sink(collected);
    }
}

async fn collect_one(
    sdk: &SdkConfig,
    sts: &aws_sdk_sts::Client,
    options: &Options,
    org: &OrgOptions,
    plan: &Plan,
    planned: &Account,
) -> Collected {
    let unreachable = |operation: &str, code: String, message: String| {
        let regions = match &options.regions {
            Regions::List(list) => list.clone(),
            Regions::All => plan.caller_regions.clone(),
        };
        Collected {
            account: Account {
                regions,
                ..planned.clone()
            },
            errors: vec![CollectionError {
                account_id: planned.id.clone(),
                region: None,
                service: operation.split(':').next().unwrap_or_default().to_owned(),
                operation: operation.split(':').nth(1).unwrap_or_default().to_owned(),
                resource: None,
                code,
                message,
            }],
        }
    };
    let account_sdk = if planned.id == plan.caller_account_id {
        sdk.clone()
    } else {
        let role_arn = format!("arn:aws:iam::{}:role/{}", planned.id, org.role_name);
        let role = AssumedRole {
            sts: sts.clone(),
            role_arn: role_arn.clone(),
            external_id: org.external_id.clone(),
            current: Mutex::default(),
        };
        // Assumed once up front, so a refusal is this account's error with
        // its own code, before any of its calls is made.
        if let Err(e) = role.refresh().await {
            let (code, message) = describe_error(&e);
            let hint =
                if code.contains("AccessDenied") {
                    format!(
                    "; deploy the role {role_arn} (templates in deploy/) trusting this account{}",
                    if org.external_id.is_some() { " with the external id" } else { "" }
                )
                } else {
                    String::new()
                };
            return unreachable("sts:AssumeRole", code, format!("{message}{hint}"));
        }
        sdk.to_builder()
            .credentials_provider(
                aws_credential_types::provider::SharedCredentialsProvider::new(role),
            )
            .build()
    };
    match super::collect_account(&account_sdk, options, &|_| {}).await {
        Ok(mut snapshot) => {
            let collected = snapshot.accounts.pop().unwrap_or_default();
            Collected {
                account: Account {
                    name: planned.name.clone(),
                    email: planned.email.clone(),
                    status: planned.status.clone(),
                    role: planned.role,
                    ou_path: planned.ou_path.clone(),
                    ..collected
                },
                errors: snapshot.errors,
            }
        }
        Err(CollectError::Regions(message)) => {
            unreachable("account:ListRegions", "RegionsUnknown".into(), message)
        }
        Err(other) => unreachable(
            "sts:GetCallerIdentity",
            "IdentityUnknown".into(),
            other.to_string(),
        ),
    }
}

/// Credentials of a role in another account, assumed again shortly before
/// they expire, so a long scan never runs on stale credentials.
#[derive(Debug)]
struct AssumedRole {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    external_id: Option<String>,
    current: Mutex<Option<Credentials>>,
}

/// Credentials are renewed when less than this is left.
const REFRESH_BEFORE: Duration = Duration::from_secs(5 * 60);

impl AssumedRole {
    async fn refresh(
        &self,
    ) -> Result<
        Credentials,
        aws_smithy_runtime_api::client::result::SdkError<
            aws_sdk_sts::operation::assume_role::AssumeRoleError,
            aws_smithy_runtime_api::http::Response,
        >,
    > {
        let answer = self
            .sts
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(SESSION_NAME)
            .set_external_id(self.external_id.clone())
            .duration_seconds(3600)
            .send()
            .await?;
        let credentials = answer
            .credentials()
            .map(|c| {
                Credentials::new(
                    c.access_key_id(),
                    c.secret_access_key(),
                    Some(c.session_token().to_owned()),
                    SystemTime::try_from(*c.expiration()).ok(),
                    "auditscope-assume-role",
                )
            })
            .ok_or_else(|| {
                aws_smithy_runtime_api::client::result::SdkError::construction_failure(
                    "AssumeRole answered without credentials",
                )
            })?;
        if let Ok(mut current) = self.current.lock() {
            *current = Some(credentials.clone());
        }
        Ok(credentials)
    }
}

impl ProvideCredentials for AssumedRole {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(async move {
            let fresh = self
                .current
                .lock()
                .ok()
                .and_then(|c| c.clone())
                .filter(|c| {
                    c.expiry().is_none_or(|expiry| {
                        expiry
                            .duration_since(SystemTime::now())
                            .is_ok_and(|left| left > REFRESH_BEFORE)
                    })
                });
            match fresh {
                Some(credentials) => Ok(credentials),
                None => self.refresh().await.map_err(|e| {
                    let (code, message) = describe_error(&e);
                    CredentialsError::provider_error(format!(
                        "sts:AssumeRole {}: {code}: {message}",
                        self.role_arn
                    ))
                }),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn shards_are_given_or_taken_from_the_job_runner() {
        let none = env(&[]);
        assert_eq!(Shard::parse("2/8", &none), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/8", "9/8", "1/0", "x/2", "2", "auto/0"] {
            assert!(Shard::parse(bad, &none).is_err(), "{bad}");
        }
        // Kubernetes and AWS Batch count from 0.
        let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
        assert_eq!(
            Shard::parse("auto/4", k8s),
            Ok(Shard { index: 1, count: 4 })
        );
        let batch = env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "3")]);
        assert_eq!(
            Shard::parse("auto/4", batch),
            Ok(Shard { index: 4, count: 4 })
        );
        let too_far = env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "4")]);
        let error = Shard::parse("auto/4", too_far).unwrap_err();
        assert!(error.contains("0 to 3"), "{error}");
        let error = Shard::parse("auto/4", &none).unwrap_err();
        assert!(error.contains("JOB_COMPLETION_INDEX"), "{error}");
        let garbage = env(&[("JOB_COMPLETION_INDEX", "one")]);
        assert!(Shard::parse("auto/4", garbage).is_err());
    }
}
