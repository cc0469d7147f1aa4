//! Resource policies (S3 bucket policies, and any policy in IAM's grammar)
//! judged with IAM's own semantics, for the questions audit checks ask:
//! *is this bucket public?* and *are requests without TLS refused?*
//!
//! A policy is parsed into statements: `Effect`; `Principal` or
//! `NotPrincipal`; `Action` or `NotAction` and `Resource` or `NotResource`
//! with IAM wildcards (`*` any run of characters, `?` one; actions ignore
//! case, resources do not); and conditions, all AND-ed: every operator of
//! the IAM reference (`String*`, `Arn*`, `IpAddress`/`NotIpAddress`,
//! `Bool`, `Null`, `Numeric*`, `Date*`, `BinaryEquals`), their `...IfExists`
//! forms and the `ForAnyValue:` / `ForAllValues:` set qualifiers, with
//! IAM's rules for a key the request does not carry (a negated operator
//! and `...IfExists` are then true, others false).
//! Source: IAM User Guide, "IAM JSON policy elements: Condition operators"
//! and "Policy evaluation logic".
//!
//! The questions are about *every* request of a kind, not one request, so
//! conditions are judged symbolically: a condition holds for every request
//! when it holds for every value its key could take, which for these
//! operators is decided by probing the values the condition itself names
//! (and values between and around them) and the key's absence.
//!
//! * **Public** follows S3's definition (Amazon S3 User Guide, "The meaning
//!   of public"): an `Allow` to everyone (`*`, `{"AWS": "*"}`, a wildcard
//!   principal, or `NotPrincipal`) is public unless one of its conditions
//!   restricts it to fixed values (no wildcard, no policy variable) of a
//!   key that names who or where: [`RESTRICTING_KEYS`], with a positive
//!   operator (not `Not...`, not `...IfExists`, not `ForAllValues:`), and
//!   for `aws:SourceIp` only CIDR blocks of /8 or narrower (IPv6: /32).
//! * **Denies insecure transport** means every request over HTTP to the
//!   bucket *and* to each of its objects meets a `Deny` that applies to
//!   everyone, for every S3 action, on that resource, whatever else the
//!   request carries (VPC endpoint, account, address): a `Deny` whose other
//!   conditions narrow it does not count.

use serde_json::Value;
use std::net::IpAddr;

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// Condition keys that tie a grant to known principals or networks, so
/// that S3 does not treat an `Allow` to everyone as public when one of them
/// has fixed values (lower case).
pub const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:sourcearn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:userid",
    "s3:dataaccesspointarn",
    "s3:dataaccesspointaccount",
];

/// The widest `aws:SourceIp` blocks that still restrict a grant.
const MIN_IPV4_PREFIX: u8 = 8;
const MIN_IPV6_PREFIX: u8 = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// `Action`/`Resource` (`negated: false`) or `NotAction`/`NotResource`.
#[derive(Debug, Clone, PartialEq)]
struct Patterns {
    negated: bool,
    patterns: Vec<String>,
}

