//! CloudTrail: trails (shadow trails included, so multi-region and
//! organization trails are seen from every region), then each trail's
//! status and selectors, asked of its home region.

use super::{Clients, Ctx};
use crate::model::{
    AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventDataStore, EventSelector,
    Trail, TrailStatus,
};

const SERVICE: &str = "cloudtrail";

/// The trails visible from `region`.
pub(super) async fn describe_trails(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<Trail> {
    let answer = clients
        .cloudtrail(region)
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeTrails", None, &e);
            return Vec::new();
        }
    };
    answer
        .trail_list()
        .iter()
        .filter_map(|t| {
            let arn = t.trail_arn()?.to_owned();
            // DescribeTrails always sends these flags; one left out is not
            // `false` (which would fail the trail on no data).
            for (member, value) in [
                ("IsMultiRegionTrail", t.is_multi_region_trail()),
                ("IsOrganizationTrail", t.is_organization_trail()),
                (
                    "IncludeGlobalServiceEvents",
                    t.include_global_service_events(),
                ),
                ("LogFileValidationEnabled", t.log_file_validation_enabled()),
            ] {
                // The listing itself is then not a fact for any check of
                // the region, so the error names no resource.
                if value.is_none() {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "DescribeTrails",
                        None,
                        &format!("{member}` of trail `{arn}"),
                    );
                }
            }
            Some(Trail {
                name: t.name().unwrap_or_default().to_owned(),
                owner_account_id: crate::model::arn_account(&arn)
                    .unwrap_or(&ctx.account_id)
                    .to_owned(),
                arn,
                home_region: t.home_region().unwrap_or(region).to_owned(),
                is_multi_region: t.is_multi_region_trail().unwrap_or(false),
                is_organization_trail: t.is_organization_trail().unwrap_or(false),
                include_global_service_events: t.include_global_service_events().unwrap_or(false),
                log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
                s3_bucket_name: t.s3_bucket_name().map(str::to_owned),
                s3_key_prefix: t.s3_key_prefix().map(str::to_owned),
                sns_topic_arn: t.sns_topic_arn().map(str::to_owned),
                kms_key_id: t.kms_key_id().map(str::to_owned),
                cloudwatch_logs_log_group_arn: t
                    .cloud_watch_logs_log_group_arn()
                    .map(str::to_owned),
                cloudwatch_logs_role_arn: t.cloud_watch_logs_role_arn().map(str::to_owned),
                has_insight_selectors: t.has_insight_selectors().unwrap_or(false),
                ..Trail::default()
            })
        })
        .collect()
}

/// Status, event selectors and insight selectors of every trail, each
/// asked of the trail's home region, all trails at once.
pub(super) async fn details(clients: &Clients, ctx: &Ctx, trails: Vec<Trail>) -> Vec<Trail> {
    futures_util::future::join_all(trails.into_iter().map(|trail| detail(clients, ctx, trail)))
        .await
}

