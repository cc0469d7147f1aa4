//! S3: the buckets trails deliver to, when this account owns them, and the
//! account's Block Public Access settings.
//!
//! "This configuration does not exist" answers (no policy, no encryption
//! configuration, no lock) are facts, not failures.

use super::{describe_error, Clients, Ctx};
use crate::model::{
    AclGrant, Bucket, BucketAcl, BucketEncryption, BucketLogging, BucketReplication,
    BucketVersioning, LifecycleRule, ObjectLock, PublicAccessBlock, ReplicationRule, Trail,
};

const SERVICE: &str = "s3";

/// Error codes that mean "not configured".
const ABSENT: &[&str] = &[
    "NoSuchBucketPolicy",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "ObjectLockConfigurationNotFoundError",
    "ReplicationConfigurationNotFoundError",
    "NoSuchLifecycleConfiguration",
];

/// Turns an answer into `Ok(Some)`, an absent configuration into
/// `Ok(None)`, and a failure into a recorded error and `Err(())`.
fn answer<T, E>(
    ctx: &Ctx,
    operation: &str,
    bucket: &str,
    result: Result<
        T,
        aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>,
    >,
) -> Result<Option<T>, ()>
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if ABSENT.contains(&describe_error(&e).0.as_str()) => Ok(None),
        Err(e) => {
            ctx.fail(None, SERVICE, operation, Some(bucket), &e);
            Err(())
        }
    }
}

/// Every distinct bucket named by a trail that this account owns.
pub(super) async fn trail_buckets(clients: &Clients, ctx: &Ctx, trails: &[Trail]) -> Vec<Bucket> {
    let mut names: Vec<(&str, bool)> = trails
        .iter()
        .filter_map(|t| {
            t.s3_bucket_name
                .as_deref()
                .map(|b| (b, t.owner_account_id == ctx.account_id))
        })
        .collect();
    names.sort();
    names.dedup_by(|a, b| {
        a.0 == b.0 && {
            b.1 |= a.1;
            true
        }
    });
    futures_util::future::join_all(
        names
            .into_iter()
            .map(|(name, own_trail)| bucket(clients, ctx, name, own_trail)),
    )
    .await
    .into_iter()
    .flatten()
    .collect()
}

