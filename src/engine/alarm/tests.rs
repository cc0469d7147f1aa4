use super::*;
use serde_json::json;

/// `0` within the threshold, `X` breaching, `-` missing; oldest first.
fn window(text: &str) -> Vec<Option<bool>> {
    text.split_whitespace()
        .map(|c| match c {
            "X" => Some(true),
            "0" => Some(false),
            _ => None,
        })
        .collect()
}

/// The two tables of the CloudWatch User Guide ("How alarm state is
/// evaluated when data is missing"), evaluation range 5.
#[test]
fn the_user_guides_tables() {
    use State::*;
    let tables: &[(usize, usize, &str, [State; 4])] = &[
        (3, 3, "0 - X - X", [Ok, Ok, Ok, Ok]),
        (3, 3, "0 - - - -", [Ok, Ok, Ok, Ok]),
        (3, 3, "- - - - -", [Insufficient, Retain, Alarm, Ok]),
        (3, 3, "0 X X - X", [Alarm, Alarm, Alarm, Alarm]),
        (3, 3, "- - X - -", [Alarm, Retain, Alarm, Ok]),
        (3, 2, "0 - X - X", [Alarm, Alarm, Alarm, Alarm]),
        (3, 2, "0 0 X 0 X", [Alarm, Alarm, Alarm, Alarm]),
        (3, 2, "0 - X - -", [Ok, Ok, Alarm, Ok]),
        (3, 2, "- - - - 0", [Ok, Ok, Alarm, Ok]),
        (3, 2, "- - - X -", [Alarm, Retain, Alarm, Ok]),
    ];
    for (n, m, data, expected) in tables {
        let treatments = [
            MissingData::Missing,
            MissingData::Ignore,
            MissingData::Breaching,
            MissingData::NotBreaching,
        ];
        for (treatment, want) in treatments.into_iter().zip(expected) {
            assert_eq!(
                evaluate(&window(data), *n, *m, treatment),
                *want,
                "{m} of {n}, {data}, {treatment:?}"
            );
        }
    }
    // Premature transitions are avoided: - - - - X and - - - X - do not
    // alarm a 3 of 3 alarm.
    assert_eq!(
        evaluate(&window("- - - - X"), 3, 3, MissingData::Missing),
        Insufficient
    );
    assert_eq!(
        evaluate(&window("- - - X -"), 3, 3, MissingData::Missing),
        Insufficient
    );
}

fn alarm(n: u32, m: Option<u32>, missing: Option<&str>) -> MetricAlarm {
    MetricAlarm {
        name: "a".into(),
        namespace: Some("CloudTrailMetrics".into()),
        metric_name: Some("RootAccountUsage".into()),
        statistic: Some("Sum".into()),
        period: Some(300),
        evaluation_periods: Some(n),
        datapoints_to_alarm: m,
        treat_missing_data: missing.map(str::to_owned),
        threshold: Some(1.0),
        comparison_operator: Some("GreaterThanOrEqualToThreshold".into()),
        actions_enabled: true,
        ..Default::default()
    }
}

fn filter_metric(default: Option<f64>) -> MetricTransformation {
    MetricTransformation {
        metric_name: "RootAccountUsage".into(),
        metric_namespace: "CloudTrailMetrics".into(),
        metric_value: "1".into(),
        default_value: default,
        ..Default::default()
    }
}

fn fires(alarm: &MetricAlarm, default: Option<f64>) -> Firing {
    one_event(alarm, &filter_metric(default), &json!({}), None, english())
}

