//! GuardDuty: detectors with their features, administrator and (for a
//! delegated administrator) organization auto-enable settings, and the
//! high-severity findings that are not archived.

use super::{Clients, Ctx};
use crate::model::{
    GuardDutyAdministrator, GuardDutyDetector, GuardDutyFeature, GuardDutyFinding,
    GuardDutyOrgConfiguration,
};
use aws_sdk_guardduty::types::{Condition, FindingCriteria};

const SERVICE: &str = "guardduty";
/// High severity starts at 7.0 in GuardDuty's scale.
const HIGH: i64 = 7;
/// Findings kept per detector: enough to judge and show; the count of the
/// rest would not change a check's outcome.
const MAX_FINDINGS: usize = 200;

pub(super) async fn detectors(
    clients: &Clients,
    ctx: &Ctx,
    region: &str,
) -> Vec<GuardDutyDetector> {
    let client = clients.guardduty(region);
    let ids: Vec<String> = match client
        .list_detectors()
        .into_paginator()
        .send()
        .try_collect()
        .await
    {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.detector_ids().iter().cloned())
            .collect(),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "ListDetectors", None, &e);
            return Vec::new();
        }
    };
    let client = &client;
    futures_util::future::join_all(ids.into_iter().map(|id| detector(client, ctx, region, id)))
        .await
}

async fn detector(
    client: &aws_sdk_guardduty::Client,
    ctx: &Ctx,
    region: &str,
    id: String,
) -> GuardDutyDetector {
    let criteria = FindingCriteria::builder()
        .criterion(
            "severity",
            Condition::builder().greater_than_or_equal(HIGH).build(),
        )
        .criterion(
            "service.archived",
            Condition::builder().equals("false").build(),
        )
        .build();
    let (detail, administrator, organization, finding_ids) = tokio::join!(
        client.get_detector().detector_id(&id).send(),
        client.get_administrator_account().detector_id(&id).send(),
        client
            .describe_organization_configuration()
            .detector_id(&id)
            .send(),
        client
            .list_findings()
            .detector_id(&id)
            .finding_criteria(criteria)
            .into_paginator()
            .send()
            .try_collect(),
    );
    let mut detector = GuardDutyDetector {
        id: id.clone(),
        ..GuardDutyDetector::default()
    };
    match detail {
        Ok(d) => {
            detector.status = d
                .status()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default();
            if detector.status.is_empty() {
                ctx.incomplete(Some(region), SERVICE, "GetDetector", Some(&id), "Status");
            }
            detector.finding_publishing_frequency = d
                .finding_publishing_frequency()
                .map(|f| f.as_str().to_owned());
            detector.features = d
                .features()
                .iter()
                .map(|f| GuardDutyFeature {
                    name: f.name().map(|n| n.as_str().to_owned()).unwrap_or_default(),
                    status: f
                        .status()
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default(),
                })
                .collect();
        }
        Err(e) => ctx.fail(Some(region), SERVICE, "GetDetector", Some(&id), &e),
    }
    match administrator {
        Ok(a) => {
            // GuardDuty omits `Administrator` for an account without one;
            // the SDK then fills in an empty one (client error correction),
            // which is no administrator. An administrator without its
            // relationship status cannot be judged.
            let present = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
            detector.administrator = a.administrator().and_then(|a| {
                let account_id = present(a.account_id())?;
                let Some(relationship_status) = present(a.relationship_status()) else {
                    ctx.incomplete(
                        Some(region),
                        SERVICE,
                        "GetAdministratorAccount",
                        Some(&id),
                        "Administrator.RelationshipStatus",
                    );
                    return None;
                };
                Some(GuardDutyAdministrator {
                    account_id,
                    relationship_status,
                })
            });
        }
        Err(e) => ctx.fail(
            Some(region),
            SERVICE,
            "GetAdministratorAccount",
            Some(&id),
            &e,
        ),
    }
    match organization {
        Ok(o) => {
            detector.organization_configuration = Some(GuardDutyOrgConfiguration {
                auto_enable_organization_members: o
                    .auto_enable_organization_members()
                    .map(|a| a.as_str().to_owned())
                    .unwrap_or_else(|| "NONE".into()),
                member_account_limit_reached: o.member_account_limit_reached().unwrap_or(false),
            });
        }
        // Only the delegated administrator may ask; any other account is
        // told so, which is an answer, not a failure.
        Err(e) if is_not_administrator(&e) => {}
        Err(e) => ctx.fail(
            Some(region),
            SERVICE,
            "DescribeOrganizationConfiguration",
            Some(&id),
            &e,
        ),
    }
    let ids: Vec<String> = match finding_ids {
        Ok(pages) => pages
            .iter()
            .flat_map(|p| p.finding_ids().iter().cloned())
            .take(MAX_FINDINGS)
            .collect(),
        Err(e) => {
            ctx.fail(Some(region), SERVICE, "ListFindings", Some(&id), &e);
            return detector;
        }
    };
    // GetFindings takes at most 50 ids per call.
    let batches = ids.chunks(50).map(|batch| {
        client
            .get_findings()
            .detector_id(&id)
            .set_finding_ids(Some(batch.to_vec()))
            .send()
    });
    for answer in futures_util::future::join_all(batches).await {
        match answer {
            Ok(a) => detector
                .high_severity_findings
                .extend(a.findings().iter().filter_map(|f| {
                    // Id, Type, Severity and CreatedAt are required; the SDK
                    // fills defaults (0 severity, "" time) for missing ones.
                    let whole = f.id().is_some_and(|s| !s.is_empty())
                        && f.r#type().is_some_and(|s| !s.is_empty())
                        && f.severity().is_some_and(|s| s > 0.0)
                        && f.created_at().is_some_and(|s| !s.is_empty());
                    if !whole {
                        ctx.incomplete(
                            Some(region),
                            SERVICE,
                            "GetFindings",
                            Some(&id),
                            "Findings[].Id/Type/Severity/CreatedAt",
                        );
                        return None;
                    }
                    Some(GuardDutyFinding {
                        id: f.id().unwrap_or_default().to_owned(),
                        finding_type: f.r#type().unwrap_or_default().to_owned(),
                        severity: f.severity().unwrap_or_default(),
                        title: f.title().map(str::to_owned),
                        created_at: f.created_at().unwrap_or_default().to_owned(),
                        updated_at: f.updated_at().map(str::to_owned),
                        resource_type: f
                            .resource()
                            .and_then(|r| r.resource_type())
                            .map(str::to_owned),
                    })
                })),
            Err(e) => ctx.fail(Some(region), SERVICE, "GetFindings", Some(&id), &e),
        }
    }
    detector
        .high_severity_findings
        .sort_by(|a, b| a.id.cmp(&b.id));
    detector
}

fn is_not_administrator<E>(
    error: &aws_smithy_runtime_api::client::result::SdkError<
        E,
        aws_smithy_runtime_api::http::Response,
    >,
) -> bool
where
    E: aws_smithy_types::error::metadata::ProvideErrorMetadata + std::error::Error + 'static,
{
    let (code, message) = super::describe_error(error);
    code == "BadRequestException" && message.to_ascii_lowercase().contains("administrator")
}
