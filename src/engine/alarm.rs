//! CloudWatch metric alarms judged as CloudWatch evaluates them, for the
//! question the alarm checks ask: *does one matching event notify someone?*
//!
//! A metric filter publishes its metric only when a log event matches (or,
//! with a default value, on every log event of the log group: CloudTrail's
//! log group receives events all the time, so every period then has a
//! datapoint). One matching event therefore gives the filter's metric one
//! breaching datapoint in one period, and the other periods hold nothing
//! (no default value) or the default value.
//!
//! The alarm is simulated period by period while that datapoint is in its
//! evaluation range, by the rules of the CloudWatch User Guide ("Using
//! Amazon CloudWatch alarms": Evaluation Periods, Datapoints to Alarm, how
//! alarm state is evaluated when data is missing, avoiding premature
//! transitions to alarm state):
//!
//! * the evaluation range is the last `N + 2` periods (N = Evaluation
//!   Periods; the guide's examples retrieve 5 for N = 3);
//! * with at least N real datapoints in the range, the most recent N are
//!   evaluated: ALARM when at least M (Datapoints to Alarm) breach;
//! * with fewer, every real datapoint counts and the missing ones are
//!   filled by `TreatMissingData`: `breaching` as breaching, `notBreaching`
//!   as not; `missing` and `ignore` leave them out (with no real datapoint
//!   at all, `missing` gives INSUFFICIENT_DATA and `ignore` keeps the
//!   state); with `missing`, ALARM also when the oldest breaching datapoint
//!   of the last N is at least M periods old, every later one is breaching
//!   or missing, and no real datapoint of the range is within the threshold.
//!
//! Alarm actions run on a change of state, so one event notifies only when
//! the alarm is *not* in ALARM without events and *is* in ALARM at some
//! period after the event: an alarm that treats missing data as breaching
//! on a metric that is usually absent sits in ALARM and stays silent.
//!
//! Alarms on metric-math expressions are evaluated on the same periods:
//! the expression is computed over the series (`FILL`, `IF`, `SUM`, `MAX`,
//! `MIN`, `AVG`, arithmetic and comparisons); an expression or function it
//! cannot compute, and anomaly detection bands (their thresholds are learnt
//! from history), make the answer unknown, never yes.

use crate::i18n::Texts;
use crate::model::{MetricAlarm, MetricDataQuery, MetricTransformation};
use std::collections::BTreeMap;

/// Whether one matching event makes an alarm notify.
#[derive(Debug, Clone, PartialEq)]
pub enum Firing {
    Fires,
    /// It does not, and why.
    Never(String),
    /// It cannot be decided from the configuration, and why.
    Unknown(String),
}

