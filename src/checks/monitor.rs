//! The `monitor` key of metric-filter alarm checks and the sample records
//! (`checks/events/*.json`) it names: CloudTrail records, EventBridge
//! events, and VPC flow log records (`{"flowLogRecord": {field: value}}`,
//! rendered in each flow log's own format when judged).
//!
//! A monitor says which events an alarm must fire on (`must_match`) and
//! which near-misses it must ignore (`must_not_match`). The loader checks
//! that every named event exists and that the check's own recommended
//! `pattern` parses and classifies every event correctly, so a check cannot
//! ship a remediation that would fail itself.

use crate::diag::Diagnostic;
use crate::filter_pattern;
use serde::Deserialize;
use serde_json::Value;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A CloudTrail record as CloudTrail writes it, or an EventBridge event as
/// rules see it (a GuardDuty finding), loaded from `checks/events/`.
#[derive(Debug, PartialEq)]
pub struct SampleEvent {
    /// The file stem, e.g. `console-login-iam-user-no-mfa`.
    pub name: String,
    pub record: Value,
    /// A one-line description derived from the record, for messages.
    pub summary: String,
    pub event_source: String,
    /// Read-only events are recorded only by trails that log read events.
    pub read_only: bool,
}

/// The account id sample events are written with; a scan puts the
/// evaluated account's id in its place, so a filter narrowed to one
/// account's events fails for the others.
pub const SAMPLE_ACCOUNT_ID: &str = "111122223333";

impl SampleEvent {
    /// The record as it would be logged for `account_id`.
    pub fn record_for(&self, account_id: &str) -> Value {
        if account_id == SAMPLE_ACCOUNT_ID || account_id.is_empty() {
            return self.record.clone();
        }
        // Every string and key is rewritten in place: the record is not
        // printed and parsed again (that was a sixth of an evaluation).
        // A number holding the sample id (none of the shipped events has
        // one) keeps the textual replacement, which may turn it into text
        // that no longer parses; then the record stays as written.
        match with_account(&self.record, account_id) {
            Some(record) => record,
            None => {
                let text = self
                    .record
                    .to_string()
                    .replace(SAMPLE_ACCOUNT_ID, account_id);
                serde_json::from_str(&text).unwrap_or_else(|_| self.record.clone())
            }
        }
    }
}

/// `value` with [`SAMPLE_ACCOUNT_ID`] replaced by `account_id` in every
/// string and object key; `None` when a number contains the sample id.
fn with_account(value: &Value, account_id: &str) -> Option<Value> {
    let text = |s: &str| {
        if s.contains(SAMPLE_ACCOUNT_ID) {
            s.replace(SAMPLE_ACCOUNT_ID, account_id)
        } else {
            s.to_owned()
        }
    };
    Some(match value {
        Value::String(s) => Value::String(text(s)),
        Value::Number(n) if n.to_string().contains(SAMPLE_ACCOUNT_ID) => return None,
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| with_account(item, account_id))
                .collect::<Option<_>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| Some((text(k), with_account(v, account_id)?)))
                .collect::<Option<_>>()?,
        ),
        other => other.clone(),
    })
}

impl SampleEvent {
    /// Whether this is a VPC flow log record.
    pub fn is_flow_log(&self) -> bool {
        self.record.get(FLOW_LOG_RECORD).is_some()
    }

    /// The record as it is logged for `account_id`: a CloudTrail record
    /// as JSON, a flow log record as the text line a flow log of
    /// `flow_log_format` writes (the default format when `None`).
    /// The sample record as written (for [`SAMPLE_ACCOUNT_ID`] or an empty
    /// id) is borrowed, not copied.
    pub fn logged(
        &self,
        account_id: &str,
        flow_log_format: Option<&str>,
    ) -> std::borrow::Cow<'_, Value> {
        use std::borrow::Cow;
        let record = if account_id == SAMPLE_ACCOUNT_ID || account_id.is_empty() {
            Cow::Borrowed(&self.record)
        } else {
            Cow::Owned(self.record_for(account_id))
        };
        match record.get(FLOW_LOG_RECORD) {
            Some(fields) => Cow::Owned(Value::String(render_flow_record(
                fields,
                flow_log_format.unwrap_or(DEFAULT_FLOW_LOG_FORMAT),
            ))),
            None => record,
        }
    }
}