/// Who a statement is about.
#[derive(Debug, Clone, PartialEq)]
enum Principals {
    /// No `Principal` element (an identity policy).
    Absent,
    /// `Principal`: type → values (`"*"` is `{"*": ["*"]}`).
    Listed(Vec<(String, String)>),
    /// `NotPrincipal`: everyone but these.
    AllBut(Vec<(String, String)>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    None,
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    String { ignore_case: bool, like: bool },
    Arn,
    Numeric,
    Date,
    Bool,
    Ip,
    Binary,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compare {
    Equal,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// One operator, key and values of a `Condition` block.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    operator: String,
    kind: Kind,
    compare: Compare,
    negated: bool,
    if_exists: bool,
    set: SetQualifier,
    /// Lower case (condition keys are case-insensitive).
    key: String,
    values: Vec<String>,
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, or `Statement[i]`.
    pub label: String,
    effect: Effect,
    principals: Principals,
    actions: Patterns,
    resources: Patterns,
    conditions: Vec<Condition>,
    /// Parts of the statement that could not be read (an unknown
    /// condition operator, a malformed element): such a statement is never
    /// taken as restricting or as protecting anything.
    pub unreadable: Vec<String>,
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A policy value as IAM reads it: strings as they are, numbers and
/// booleans as their text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn texts(value: &Value, problems: &mut Vec<String>, what: &str) -> Vec<String> {
    as_list(value)
        .into_iter()
        .filter_map(|v| {
            let t = text(v);
            if t.is_none() {
                problems.push(format!("{what} holds a value that is not text"));
            }
            t
        })
        .collect()
}

fn principals(value: &Value, problems: &mut Vec<String>) -> Vec<(String, String)> {
    match value {
        Value::String(s) => vec![("*".to_owned(), s.clone())],
        Value::Object(map) => map
            .iter()
            .flat_map(|(kind, values)| {
                texts(values, problems, "Principal")
                    .into_iter()
                    .map(move |v| (kind.clone(), v))
                    .collect::<Vec<_>>()
            })
            .collect(),
        _ => {
            problems.push("Principal is neither text nor a map".into());
            Vec::new()
        }
    }
}

fn patterns(statement: &Value, name: &str, problems: &mut Vec<String>) -> Patterns {
    let not = format!("Not{name}");
    match (statement.get(name), statement.get(&not)) {
        (Some(v), None) => Patterns {
            negated: false,
            patterns: texts(v, problems, name),
        },
        (None, Some(v)) => Patterns {
            negated: true,
            patterns: texts(v, problems, &not),
        },
        (None, None) => {
            // Without Resource a statement of a resource policy applies to
            // the resource it is attached to; without Action it grants
            // nothing. Read as "matches nothing" for Action and "matches
            // everything" for Resource.
            if name == "Resource" {
                Patterns {
                    negated: true,
                    patterns: Vec::new(),
                }
            } else {
                problems.push(format!("no {name} or {not}"));
                Patterns {
                    negated: false,
                    patterns: Vec::new(),
                }
            }
        }
        (Some(_), Some(_)) => {
            problems.push(format!("both {name} and {not}"));
            Patterns {
                negated: false,
                patterns: Vec::new(),
            }
        }
    }
}

/// Parses an operator such as `ForAnyValue:StringNotLikeIfExists`.
fn operator(name: &str) -> Option<(Kind, Compare, bool, bool, SetQualifier)> {
    let (set, rest) = if let Some(r) = strip_prefix_ci(name, "ForAnyValue:") {
        (SetQualifier::ForAnyValue, r)
    } else if let Some(r) = strip_prefix_ci(name, "ForAllValues:") {
        (SetQualifier::ForAllValues, r)
    } else {
        (SetQualifier::None, name)
    };
    let (if_exists, base) = match rest.strip_suffix("IfExists") {
        Some(base) if !base.is_empty() => (true, base),
        _ => (false, rest),
    };
    use Compare::*;
    let string = |ignore_case, like| Kind::String { ignore_case, like };
    let (kind, compare, negated) = match base {
        "StringEquals" => (string(false, false), Equal, false),
        "StringNotEquals" => (string(false, false), Equal, true),
        "StringEqualsIgnoreCase" => (string(true, false), Equal, false),
        "StringNotEqualsIgnoreCase" => (string(true, false), Equal, true),
        "StringLike" => (string(false, true), Equal, false),
        "StringNotLike" => (string(false, true), Equal, true),
        "ArnEquals" | "ArnLike" => (Kind::Arn, Equal, false),
        "ArnNotEquals" | "ArnNotLike" => (Kind::Arn, Equal, true),
        "NumericEquals" => (Kind::Numeric, Equal, false),
        "NumericNotEquals" => (Kind::Numeric, Equal, true),
        "NumericLessThan" => (Kind::Numeric, Less, false),
        "NumericLessThanEquals" => (Kind::Numeric, LessOrEqual, false),
        "NumericGreaterThan" => (Kind::Numeric, Greater, false),
        "NumericGreaterThanEquals" => (Kind::Numeric, GreaterOrEqual, false),
        "DateEquals" => (Kind::Date, Equal, false),
        "DateNotEquals" => (Kind::Date, Equal, true),
        "DateLessThan" => (Kind::Date, Less, false),
        "DateLessThanEquals" => (Kind::Date, LessOrEqual, false),
        "DateGreaterThan" => (Kind::Date, Greater, false),
        "DateGreaterThanEquals" => (Kind::Date, GreaterOrEqual, false),
        "Bool" => (Kind::Bool, Equal, false),
        "BinaryEquals" => (Kind::Binary, Equal, false),
        "IpAddress" => (Kind::Ip, Equal, false),
        "NotIpAddress" => (Kind::Ip, Equal, true),
        // `Null` has no IfExists form.
        "Null" if !if_exists => (Kind::Null, Equal, false),
        _ => return None,
    };
    Some((kind, compare, negated, if_exists, set))
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    (text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &text[prefix.len()..])
}

fn conditions(value: Option<&Value>, problems: &mut Vec<String>) -> Vec<Condition> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Some(blocks) = value.as_object() else {
        problems.push("Condition is not a map".into());
        return Vec::new();
    };
    let mut found = Vec::new();
    for (name, keys) in blocks {
        let Some((kind, compare, negated, if_exists, set)) = operator(name) else {
            problems.push(format!("unknown condition operator `{name}`"));
            continue;
        };
        let Some(keys) = keys.as_object() else {
            problems.push(format!("`{name}` is not a map of keys"));
            continue;
        };
        for (key, values) in keys {
            found.push(Condition {
                operator: name.clone(),
                kind,
                compare,
                negated,
                if_exists,
                set,
                key: key.to_ascii_lowercase(),
                values: texts(values, problems, name),
            });
        }
    }
    found
}

impl Policy {
    /// Reads a policy document. Nothing is refused: what cannot be read is
    /// recorded on its statement (see [`Statement::unreadable`]).
    pub fn parse(document: &Value) -> Policy {
        let statements = document
            .get("Statement")
            .map(as_list)
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(index, s)| Statement::parse(s, index))
            .collect();
        Policy { statements }
    }
}