/// Periods the alarm is followed for after the event.
fn range(evaluation_periods: usize) -> usize {
    evaluation_periods + 2
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Ok,
    Alarm,
    Insufficient,
    /// `ignore` with nothing to evaluate: the state before.
    Retain,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MissingData {
    Missing,
    Ignore,
    Breaching,
    NotBreaching,
}

fn missing_treatment(alarm: &MetricAlarm, t: &Texts) -> Result<MissingData, String> {
    match alarm.treat_missing_data.as_deref() {
        None | Some("missing") => Ok(MissingData::Missing),
        Some("ignore") => Ok(MissingData::Ignore),
        Some("breaching") => Ok(MissingData::Breaching),
        Some("notBreaching") => Ok(MissingData::NotBreaching),
        Some(other) => Err(t.format("alarm-unknown-treatment", &[("value", other.into())])),
    }
}

/// The state after evaluating `window` (oldest first, `Some(breaching)`
/// for a real datapoint), per the rules in the module documentation.
fn evaluate(window: &[Option<bool>], n: usize, m: usize, missing: MissingData) -> State {
    let real: Vec<bool> = window.iter().flatten().copied().collect();
    if real.len() >= n {
        let recent = &real[real.len() - n..];
        return if recent.iter().filter(|b| **b).count() >= m {
            State::Alarm
        } else {
            State::Ok
        };
    }
    let breaching = real.iter().filter(|b| **b).count();
    match missing {
        MissingData::Breaching => {
            if breaching + (n - real.len()) >= m {
                State::Alarm
            } else {
                State::Ok
            }
        }
        MissingData::NotBreaching => {
            if breaching >= m {
                State::Alarm
            } else {
                State::Ok
            }
        }
        MissingData::Ignore | MissingData::Missing => {
            if real.is_empty() {
                return if missing == MissingData::Ignore {
                    State::Retain
                } else {
                    State::Insufficient
                };
            }
            if breaching >= m {
                return State::Alarm;
            }
            if missing == MissingData::Missing && real.iter().all(|b| *b) {
                // Premature-transition rule: the oldest breaching point of
                // the last N is at least M periods old and every later
                // point is breaching or missing (the guide's examples show
                // it only where no real point of the range is within the
                // threshold).
                let last = &window[window.len().saturating_sub(n)..];
                if let Some(oldest) = last.iter().position(|p| *p == Some(true)) {
                    let age = last.len() - oldest;
                    let later_ok = last[oldest..].iter().all(|p| *p != Some(false));
                    if age >= m && later_ok {
                        return State::Alarm;
                    }
                }
            }
            if real.iter().any(|b| !b) {
                State::Ok
            } else if missing == MissingData::Ignore {
                State::Retain
            } else {
                State::Insufficient
            }
        }
    }
}

/// A series of values, one per period, oldest first (`None`: no datapoint).
type Series = Vec<Option<f64>>;

/// Whether a value breaches the alarm's threshold.
fn breaches(alarm: &MetricAlarm, value: f64, t: &Texts) -> Result<bool, String> {
    let threshold = alarm.threshold.ok_or_else(|| t.get("alarm-no-threshold"))?;
    match alarm.comparison_operator.as_deref() {
        Some("GreaterThanOrEqualToThreshold") => Ok(value >= threshold),
        Some("GreaterThanThreshold") => Ok(value > threshold),
        Some("LessThanThreshold") => Ok(value < threshold),
        Some("LessThanOrEqualToThreshold") => Ok(value <= threshold),
        Some(
            op @ ("LessThanLowerOrGreaterThanUpperThreshold"
            | "GreaterThanUpperThreshold"
            | "LessThanLowerThreshold"),
        ) => Err(t.format("alarm-anomaly-operator", &[("operator", op.into())])),
        Some(other) => Err(t.format("alarm-unknown-operator", &[("operator", other.into())])),
        None => Err(t.get("alarm-no-operator")),
    }
}

/// The datapoint a period holds for a statistic, given the event's value
/// and, with a default value, the other events' values that period.
fn datapoint(stat: &str, value: f64, default: Option<f64>, t: &Texts) -> Result<f64, String> {
    match (stat, default) {
        ("SampleCount", _) => Ok(1.0),
        ("Sum", Some(0.0)) => Ok(value),
        ("Sum" | "Maximum" | "Minimum" | "Average", None) => Ok(value),
        ("Maximum", Some(d)) => Ok(value.max(d)),
        ("Minimum", Some(d)) => Ok(value.min(d)),
        (stat, Some(d)) => Err(t.format(
            "alarm-default-value",
            &[("default", d.into()), ("stat", stat.into())],
        )),
        (stat, None)
            if stat.starts_with('p') || stat.starts_with("tm") || stat.starts_with("wm") =>
        {
            // One sample: every percentile of one value is the value.
            Ok(value)
        }
        (stat, None) => Err(t.format("alarm-unknown-statistic", &[("stat", stat.into())])),
    }
}

/// The value a metric filter publishes for the event, if it publishes one.
pub fn published_value(metric: &MetricTransformation, record: &serde_json::Value) -> Option<f64> {
    let value = metric.metric_value.trim();
    if value.starts_with('$') {
        crate::filter_pattern::parse_selector(value)
            .ok()?
            .resolve(record)
            .and_then(|v| {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            })
    } else {
        value.parse::<f64>().ok()
    }
}

/// The filter metric's series: quiet (no matching event) and with the
/// event in period `at`, over `length` periods.
fn metric_series(event: f64, default: Option<f64>, at: usize, length: usize) -> (Series, Series) {
    let quiet: Series = vec![default; length];
    let mut with_event = quiet.clone();
    with_event[at] = Some(event);
    (quiet, with_event)
}

/// Judges whether one event matched by `metric`'s filter (`record`) makes
/// `alarm` notify. `watched_query` is the id of the alarm's query that
/// reads the filter's metric, for an alarm on metric math.
///
/// Reasons are written in the language of `t`.
pub fn one_event(
    alarm: &MetricAlarm,
    metric: &MetricTransformation,
    record: &serde_json::Value,
    watched_query: Option<&str>,
    t: &Texts,
) -> Firing {
    match judge(alarm, metric, record, watched_query, t) {
        Ok(None) => Firing::Fires,
        Ok(Some(why)) => Firing::Never(why),
        Err(why) => Firing::Unknown(why),
    }
}

fn judge(
    alarm: &MetricAlarm,
    metric: &MetricTransformation,
    record: &serde_json::Value,
    watched_query: Option<&str>,
    t: &Texts,
) -> Result<Option<String>, String> {
    if let Some(band) = &alarm.threshold_metric_id {
        return Err(t.format("alarm-anomaly-band", &[("band", band.as_str().into())]));
    }
    let missing = missing_treatment(alarm, t)?;
    let n = alarm.evaluation_periods.unwrap_or(1).max(1) as usize;
    let m = alarm
        .datapoints_to_alarm
        .map_or(n, |m| m as usize)
        .clamp(1, n);
    let Some(value) = published_value(metric, record) else {
        return Ok(Some(t.format(
            "alarm-no-value",
            &[("value", metric.metric_value.as_str().into())],
        )));
    };
    let range = range(n);
    let length = 2 * range;
    let at = range;
    // The series the alarm evaluates, quiet and with the event.
    let (quiet, with_event, stat_text) = match watched_query {
        None => {
            let stat = alarm
                .statistic
                .clone()
                .or_else(|| alarm.extended_statistic.clone())
                .unwrap_or_else(|| "Sum".into());
            let point = datapoint(&stat, value, metric.default_value, t)?;
            let (quiet, with_event) = metric_series(point, metric.default_value, at, length);
            (quiet, with_event, stat)
        }
        Some(id) => {
            let query = alarm
                .metrics
                .iter()
                .find(|q| q.id == id)
                .ok_or_else(|| t.format("alarm-no-query", &[("query", id.into())]))?;
            let stat = query
                .metric_stat
                .as_ref()
                .map(|s| s.stat.clone())
                .unwrap_or_else(|| "Sum".into());
            let point = datapoint(&stat, value, metric.default_value, t)?;
            let (quiet_metric, event_metric) =
                metric_series(point, metric.default_value, at, length);
            let quiet = math_result(alarm, id, &quiet_metric, t)?;
            let with_event = math_result(alarm, id, &event_metric, t)?;
            (
                quiet,
                with_event,
                t.format("alarm-expression-over", &[("stat", stat.as_str().into())]),
            )
        }
    };
    let to_points = |series: &Series| -> Result<Vec<Option<bool>>, String> {
        series
            .iter()
            .map(|v| v.map(|v| breaches(alarm, v, t)).transpose())
            .collect()
    };
    let (quiet, with_event) = (to_points(&quiet)?, to_points(&with_event)?);
    let state_at = |points: &[Option<bool>], t: usize| -> State {
        let from = (t + 1).saturating_sub(range);
        evaluate(&points[from..=t], n, m, missing)
    };
    let quiet_state = state_at(&quiet, length - 1);
    let missing_text = alarm.treat_missing_data.as_deref().unwrap_or("missing");
    if quiet_state == State::Alarm {
        return Ok(Some(t.format(
            "alarm-already-in-alarm",
            &[
                ("rule", describe(alarm, n, m, t).into()),
                ("missing", missing_text.into()),
            ],
        )));
    }
    let fires = (at..length).any(|t| state_at(&with_event, t) == State::Alarm);
    if fires {
        Ok(None)
    } else {
        Ok(Some(t.format(
            "alarm-needs-more",
            &[
                ("stat", stat_text.into()),
                ("value", value.to_string().into()),
                ("rule", describe(alarm, n, m, t).into()),
                ("missing", missing_text.into()),
            ],
        )))
    }
}

fn describe(alarm: &MetricAlarm, n: usize, m: usize, t: &Texts) -> String {
    t.format(
        "alarm-rule",
        &[
            ("m", m.into()),
            ("n", n.into()),
            (
                "operator",
                alarm.comparison_operator.as_deref().unwrap_or("?").into(),
            ),
            (
                "threshold",
                alarm.threshold.map_or("?".into(), |t| t.to_string()).into(),
            ),
        ],
    )
}

/// The series of the query the alarm evaluates (the one that returns
/// data), with `watched` reading `series`.
fn math_result(
    alarm: &MetricAlarm,
    watched: &str,
    series: &Series,
    t: &Texts,
) -> Result<Series, String> {
    let returned: Vec<&MetricDataQuery> = alarm
        .metrics
        .iter()
        .filter(|q| q.return_data.unwrap_or(true))
        .collect();
    let [result] = returned.as_slice() else {
        return Err(t.format(
            "alarm-queries-returning",
            &[("count", returned.len().into())],
        ));
    };
    let mut env = Env {
        alarm,
        watched,
        series,
        depth: 0,
    };
    env.query(result)
}

struct Env<'a> {
    alarm: &'a MetricAlarm,
    watched: &'a str,
    series: &'a Series,
    depth: usize,
}

