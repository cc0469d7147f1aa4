//! Amazon EC2: VPCs and their flow logs, and the subnets of a VPC only when
//! a subnet-level flow log makes them matter (one `DescribeSubnets` call
//! per region at most, none in the usual case).
//!
//! Sources: `DescribeVpcs`, `DescribeFlowLogs` and `DescribeSubnets` in the
//! Amazon EC2 API Reference.

use super::{Clients, Ctx};
use crate::model::{FlowLog, Subnet, Vpc};

const SERVICE: &str = "ec2";

/// The VPCs (`None` when `DescribeVpcs` failed), the flow logs and the
/// subnets (see the module docs) of `region`.
pub(super) async fn network(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> (Option<Vec<Vpc>>, Vec<FlowLog>, Vec<Subnet>) {
    let client = clients.ec2(region);
    let (vpcs, flow_logs) = tokio::join!(
        client.describe_vpcs().into_paginator().send().try_collect(),
        client
            .describe_flow_logs()
            .into_paginator()
            .send()
            .try_collect(),
    );
    let vpcs = match vpcs {
        Ok(pages) => Some(
            pages
                .iter()
                .flat_map(|p| p.vpcs())
                .filter_map(|v| {
                    let Some(id) = v.vpc_id().filter(|id| !id.is_empty()) else {
                        ctx.incomplete(Some(region), SERVICE, "DescribeVpcs", None, "vpcId");
                        return None;
                    };
                    Some(Vpc {
                        id: id.to_owned(),
                        owner_id: v.owner_id().map(str::to_owned),
                        cidr_block: v.cidr_block().map(str::to_owned),
                        is_default: v.is_default().unwrap_or(false),
                        state: v.state().map(|s| s.as_str().to_owned()),
                        name: v
                            .tags()
                            .iter()
                            .find(|t| t.key() == Some("Name"))
                            .and_then(|t| t.value())
                            .map(str::to_owned),
                    })
                })
                .collect(),
        ),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeVpcs", None, &e);
            None
        }
    };
    let flow_logs: Vec<FlowLog> = match flow_logs {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.flow_logs())
            .filter_map(|f| {
                // A flow log without its id or resource cannot be tied to a
                // VPC; one without a status cannot be judged active. Both
                // are always sent, so their absence is not a fact.
                let id = f.flow_log_id().filter(|s| !s.is_empty());
                let resource = f.resource_id().filter(|s| !s.is_empty());
                let (Some(id), Some(resource_id)) = (id, resource) else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "DescribeFlowLogs",
                        id,
                        "flowLogId/resourceId",
                    );
                    return None;
                };
                Some(FlowLog {
                    id: id.to_owned(),
                    resource_id: resource_id.to_owned(),
                    traffic_type: f.traffic_type().map(|t| t.as_str().to_owned()),
                    flow_log_status: f.flow_log_status().map(str::to_owned),
                    deliver_logs_status: f.deliver_logs_status().map(str::to_owned),
                    deliver_logs_error_message: f.deliver_logs_error_message().map(str::to_owned),
                    log_destination_type: f.log_destination_type().map(|t| t.as_str().to_owned()),
                    log_destination: f.log_destination().map(str::to_owned),
                    log_group_name: f.log_group_name().map(str::to_owned),
                    log_format: f.log_format().map(str::to_owned),
                    max_aggregation_interval: f.max_aggregation_interval().map(i64::from),
                })
            })
            .collect(),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeFlowLogs", None, &e);
            Vec::new()
        }
    };
    let subnets = if flow_logs
        .iter()
        .any(|f| f.resource_id.starts_with("subnet-"))
    {
        subnets(&client, ctx, region).await
    } else {
        Vec::new()
    };
    (vpcs, flow_logs, subnets)
}

async fn subnets(client: &aws_sdk_ec2::Client, ctx: &Ctx, region: &str) -> Vec<Subnet> {
    match client
        .describe_subnets()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.subnets())
            .filter_map(|s| {
                let id = s.subnet_id().filter(|s| !s.is_empty());
                let vpc = s.vpc_id().filter(|s| !s.is_empty());
                let (Some(id), Some(vpc_id)) = (id, vpc) else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "DescribeSubnets",
                        id,
                        "subnetId/vpcId",
                    );
                    return None;
                };
                Some(Subnet {
                    id: id.to_owned(),
                    vpc_id: vpc_id.to_owned(),
                })
            })
            .collect(),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "DescribeSubnets", None, &e);
            Vec::new()
        }
    }
}
