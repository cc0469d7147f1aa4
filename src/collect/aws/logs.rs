//! CloudWatch Logs: log groups and, with one region-wide paginated call
//! instead of one per group, every metric filter.

use super::{Clients, Ctx};
use crate::model::{LogGroup, LogsAccountPolicy, MetricFilter, MetricTransformation};
use std::collections::BTreeMap;

const SERVICE: &str = "logs";

pub(super) async fn log_groups(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<LogGroup> {
    let client = clients.logs(region);
    let (groups, filters) = tokio::join!(
        client
            .describe_log_groups()
            .into_paginator()
            .send()
            .try_collect(),
        client
            .describe_metric_filters()
            .into_paginator()
            .send()
            .try_collect(),
    );
    let groups = match groups {
        Ok(pages) => pages,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeLogGroups", None, &e);
            return Vec::new();
        }
    };
    let mut by_group: BTreeMap<String, Vec<MetricFilter>> = BTreeMap::new();
    match filters {
        Ok(pages) => {
            for filter in pages.iter().flat_map(|p| p.metric_filters()) {
                let Some(group) = filter.log_group_name() else {
                    continue;
                };
                let name = filter.filter_name().unwrap_or_default();
                // An empty pattern matches every event, so a pattern the
                // answer leaves out must not become "" (AWS always sends
                // it); nor may a transformation without its metric.
                let Some(pattern) = filter.filter_pattern() else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "DescribeMetricFilters",
                        Some(name),
                        "filterPattern",
                    );
                    continue;
                };
                let whole = |t: &&aws_sdk_cloudwatchlogs::types::MetricTransformation| {
                    let complete = !t.metric_name().is_empty()
                        && !t.metric_namespace().is_empty()
                        && !t.metric_value().is_empty();
                    if !complete {
                        ctx.incomplete(
                            Some(region),
                            SERVICE,
                            "DescribeMetricFilters",
                            Some(name),
                            "metricTransformations[].metricName/metricNamespace/metricValue",
                        );
                    }
                    complete
                };
                by_group
                    .entry(group.to_owned())
                    .or_default()
                    .push(MetricFilter {
                        name: name.to_owned(),
                        pattern: pattern.to_owned(),
                        transformations: filter
                            .metric_transformations()
                            .iter()
                            .filter(whole)
                            .map(|t| MetricTransformation {
                                metric_name: t.metric_name().to_owned(),
                                metric_namespace: t.metric_namespace().to_owned(),
                                metric_value: t.metric_value().to_owned(),
                                default_value: t.default_value(),
                                dimensions: t
                                    .dimensions()
                                    .map(|d| {
                                        d.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
                                    })
                                    .unwrap_or_default(),
                                unit: t.unit().map(|u| u.as_str().to_owned()),
                            })
                            .collect(),
                    });
            }
        }
        Err(e) => ctx.fail(Some(region), SERVICE, "DescribeMetricFilters", None, &e),
    }
    groups
        .iter()
        .flat_map(|p| p.log_groups())
        .filter_map(|g| {
            let name = g.log_group_name()?.to_owned();
            let arn = g
                .log_group_arn()
                .map(str::to_owned)
                .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_owned()))
                .unwrap_or_else(|| {
                    format!("arn:aws:logs:{region}:{}:log-group:{name}", ctx.account_id)
                });
            Some(LogGroup {
                metric_filters: by_group.remove(&name).unwrap_or_default(),
                name,
                arn,
                retention_in_days: g.retention_in_days().and_then(|d| u32::try_from(d).ok()),
                kms_key_id: g.kms_key_id().map(str::to_owned),
                data_protection_status: g.data_protection_status().map(|s| s.as_str().to_owned()),
                log_group_class: g.log_group_class().map(|c| c.as_str().to_owned()),
                stored_bytes: g.stored_bytes().and_then(|b| u64::try_from(b).ok()),
            })
        })
        .collect()
}

/// The account-level data protection policies of the region
/// (DescribeAccountPolicies, policyType DATA_PROTECTION_POLICY): one policy
/// covers every log group in its scope.
pub(super) async fn data_protection_account_policies(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> Vec<LogsAccountPolicy> {
    let answer = clients
        .logs(region)
        .describe_account_policies()
        .policy_type(aws_sdk_cloudwatchlogs::types::PolicyType::DataProtectionPolicy)
        .send()
        .await;
    let answer = match answer {
        Ok(answer) => answer,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeAccountPolicies", None, &e);
            return Vec::new();
        }
    };
    answer
        .account_policies()
        .iter()
        .filter_map(|p| {
            Some(LogsAccountPolicy {
                // A policy without a name or type is not one a fact can be
                // made of (absent is not empty).
                policy_name: p.policy_name()?.to_owned(),
                policy_type: p.policy_type()?.as_str().to_owned(),
                scope: p.scope().map(|s| s.as_str().to_owned()),
                selection_criteria: p.selection_criteria().map(str::to_owned),
                policy_document: p
                    .policy_document()
                    .and_then(|d| serde_json::from_str(d).ok()),
            })
        })
        .collect()
}