/// A value in an expression: a series or a list of series.
#[derive(Debug, Clone)]
enum Val {
    Series(Series),
    Scalar(f64),
    List(Vec<Series>),
}

impl Env<'_> {
    fn query(&mut self, query: &MetricDataQuery) -> Result<Series, String> {
        self.depth += 1;
        if self.depth > 16 {
            return Err("its expressions refer to each other too deeply".into());
        }
        let result = if query.id == self.watched {
            Ok(self.series.clone())
        } else if let Some(expression) = &query.expression {
            let tokens = tokenize(expression)?;
            let mut parser = Parser { tokens, pos: 0 };
            let tree = parser.expression()?;
            if parser.pos < parser.tokens.len() {
                return Err(format!("cannot read expression `{expression}`"));
            }
            match self.value(&tree)? {
                Val::Series(s) => Ok(s),
                Val::Scalar(x) => Ok(vec![Some(x); self.series.len()]),
                Val::List(_) => Err(format!("expression `{expression}` gives several series")),
            }
        } else {
            // Another metric: it holds no datapoint caused by the event.
            Ok(vec![None; self.series.len()])
        };
        self.depth -= 1;
        result
    }

    fn value(&mut self, node: &Node) -> Result<Val, String> {
        let len = self.series.len();
        Ok(match node {
            Node::Number(x) => Val::Scalar(*x),
            Node::Id(id) => {
                let query = self
                    .alarm
                    .metrics
                    .iter()
                    .find(|q| &q.id == id)
                    .ok_or_else(|| {
                        format!("it refers to `{id}`, which is not among its queries")
                    })?;
                Val::Series(self.query(query)?)
            }
            Node::List(items) => {
                let mut list = Vec::new();
                for item in items {
                    match self.value(item)? {
                        Val::Series(s) => list.push(s),
                        Val::Scalar(x) => list.push(vec![Some(x); len]),
                        Val::List(l) => list.extend(l),
                    }
                }
                Val::List(list)
            }
            Node::Unary(op, operand) => {
                let v = self.value(operand)?;
                map1(v, |x| match op {
                    '-' => Some(-x),
                    _ => Some(if x == 0.0 { 1.0 } else { 0.0 }),
                })?
            }
            Node::Binary(op, a, b) => {
                let (a, b) = (self.value(a)?, self.value(b)?);
                map2(a, b, len, |x, y| binary(op, x, y))?
            }
            Node::Call(name, args) => self.call(name, args)?,
        })
    }

    fn call(&mut self, name: &str, args: &[Node]) -> Result<Val, String> {
        let len = self.series.len();
        let upper = name.to_ascii_uppercase();
        let series_of = |v: Val| -> Result<Series, String> {
            match v {
                Val::Series(s) => Ok(s),
                Val::Scalar(x) => Ok(vec![Some(x); len]),
                Val::List(_) => Err(format!("{upper} takes one series here")),
            }
        };
        match (upper.as_str(), args) {
            ("FILL", [series, fill]) => {
                let s = series_of(self.value(series)?)?;
                let filled = match fill {
                    Node::Id(word) if word.eq_ignore_ascii_case("REPEAT") => {
                        let mut last = None;
                        s.iter()
                            .map(|v| {
                                if v.is_some() {
                                    last = *v;
                                }
                                last
                            })
                            .collect()
                    }
                    Node::Id(word) if word.eq_ignore_ascii_case("LINEAR") => {
                        // Needs a datapoint on both sides: never after the
                        // last one, which is the event.
                        let mut out = s.clone();
                        let known: Vec<usize> = s.iter().enumerate().filter(|(_, v)| v.is_some()).map(|(i, _)| i).collect();
                        for pair in known.windows(2) {
                            let (i, j) = (pair[0], pair[1]);
                            let (a, b) = (s[i].unwrap_or(0.0), s[j].unwrap_or(0.0));
                            for (k, slot) in out.iter_mut().enumerate().take(j).skip(i + 1) {
                                *slot = Some(a + (b - a) * (k - i) as f64 / (j - i) as f64);
                            }
                        }
                        out
                    }
                    other => {
                        let f = series_of(self.value(other)?)?;
                        s.iter().zip(f).map(|(v, f)| v.or(f)).collect()
                    }
                };
                Ok(Val::Series(filled))
            }
            ("IF", [cond, then]) | ("IF", [cond, then, _]) => {
                let c = series_of(self.value(cond)?)?;
                let t = series_of(self.value(then)?)?;
                let e = match args.get(2) {
                    Some(e) => series_of(self.value(e)?)?,
                    None => vec![None; len],
                };
                Ok(Val::Series(
                    (0..len)
                        .map(|i| match c[i] {
                            Some(x) if x != 0.0 => t[i],
                            Some(_) => e[i],
                            None => None,
                        })
                        .collect(),
                ))
            }
            ("SUM" | "MAX" | "MIN" | "AVG", [arg]) => {
                let list = match self.value(arg)? {
                    Val::List(l) => l,
                    Val::Series(s) => {
                        // Over one series, the aggregate of all its points.
                        let values: Vec<f64> = s.iter().flatten().copied().collect();
                        return Ok(Val::Scalar(aggregate(&upper, &values).unwrap_or(f64::NAN)));
                    }
                    Val::Scalar(x) => return Ok(Val::Scalar(x)),
                };
                Ok(Val::Series(
                    (0..len)
                        .map(|i| {
                            let values: Vec<f64> = list.iter().filter_map(|s| s[i]).collect();
                            aggregate(&upper, &values)
                        })
                        .collect(),
                ))
            }
            ("ABS" | "CEIL" | "FLOOR", [arg]) => map1(self.value(arg)?, |x| {
                Some(match upper.as_str() {
                    "ABS" => x.abs(),
                    "CEIL" => x.ceil(),
                    _ => x.floor(),
                })
            }),
            _ => Err(format!(
                "its expression uses {name}() with {} argument(s), which auditscope does not evaluate",
                args.len()
            )),
        }
    }
}