impl Statement {
    fn parse(statement: &Value, index: usize) -> Statement {
        let mut problems = Vec::new();
        let label = statement
            .get("Sid")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .unwrap_or_else(|| format!("Statement[{index}]"));
        let effect = match statement.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            other => {
                problems.push(format!("Effect {other:?} is neither Allow nor Deny"));
                Effect::Allow
            }
        };
        let principals = match (statement.get("Principal"), statement.get("NotPrincipal")) {
            (Some(p), None) => Principals::Listed(principals(p, &mut problems)),
            (None, Some(p)) => Principals::AllBut(principals(p, &mut problems)),
            (None, None) => Principals::Absent,
            (Some(_), Some(_)) => {
                problems.push("both Principal and NotPrincipal".into());
                Principals::AllBut(Vec::new())
            }
        };
        Statement {
            label,
            effect,
            principals,
            actions: patterns(statement, "Action", &mut problems),
            resources: patterns(statement, "Resource", &mut problems),
            conditions: conditions(statement.get("Condition"), &mut problems),
            unreadable: problems,
        }
    }

    /// Whether the statement is about every caller: `*`, a wildcard
    /// principal of any type, or everyone but a list (`NotPrincipal`).
    fn covers_everyone(&self) -> bool {
        match &self.principals {
            Principals::Absent => false,
            Principals::AllBut(_) => true,
            Principals::Listed(list) => list
                .iter()
                .any(|(_, value)| value.contains('*') || value.contains('?')),
        }
    }

    /// Whether the statement names every caller without exception (a Deny
    /// that protects must apply to all).
    fn applies_to_all_callers(&self) -> bool {
        match &self.principals {
            Principals::Listed(list) => list
                .iter()
                .any(|(kind, value)| value == "*" && matches!(kind.as_str(), "*" | "AWS")),
            _ => false,
        }
    }
}

