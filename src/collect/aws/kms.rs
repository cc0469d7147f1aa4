//! KMS: the keys of this account that trails and log groups use.

use super::{Clients, Ctx};
use crate::model::{KmsKey, RegionFacts, Trail};

const SERVICE: &str = "kms";

/// Keys named by trails and log groups that live in this account, by
/// (region, key id or ARN), each asked of its own region.
pub(super) async fn keys_in_use(
    clients: &Clients,
    ctx: &Ctx,
    trails: &[Trail],
    regions: &[RegionFacts],
) -> Vec<KmsKey> {
    let mut keys: Vec<(String, String)> = Vec::new();
    for trail in trails {
        if let Some(key) = &trail.kms_key_id {
            keys.push((
                key_region(key).unwrap_or(&trail.home_region).to_owned(),
                key.clone(),
            ));
        }
    }
    for facts in regions {
        for group in &facts.log_groups {
            if let Some(key) = &group.kms_key_id {
                keys.push((
                    key_region(key).unwrap_or(&facts.region).to_owned(),
                    key.clone(),
                ));
            }
        }
    }
    keys.retain(|(_, key)| crate::model::arn_account(key).is_none_or(|a| a == ctx.account_id));
    keys.sort();
    keys.dedup();
    futures_util::future::join_all(keys.into_iter().map(|(region, key)| async move {
        let client = clients.kms(&region);
        let described = match client.describe_key().key_id(&key).send().await {
            Ok(d) => d,
            Err(e) => {
                ctx.fail(Some(&region), SERVICE, "DescribeKey", Some(&key), &e);
                return None;
            }
        };
        let meta = described.key_metadata()?;
        let customer = meta.key_manager().is_some_and(|m| m.as_str() == "CUSTOMER");
        let spec = meta.key_spec().map(|s| s.as_str().to_owned());
        let origin = meta.origin().map(|o| o.as_str().to_owned());
        // KMS rotates only symmetric keys with key material it made:
        // asking about any other key is refused (UnsupportedOperation).
        let rotatable =
            crate::model::KmsKey::rotation_unsupported(spec.as_deref(), origin.as_deref())
                .is_none();
        let key_id = meta.key_id().to_owned();
        let (rotation, aliases) = tokio::join!(
            async {
                if customer && rotatable {
                    Some(
                        client
                            .get_key_rotation_status()
                            .key_id(&key_id)
                            .send()
                            .await,
                    )
                } else {
                    None
                }
            },
            client
                .list_aliases()
                .key_id(&key_id)
                .into_paginator()
                .send()
                .try_collect(),
        );
        let rotation_enabled = match rotation {
            Some(Ok(r)) => Some(r.key_rotation_enabled()),
            // A key KMS cannot rotate: a fact about the key, not a failure.
            Some(Err(e)) if super::describe_error(&e).0 == "UnsupportedOperationException" => None,
            Some(Err(e)) => {
                ctx.fail(
                    Some(&region),
                    SERVICE,
                    "GetKeyRotationStatus",
                    Some(&key),
                    &e,
                );
                None
            }
            None => None,
        };
        let aliases = match aliases {
            Ok(pages) => pages
                .iter()
                .flat_map(|p| p.aliases())
                .filter_map(|a| a.alias_name().map(str::to_owned))
                .collect(),
            Err(e) => {
                ctx.fail(Some(&region), SERVICE, "ListAliases", Some(&key), &e);
                Vec::new()
            }
        };
        Some(KmsKey {
            arn: meta.arn().unwrap_or_default().to_owned(),
            key_id,
            region: region.clone(),
            account_id: ctx.account_id.clone(),
            key_state: meta
                .key_state()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            key_manager: meta
                .key_manager()
                .map(|m| m.as_str().to_owned())
                .unwrap_or_default(),
            key_spec: spec,
            origin,
            rotation_enabled,
            aliases,
        })
    }))
    .await
    .into_iter()
    .flatten()
    .collect()
}

/// The region of a key ARN.
fn key_region(key: &str) -> Option<&str> {
    key.strip_prefix("arn:")?
        .split(':')
        .nth(2)
        .filter(|r| !r.is_empty())
}