fn aggregate(name: &str, values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(match name {
        "SUM" => values.iter().sum(),
        "MAX" => values.iter().copied().fold(f64::MIN, f64::max),
        "MIN" => values.iter().copied().fold(f64::MAX, f64::min),
        _ => values.iter().sum::<f64>() / values.len() as f64,
    })
}

fn binary(op: &str, x: f64, y: f64) -> Option<f64> {
    let truth = |b: bool| Some(if b { 1.0 } else { 0.0 });
    match op {
        "+" => Some(x + y),
        "-" => Some(x - y),
        "*" => Some(x * y),
        "/" => (y != 0.0).then(|| x / y),
        "^" => Some(x.powf(y)),
        ">" => truth(x > y),
        "<" => truth(x < y),
        ">=" => truth(x >= y),
        "<=" => truth(x <= y),
        "==" => truth(x == y),
        "!=" => truth(x != y),
        "AND" | "&&" => truth(x != 0.0 && y != 0.0),
        "OR" | "||" => truth(x != 0.0 || y != 0.0),
        _ => None,
    }
}

fn map1(v: Val, f: impl Fn(f64) -> Option<f64>) -> Result<Val, String> {
    Ok(match v {
        Val::Scalar(x) => f(x).map_or(Val::Series(Vec::new()), Val::Scalar),
        Val::Series(s) => Val::Series(s.into_iter().map(|v| v.and_then(&f)).collect()),
        Val::List(l) => Val::List(
            l.into_iter()
                .map(|s| s.into_iter().map(|v| v.and_then(&f)).collect())
                .collect(),
        ),
    })
}

