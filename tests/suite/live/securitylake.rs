//! Amazon Security Lake through the collector. moto 5.2.5 does not serve
//! it, so the proxy answers `ListDataLakes` and `ListLogSources` in the
//! shapes of the Security Lake API Reference (`harness::FAKED`); what is
//! tested is the collector's reading and the verdicts on it.

use super::harness::{Fault, Proxy};
use super::{evaluate, status_of, World, ACCOUNT};
use auditscope::model::{DataLake, SecurityLake, SecurityLakeLogSource};
use auditscope::result::Status;

/// The proxy's answers for a region's Security Lake: (operation, answer).
pub fn answers(lake: &SecurityLake) -> Vec<(&'static str, serde_json::Value)> {
    let lakes: Vec<serde_json::Value> = lake
        .data_lake
        .iter()
        .map(|d| {
            serde_json::json!({
                "dataLakeArn": d.arn,
                "region": d.region,
                "createStatus": d.create_status,
                "s3BucketArn": d.s3_bucket_arn,
                "encryptionConfiguration": {"kmsKeyId": d.kms_key_id.as_deref().unwrap_or("S3_MANAGED_KEY")},
                "lifecycleConfiguration": {"expiration": {"days": d.expiration_days}},
                "replicationConfiguration": {"regions": d.replication_regions}
            })
        })
        .collect();
    let mut by_account: std::collections::BTreeMap<(&str, &str), Vec<serde_json::Value>> =
        Default::default();
    for s in lake.log_sources.iter().flatten() {
        by_account
            .entry((&s.account, &s.region))
            .or_default()
            .push(serde_json::json!({"awsLogSource": {"sourceName": s.source_name, "sourceVersion": s.source_version}}));
    }
    let sources: Vec<serde_json::Value> = by_account
        .into_iter()
        .map(|((account, region), sources)| {
            serde_json::json!({"account": account, "region": region, "sources": sources})
        })
        .collect();
    vec![
        ("ListDataLakes", serde_json::json!({ "dataLakes": lakes })),
        ("ListLogSources", serde_json::json!({ "sources": sources })),
    ]
}

fn lake(sources: &[&str]) -> SecurityLake {
    SecurityLake {
        data_lake: Some(DataLake {
            arn: format!("arn:aws:securitylake:us-east-1:{ACCOUNT}:data-lake/default"),
            region: "us-east-1".into(),
            create_status: Some("COMPLETED".into()),
            expiration_days: Some(2557),
            kms_key_id: None,
            s3_bucket_arn: Some("arn:aws:s3:::aws-security-data-lake-us-east-1-x".into()),
            replication_regions: Vec::new(),
        }),
        log_sources: Some(
            sources
                .iter()
                .map(|name| SecurityLakeLogSource {
                    account: ACCOUNT.into(),
                    region: "us-east-1".into(),
                    source_name: (*name).into(),
                    source_version: Some("2.0".into()),
                })
                .collect(),
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_lake_and_its_sources_are_read_and_judged() {
    let world = World::start().await;
    let check = "securitylake-enabled";
    let seed = |lake: &SecurityLake| {
        for (op, answer) in answers(lake) {
            world.bridge.answer_in("us-east-1", op, answer);
        }
    };
    seed(&lake(&["CLOUD_TRAIL_MGMT", "VPC_FLOW"]));
    let regions = ["eu-west-1", "us-east-1"];
    let snapshot = world.collect(&world.options(&regions)).await;
    assert_eq!(super::real_errors(&snapshot), vec![]);
    let east = snapshot.accounts[0]
        .region("us-east-1")
        .and_then(|f| f.security_lake.clone());
    let mut expected = lake(&["CLOUD_TRAIL_MGMT", "VPC_FLOW"]);
    if let Some(d) = expected.data_lake.as_mut() {
        d.kms_key_id = Some("S3_MANAGED_KEY".into());
    }
    assert_eq!(east, Some(expected));
    let result = evaluate(&snapshot);
    assert_eq!(status_of(&result, check, Some("us-east-1")), [Status::Fail]);
    assert_eq!(status_of(&result, check, Some("eu-west-1")), [Status::Fail]);
    let message = &result
        .findings
        .iter()
        .find(|f| &*f.check_id == check && f.region.as_deref() == Some("us-east-1"))
        .expect("finding")
        .message;
    assert!(message.contains("does not collect ROUTE53"), "{message}");

    seed(&lake(&["CLOUD_TRAIL_MGMT", "VPC_FLOW", "ROUTE53"]));
    let snapshot = world.collect(&world.options(&regions)).await;
    let result = evaluate(&snapshot);
    assert_eq!(status_of(&result, check, Some("us-east-1")), [Status::Pass]);
    // eu-west-1 has no data lake and does not contribute to one.
    assert_eq!(status_of(&result, check, Some("eu-west-1")), [Status::Fail]);
}

/// A refused ListDataLakes is ERROR for the region, never "no lake".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_listing_is_not_no_data_lake() {
    let world = World::start().await;
    let proxy = Proxy::start(world.moto.addr);
    proxy.fault(Fault::operation(
        "ListDataLakes",
        403,
        "AccessDeniedException",
        None,
    ));
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = super::harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert_eq!(snapshot.accounts[0].region_facts[0].security_lake, None);
    assert_eq!(
        status_of(&evaluate(&snapshot), "securitylake-enabled", None),
        [Status::Error]
    );
}
