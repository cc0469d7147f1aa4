//! VPC flow logs, Route 53 Resolver query logging and Security Hub, made in
//! moto through the SDK and judged from a live collection: the issue's
//! world of two VPCs (one logged, one not) and Security Hub enabled in one
//! of two regions.

use super::harness::Fault;
use super::{evaluate, World};
use auditscope::result::{ScanResult, Status};
use aws_sdk_ec2::types as ec2;

const FSBP: &str =
    "arn:aws:securityhub:us-east-1::standards/aws-foundational-security-best-practices/v/1.0.0";

/// (region, VPC id) → status of `check`'s findings on VPCs.
fn by_vpc(result: &ScanResult, check: &str) -> Vec<(String, String, Status)> {
    let mut rows: Vec<(String, String, Status)> = result
        .findings
        .iter()
        .filter(|f| &*f.check_id == check)
        .map(|f| {
            (
                f.region.as_deref().unwrap_or_default().to_owned(),
                f.resource
                    .id
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_owned(),
                f.status,
            )
        })
        .collect();
    rows.sort();
    rows
}

struct Network {
    logged: String,
    bare: String,
    other_region_default: String,
}

/// us-east-1: the default VPC with a flow log of ALL traffic to S3 and DNS
/// query logging; a second VPC with neither. eu-west-1: only its default
/// VPC, unlogged. Security Hub is enabled in us-east-1 only.
async fn seed(world: &World) -> Network {
    let ec2_in = |region: &str| {
        aws_sdk_ec2::Client::from_conf(
            aws_sdk_ec2::config::Builder::from(&world.sdk)
                .region(aws_config::Region::new(region.to_owned()))
                .build(),
        )
    };
    let default_vpc = |client: aws_sdk_ec2::Client| async move {
        client
            .describe_vpcs()
            .filters(
                ec2::Filter::builder()
                    .name("isDefault")
                    .values("true")
                    .build(),
            )
            .send()
            .await
            .expect("describe VPCs")
            .vpcs()
            .first()
            .and_then(|v| v.vpc_id())
            .expect("moto's default VPC")
            .to_owned()
    };
    let east = ec2_in("us-east-1");
    let logged = default_vpc(east.clone()).await;
    let other_region_default = default_vpc(ec2_in("eu-west-1")).await;
    let bare = east
        .create_vpc()
        .cidr_block("10.7.0.0/16")
        .send()
        .await
        .expect("VPC")
        .vpc()
        .and_then(|v| v.vpc_id())
        .expect("VPC id")
        .to_owned();
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&world.sdk)
            .force_path_style(true)
            .build(),
    )
    .create_bucket()
    .bucket("flow-logs-123456789012")
    .send()
    .await
    .expect("bucket");
    let made = east
        .create_flow_logs()
        .resource_type(ec2::FlowLogsResourceType::Vpc)
        .resource_ids(&logged)
        .traffic_type(ec2::TrafficType::All)
        .log_destination_type(ec2::LogDestinationType::S3)
        .log_destination("arn:aws:s3:::flow-logs-123456789012")
        .send()
        .await
        .expect("flow log");
    assert_eq!(made.flow_log_ids().len(), 1, "{made:?}");
    let resolver = aws_sdk_route53resolver::Client::new(&world.sdk);
    let config = resolver
        .create_resolver_query_log_config()
        .name("dns")
        .destination_arn("arn:aws:s3:::flow-logs-123456789012")
        .creator_request_id("dns")
        .send()
        .await
        .expect("query logging configuration");
    let config = config
        .resolver_query_log_config()
        .and_then(|c| c.id())
        .expect("configuration id");
    resolver
        .associate_resolver_query_log_config()
        .resolver_query_log_config_id(config)
        .resource_id(&logged)
        .send()
        .await
        .expect("association");
    aws_sdk_securityhub::Client::new(&world.sdk)
        .enable_security_hub()
        .enable_default_standards(false)
        .send()
        .await
        .expect("Security Hub");
    world.bridge.answer_in(
        "us-east-1",
        "GetEnabledStandards",
        serde_json::json!({"StandardsSubscriptions": [{
            "StandardsArn": FSBP,
            "StandardsSubscriptionArn": "arn:aws:securityhub:us-east-1:123456789012:subscription/aws-foundational-security-best-practices/v/1.0.0",
            "StandardsInput": {},
            "StandardsStatus": "READY"
        }]}),
    );
    Network {
        logged,
        bare,
        other_region_default,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vpcs_and_security_hub_in_one_of_two_regions() {
    let world = World::start().await;
    let net = seed(&world).await;
    let snapshot = world
        .collect(&world.options(&["eu-west-1", "us-east-1"]))
        .await;
    assert_eq!(super::real_errors(&snapshot), vec![]);
    let result = evaluate(&snapshot);
    let (east, west) = ("us-east-1".to_owned(), "eu-west-1".to_owned());
    let mut expected = vec![
        (west.clone(), net.other_region_default.clone(), Status::Fail),
        (east.clone(), net.logged.clone(), Status::Pass),
        (east.clone(), net.bare.clone(), Status::Fail),
    ];
    expected.sort();
    assert_eq!(by_vpc(&result, "vpc-flow-logs-enabled"), expected);
    assert_eq!(by_vpc(&result, "route53-resolver-query-logging"), expected);
    assert_eq!(
        super::status_of(&result, "securityhub-enabled", Some("us-east-1")),
        [Status::Pass]
    );
    assert_eq!(
        super::status_of(&result, "securityhub-enabled", Some("eu-west-1")),
        [Status::Fail]
    );
    // The cost per region: one call each, and no DescribeSubnets while no
    // flow log is on a subnet.
    let facts = &snapshot.accounts[0].region_facts;
    for region in facts {
        for op in [
            "ec2:DescribeVpcs",
            "ec2:DescribeFlowLogs",
            "route53resolver:ListResolverQueryLogConfigs",
            "route53resolver:ListResolverQueryLogConfigAssociations",
            "securityhub:DescribeHub",
        ] {
            assert_eq!(
                region.api_calls.get(op),
                Some(&1),
                "{op} in {}",
                region.region
            );
        }
        assert_eq!(region.api_calls.get("ec2:DescribeSubnets"), None);
    }
    // Security Hub not enabled is an answer (enabled: false), not an error.
    let west_hub = facts
        .iter()
        .find(|f| f.region == "eu-west-1")
        .and_then(|f| f.security_hub.as_ref())
        .expect("Security Hub collected in eu-west-1");
    assert!(!west_hub.enabled);
}

/// A refused DescribeVpcs makes the region's VPC checks ERROR, naming the
/// call; Security Hub's refused standards make its check ERROR, not FAIL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_calls_make_the_network_checks_unknown() {
    let world = World::start().await;
    seed(&world).await;
    let proxy = super::harness::Proxy::start(world.moto.addr);
    proxy.fault(Fault::operation(
        "DescribeVpcs",
        403,
        "UnauthorizedOperation",
        None,
    ));
    proxy.fault(Fault::operation(
        "GetEnabledStandards",
        403,
        "AccessDeniedException",
        None,
    ));
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = super::harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert_eq!(snapshot.accounts[0].region_facts[0].vpcs, None);
    let result = evaluate(&snapshot);
    for check in ["vpc-flow-logs-enabled", "route53-resolver-query-logging"] {
        let findings: Vec<_> = result
            .findings
            .iter()
            .filter(|f| &*f.check_id == check)
            .collect();
        assert_eq!(findings.len(), 1, "{check}: one finding for the region");
        assert_eq!(findings[0].status, Status::Error, "{check}");
        assert!(
            findings[0].message.contains("ec2:DescribeVpcs"),
            "{}",
            findings[0].message
        );
    }
    assert_eq!(
        super::status_of(&result, "securityhub-enabled", Some("us-east-1")),
        [Status::Error]
    );
}