/// The key of a sample flow log record's fields.
const FLOW_LOG_RECORD: &str = "flowLogRecord";

/// The default flow log record format (Amazon VPC User Guide, "Flow log
/// records": version 2 fields).
pub const DEFAULT_FLOW_LOG_FORMAT: &str = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}";

/// A flow log record's fields written in `format`: each `${field}` becomes
/// the field's value, `-` when the record has none (as VPC writes a field
/// that does not apply); other text is kept.
pub fn render_flow_record(fields: &Value, format: &str) -> String {
    format
        .split_whitespace()
        .map(
            |token| match token.strip_prefix("${").and_then(|t| t.strip_suffix('}')) {
                Some(name) => match fields.get(name) {
                    Some(Value::String(s)) => s.clone(),
                    Some(Value::Null) | None => "-".to_owned(),
                    Some(other) => other.to_string(),
                },
                None => token.to_owned(),
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// A positional flow log pattern written for the default format
/// (`[version, account_id, ..., action = "REJECT", log_status]`) moved to
/// `format`: each field of `format` gets the condition the pattern puts on
/// the same field of the default format, and its own name (`-` as `_`).
/// `None` when the pattern is not a bracketed list of as many fields as
/// the default format, or `format` has text outside `${...}`.
pub fn flow_pattern_for(pattern: &str, format: &str) -> Option<String> {
    let inner = pattern.trim().strip_prefix('[')?.strip_suffix(']')?;
    let conditions: Vec<&str> = inner.split(',').map(str::trim).collect();
    let default: Vec<&str> = DEFAULT_FLOW_LOG_FORMAT.split_whitespace().collect();
    // A comma inside quotes would have split a condition: give up.
    if conditions.len() != default.len()
        || conditions.iter().any(|c| c.matches('"').count() % 2 == 1)
    {
        return None;
    }
    let name = |token: &str| -> Option<String> {
        let field = token.strip_prefix("${")?.strip_suffix('}')?;
        Some(field.to_owned())
    };
    // A condition on a field the format does not write would be dropped,
    // and the filter would count every record.
    let written: Vec<String> = format.split_whitespace().filter_map(name).collect();
    let dropped = default.iter().zip(&conditions).any(|(field, condition)| {
        condition.contains(['=', '!', '<', '>'])
            && name(field).is_some_and(|f| !written.contains(&f))
    });
    if dropped {
        return None;
    }
    let fields = format
        .split_whitespace()
        .map(|token| {
            let field = name(token)?;
            let condition = default
                .iter()
                .position(|d| name(d).as_deref() == Some(field.as_str()))
                .and_then(|i| {
                    let c = conditions[i];
                    c.find(|ch: char| "=!<>".contains(ch)).map(|at| &c[at..])
                });
            let label = field.replace('-', "_");
            Some(match condition {
                Some(condition) => format!("{label} {condition}"),
                None => label,
            })
        })
        .collect::<Option<Vec<String>>>()?;
    Some(format!("[{}]", fields.join(", ")))
}

/// The filter-pattern event of a logged record: a text line for flow
/// logs, JSON for CloudTrail.
pub fn as_event(record: &Value) -> filter_pattern::Event<'_> {
    match record {
        Value::String(line) => filter_pattern::Event::Text(line),
        other => filter_pattern::Event::Json(other),
    }
}

/// Events by name.
pub type Events = BTreeMap<String, Arc<SampleEvent>>;

/// Where a monitor's events are logged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// CloudTrail records, through a trail's log group (`scope: account`).
    CloudTrail,
    /// VPC flow log records, through the log group a VPC's flow log
    /// delivers to (`scope: vpc`).
    VpcFlowLogs,
}

/// What a metric-filter alarm check monitors.
#[derive(Debug, Clone, PartialEq)]
pub struct Monitor {
    pub source: Source,
    /// The recommended filter pattern, shown in remediation.
    pub pattern: String,
    /// The metric name and namespace the remediation creates.
    pub metric_name: String,
    pub metric_namespace: String,
    pub must_match: Vec<Arc<SampleEvent>>,
    pub must_not_match: Vec<Arc<SampleEvent>>,
    /// `must_match` events that another check's recommended pattern may
    /// also match, on purpose (one event that belongs to two classes).
    pub shared: Vec<String>,
}

/// The namespace remediation commands use unless a check names another.
pub const DEFAULT_NAMESPACE: &str = "CloudTrailMetrics";

/// `monitor` as written in a check file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMonitor {
    /// `cloudtrail` (the default) or `vpc_flow_logs`.
    #[serde(default)]
    source: Option<Spanned<String>>,
    pattern: Spanned<String>,
    metric: String,
    #[serde(default)]
    namespace: Option<String>,
    must_match: Vec<Spanned<String>>,
    #[serde(default)]
    must_not_match: Vec<Spanned<String>>,
    /// Events of `must_match` that another check's pattern may match too.
    #[serde(default)]
    shared: Vec<Spanned<String>>,
}