fn map2(a: Val, b: Val, len: usize, f: impl Fn(f64, f64) -> Option<f64>) -> Result<Val, String> {
    let series = |v: Val| -> Result<Series, String> {
        match v {
            Val::Scalar(x) => Ok(vec![Some(x); len]),
            Val::Series(s) => Ok(s),
            Val::List(_) => Err("arithmetic on a list of series".into()),
        }
    };
    if let (Val::Scalar(x), Val::Scalar(y)) = (&a, &b) {
        return Ok(f(*x, *y).map_or(Val::Series(vec![None; len]), Val::Scalar));
    }
    let (a, b) = (series(a)?, series(b)?);
    Ok(Val::Series(
        a.into_iter()
            .zip(b)
            .map(|(x, y)| match (x, y) {
                (Some(x), Some(y)) => f(x, y),
                _ => None,
            })
            .collect(),
    ))
}

// ---------------------------------------------------- expression parser

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Number(f64),
    Word(String),
    Op(String),
    Open,
    Close,
    OpenList,
    CloseList,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => i += 1,
            '(' => {
                tokens.push(Token::Open);
                i += 1
            }
            ')' => {
                tokens.push(Token::Close);
                i += 1
            }
            '[' => {
                tokens.push(Token::OpenList);
                i += 1
            }
            ']' => {
                tokens.push(Token::CloseList);
                i += 1
            }
            ',' => {
                tokens.push(Token::Comma);
                i += 1
            }
            c if c.is_ascii_digit() || c == '.' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_digit()
                        || chars[i] == '.'
                        || chars[i] == 'e'
                        || chars[i] == 'E')
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                tokens.push(Token::Number(
                    word.parse()
                        .map_err(|_| format!("cannot read number `{word}`"))?,
                ));
            }
            c if c.is_alphabetic() || c == '_' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                if word.eq_ignore_ascii_case("AND") || word.eq_ignore_ascii_case("OR") {
                    tokens.push(Token::Op(word.to_ascii_uppercase()));
                } else {
                    tokens.push(Token::Word(word));
                }
            }
            _ => {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                if [">=", "<=", "==", "!=", "&&", "||"].contains(&two.as_str()) {
                    tokens.push(Token::Op(two));
                    i += 2;
                } else if "+-*/^<>".contains(c) {
                    tokens.push(Token::Op(c.to_string()));
                    i += 1;
                } else {
                    return Err(format!("cannot read `{c}` in expression `{text}`"));
                }
            }
        }
    }
    Ok(tokens)
}