#[test]
fn one_event_and_missing_data() {
    // 1 of 1: fires with every treatment but breaching, where the alarm
    // sits in ALARM without events.
    for missing in [None, Some("missing"), Some("ignore"), Some("notBreaching")] {
        assert_eq!(
            fires(&alarm(1, None, missing), None),
            Firing::Fires,
            "{missing:?}"
        );
    }
    assert!(
        matches!(fires(&alarm(1, None, Some("breaching")), None), Firing::Never(why) if why.contains("already in ALARM"))
    );
    // 3 of 3, not breaching: never (../shared/cases/verdicts/alarm-m-of-n-notbreaching.yaml).
    assert!(matches!(
        fires(&alarm(3, None, Some("notBreaching")), None),
        Firing::Never(_)
    ));
    // 3 of 3, missing: the premature-transition rule makes it fire two
    // periods later.
    assert_eq!(fires(&alarm(3, None, None), None), Firing::Fires);
    assert!(matches!(
        fires(&alarm(3, Some(2), Some("ignore")), None),
        Firing::Never(_)
    ));
    // With a default value the other periods hold real, good datapoints:
    // only 1 of N fires.
    assert!(matches!(
        fires(&alarm(3, None, None), Some(0.0)),
        Firing::Never(_)
    ));
    assert_eq!(fires(&alarm(3, Some(1), None), Some(0.0)), Firing::Fires);
    assert_eq!(
        fires(&alarm(5, Some(1), Some("breaching")), Some(0.0)),
        Firing::Fires
    );
    // A threshold one event cannot reach.
    let mut high = alarm(1, None, None);
    high.threshold = Some(5.0);
    assert!(matches!(fires(&high, None), Firing::Never(_)));
    // Anomaly detection: not decidable.
    let mut band = alarm(1, None, None);
    band.comparison_operator = Some("GreaterThanUpperThreshold".into());
    band.threshold_metric_id = Some("ad1".into());
    assert!(matches!(fires(&band, None), Firing::Unknown(_)));
    // Average diluted by the default value of other events: not decidable.
    let mut average = alarm(1, None, None);
    average.statistic = Some("Average".into());
    assert!(matches!(fires(&average, Some(0.0)), Firing::Unknown(_)));
}

fn math(expression: &str, n: u32, missing: Option<&str>) -> MetricAlarm {
    MetricAlarm {
        namespace: None,
        metric_name: None,
        statistic: None,
        metrics: vec![
            MetricDataQuery {
                id: "m1".into(),
                return_data: Some(false),
                metric_stat: Some(crate::model::MetricStat {
                    metric: crate::model::MetricRef {
                        namespace: "CloudTrailMetrics".into(),
                        metric_name: "RootAccountUsage".into(),
                        dimensions: BTreeMap::new(),
                    },
                    period: Some(300),
                    stat: "Sum".into(),
                    unit: None,
                }),
                ..Default::default()
            },
            MetricDataQuery {
                id: "e1".into(),
                expression: Some(expression.into()),
                return_data: Some(true),
                ..Default::default()
            },
        ],
        ..alarm(n, None, missing)
    }
}

#[test]
fn metric_math_alarms() {
    let run = |expression: &str, n: u32, missing: Option<&str>| {
        let alarm = math(expression, n, missing);
        let query = query_reading(
            &alarm,
            "CloudTrailMetrics",
            "RootAccountUsage",
            &BTreeMap::new(),
        );
        assert_eq!(query.as_deref(), Some("m1"));
        one_event(
            &alarm,
            &filter_metric(None),
            &json!({}),
            query.as_deref(),
            english(),
        )
    };
    // ../shared/cases/verdicts/alarm-metric-math.yaml
    assert_eq!(run("FILL(m1, 0)", 1, None), Firing::Fires);
    assert_eq!(run("m1 * 2", 1, None), Firing::Fires);
    assert_eq!(run("IF(m1 > 0, 1, 0)", 1, None), Firing::Fires);
    assert_eq!(run("SUM([m1, FILL(m1, 0)])", 1, None), Firing::Fires);
    assert!(matches!(run("m1 - 5", 1, None), Firing::Never(_)));
    // FILL with 0 gives real, good datapoints around the event: 3 of 3
    // never fires.
    assert!(matches!(run("FILL(m1, 0)", 3, None), Firing::Never(_)));
    // Filled with a breaching value, it is always in ALARM.
    assert!(
        matches!(run("FILL(m1, 1)", 1, None), Firing::Never(why) if why.contains("already in ALARM"))
    );
    assert!(matches!(run("RATE(m1)", 1, None), Firing::Unknown(why) if why.contains("RATE")));
    assert!(matches!(run("FILL(m1", 1, None), Firing::Unknown(_)));
}

fn english() -> &'static crate::i18n::Texts {
    crate::i18n::english()
}