impl RawMonitor {
    /// The source as written: CloudTrail when none is; `None` for an
    /// unknown one, which [`compile`] reports.
    pub(super) fn source(&self) -> Option<Source> {
        match self.source.as_ref().map(|s| s.value.as_str()) {
            None | Some("cloudtrail") => Some(Source::CloudTrail),
            Some("vpc_flow_logs") => Some(Source::VpcFlowLogs),
            Some(_) => None,
        }
    }
}

/// Parses one event file; problems carry the JSON line and column.
pub fn load_event(path: &Path, text: &str) -> Result<SampleEvent, Diagnostic> {
    let record: Value = serde_json::from_str(text)
        .map_err(|e| Diagnostic::from_json(path, text, &e, "invalid JSON in sample event: "))?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let field = |key: &str| record.get(key).and_then(Value::as_str);
    // A VPC flow log record: its fields by their format names.
    if let Some(fields) = record.get(FLOW_LOG_RECORD) {
        let Some(map) = fields.as_object() else {
            return Err(Diagnostic::at(
                path,
                text,
                1,
                1,
                None,
                "`flowLogRecord` must be an object of flow log fields (`action`, `dstport`, ...)",
            ));
        };
        let shown: Vec<String> = ["action", "protocol", "dstport", "log-status"]
            .iter()
            .filter_map(|k| {
                map.get(*k).map(|v| {
                    format!(
                        "{k}={}",
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                    )
                })
            })
            .collect();
        return Ok(SampleEvent {
            summary: format!("flow log record: {}", shown.join(", ")),
            event_source: "vpc-flow-logs".to_owned(),
            name,
            record,
            read_only: false,
        });
    }
    // An EventBridge event (a GuardDuty finding as rules see it).
    if let (Some(detail_type), Some(source)) = (field("detail-type"), field("source")) {
        let detail = record.get("detail");
        let kind = detail
            .and_then(|d| d.get("type"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let severity = detail
            .and_then(|d| d.get("severity"))
            .and_then(Value::as_f64);
        let mut fields = vec![format!("source={source}")];
        if !kind.is_empty() {
            fields.push(format!("detail.type={kind}"));
        }
        if let Some(severity) = severity {
            fields.push(format!("detail.severity={severity}"));
        }
        let summary = format!("{detail_type}: {}", fields.join(", "));
        return Ok(SampleEvent {
            summary,
            event_source: source.to_owned(),
            name,
            record,
            read_only: false,
        });
    }
    let (Some(event_name), Some(event_source)) = (field("eventName"), field("eventSource")) else {
        return Err(Diagnostic::at(
            path,
            text,
            1,
            1,
            None,
            "a sample event must be a CloudTrail record (`eventName`, `eventSource`) or an EventBridge event (`detail-type`, `source`)",
        ));
    };
    let read_only = record
        .get("readOnly")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(SampleEvent {
        summary: summarize(&record, event_name),
        event_source: event_source.to_owned(),
        name,
        record,
        read_only,
    })
}

/// "ConsoleLogin: userIdentity.type=IAMUser, MFAUsed=No, ConsoleLogin=Success"
/// and the like: the record's distinguishing fields by their CloudTrail
/// names, the same in every report language.
fn summarize(record: &Value, event_name: &str) -> String {
    let text = |path: &[&str]| -> Option<&str> {
        path.iter()
            .try_fold(record, |v, key| v.get(key))
            .and_then(Value::as_str)
    };
    let mut fields = Vec::new();
    for (label, path) in [
        ("userIdentity.type", &["userIdentity", "type"][..]),
        ("invokedBy", &["userIdentity", "invokedBy"][..]),
        ("eventType", &["eventType"][..]),
        ("MFAUsed", &["additionalEventData", "MFAUsed"][..]),
        ("ConsoleLogin", &["responseElements", "ConsoleLogin"][..]),
        ("errorCode", &["errorCode"][..]),
    ] {
        match text(path) {
            Some("AwsApiCall") if label == "eventType" => {}
            Some(value) => fields.push(format!("{label}={value}")),
            None => {}
        }
    }
    if fields.is_empty() {
        event_name.to_owned()
    } else {
        format!("{event_name}: {}", fields.join(", "))
    }
}

/// Resolves and validates a check's `monitor`; problems are pushed as
/// (value, message) pairs for the caller to place.
pub(super) fn compile(
    raw: &RawMonitor,
    events: &Events,
    problems: &mut Vec<(Spanned<String>, String)>,
) -> Option<Monitor> {
    let before = problems.len();
    let source = match (raw.source(), &raw.source) {
        (Some(source), _) => source,
        (None, Some(value)) => {
            problems.push((
                value.clone(),
                format!(
                    "unknown `monitor.source` `{}` (cloudtrail, vpc_flow_logs)",
                    value.value
                ),
            ));
            Source::CloudTrail
        }
        (None, None) => Source::CloudTrail,
    };
    let mut resolve = |names: &[Spanned<String>], list: &str| -> Vec<Arc<SampleEvent>> {
        names
            .iter()
            .filter_map(|name| match events.get(&name.value) {
                Some(event) if event.is_flow_log() != (source == Source::VpcFlowLogs) => {
                    problems.push((
                        name.clone(),
                        format!(
                            "sample event `{}` is {} record, but the monitor's source is {}",
                            name.value,
                            if event.is_flow_log() { "a flow log" } else { "not a flow log" },
                            if source == Source::VpcFlowLogs { "vpc_flow_logs" } else { "cloudtrail" }
                        ),
                    ));
                    None
                }
                Some(event) => Some(event.clone()),
                None => {
                    problems.push((
                        name.clone(),
                        format!(
                            "unknown sample event `{}` in `monitor.{list}`; events are the files of checks/events/ without `.json`{}",
                            name.value,
                            closest(&name.value, events)
                                .map(|c| format!(" (did you mean `{c}`?)"))
                                .unwrap_or_default()
                        ),
                    ));
                    None
                }
            })
            .collect()
    };
    let must_match = resolve(&raw.must_match, "must_match");
    let must_not_match = resolve(&raw.must_not_match, "must_not_match");
    for name in &raw.shared {
        if !raw.must_match.iter().any(|m| m.value == name.value) {
            problems.push((
                name.clone(),
                format!(
                    "`monitor.shared` names `{}`, which is not in `must_match`",
                    name.value
                ),
            ));
        }
    }
    if raw.must_match.is_empty() {
        problems.push((
            raw.pattern.clone(),
            "`monitor.must_match` must name at least one event".into(),
        ));
    }
    match filter_pattern::parse(&raw.pattern.value) {
        Err(e) => problems.push((
            raw.pattern.clone(),
            format!(
                "invalid filter pattern in `monitor.pattern` at character {}: {}",
                e.column(),
                e.message
            ),
        )),
        Ok(pattern) => {
            for event in &must_match {
                if !pattern.matches(&as_event(&event.logged("", None))) {
                    problems.push((
                        raw.pattern.clone(),
                        format!(
                            "`monitor.pattern` does not match must_match event `{}` ({})",
                            event.name, event.summary
                        ),
                    ));
                }
            }
            for event in &must_not_match {
                if pattern.matches(&as_event(&event.logged("", None))) {
                    problems.push((
                        raw.pattern.clone(),
                        format!(
                            "`monitor.pattern` matches must_not_match event `{}` ({})",
                            event.name, event.summary
                        ),
                    ));
                }
            }
        }
    }
    (problems.len() == before).then(|| Monitor {
        source,
        pattern: raw.pattern.value.trim().to_owned(),
        metric_name: raw.metric.clone(),
        metric_namespace: raw
            .namespace
            .clone()
            .unwrap_or_else(|| DEFAULT_NAMESPACE.into()),
        must_match,
        must_not_match,
        shared: raw.shared.iter().map(|s| s.value.clone()).collect(),
    })
}

/// The known event name sharing the longest prefix with `name`.
fn closest<'e>(name: &str, events: &'e Events) -> Option<&'e str> {
    events
        .keys()
        .map(|k| {
            let common = k.chars().zip(name.chars()).take_while(|(a, b)| a == b);
            (common.count(), k.as_str())
        })
        .filter(|(n, _)| *n >= 4)
        .max_by_key(|(n, _)| *n)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::{render_flow_record, DEFAULT_FLOW_LOG_FORMAT};
    use serde_json::json;

    #[test]
    fn flow_records_are_written_in_the_flow_logs_format() {
        let fields = json!({"version": "2", "account-id": "111122223333", "action": "REJECT",
            "dstport": "22", "vpc-id": "vpc-1", "packets": 1});
        assert_eq!(
            render_flow_record(&fields, DEFAULT_FLOW_LOG_FORMAT),
            "2 111122223333 - - - - 22 - 1 - - - REJECT -"
        );
        assert_eq!(
            render_flow_record(&fields, "${vpc-id} ${action} ${dstport}"),
            "vpc-1 REJECT 22"
        );
        // Text outside `${...}` is written as it is.
        assert_eq!(render_flow_record(&fields, "x ${action}"), "x REJECT");
    }

    /// The record of every shipped sample event is what printing it,
    /// replacing the sample account id in the text and parsing it again
    /// gives, for ordinary ids and for one with a leading zero.
    #[test]
    fn a_record_for_an_account_is_the_textual_replacement() {
        let textual = |event: &super::SampleEvent, account: &str| -> serde_json::Value {
            let text = event
                .record
                .to_string()
                .replace(super::SAMPLE_ACCOUNT_ID, account);
            serde_json::from_str(&text).unwrap_or_else(|_| event.record.clone())
        };
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("checks/events");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("checks/events") {
            let path = entry.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("readable");
            let event = super::load_event(&path, &text).expect("a sample event");
            for account in ["900000000995", "012345678901", super::SAMPLE_ACCOUNT_ID] {
                let record = event.record_for(account);
                assert_eq!(record, textual(&event, account), "{}", path.display());
                // Same order of keys, too: reports print records.
                assert_eq!(record.to_string(), textual(&event, account).to_string());
            }
            seen += 1;
        }
        assert!(seen > 20, "only {seen} sample events");
        // A number holding the sample id keeps the textual rule.
        let number = super::SampleEvent {
            name: "n".into(),
            record: json!({"a": 111122223333_u64, "b": "111122223333"}),
            summary: String::new(),
            event_source: String::new(),
            read_only: false,
        };
        assert_eq!(
            number.record_for("900000000995"),
            json!({"a": 900000000995_u64, "b": "900000000995"})
        );
        assert_eq!(number.record_for("012345678901"), number.record);
    }

    #[test]
    fn a_default_format_pattern_moves_to_a_custom_format() {
        use crate::filter_pattern::{parse, Event};
        let pattern = "[version, account_id, interface_id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, start, end, action = \"REJECT\", log_status]";
        let custom = "${vpc-id} ${action} ${dstport} ${log-status}";
        let moved = super::flow_pattern_for(pattern, custom).expect("moved");
        assert_eq!(moved, "[vpc_id, action = \"REJECT\", dstport, log_status]");
        let parsed = parse(&moved).expect("parses");
        let reject =
            json!({"action": "REJECT", "dstport": "22", "vpc-id": "vpc-1", "log-status": "OK"});
        let accept =
            json!({"action": "ACCEPT", "dstport": "22", "vpc-id": "vpc-1", "log-status": "OK"});
        assert!(parsed.matches(&Event::Text(&render_flow_record(&reject, custom))));
        assert!(!parsed.matches(&Event::Text(&render_flow_record(&accept, custom))));
        assert_eq!(super::flow_pattern_for("{ $.a = 1 }", custom), None);
        // A format without `${action}` cannot carry the REJECT condition.
        assert_eq!(
            super::flow_pattern_for(pattern, "${vpc-id} ${dstport}"),
            None
        );
    }
}
