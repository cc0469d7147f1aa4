//! Amazon Security Lake: the account's data lake in the region and, only
//! where it has one (the delegated administrator), the log sources enabled
//! for every account in that region.
//!
//! Sources: `ListDataLakes` and `ListLogSources` in the Amazon Security
//! Lake API Reference.

use super::{Clients, Ctx};
use crate::model::{DataLake, SecurityLake, SecurityLakeLogSource};

const SERVICE: &str = "securitylake";

/// `None` when `ListDataLakes` failed; a data lake without its ARN or
/// region (members AWS always sends, which the SDK would fill with "")
/// is recorded as an incomplete answer, not read.
pub(super) async fn security_lake(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> Option<SecurityLake> {
    let client = clients.securitylake(region);
    let lakes = match client.list_data_lakes().regions(region).send().await {
        Ok(answer) => answer,
        // No Security Lake here: an answer, not a failure.
        Err(e) if super::describe_error(&e).0 == "ResourceNotFoundException" => {
            return Some(SecurityLake::default())
        }
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "ListDataLakes", None, &e);
            return None;
        }
    };
    let data_lake = lakes
        .data_lakes()
        .iter()
        .filter_map(|d| {
            if d.data_lake_arn().is_empty() || d.region().is_empty() {
                ctx.incomplete(
                    Some(region),
                    SERVICE,
                    "ListDataLakes",
                    None,
                    "dataLakeArn/region",
                );
                return None;
            }
            Some(DataLake {
                arn: d.data_lake_arn().to_owned(),
                region: d.region().to_owned(),
                create_status: d.create_status().map(|s| s.as_str().to_owned()),
                expiration_days: d
                    .lifecycle_configuration()
                    .and_then(|l| l.expiration())
                    .and_then(|e| e.days())
                    .map(i64::from),
                kms_key_id: d
                    .encryption_configuration()
                    .and_then(|e| e.kms_key_id())
                    .map(str::to_owned),
                s3_bucket_arn: d.s3_bucket_arn().map(str::to_owned),
                replication_regions: d
                    .replication_configuration()
                    .map(|r| r.regions().to_vec())
                    .unwrap_or_default(),
            })
        })
        .find(|d| d.region == region);
    let mut lake = SecurityLake {
        data_lake,
        log_sources: None,
    };
    if lake.data_lake.is_none() {
        return Some(lake);
    }
    match client
        .list_log_sources()
        .regions(region)
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => {
            let mut sources = Vec::new();
            for source in pages.iter().flat_map(|p| p.sources()) {
                let (Some(account), Some(source_region)) = (source.account(), source.region())
                else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "ListLogSources",
                        None,
                        "account/region",
                    );
                    continue;
                };
                for resource in source.sources() {
                    // Custom sources do not stand for the AWS logs judged here.
                    let Ok(aws) = resource.as_aws_log_source() else {
                        continue;
                    };
                    let Some(name) = aws.source_name() else {
                        continue;
                    };
                    sources.push(SecurityLakeLogSource {
                        account: account.to_owned(),
                        region: source_region.to_owned(),
                        source_name: name.as_str().to_owned(),
                        source_version: aws.source_version().map(str::to_owned),
                    });
                }
            }
            lake.log_sources = Some(sources);
        }
        Err(e) => ctx.fail(Some(region), SERVICE, "ListLogSources", None, &e),
    }
    Some(lake)
}
