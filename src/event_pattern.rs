//! Amazon EventBridge event patterns: content filtering as EventBridge
//! does it, so a rule is judged by what it really matches (a rule on
//! `detail-type` alone, or `prefix` on `source`, catches GuardDuty findings
//! as surely as the console's default pattern).
//!
//! Semantics (Amazon EventBridge User Guide, "Creating event patterns" and
//! "Content filtering in event patterns"):
//!
//! * A pattern is a JSON object; every key of it must match the event's
//!   field of that name, keys the pattern does not name are ignored, and a
//!   nested object matches the event's nested object.
//! * A leaf is an array of matchers, any of which may match (OR). Where
//!   the event's field is an array, any element may match.
//! * Matchers: an exact value (string, number, `true`, `false`, `null`);
//!   `{"prefix": s}`, `{"suffix": s}` (each also with
//!   `{"equals-ignore-case": s}` inside); `{"equals-ignore-case": s}`;
//!   `{"wildcard": s}` (`*` any run of characters, `\*` a star);
//!   `{"anything-but": v | [v...] | {"prefix": s} | {"suffix": s} |
//!   {"equals-ignore-case": s | [s...]} | {"wildcard": s | [s...]}}`;
//!   `{"numeric": [op, n, op, n]}` with `=`, `<`, `<=`, `>`, `>=`;
//!   `{"exists": bool}`; `{"cidr": "10.0.0.0/24"}`.
//! * `"$or": [pattern, ...]` beside other keys: the object matches when
//!   one alternative, together with the other keys, matches.
//! * A field the event does not have matches only `{"exists": false}`.
//!
//! A pattern this module cannot read is an error, never a match.

use serde_json::Value;
use std::net::IpAddr;

/// Why a pattern could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("event pattern {path}: {message}")]
pub struct PatternError {
    /// Where in the pattern (`detail.severity`).
    pub path: String,
    pub message: String,
}

fn error(path: &str, message: impl Into<String>) -> PatternError {
    PatternError {
        path: if path.is_empty() {
            "(top)".into()
        } else {
            path.to_owned()
        },
        message: message.into(),
    }
}

/// Whether `event` matches `pattern`.
pub fn matches(pattern: &Value, event: &Value) -> Result<bool, PatternError> {
    match pattern {
        Value::Object(_) => object_matches(pattern, Some(event), ""),
        _ => Err(error("", "a pattern is a JSON object")),
    }
}

fn object_matches(
    pattern: &Value,
    event: Option<&Value>,
    path: &str,
) -> Result<bool, PatternError> {
    let Some(map) = pattern.as_object() else {
        return Err(error(path, "expected an object"));
    };
    let mut result = true;
    let mut alternatives: Option<&Vec<Value>> = None;
    for (key, expected) in map {
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        if key == "$or" {
            let Some(list) = expected.as_array().filter(|l| l.len() >= 2) else {
                return Err(error(
                    &here,
                    "`$or` takes an array of at least two patterns",
                ));
            };
            alternatives = Some(list);
            continue;
        }
        let field = event.and_then(|e| e.get(key));
        let matched = match expected {
            Value::Object(_) => match field {
                Some(Value::Object(_)) => object_matches(expected, field, &here)?,
                // A nested pattern against a missing field still checks
                // the pattern and matches only `exists: false` inside.
                None => object_matches(expected, None, &here)?,
                Some(_) => {
                    object_matches(expected, None, &here)?;
                    false
                }
            },
            Value::Array(matchers) => leaf_matches(matchers, field, &here)?,
            _ => return Err(error(&here, "a leaf must be an array of matchers")),
        };
        result &= matched;
    }
    if let Some(list) = alternatives {
        let mut any = false;
        for (i, alternative) in list.iter().enumerate() {
            any |= object_matches(alternative, event, &format!("{path}.$or[{i}]"))?;
        }
        result &= any;
    }
    Ok(result)
}

fn leaf_matches(
    matchers: &[Value],
    field: Option<&Value>,
    path: &str,
) -> Result<bool, PatternError> {
    if matchers.is_empty() {
        return Err(error(path, "an empty array matches nothing"));
    }
    let mut any = false;
    for matcher in matchers {
        any |= matcher_matches(matcher, field, path)?;
    }
    Ok(any)
}

/// The values a field offers: its elements when it is an array.
fn values(field: &Value) -> Vec<&Value> {
    match field {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn matcher_matches(
    matcher: &Value,
    field: Option<&Value>,
    path: &str,
) -> Result<bool, PatternError> {
    let Value::Object(map) = matcher else {
        // An exact value.
        return Ok(field.is_some_and(|f| values(f).iter().any(|v| exact(matcher, v))));
    };
    let [(name, argument)] = map.iter().collect::<Vec<_>>()[..] else {
        return Err(error(path, "a matcher object has exactly one key"));
    };
    if name == "exists" {
        let Some(want) = argument.as_bool() else {
            return Err(error(path, "`exists` takes true or false"));
        };
        let present = field.is_some_and(|f| !matches!(f, Value::Array(a) if a.is_empty()));
        return Ok(present == want);
    }
    let Some(field) = field else {
        // Every other matcher needs the field.
        check_matcher(name, argument, path)?;
        return Ok(false);
    };
    let mut any = false;
    for value in values(field) {
        any |= one_value(name, argument, value, path)?;
    }
    Ok(any)
}

/// Reads a matcher without a value, to report a malformed one even where
/// the event lacks the field.
fn check_matcher(name: &str, argument: &Value, path: &str) -> Result<(), PatternError> {
    one_value(name, argument, &Value::Null, path).map(|_| ())
}

fn exact(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (a, b) => a == b,
    }
}

fn text_of<'v>(argument: &'v Value, name: &str, path: &str) -> Result<&'v str, PatternError> {
    argument
        .as_str()
        .ok_or_else(|| error(path, format!("`{name}` takes a string")))
}