#[derive(Debug, Clone)]
enum Node {
    Number(f64),
    Id(String),
    List(Vec<Node>),
    Unary(char, Box<Node>),
    Binary(String, Box<Node>, Box<Node>),
    Call(String, Vec<Node>),
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

/// Operators by binding strength, loosest first.
const LEVELS: &[&[&str]] = &[
    &["OR", "||"],
    &["AND", "&&"],
    &[">", "<", ">=", "<=", "==", "!="],
    &["+", "-"],
    &["*", "/"],
    &["^"],
];

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn expression(&mut self) -> Result<Node, String> {
        self.level(0)
    }

    fn level(&mut self, level: usize) -> Result<Node, String> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.level(level + 1)?;
        while let Some(Token::Op(op)) = self.peek() {
            if !LEVELS[level].contains(&op.as_str()) {
                break;
            }
            let op = op.clone();
            self.pos += 1;
            let right = self.level(level + 1)?;
            left = Node::Binary(op, Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Node, String> {
        if let Some(Token::Op(op)) = self.peek() {
            if op == "-" {
                self.pos += 1;
                return Ok(Node::Unary('-', Box::new(self.unary()?)));
            }
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Node, String> {
        let token = self
            .peek()
            .cloned()
            .ok_or("the expression ends too early")?;
        self.pos += 1;
        match token {
            Token::Number(x) => Ok(Node::Number(x)),
            Token::Word(word) => {
                if self.peek() == Some(&Token::Open) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if self.peek() != Some(&Token::Close) {
                        loop {
                            args.push(self.expression()?);
                            match self.peek() {
                                Some(Token::Comma) => self.pos += 1,
                                _ => break,
                            }
                        }
                    }
                    if self.peek() != Some(&Token::Close) {
                        return Err(format!("`{word}(` is not closed"));
                    }
                    self.pos += 1;
                    Ok(Node::Call(word, args))
                } else {
                    Ok(Node::Id(word))
                }
            }
            Token::Open => {
                let inner = self.expression()?;
                if self.peek() != Some(&Token::Close) {
                    return Err("a `(` is not closed".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Token::OpenList => {
                let mut items = Vec::new();
                if self.peek() != Some(&Token::CloseList) {
                    loop {
                        items.push(self.expression()?);
                        match self.peek() {
                            Some(Token::Comma) => self.pos += 1,
                            _ => break,
                        }
                    }
                }
                if self.peek() != Some(&Token::CloseList) {
                    return Err("a `[` is not closed".into());
                }
                self.pos += 1;
                Ok(Node::List(items))
            }
            other => Err(format!("unexpected {other:?} in the expression")),
        }
    }
}

/// The id of the query of `alarm` that reads the metric `namespace/name`
/// with `dimensions`, for an alarm on metric math.
pub fn query_reading(
    alarm: &MetricAlarm,
    namespace: &str,
    name: &str,
    dimensions: &BTreeMap<String, String>,
) -> Option<String> {
    alarm
        .metrics
        .iter()
        .find(|q| {
            q.metric_stat.as_ref().is_some_and(|s| {
                s.metric.namespace == namespace
                    && s.metric.metric_name == name
                    && &s.metric.dimensions == dimensions
            })
        })
        .map(|q| q.id.clone())
}

#[cfg(test)]
mod tests;