/// One bucket, if this account owns it. `own_trail`: one of this account's
/// own trails delivers to it, so not being able to read it is worth an
/// error; for another account's trail (an organization trail seen from a
/// member) a bucket owned elsewhere is simply not ours.
async fn bucket(clients: &Clients, ctx: &Ctx, name: &str, own_trail: bool) -> Option<Bucket> {
    let home = clients.home_region();
    let client = clients.s3(&home);
    let location = client
        .get_bucket_location()
        .bucket(name)
        .expected_bucket_owner(&ctx.account_id)
        .send()
        .await;
    let region = match location {
        Ok(l) => l
            .location_constraint()
            .map(|c| c.as_str().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| "us-east-1".to_owned()),
        Err(e) => {
            // A bucket that no longer exists is a fact, not a failed call:
            // the trail's delivery status carries the consequence.
            let gone = super::describe_error(&e).0 == "NoSuchBucket";
            if own_trail && !gone {
                ctx.fail(None, SERVICE, "GetBucketLocation", Some(name), &e);
            }
            return None;
        }
    };
    let client = clients.s3(&region);
    let owner = ctx.account_id.as_str();
    let (policy, acl, block, versioning, lock, encryption, logging, replication, lifecycle) = tokio::join!(
        client
            .get_bucket_policy()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_acl()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_public_access_block()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_versioning()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_object_lock_configuration()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_encryption()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_logging()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_replication()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
        client
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .expected_bucket_owner(owner)
            .send(),
    );
    let mut bucket = Bucket {
        name: name.to_owned(),
        region: Some(region),
        owner_account_id: ctx.account_id.clone(),
        ..Bucket::default()
    };
    if let Ok(p) = answer(ctx, "GetBucketPolicy", name, policy) {
        bucket.policy = p
            .and_then(|p| p.policy().map(str::to_owned))
            .and_then(|text| serde_json::from_str(&text).ok());
    }
    if let Ok(Some(a)) = answer(ctx, "GetBucketAcl", name, acl) {
        bucket.acl = Some(BucketAcl {
            owner_id: a.owner().and_then(|o| o.id()).map(str::to_owned),
            grants: a
                .grants()
                .iter()
                .map(|g| AclGrant {
                    grantee_type: g
                        .grantee()
                        .map(|g| g.r#type().as_str().to_owned())
                        .unwrap_or_default(),
                    grantee_id: g.grantee().and_then(|g| g.id()).map(str::to_owned),
                    grantee_uri: g.grantee().and_then(|g| g.uri()).map(str::to_owned),
                    permission: g
                        .permission()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default(),
                })
                .collect(),
        });
    }
    if let Ok(b) = answer(ctx, "GetPublicAccessBlock", name, block) {
        bucket.public_access_block = b
            .and_then(|b| b.public_access_block_configuration().cloned())
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            });
    }
    if let Ok(Some(v)) = answer(ctx, "GetBucketVersioning", name, versioning) {
        bucket.versioning = Some(BucketVersioning {
            status: v.status().map(|s| s.as_str().to_owned()),
            mfa_delete: v.mfa_delete().map(|m| m.as_str().to_owned()),
        });
    }
    if let Ok(l) = answer(ctx, "GetObjectLockConfiguration", name, lock) {
        let config = l.and_then(|l| l.object_lock_configuration().cloned());
        let retention = config
            .as_ref()
            .and_then(|c| c.rule())
            .and_then(|r| r.default_retention());
        bucket.object_lock = Some(ObjectLock {
            enabled: config
                .as_ref()
                .and_then(|c| c.object_lock_enabled())
                .is_some_and(|e| e.as_str() == "Enabled"),
            default_retention_mode: retention
                .and_then(|r| r.mode())
                .map(|m| m.as_str().to_owned()),
            default_retention_days: retention
                .and_then(|r| r.days())
                .and_then(|d| u32::try_from(d).ok()),
            default_retention_years: retention
                .and_then(|r| r.years())
                .and_then(|y| u32::try_from(y).ok()),
        });
    }
    if let Ok(e) = answer(ctx, "GetBucketEncryption", name, encryption) {
        bucket.encryption = e
            .and_then(|e| e.server_side_encryption_configuration().cloned())
            .and_then(|c| c.rules().first().cloned())
            .and_then(|rule| {
                let default = rule.apply_server_side_encryption_by_default()?;
                Some(BucketEncryption {
                    sse_algorithm: default.sse_algorithm().as_str().to_owned(),
                    kms_master_key_id: default.kms_master_key_id().map(str::to_owned),
                    bucket_key_enabled: rule.bucket_key_enabled().unwrap_or(false),
                })
            });
    }
    if let Ok(Some(l)) = answer(ctx, "GetBucketLogging", name, logging) {
        // `TargetBucket` is required: the SDK fills in "" when it is left
        // out, which is no destination, not logging to a bucket named "".
        bucket.logging = match l.logging_enabled() {
            Some(l) if l.target_bucket().is_empty() => {
                ctx.incomplete(
                    None,
                    SERVICE,
                    "GetBucketLogging",
                    Some(name),
                    "LoggingEnabled.TargetBucket",
                );
                None
            }
            Some(l) => Some(BucketLogging {
                target_bucket: l.target_bucket().to_owned(),
                target_prefix: Some(l.target_prefix().to_owned()).filter(|p| !p.is_empty()),
            }),
            None => None,
        };
    }
    if let Ok(r) = answer(ctx, "GetBucketReplication", name, replication) {
        bucket.replication = r
            .and_then(|r| r.replication_configuration().cloned())
            .map(|c| BucketReplication {
                role: Some(c.role().to_owned()),
                rules: c
                    .rules()
                    .iter()
                    .map(|rule| ReplicationRule {
                        id: rule.id().map(str::to_owned),
                        status: rule.status().as_str().to_owned(),
                        destination_bucket: rule
                            .destination()
                            .map(|d| d.bucket().to_owned())
                            .unwrap_or_default(),
                        destination_account: rule
                            .destination()
                            .and_then(|d| d.account())
                            .map(str::to_owned),
                        prefix: rule
                            .filter()
                            .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
                            // Replication configuration V1 still answers with
                            // the deprecated top-level `Prefix`.
                            .or_else(|| {
                                #[allow(deprecated)]
                                rule.prefix()
                            })
                            .map(str::to_owned),
                        tag_filtered: rule.filter().is_some_and(|f| {
                            f.tag().is_some() || f.and().is_some_and(|a| !a.tags().is_empty())
                        }),
                        replicates_kms_objects: rule
                            .source_selection_criteria()
                            .and_then(|c| c.sse_kms_encrypted_objects())
                            .is_some_and(|k| k.status().as_str() == "Enabled"),
                    })
                    .collect(),
            });
    }
    if let Ok(l) = answer(ctx, "GetBucketLifecycleConfiguration", name, lifecycle) {
        bucket.lifecycle_rules = l.map(|l| {
            l.rules()
                .iter()
                .map(|rule| LifecycleRule {
                    id: rule.id().map(str::to_owned),
                    status: rule.status().as_str().to_owned(),
                    prefix: rule.filter().and_then(|f| f.prefix()).map(str::to_owned),
                    expiration_days: rule
                        .expiration()
                        .and_then(|e| e.days())
                        .and_then(|d| u32::try_from(d).ok()),
                    noncurrent_expiration_days: rule
                        .noncurrent_version_expiration()
                        .and_then(|e| e.noncurrent_days())
                        .and_then(|d| u32::try_from(d).ok()),
                })
                .collect()
        });
    }
    Some(bucket)
}

/// The account-level Block Public Access (s3control).
pub(super) async fn account_public_access_block(
    clients: &Clients,
    ctx: &Ctx,
) -> Option<PublicAccessBlock> {
    let home = clients.home_region();
    let result = clients
        .s3control(&home)
        .get_public_access_block()
        .account_id(&ctx.account_id)
        .send()
        .await;
    match result {
        Ok(answer) => answer
            .public_access_block_configuration()
            .map(|c| PublicAccessBlock {
                block_public_acls: c.block_public_acls().unwrap_or(false),
                ignore_public_acls: c.ignore_public_acls().unwrap_or(false),
                block_public_policy: c.block_public_policy().unwrap_or(false),
                restrict_public_buckets: c.restrict_public_buckets().unwrap_or(false),
            }),
        Err(e) if describe_error(&e).0 == "NoSuchPublicAccessBlockConfiguration" => None,
        Err(e) => {
            ctx.fail(None, "s3control", "GetPublicAccessBlock", None, &e);
            None
        }
    }
}
