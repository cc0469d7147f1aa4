//! Route 53 Resolver query logging: the configurations the account can
//! use (its own and those shared to it through AWS RAM) and their
//! associations with its VPCs.
//!
//! Sources: `ListResolverQueryLogConfigs` and
//! `ListResolverQueryLogConfigAssociations` in the Amazon Route 53 API
//! Reference (Route 53 Resolver).

use super::{Clients, Ctx};
use crate::model::{ResolverQueryLogConfig, ResolverQueryLogConfigAssociation};

const SERVICE: &str = "route53resolver";

pub(super) async fn query_logging(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> (
    Vec<ResolverQueryLogConfig>,
    Vec<ResolverQueryLogConfigAssociation>,
) {
    let client = clients.route53resolver(region);
    let (configs, associations) = tokio::join!(
        client
            .list_resolver_query_log_configs()
            .into_paginator()
            .send()
            .try_collect(),
        client
            .list_resolver_query_log_config_associations()
            .into_paginator()
            .send()
            .try_collect(),
    );
    let configs = match configs {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.resolver_query_log_configs())
            .filter_map(|c| {
                let Some(id) = c.id().filter(|s| !s.is_empty()) else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "ListResolverQueryLogConfigs",
                        None,
                        "Id",
                    );
                    return None;
                };
                Some(ResolverQueryLogConfig {
                    id: id.to_owned(),
                    name: c.name().map(str::to_owned),
                    arn: c.arn().map(str::to_owned),
                    owner_id: c.owner_id().map(str::to_owned),
                    status: c.status().map(|s| s.as_str().to_owned()),
                    share_status: c.share_status().map(|s| s.as_str().to_owned()),
                    destination_arn: c.destination_arn().map(str::to_owned),
                })
            })
            .collect(),
        Err(e) => {
            ctx.fail(
                Some(region),
                SERVICE,
                "ListResolverQueryLogConfigs",
                None,
                &e,
            );
            Vec::new()
        }
    };
    let associations = match associations {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.resolver_query_log_config_associations())
            .filter_map(|a| {
                let id = a.id().filter(|s| !s.is_empty());
                let config = a.resolver_query_log_config_id().filter(|s| !s.is_empty());
                let resource = a.resource_id().filter(|s| !s.is_empty());
                let (Some(id), Some(config), Some(resource)) = (id, config, resource) else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "ListResolverQueryLogConfigAssociations",
                        id,
                        "Id/ResolverQueryLogConfigId/ResourceId",
                    );
                    return None;
                };
                Some(ResolverQueryLogConfigAssociation {
                    id: id.to_owned(),
                    resolver_query_log_config_id: config.to_owned(),
                    resource_id: resource.to_owned(),
                    status: a.status().map(|s| s.as_str().to_owned()),
                    error: a.error().map(|e| e.as_str().to_owned()),
                    error_message: a.error_message().map(str::to_owned),
                })
            })
            .collect(),
        Err(e) => {
            ctx.fail(
                Some(region),
                SERVICE,
                "ListResolverQueryLogConfigAssociations",
                None,
                &e,
            );
            Vec::new()
        }
    };
    (configs, associations)
}
