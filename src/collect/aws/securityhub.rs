//! AWS Security Hub: whether the account is subscribed in the region, its
//! enabled standards, its administrator and, in the delegated
//! administrator account, how members are enabled.
//!
//! Sources: `DescribeHub`, `GetEnabledStandards`, `GetAdministratorAccount`
//! and `DescribeOrganizationConfiguration` in the AWS Security Hub API
//! Reference.

use super::{Clients, Ctx};
use crate::model::{SecurityHub, SecurityHubOrgConfiguration, SecurityHubStandard};

const SERVICE: &str = "securityhub";

/// `None` when `DescribeHub` failed; `enabled: false` when it answered
/// that the account is not subscribed.
pub(super) async fn hub(clients: &Clients, ctx: &Ctx, region: &str) -> Option<SecurityHub> {
    let client = clients.securityhub(region);
    let described = match client.describe_hub().send().await {
        Ok(answer) => answer,
        Err(e) if is_not_subscribed(&e) => {
            return Some(SecurityHub {
                enabled: false,
                ..SecurityHub::default()
            })
        }
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeHub", None, &e);
            return None;
        }
    };
    let mut hub = SecurityHub {
        enabled: true,
        hub_arn: described.hub_arn().map(str::to_owned),
        subscribed_at: described.subscribed_at().map(str::to_owned),
        auto_enable_controls: described.auto_enable_controls(),
        control_finding_generator: described
            .control_finding_generator()
            .map(|g| g.as_str().to_owned()),
        ..SecurityHub::default()
    };
    let (standards, administrator, organization) = tokio::join!(
        client
            .get_enabled_standards()
            .into_paginator()
            .send()
            .try_collect(),
        client.get_administrator_account().send(),
        client.describe_organization_configuration().send(),
    );
    match standards {
        Ok(pages) => {
            hub.standards = pages
                .iter()
                .flat_map(|p| p.standards_subscriptions())
                .filter_map(|s| {
                    let Some(arn) = s.standards_arn().filter(|a| !a.is_empty()) else {
                        ctx.incomplete(
                            Some(region),
                            SERVICE,
                            "GetEnabledStandards",
                            s.standards_subscription_arn(),
                            "StandardsArn",
                        );
                        return None;
                    };
                    Some(SecurityHubStandard {
                        standards_arn: arn.to_owned(),
                        standards_subscription_arn: s
                            .standards_subscription_arn()
                            .map(str::to_owned),
                        status: s.standards_status().map(|s| s.as_str().to_owned()),
                    })
                })
                .collect();
        }
        Err(e) => ctx.fail(Some(region), SERVICE, "GetEnabledStandards", None, &e),
    }
    match administrator {
        // No `Administrator` (or an empty one the SDK filled in) is no
        // administrator.
        Ok(a) => {
            hub.administrator_account_id = a
                .administrator()
                .and_then(|a| a.account_id())
                .filter(|id| !id.is_empty())
                .map(str::to_owned);
        }
        Err(e) => ctx.fail(Some(region), SERVICE, "GetAdministratorAccount", None, &e),
    }
    match organization {
        Ok(o) => {
            let Some(auto_enable) = o.auto_enable() else {
                ctx.incomplete(
                    Some(region),
                    SERVICE,
                    "DescribeOrganizationConfiguration",
                    None,
                    "AutoEnable",
                );
                return Some(hub);
            };
            let central = o.organization_configuration();
            hub.organization_configuration = Some(SecurityHubOrgConfiguration {
                auto_enable,
                auto_enable_standards: o.auto_enable_standards().map(|a| a.as_str().to_owned()),
                configuration_type: central
                    .and_then(|c| c.configuration_type())
                    .map(|t| t.as_str().to_owned()),
                status: central
                    .and_then(|c| c.status())
                    .map(|s| s.as_str().to_owned()),
                member_account_limit_reached: o.member_account_limit_reached().unwrap_or(false),
            });
        }
        // Only the delegated administrator may ask; any other account is
        // refused, which is an answer. A refusal by IAM ("is not
        // authorized to perform") is a failure like any other.
        Err(e) if is_not_administrator(&e) => {}
        Err(e) => ctx.fail(
            Some(region),
            SERVICE,
            "DescribeOrganizationConfiguration",
            None,
            &e,
        ),
    }
    Some(hub)
}

type SdkError<E> =
    aws_smithy_runtime_api::client::result::SdkError<E, aws_smithy_runtime_api::http::Response>;

/// `DescribeHub` answers `InvalidAccessException` "… is not subscribed to
/// AWS Security Hub" for an account where Security Hub is not enabled.
fn is_not_subscribed<E>(error: &SdkError<E>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = super::describe_error(error);
    code == "InvalidAccessException" && message.to_ascii_lowercase().contains("not subscribed")
}

/// An account that is not the Security Hub administrator is refused
/// `DescribeOrganizationConfiguration` with an access error that is not
/// IAM's "not authorized to perform".
fn is_not_administrator<E>(error: &SdkError<E>) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = super::describe_error(error);
    matches!(
        code.as_str(),
        "AccessDeniedException" | "InvalidAccessException"
    ) && !message.contains("not authorized to perform")
}
