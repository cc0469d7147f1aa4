//! Findings as OCSF 1.3 Compliance Finding events (class 2003), for
//! Security Lake and Security Hub pipelines: one event per finding, with
//! the compliance standards and controls, the resource, and the cloud
//! account and region.
//!
//! Reads `result` and the framework titles of `checks`; evaluates nothing.

use crate::checks::Catalogue;
use crate::result::{Finding, ScanResult, Status};
use serde_json::{json, Value};

/// The OCSF schema version the events follow.
pub const OCSF_VERSION: &str = "1.3.0";
const CLASS_UID: u32 = 2003;
const ACTIVITY_CREATE: u32 = 1;

/// Writes every finding of `result` as a JSON array of OCSF events. The
/// event time is the scan's finish (or start) time, or with
/// `--deterministic` (no scan times) the time the facts were collected,
/// so the same input gives the same events; never the wall clock.
pub fn write(
    result: &ScanResult,
    catalogue: &Catalogue,
    out: &mut dyn std::io::Write,
) -> Result<(), serde_json::Error> {
    let time = event_time(result);
    let io = serde_json::Error::io;
    out.write_all(b"[").map_err(io)?;
    for (index, finding) in result.findings.iter().enumerate() {
        out.write_all(if index == 0 { b"\n" } else { b",\n" })
            .map_err(io)?;
        serde_json::to_writer(
            &mut *out,
            &event(finding, catalogue, &result.tool.version, time),
        )?;
    }
    out.write_all(b"\n]\n").map_err(io)
}

/// The time of every event of `result`, in milliseconds since the epoch:
/// the scan's finish (or start) time, else the collection time, else 0.
pub fn event_time(result: &ScanResult) -> i64 {
    result
        .scan
        .finished_at
        .as_deref()
        .or(result.scan.started_at.as_deref())
        .or(result.scan.collected_at.as_deref())
        .and_then(|t| {
            time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()
        })
        .map_or(0, |t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
}

/// One finding as a Compliance Finding event.
pub fn event(finding: &Finding, catalogue: &Catalogue, version: &str, time: i64) -> Value {
    let (severity_id, severity) = match &*finding.severity {
        "critical" => (5, "Critical"),
        "high" => (4, "High"),
        "medium" => (3, "Medium"),
        "low" => (2, "Low"),
        "info" => (1, "Informational"),
        _ => (0, "Unknown"),
    };
    // compliance.status_id: 1 Pass, 2 Warning, 3 Fail, 0 Unknown, 99 Other.
    let (compliance_status_id, compliance_status) = match finding.status {
        Status::Pass => (1, "Pass"),
        Status::Fail | Status::Waived => (3, "Fail"),
        Status::Error => (0, "Unknown"),
        Status::Skip => (99, "Other"),
    };
    // Finding status_id: 1 New, 3 Suppressed (a waived risk).
    let (status_id, status) = match finding.status {
        Status::Waived => (3, "Suppressed"),
        _ => (1, "New"),
    };
    let standards: Vec<String> = finding
        .controls
        .keys()
        .map(|id| {
            catalogue
                .frameworks
                .get(id)
                .map(|f| format!("{} ({})", f.title, f.version))
                .unwrap_or_else(|| id.clone())
        })
        .collect();
    let requirements: Vec<String> = finding
        .controls
        .iter()
        .flat_map(|(framework, ids)| ids.iter().map(move |id| format!("{framework}:{id}")))
        .collect();
    let region = finding.region.as_deref();
    let uid = format!(
        "auditscope/{}/{}/{}/{}",
        finding.check_id,
        finding.account_id,
        region.unwrap_or("global"),
        finding.resource.id
    );
    let mut event = json!({
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Compliance Finding",
        "type_uid": CLASS_UID * 100 + ACTIVITY_CREATE,
        "type_name": "Compliance Finding: Create",
        "time": time,
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": finding.status.as_str(),
        "status_detail": finding.message,
        "message": finding.message,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["cloud"],
            "product": {
                "name": "auditscope",
                "vendor_name": "auditscope",
                "version": version,
            },
        },
        "finding_info": {
            "uid": uid,
            "title": finding.title.as_ref(),
            "desc": finding.message,
            "types": ["Software and Configuration Checks"],
        },
        "compliance": {
            "control": finding.check_id.as_ref(),
            "standards": standards,
            "requirements": requirements,
            "status_id": compliance_status_id,
            "status": compliance_status,
        },
        "cloud": {
            "provider": "AWS",
            "account": {
                "uid": finding.account_id.as_ref(),
                "type": "AWS Account",
                "type_id": 10,
            },
        },
        "resources": [{
            "uid": finding.resource.id,
            "type": finding.resource.resource_type.as_ref(),
            "cloud_partition": "aws",
        }],
        "remediation": { "desc": finding.remediation.as_ref() },
        "unmapped": { "evidence": finding.evidence },
    });
    if let Some(region) = region {
        event["cloud"]["region"] = json!(region);
        event["resources"][0]["region"] = json!(region);
    }
    if let Some(waiver) = &finding.waiver {
        event["unmapped"]["waiver"] = json!(waiver);
    }
    event
}
