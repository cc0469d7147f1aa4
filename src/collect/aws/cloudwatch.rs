//! CloudWatch: metric alarms (DescribeAlarms, paginated).

use super::{Clients, Ctx};
use crate::model::{MetricAlarm, MetricDataQuery, MetricRef, MetricStat};

const SERVICE: &str = "cloudwatch";

pub(super) async fn alarms(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<MetricAlarm> {
    let pages = clients
        .cloudwatch(region)
        .describe_alarms()
        .into_paginator()
        .send()
        .try_collect()
        .await;
    let pages = match pages {
        Ok(pages) => pages,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeAlarms", None, &e);
            return Vec::new();
        }
    };
    pages
        .iter()
        .flat_map(|p| p.metric_alarms())
        .filter_map(|a| {
            let name = a.alarm_name()?;
            // DescribeAlarms always sends ActionsEnabled; left out, it is
            // neither the default of PutMetricAlarm (true) nor false.
            if a.actions_enabled().is_none() {
                ctx.incomplete(
                    Some(region),
                    SERVICE,
                    "DescribeAlarms",
                    Some(name),
                    "ActionsEnabled",
                );
            }
            // Required members of a metric-math query that the SDK fills
            // with defaults when they are missing.
            for q in a.metrics() {
                let stat = q.metric_stat();
                let broken = q.id().is_none_or(str::is_empty)
                    || stat.is_some_and(|s| {
                        s.stat().is_none_or(str::is_empty)
                            || s.metric().is_none_or(|m| {
                                m.namespace().is_none() || m.metric_name().is_none()
                            })
                    });
                if broken {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "DescribeAlarms",
                        Some(name),
                        "Metrics[].Id/MetricStat.Metric/MetricStat.Stat",
                    );
                }
            }
            Some(MetricAlarm {
                name: name.to_owned(),
                arn: a.alarm_arn().unwrap_or_default().to_owned(),
                namespace: a.namespace().map(str::to_owned),
                metric_name: a.metric_name().map(str::to_owned),
                dimensions: a
                    .dimensions()
                    .iter()
                    .filter_map(|d| Some((d.name()?.to_owned(), d.value()?.to_owned())))
                    .collect(),
                statistic: a.statistic().map(|s| s.as_str().to_owned()),
                period: a.period().and_then(|p| u32::try_from(p).ok()),
                evaluation_periods: a.evaluation_periods().and_then(|p| u32::try_from(p).ok()),
                threshold: a.threshold(),
                comparison_operator: a.comparison_operator().map(|c| c.as_str().to_owned()),
                actions_enabled: a.actions_enabled().unwrap_or(false),
                alarm_actions: a.alarm_actions().to_vec(),
                ok_actions: a.ok_actions().to_vec(),
                insufficient_data_actions: a.insufficient_data_actions().to_vec(),
                state: a.state_value().map(|s| s.as_str().to_owned()),
                datapoints_to_alarm: a.datapoints_to_alarm().and_then(|n| u32::try_from(n).ok()),
                treat_missing_data: a.treat_missing_data().map(str::to_owned),
                extended_statistic: a.extended_statistic().map(str::to_owned),
                metrics: a.metrics().iter().map(query).collect(),
                threshold_metric_id: a.threshold_metric_id().map(str::to_owned),
            })
        })
        .collect()
}

fn query(q: &aws_sdk_cloudwatch::types::MetricDataQuery) -> MetricDataQuery {
    MetricDataQuery {
        id: q.id().unwrap_or_default().to_owned(),
        expression: q.expression().map(str::to_owned),
        label: q.label().map(str::to_owned),
        return_data: q.return_data(),
        metric_stat: q.metric_stat().map(|s| MetricStat {
            metric: s
                .metric()
                .map(|m| MetricRef {
                    namespace: m.namespace().unwrap_or_default().to_owned(),
                    metric_name: m.metric_name().unwrap_or_default().to_owned(),
                    dimensions: m
                        .dimensions()
                        .iter()
                        .filter_map(|d| Some((d.name()?.to_owned(), d.value()?.to_owned())))
                        .collect(),
                })
                .unwrap_or_default(),
            period: s.period().and_then(|p| u32::try_from(p).ok()),
            stat: s.stat().unwrap_or_default().to_owned(),
            unit: s.unit().map(|u| u.as_str().to_owned()),
        }),
        period: q.period().and_then(|p| u32::try_from(p).ok()),
    }
}