// ------------------------------------------------------------- wildcards

/// The characters of `text`, lowercased when `ignore_case`.
fn folded(text: &str, ignore_case: bool) -> Vec<char> {
    if ignore_case {
        text.to_lowercase().chars().collect()
    } else {
        text.chars().collect()
    }
}

/// IAM wildcard match: `*` any run of characters (also none), `?` exactly
/// one ([`crate::wildcard`]: pattern × text steps whatever the pattern).
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    use crate::wildcard::Token;
    let tokens: Vec<Token> = folded(pattern, ignore_case)
        .into_iter()
        .map(|c| match c {
            '*' => Token::Star,
            '?' => Token::One,
            c => Token::Char(c),
        })
        .collect();
    crate::wildcard::matches(&tokens, &folded(text, ignore_case))
}

/// Whether the pattern matches *every* text that starts with `prefix`
/// (`s3:*` for every S3 action, `arn:aws:s3:::b/*` for every object).
fn covers_all_with_prefix(pattern: &str, prefix: &str, ignore_case: bool) -> bool {
    let (p, prefix) = (folded(pattern, ignore_case), folded(prefix, ignore_case));
    for (i, &c) in p.iter().enumerate() {
        if c == '*' {
            // Past the prefix, only `*` may follow: anything else would
            // leave out some suffix.
            return p[i..].iter().all(|&c| c == '*');
        }
        match prefix.get(i) {
            Some(&expected) if c == '?' || c == expected => {}
            _ => return false,
        }
    }
    false
}

/// Whether the pattern matches *some* text that starts with `prefix`.
fn may_match_with_prefix(pattern: &str, prefix: &str, ignore_case: bool) -> bool {
    let (p, prefix) = (folded(pattern, ignore_case), folded(prefix, ignore_case));
    // Positions in the pattern reachable after reading the prefix; from any
    // of them some suffix completes the match.
    let mut states = vec![false; p.len() + 1];
    states[0] = true;
    let close = |states: &mut Vec<bool>| {
        for i in 0..p.len() {
            if states[i] && p[i] == '*' {
                states[i + 1] = true;
            }
        }
    };
    close(&mut states);
    for &c in &prefix {
        let mut next = vec![false; p.len() + 1];
        for i in 0..p.len() {
            if states[i] && (p[i] == '*' || p[i] == '?' || p[i] == c) {
                next[if p[i] == '*' { i } else { i + 1 }] = true;
            }
        }
        close(&mut next);
        states = next;
    }
    states.contains(&true)
}

// ----------------------------------------------------------- conditions

/// A request's context for one condition key: absent, or one or more values.
pub type KeyValues<'a> = Option<&'a [String]>;

fn parse_number(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|n| n.is_finite())
}

fn parse_date(text: &str) -> Option<i128> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
        return Some(t.unix_timestamp_nanos() / 1_000_000_000);
    }
    // IAM also takes a date alone and epoch seconds.
    let format = time::macros::format_description!("[year]-[month]-[day]");
    if let Ok(d) = time::Date::parse(text, format) {
        return Some(d.midnight().assume_utc().unix_timestamp().into());
    }
    text.trim().parse::<i64>().ok().map(i128::from)
}

/// A CIDR block or address: (network, prefix length).
fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
        None => (text, None),
    };
    let address: IpAddr = address.trim().parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = prefix.unwrap_or(max);
    (prefix <= max).then_some((address, prefix))
}

/// Whether `address` is in the block (same family only), by `ipnet`.
fn in_cidr(address: &IpAddr, (network, prefix): (IpAddr, u8)) -> bool {
    ipnet::IpNet::new(network, prefix).is_ok_and(|net| net.contains(address))
}

