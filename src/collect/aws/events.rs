//! EventBridge: rules of the default bus and their targets (how GuardDuty
//! findings reach people).

use super::{Clients, Ctx};
use crate::model::{EventRule, EventTarget};

const SERVICE: &str = "events";

/// The token of the next page, or `None` at the last page. EventBridge's
/// model declares no paginators, so the SDK's own guard against a service
/// that repeats a token does not apply: a repeated token ends the listing
/// with a recorded error instead of looping forever.
fn next_token(
    seen: &mut std::collections::HashSet<String>,
    token: Option<&str>,
    ctx: &Ctx,
    region: &str,
    operation: &str,
    resource: Option<&str>,
) -> Option<String> {
    let token = token?;
    if seen.insert(token.to_owned()) {
        return Some(token.to_owned());
    }
    ctx.record(
        Some(region),
        SERVICE,
        operation,
        resource,
        super::REPEATED_NEXT_TOKEN.to_owned(),
        "the service answered a NextToken it had already sent; the listing stops here and may be incomplete"
            .to_owned(),
    );
    None
}

pub(super) async fn rules(clients: &Clients, ctx: &Ctx, region: &str) -> Vec<EventRule> {
    let client = clients.events(region);
    let mut rules = Vec::new();
    let mut token: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
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
                token = next_token(&mut seen, page.next_token(), ctx, region, "ListRules", None);
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
        let mut seen = std::collections::HashSet::new();
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
                    token = next_token(
                        &mut seen,
                        page.next_token(),
                        ctx,
                        region,
                        "ListTargetsByRule",
                        Some(&rule.arn),
                    );
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
