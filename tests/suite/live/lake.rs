//! CloudTrail Lake event data stores through the collector. moto 5.2.5
//! does not serve them, so the proxy answers `ListEventDataStores` and
//! `GetEventDataStore` in the shapes of the CloudTrail API Reference
//! (`harness::FAKED`); what is tested is the collector's reading of those
//! answers and the verdicts on what it read.

use super::harness::{Fault, Proxy};
use super::{evaluate, status_of, World};
use auditscope::model::EventDataStore;
use auditscope::result::Status;

const ARN: &str =
    "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/4e8c9a1b-0000-4000-8000-000000000001";

/// `GetEventDataStore`'s answer for `store` (timestamps in epoch seconds,
/// as CloudTrail's JSON protocol writes them).
pub fn get_event_data_store_answer(store: &EventDataStore) -> serde_json::Value {
    let selectors: Vec<serde_json::Value> = store
        .advanced_event_selectors
        .iter()
        .map(|a| {
            let fields: Vec<serde_json::Value> = a
                .field_selectors
                .iter()
                .map(|f| serde_json::json!({"Field": f.field, "Equals": f.equals}))
                .collect();
            serde_json::json!({"Name": a.name, "FieldSelectors": fields})
        })
        .collect();
    serde_json::json!({
        "EventDataStoreArn": store.arn,
        "Name": store.name,
        "Status": store.status,
        "AdvancedEventSelectors": selectors,
        "MultiRegionEnabled": store.multi_region_enabled,
        "OrganizationEnabled": store.organization_enabled,
        "RetentionPeriod": store.retention_period,
        "TerminationProtectionEnabled": store.termination_protection_enabled,
        "KmsKeyId": store.kms_key_id,
        "BillingMode": store.billing_mode,
        "CreatedTimestamp": 1_763_640_000,
        "UpdatedTimestamp": 1_763_640_000
    })
}

fn store() -> EventDataStore {
    EventDataStore {
        arn: ARN.into(),
        name: Some("management-events".into()),
        status: Some("ENABLED".into()),
        multi_region_enabled: Some(true),
        organization_enabled: Some(false),
        retention_period: Some(2557),
        termination_protection_enabled: Some(true),
        kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/lake".into()),
        billing_mode: Some("EXTENDABLE_RETENTION_PRICING".into()),
        advanced_event_selectors: vec![auditscope::model::AdvancedEventSelector {
            name: Some("Management events".into()),
            field_selectors: vec![auditscope::model::AdvancedFieldSelector {
                field: "eventCategory".into(),
                equals: vec!["Management".into()],
                ..Default::default()
            }],
        }],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_data_stores_are_read_and_judged() {
    let world = World::start().await;
    let answer = |store: &EventDataStore| {
        world.bridge.answer_in(
            "us-east-1",
            "ListEventDataStores",
            serde_json::json!({"EventDataStores": [{"EventDataStoreArn": ARN, "Name": store.name}]}),
        );
        world.bridge.answer_in(
            "us-east-1",
            "GetEventDataStore",
            get_event_data_store_answer(store),
        );
    };
    answer(&store());
    let snapshot = world.collect(&world.options(&["us-east-1"])).await;
    assert_eq!(super::real_errors(&snapshot), vec![]);
    let facts = &snapshot.accounts[0].region_facts[0];
    assert_eq!(facts.event_data_stores, Some(vec![store()]));
    assert_eq!(
        facts.api_calls.get("cloudtrail:GetEventDataStore"),
        Some(&1),
        "one GetEventDataStore per listed store"
    );
    let check = "cloudtrail-lake-event-data-store-protected";
    assert_eq!(status_of(&evaluate(&snapshot), check, None), [Status::Pass]);

    let mut deletable = store();
    deletable.termination_protection_enabled = Some(false);
    deletable.kms_key_id = None;
    answer(&deletable);
    let snapshot = world.collect(&world.options(&["us-east-1"])).await;
    let result = evaluate(&snapshot);
    assert_eq!(status_of(&result, check, None), [Status::Fail]);
    let finding = result
        .findings
        .iter()
        .find(|f| &*f.check_id == check)
        .expect("finding");
    assert!(
        finding.message.contains("termination protection is off")
            && finding.message.contains("key CloudTrail owns"),
        "{}",
        finding.message
    );
}

/// A refused listing leaves the region's stores unknown (`None`), records
/// the call, and is not read as "no stores".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_listing_is_not_no_stores() {
    let world = World::start().await;
    let proxy = Proxy::start(world.moto.addr);
    proxy.fault(Fault::operation(
        "ListEventDataStores",
        400,
        "AccessDeniedException",
        None,
    ));
    let mut options = world.options(&["us-east-1"]);
    options.endpoints = super::harness::all_through(&proxy);
    let snapshot = world.collect(&options).await;
    assert_eq!(snapshot.accounts[0].region_facts[0].event_data_stores, None);
    assert!(
        snapshot
            .errors
            .iter()
            .any(|e| e.operation == "ListEventDataStores" && e.code == "AccessDeniedException"),
        "{:?}",
        snapshot.errors
    );
}