async fn detail(clients: &Clients, ctx: &Ctx, mut trail: Trail) -> Trail {
    // Another account's trail (an organization trail seen from a member):
    // its owner's scan is authoritative, and a member may not be allowed
    // to read its details, which is not this account's failure.
    let ctx = &if trail.owner_account_id == ctx.account_id {
        ctx.clone()
    } else {
        ctx.discarding()
    };
    let client = clients.cloudtrail(&trail.home_region);
    let region = trail.home_region.clone();
    let arn = trail.arn.clone();
    let insights = async {
        if trail.has_insight_selectors {
            Some(client.get_insight_selectors().trail_name(&arn).send().await)
        } else {
            None
        }
    };
    let (status, selectors, insights) = tokio::join!(
        client.get_trail_status().name(&arn).send(),
        client.get_event_selectors().trail_name(&arn).send(),
        insights,
    );
    match status {
        Ok(s) if s.is_logging().is_none() => {
            ctx.incomplete(
                Some(&region),
                SERVICE,
                "GetTrailStatus",
                Some(&arn),
                "IsLogging",
            );
        }
        Ok(s) => {
            let time = |t: Option<&aws_smithy_types::DateTime>| {
                t.and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok())
            };
            let text = |t: Option<&str>| t.filter(|t| !t.is_empty()).map(str::to_owned);
            trail.status = Some(TrailStatus {
                is_logging: s.is_logging().unwrap_or(false),
                latest_delivery_time: time(s.latest_delivery_time()),
                latest_delivery_error: text(s.latest_delivery_error()),
                latest_digest_delivery_time: time(s.latest_digest_delivery_time()),
                latest_digest_delivery_error: text(s.latest_digest_delivery_error()),
                latest_cloudwatch_logs_delivery_time: time(
                    s.latest_cloud_watch_logs_delivery_time(),
                ),
                latest_cloudwatch_logs_delivery_error: text(
                    s.latest_cloud_watch_logs_delivery_error(),
                ),
                latest_notification_error: text(s.latest_notification_error()),
                start_logging_time: time(s.start_logging_time()),
                stop_logging_time: time(s.stop_logging_time()),
            });
        }
        Err(e) => ctx.fail(Some(&region), SERVICE, "GetTrailStatus", Some(&arn), &e),
    }
    match selectors {
        Ok(s) => {
            trail.event_selectors = s
                .event_selectors()
                .iter()
                .map(|e| EventSelector {
                    read_write_type: e
                        .read_write_type()
                        .map(|t| t.as_str().to_owned())
                        .unwrap_or_else(|| "All".into()),
                    include_management_events: e.include_management_events().unwrap_or(true),
                    exclude_management_event_sources: e.exclude_management_event_sources().to_vec(),
                    data_resources: e
                        .data_resources()
                        .iter()
                        .map(|d| DataResource {
                            resource_type: d.r#type().unwrap_or_default().to_owned(),
                            values: d.values().to_vec(),
                        })
                        .collect(),
                })
                .collect();
            trail.advanced_event_selectors = advanced_selectors(s.advanced_event_selectors());
        }
        Err(e) => ctx.fail(Some(&region), SERVICE, "GetEventSelectors", Some(&arn), &e),
    }
    match insights {
        Some(Ok(i)) => {
            trail.insight_types = i
                .insight_selectors()
                .iter()
                .filter_map(|s| s.insight_type().map(|t| t.as_str().to_owned()))
                .collect();
        }
        Some(Err(e)) => ctx.fail(
            Some(&region),
            SERVICE,
            "GetInsightSelectors",
            Some(&arn),
            &e,
        ),
        None => {}
    }
    trail
}

fn advanced_selectors(
    selectors: &[aws_sdk_cloudtrail::types::AdvancedEventSelector],
) -> Vec<AdvancedEventSelector> {
    selectors
        .iter()
        .map(|a| AdvancedEventSelector {
            name: a.name().map(str::to_owned),
            field_selectors: a
                .field_selectors()
                .iter()
                .map(|f| AdvancedFieldSelector {
                    field: f.field().to_owned(),
                    equals: f.equals().to_vec(),
                    not_equals: f.not_equals().to_vec(),
                    starts_with: f.starts_with().to_vec(),
                    not_starts_with: f.not_starts_with().to_vec(),
                    ends_with: f.ends_with().to_vec(),
                    not_ends_with: f.not_ends_with().to_vec(),
                })
                .collect(),
        })
        .collect()
}

/// The CloudTrail Lake event data stores of `region`: one
/// `ListEventDataStores` (paginated), then `GetEventDataStore` for each
/// (the list's own settings are deprecated). `None` when the listing or
/// any store's details failed (the failures are recorded).
pub(super) async fn event_data_stores(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> Option<Vec<EventDataStore>> {
    let client = clients.cloudtrail(region);
    let pages = match client
        .list_event_data_stores()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "ListEventDataStores", None, &e);
            return None;
        }
    };
    let arns: Vec<String> = pages
        .iter()
        .flat_map(|p| p.event_data_stores())
        .filter_map(|s| s.event_data_store_arn().map(str::to_owned))
        .collect();
    let client = &client;
    let stores = futures_util::future::join_all(arns.into_iter().map(|arn| async move {
        match client
            .get_event_data_store()
            .event_data_store(&arn)
            .send()
            .await
        {
            Ok(d) => Some(EventDataStore {
                arn: d.event_data_store_arn().unwrap_or(&arn).to_owned(),
                name: d.name().map(str::to_owned),
                status: d.status().map(|s| s.as_str().to_owned()),
                multi_region_enabled: d.multi_region_enabled(),
                organization_enabled: d.organization_enabled(),
                retention_period: d.retention_period().map(i64::from),
                termination_protection_enabled: d.termination_protection_enabled(),
                kms_key_id: d.kms_key_id().map(str::to_owned),
                billing_mode: d.billing_mode().map(|b| b.as_str().to_owned()),
                advanced_event_selectors: advanced_selectors(d.advanced_event_selectors()),
            }),
            Err(e) => {
                ctx.fail(Some(region), SERVICE, "GetEventDataStore", Some(&arn), &e);
                None
            }
        }
    }))
    .await;
    // A store whose details failed could be the one that keeps the logs:
    // the region's stores are then not known, not "the others".
    stores.into_iter().collect()
}
