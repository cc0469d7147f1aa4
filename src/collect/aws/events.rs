//! EventBridge: rules of the default bus and their targets (how GuardDuty
//! findings reach people).

use super::{Clients, Ctx};
use crate::model::{EventRule, EventTarget};

const SERVICE: &str = "events";

pub(super) async fn rules(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<EventRule> {
    let client = clients.events(region);
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    loop {
        match client
            .list_rules()
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(page) => {
                rules.extend(page.rules().iter().filter_map(|r| {
                    Some(EventRule {
                        name: r.name()?.to_owned(),
                        arn: r.arn().unwrap_or_default().to_owned(),
                        state: r.state().map(|s| s.as_str().to_owned()).unwrap_or_default(),
                        event_pattern: r.event_pattern().and_then(|p| serde_json::from_str(p).ok()),
                        targets: Vec::new(),
                    })
                }));
                token = page.next_token().map(str::to_owned);
                if token.is_none() {
                    break;
                }
            }
            Err(e) => {
                ctx.fail(Some(region), SERVICE, "ListRules", None, &e);
                return Vec::new();
            }
        }
    }
    // Targets only matter for rules that match events; scheduled rules
    // (no pattern) cannot forward a finding.
    let client = &client;
    futures_util::future::join_all(rules.into_iter().map(|mut rule| async move {
        if rule.event_pattern.is_none() {
            return rule;
        }
        let mut token: Option<String> = None;
        loop {
            let page = client
                .list_targets_by_rule()
                .rule(&rule.name)
                .set_next_token(token.take())
                .send()
                .await;
            match page {
                Ok(page) => {
                    rule.targets
                        .extend(page.targets().iter().map(|t| EventTarget {
                            id: t.id().to_owned(),
                            arn: t.arn().to_owned(),
                        }));
                    token = page.next_token().map(str::to_owned);
                    if token.is_none() {
                        break;
                    }
                }
                Err(e) => {
                    ctx.fail(
                        Some(region),
                        SERVICE,
                        "ListTargetsByRule",
                        Some(&rule.arn),
                        &e,
                    );
                    break;
                }
            }
        }
        rule
    }))
    .await
}