impl Condition {
    /// Whether one request value matches one policy value, before negation.
    fn matches_one(&self, request: &str, policy: &str) -> bool {
        match self.kind {
            Kind::String { ignore_case, like } => {
                if like {
                    wildcard_match(policy, request, false)
                } else if ignore_case {
                    request.eq_ignore_ascii_case(policy)
                } else {
                    request == policy
                }
            }
            Kind::Arn => wildcard_match(policy, request, false),
            Kind::Bool => request.eq_ignore_ascii_case(policy),
            Kind::Binary => request == policy,
            Kind::Numeric => match (parse_number(request), parse_number(policy)) {
                (Some(r), Some(p)) => self.ordered(r.partial_cmp(&p)),
                _ => false,
            },
            Kind::Date => match (parse_date(request), parse_date(policy)) {
                (Some(r), Some(p)) => self.ordered(Some(r.cmp(&p))),
                _ => false,
            },
            Kind::Ip => match (request.parse::<IpAddr>(), parse_cidr(policy)) {
                (Ok(r), Some(block)) => in_cidr(&r, block),
                _ => false,
            },
            Kind::Null => false,
        }
    }

    fn ordered(&self, ordering: Option<std::cmp::Ordering>) -> bool {
        use std::cmp::Ordering::*;
        match (self.compare, ordering) {
            (_, None) => false,
            (Compare::Equal, Some(o)) => o == Equal,
            (Compare::Less, Some(o)) => o == Less,
            (Compare::LessOrEqual, Some(o)) => o != Greater,
            (Compare::Greater, Some(o)) => o == Greater,
            (Compare::GreaterOrEqual, Some(o)) => o != Less,
        }
    }

    /// Whether one request value satisfies the condition: it matches one of
    /// the policy's values (OR), or for a negated operator matches none.
    fn value_satisfies(&self, request: &str) -> bool {
        let any = self.values.iter().any(|p| self.matches_one(request, p));
        any != self.negated
    }

    /// Evaluates the condition on a request's values of its key, with
    /// IAM's rules for an absent key: `Null` checks presence, `...IfExists`
    /// and negated operators are true, others false; `ForAllValues:` is
    /// true for an absent or empty set, `ForAnyValue:` false.
    pub fn evaluate(&self, values: KeyValues) -> bool {
        if self.kind == Kind::Null {
            let absent = values.is_none_or(|v| v.is_empty());
            return self
                .values
                .iter()
                .any(|v| v.eq_ignore_ascii_case("true") == absent);
        }
        let values = match values {
            Some(v) if !v.is_empty() => v,
            _ => {
                return match self.set {
                    SetQualifier::ForAllValues => true,
                    SetQualifier::ForAnyValue => false,
                    SetQualifier::None => self.if_exists || self.negated,
                }
            }
        };
        match self.set {
            SetQualifier::ForAllValues => values.iter().all(|v| self.value_satisfies(v)),
            // Single-valued keys with several values cannot occur; read as
            // ForAnyValue.
            SetQualifier::ForAnyValue | SetQualifier::None => {
                values.iter().any(|v| self.value_satisfies(v))
            }
        }
    }