/// `prefix`/`suffix` argument: a string, or `{"equals-ignore-case": s}`.
fn affix<'v>(argument: &'v Value, name: &str, path: &str) -> Result<(&'v str, bool), PatternError> {
    match argument {
        Value::String(s) => Ok((s, false)),
        Value::Object(map) if map.len() == 1 => match map.get("equals-ignore-case") {
            Some(Value::String(s)) => Ok((s, true)),
            _ => Err(error(
                path,
                format!("`{name}` takes a string or {{\"equals-ignore-case\": string}}"),
            )),
        },
        _ => Err(error(
            path,
            format!("`{name}` takes a string or {{\"equals-ignore-case\": string}}"),
        )),
    }
}

fn one_value(
    name: &str,
    argument: &Value,
    value: &Value,
    path: &str,
) -> Result<bool, PatternError> {
    let text = value.as_str();
    Ok(match name {
        "prefix" => {
            let (p, fold) = affix(argument, name, path)?;
            text.is_some_and(|t| {
                if fold {
                    t.to_lowercase().starts_with(&p.to_lowercase())
                } else {
                    t.starts_with(p)
                }
            })
        }
        "suffix" => {
            let (s, fold) = affix(argument, name, path)?;
            text.is_some_and(|t| {
                if fold {
                    t.to_lowercase().ends_with(&s.to_lowercase())
                } else {
                    t.ends_with(s)
                }
            })
        }
        "equals-ignore-case" => {
            let s = text_of(argument, name, path)?;
            text.is_some_and(|t| t.to_lowercase() == s.to_lowercase())
        }
        "wildcard" => {
            let w = text_of(argument, name, path)?;
            text.is_some_and(|t| wildcard(w, t))
        }
        "numeric" => numeric(argument, value, path)?,
        "cidr" => {
            let block = text_of(argument, name, path)?;
            let (network, prefix) = parse_cidr(block)
                .ok_or_else(|| error(path, format!("`{block}` is not a CIDR block")))?;
            text.and_then(|t| t.parse::<IpAddr>().ok())
                .is_some_and(|ip| in_cidr(&ip, network, prefix))
        }
        "anything-but" => !anything_but_excludes(argument, value, path)?,
        other => return Err(error(path, format!("unknown matcher `{other}`"))),
    })
}

/// Whether `anything-but`'s argument names `value` (so it does not match).
fn anything_but_excludes(
    argument: &Value,
    value: &Value,
    path: &str,
) -> Result<bool, PatternError> {
    match argument {
        Value::Array(items) => {
            if items.iter().any(|i| i.is_object() || i.is_array()) {
                return Err(error(
                    path,
                    "`anything-but` takes values, not matchers, in a list",
                ));
            }
            Ok(items.iter().any(|i| exact(i, value)))
        }
        Value::Object(map) => {
            let [(name, inner)] = map.iter().collect::<Vec<_>>()[..] else {
                return Err(error(path, "`anything-but` takes one matcher"));
            };
            match name.as_str() {
                "prefix" | "suffix" | "wildcard" | "equals-ignore-case" => {
                    let list: Vec<&Value> = match inner {
                        Value::Array(items) if name != "prefix" && name != "suffix" => {
                            items.iter().collect()
                        }
                        other => vec![other],
                    };
                    let mut any = false;
                    for item in list {
                        any |= one_value(name, item, value, path)?;
                    }
                    Ok(any)
                }
                other => Err(error(
                    path,
                    format!("`anything-but` does not take `{other}`"),
                )),
            }
        }
        single => Ok(exact(single, value)),
    }
}

fn numeric(argument: &Value, value: &Value, path: &str) -> Result<bool, PatternError> {
    let Some(parts) = argument
        .as_array()
        .filter(|p| !p.is_empty() && p.len() % 2 == 0)
    else {
        return Err(error(path, "`numeric` takes [operator, number, ...]"));
    };
    let x = value.as_f64();
    let mut all = true;
    for pair in parts.chunks(2) {
        let (Some(op), Some(n)) = (pair[0].as_str(), pair[1].as_f64()) else {
            return Err(error(path, "`numeric` takes [operator, number, ...]"));
        };
        let holds = match (op, x) {
            (_, None) => false,
            ("=", Some(x)) => x == n,
            ("<", Some(x)) => x < n,
            ("<=", Some(x)) => x <= n,
            (">", Some(x)) => x > n,
            (">=", Some(x)) => x >= n,
            (other, _) => return Err(error(path, format!("unknown numeric operator `{other}`"))),
        };
        all &= holds;
    }
    Ok(all)
}

/// `*` any run of characters, `\*` a literal star ([`crate::wildcard`]).
fn wildcard(pattern: &str, text: &str) -> bool {
    use crate::wildcard::Token;
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'*') => {
                chars.next();
                tokens.push(Token::Char('*'));
            }
            '*' => tokens.push(Token::Star),
            c => tokens.push(Token::Char(c)),
        }
    }
    let text: Vec<char> = text.chars().collect();
    crate::wildcard::matches(&tokens, &text)
}

fn parse_cidr(text: &str) -> Option<(IpAddr, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let address: IpAddr = address.parse().ok()?;
    let prefix: u8 = prefix.parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    (prefix <= max).then_some((address, prefix))
}

/// Whether `ip` is in `network/prefix` (same family only), by `ipnet`.
fn in_cidr(ip: &IpAddr, network: IpAddr, prefix: u8) -> bool {
    ipnet::IpNet::new(network, prefix).is_ok_and(|net| net.contains(ip))
}

#[cfg(test)]
mod tests;
