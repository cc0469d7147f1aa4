//! SNS: topics and their subscriptions (a pending subscription's ARN is
//! `PendingConfirmation`, which is how the engine tells it from a
//! confirmed one).

use super::{Clients, Ctx};
use crate::model::{SnsSubscription, SnsTopic};

const SERVICE: &str = "sns";

pub(super) async fn topics(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<SnsTopic> {
    let client = clients.sns(region);
    let pages = match client
        .list_topics()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages,
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "ListTopics", None, &e);
            return Vec::new();
        }
    };
    let arns: Vec<String> = pages
        .iter()
        .flat_map(|p| p.topics())
        .filter_map(|t| t.topic_arn().map(str::to_owned))
        .collect();
    let client = &client;
    futures_util::future::join_all(arns.into_iter().map(|arn| async move {
        let pages = client
            .list_subscriptions_by_topic()
            .topic_arn(&arn)
            .into_paginator()
            .send()
            .try_collect()
            .await;
        let subscriptions = match pages {
            Ok(pages) => pages
                .iter()
                .flat_map(|p| p.subscriptions())
                .map(|s| SnsSubscription {
                    arn: s.subscription_arn().unwrap_or_default().to_owned(),
                    protocol: s.protocol().unwrap_or_default().to_owned(),
                    endpoint: s.endpoint().unwrap_or_default().to_owned(),
                })
                .collect(),
            Err(e) => {
                ctx.fail(
                    Some(region),
                    SERVICE,
                    "ListSubscriptionsByTopic",
                    Some(&arn),
                    &e,
                );
                Vec::new()
            }
        };
        SnsTopic { arn, subscriptions }
    }))
    .await
}