    /// Values of the key on which the condition's truth can change: its own
    /// values, values next to them, and a few unrelated ones. Checking these
    /// and the key's absence decides "true for every value" for every
    /// operator above.
    fn probes(&self) -> Vec<String> {
        let mut probes: Vec<String> = vec![
            String::new(),
            "probe-value".into(),
            "true".into(),
            "false".into(),
            "0".into(),
            "0.0.0.0".into(),
            "255.255.255.255".into(),
            "::".into(),
            "1970-01-01T00:00:00Z".into(),
            "9999-12-31T23:59:59Z".into(),
        ];
        for value in &self.values {
            probes.push(value.clone());
            probes.push(value.to_uppercase());
            probes.push(value.to_lowercase());
            probes.push(format!("{value}x"));
            // A wildcard pattern, filled in.
            probes.push(value.replace('*', "").replace('?', "x"));
            probes.push(value.replace('*', "filled").replace('?', "x"));
            if let Some(n) = parse_number(value) {
                for delta in [-1.0, -0.5, 0.5, 1.0] {
                    probes.push((n + delta).to_string());
                }
            }
            if let Some(seconds) = parse_date(value) {
                for delta in [-86_400i128, -1, 1, 86_400] {
                    if let Ok(t) =
                        time::OffsetDateTime::from_unix_timestamp((seconds + delta) as i64)
                    {
                        if let Ok(text) = t.format(&time::format_description::well_known::Rfc3339) {
                            probes.push(text);
                        }
                    }
                }
            }
            if let Some((network, prefix)) = parse_cidr(value) {
                probes.push(network.to_string());
                // An address just outside the block.
                match network {
                    IpAddr::V4(n) if prefix > 0 => {
                        let outside = u32::from(n) ^ (1u32 << (32 - prefix));
                        probes.push(std::net::Ipv4Addr::from(outside).to_string());
                    }
                    IpAddr::V6(n) if prefix > 0 => {
                        let outside = u128::from(n) ^ (1u128 << (128 - prefix));
                        probes.push(std::net::Ipv6Addr::from(outside).to_string());
                    }
                    _ => {}
                }
            }
        }
        // A key of a typed operator only ever holds values of its type.
        probes.retain(|p| self.possible_value(p));
        probes
    }

    /// Whether a request could carry `value` for a key this operator
    /// compares: a number, a date, an address or a boolean for the typed
    /// operators, any text for the others.
    pub fn possible_value(&self, value: &str) -> bool {
        match self.kind {
            Kind::Numeric => parse_number(value).is_some(),
            Kind::Date => parse_date(value).is_some(),
            Kind::Ip => value.parse::<IpAddr>().is_ok(),
            Kind::Bool => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
            _ => true,
        }
    }

    /// Whether the condition is true for every request, whatever its key
    /// holds (absent, one value, or for set keys any set of values).
    pub fn always_true(&self) -> bool {
        if !self.evaluate(None) {
            return false;
        }
        let probes = self.probes();
        if !probes
            .iter()
            .all(|p| self.evaluate(Some(std::slice::from_ref(p))))
        {
            return false;
        }
        // A set of two values: ForAllValues needs every one to match.
        self.set != SetQualifier::ForAllValues
            || probes.windows(2).all(|pair| self.evaluate(Some(pair)))
    }

    /// Whether the condition restricts a grant to fixed values of a key
    /// that names who or where ([`RESTRICTING_KEYS`]), as S3 requires for
    /// a grant to everyone not to be public.
    fn restricts_to_fixed_values(&self) -> bool {
        if !RESTRICTING_KEYS.contains(&self.key.as_str())
            || self.negated
            || self.if_exists
            || self.set == SetQualifier::ForAllValues
            || self.kind == Kind::Null
            || self.values.is_empty()
        {
            return false;
        }
        let fixed = |v: &String| !v.contains('*') && !v.contains('?') && !v.contains("${");
        if !self.values.iter().all(fixed) {
            return false;
        }
        if self.key == "aws:sourceip" {
            return self.kind == Kind::Ip
                && self.values.iter().all(|v| match parse_cidr(v) {
                    Some((IpAddr::V4(_), prefix)) => prefix >= MIN_IPV4_PREFIX,
                    Some((IpAddr::V6(_), prefix)) => prefix >= MIN_IPV6_PREFIX,
                    None => false,
                });
        }
        matches!(
            self.kind,
            Kind::String {
                ignore_case: false,
                ..
            } | Kind::Arn
        )
    }
}

// ------------------------------------------------------------ questions

/// Labels (`Sid` or `Statement[i]`) of the statements that make the
/// policy public (see the module documentation).
pub fn public_statements(document: &Value) -> Vec<String> {
    Policy::parse(document)
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.covers_everyone())
        .filter(|s| {
            let restricted = s.unreadable.is_empty()
                && s.conditions
                    .iter()
                    .any(Condition::restricts_to_fixed_values);
            !restricted
        })
        .map(|s| s.label.clone())
        .collect()
}

/// How a policy treats requests without TLS to a bucket.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TransportDeny {
    /// Every HTTP request to the bucket itself (`ListBucket`,
    /// `GetBucketPolicy`, ...) is denied.
    pub bucket: bool,
    /// Every HTTP request to any of its objects is denied.
    pub objects: bool,
    /// The statements that deny them.
    pub statements: Vec<String>,
}

impl TransportDeny {
    pub fn enforced(&self) -> bool {
        self.bucket && self.objects
    }
}

/// Whether every S3 action matches one of the statement's action patterns.
fn covers_every_s3_action(actions: &Patterns) -> bool {
    if actions.negated {
        // NotAction denies all but the listed actions: every S3 action only
        // when no listed pattern could match an S3 action.
        return !actions
            .patterns
            .iter()
            .any(|p| may_match_with_prefix(p, "s3:", true));
    }
    actions
        .patterns
        .iter()
        .any(|p| covers_all_with_prefix(p, "s3:", true))
}

/// Whether the statement's resources include `arn` exactly.
fn covers_resource(resources: &Patterns, arn: &str) -> bool {
    let hit = resources
        .patterns
        .iter()
        .any(|p| wildcard_match(p, arn, false));
    hit != resources.negated
}

/// Whether the statement's resources include every ARN starting with
/// `prefix` (every object of a bucket).
fn covers_resources_with_prefix(resources: &Patterns, prefix: &str) -> bool {
    if resources.negated {
        !resources
            .patterns
            .iter()
            .any(|p| may_match_with_prefix(p, prefix, false))
    } else {
        resources
            .patterns
            .iter()
            .any(|p| covers_all_with_prefix(p, prefix, false))
    }
}

/// Whether a Deny statement applies to every request without TLS whatever
/// else the request carries: each condition holds for every such request.
fn applies_to_every_insecure_request(statement: &Statement) -> bool {
    statement.conditions.iter().all(|condition| {
        if condition.key == "aws:securetransport" {
            condition.evaluate(Some(&["false".to_owned()]))
        } else {
            condition.always_true()
        }
    })
}

/// Judges whether `document` refuses every request without TLS to bucket
/// `bucket` and to each of its objects, in partition `partition` (`aws`,
/// `aws-cn`, `aws-us-gov`).
pub fn denies_insecure_transport(document: &Value, bucket: &str, partition: &str) -> TransportDeny {
    let bucket_arn = format!("arn:{partition}:s3:::{bucket}");
    let objects = format!("{bucket_arn}/");
    let mut deny = TransportDeny {
        bucket: false,
        objects: false,
        statements: Vec::new(),
    };
    for statement in Policy::parse(document).statements {
        let protects = statement.effect == Effect::Deny
            && statement.unreadable.is_empty()
            && statement.applies_to_all_callers()
            && covers_every_s3_action(&statement.actions)
            && applies_to_every_insecure_request(&statement);
        if !protects {
            continue;
        }
        let bucket_level = covers_resource(&statement.resources, &bucket_arn);
        let object_level = covers_resources_with_prefix(&statement.resources, &objects);
        if bucket_level || object_level {
            deny.statements.push(statement.label.clone());
        }
        deny.bucket |= bucket_level;
        deny.objects |= object_level;
    }
    deny
}

/// ACL grants to AllUsers or AuthenticatedUsers, as `GROUP:PERMISSION`.
pub fn public_grants(grants: &[crate::model::AclGrant]) -> Vec<String> {
    grants
        .iter()
        .filter_map(|grant| {
            let uri = grant.grantee_uri.as_deref()?;
            let group = match uri {
                ALL_USERS => "AllUsers",
                AUTHENTICATED_USERS => "AuthenticatedUsers",
                _ => return None,
            };
            Some(format!("{group}:{}", grant.permission))
        })
        .collect()
}

#[cfg(test)]
mod tests;
