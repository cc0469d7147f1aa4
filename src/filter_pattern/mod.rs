//! CloudWatch Logs filter patterns: parser, printer and matcher.
//!
//! Metric filters turn log events into metrics; an audit question such as
//! "is anyone alerted when root signs in?" depends on what the filter's
//! pattern really matches. Searching the pattern's text with regular
//! expressions (what other tools do) gets this wrong both ways, so
//! auditscope parses the pattern and evaluates it on sample events.
//!
//! Three syntaxes, told apart by the first character:
//!
//! * JSON (`{ $.eventName = "ConsoleLogin" && $.errorMessage NOT EXISTS }`):
//!   selectors `$.a.b`, `$.a[0]`; `=` and `!=` with strings (quoted or
//!   not, `*` is a wildcard), numbers or `%regex%`; `<`, `<=`, `>`, `>=`
//!   with numbers; `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`; `&&`
//!   (binds tighter), `||` and parentheses. Matched against a JSON event.
//! * space-delimited (`[ip, user, ..., status = 4* || status = 5*, bytes]`):
//!   named fields, `...` for any number of fields, conditions on a field.
//!   Matched against a text line split on spaces (`"…"` and `[…]` are one
//!   field each).
//! * terms (`ERROR "disk full" -retry ?WARN`): every plain term must occur,
//!   at least one `?term` if there are any, and no `-term`. Matched against
//!   a text line, case-sensitively. An empty pattern matches every event.
//!
//! Semantics chosen where AWS's documentation is silent are documented on
//! the matcher; a comparison on a field that is absent never matches
//! (`NOT EXISTS` is how a pattern asks for absence).

mod parse;

use std::fmt;

pub use parse::{parse, parse_selector};

/// A parsed filter pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// The empty pattern: every event.
    All,
    Terms(Vec<Term>),
    Json(Expr),
    Space(Vec<SpaceField>),
}

/// One term of an unstructured pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub kind: TermKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    /// Must occur.
    Required,
    /// `?term`: at least one of these must occur.
    Optional,
    /// `-term`: must not occur.
    Excluded,
}

/// A boolean expression over one event (JSON) or one field (space-delimited).
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Compare {
        selector: Selector,
        op: Op,
        value: Value,
    },
    Check {
        selector: Selector,
        check: Check,
    },
}

/// `$.a.b[0]` (JSON), or in a space-delimited pattern the field's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    Path(Vec<Segment>),
    Field(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Index(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    IsNull,
    NotExists,
    IsTrue,
    IsFalse,
}

/// The right-hand side of a comparison.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string; `*` matches any run of characters.
    Str(String),
    Num(f64),
    /// `%…%`: a regular expression searched in the field's text.
    Regex(RegexValue),
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::Num(a), Value::Num(b)) => a == b,
            (Value::Regex(a), Value::Regex(b)) => a.source == b.source,
            _ => false,
        }
    }
}

/// A compiled `%…%` regular expression and its source text.
#[derive(Debug, Clone)]
pub struct RegexValue {
    pub source: String,
    pub regex: regex::Regex,
}

/// A field of a space-delimited pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum SpaceField {
    /// `...`: any number of fields, including none.
    Ellipsis,
    /// A named field, with an optional condition on its value.
    Named {
        name: String,
        condition: Option<Expr>,
    },
}

/// Why a pattern was rejected, with the byte offset AWS would point at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter pattern at column {}: {message}", self.column())]
pub struct PatternError {
    /// Byte offset in the pattern.
    pub offset: usize,
    pub message: String,
    pattern: String,
}

impl PatternError {
    /// 1-based column, in characters.
    pub fn column(&self) -> usize {
        self.pattern
            .get(..self.offset)
            .map_or(self.offset, |s| s.chars().count())
            + 1
    }

    /// The pattern with a caret under the offending character.
    pub fn caret(&self) -> String {
        let line: String = self
            .pattern
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        format!(
            "{line}\n{}^ {}",
            " ".repeat(self.column() - 1),
            self.message
        )
    }
}

// ------------------------------------------------------------- matching

/// What a pattern is matched against.
pub enum Event<'a> {
    Json(&'a serde_json::Value),
    Text(&'a str),
}

impl Pattern {
    /// Whether the pattern matches `event`. A JSON pattern matches a text
    /// event only when the text parses as JSON; term and space-delimited
    /// patterns see a JSON event as its compact serialization.
    pub fn matches(&self, event: &Event) -> bool {
        match (self, event) {
            (Pattern::All, _) => true,
            (Pattern::Json(expr), Event::Json(value)) => expr.matches_json(value),
            (Pattern::Json(expr), Event::Text(text)) => serde_json::from_str(text)
                .map(|v: serde_json::Value| expr.matches_json(&v))
                .unwrap_or(false),
            (Pattern::Terms(terms), Event::Text(text)) => terms_match(terms, text),
            (Pattern::Space(fields), Event::Text(text)) => space_match(fields, text),
            (pattern, Event::Json(value)) => {
                let text = value.to_string();
                pattern.matches(&Event::Text(&text))
            }
        }
    }

    /// Matches a JSON event (CloudTrail records are JSON).
    pub fn matches_json(&self, event: &serde_json::Value) -> bool {
        self.matches(&Event::Json(event))
    }
}

impl Selector {
    /// The value the selector picks from a JSON event, if present.
    pub fn resolve<'v>(&self, root: &'v serde_json::Value) -> Option<&'v serde_json::Value> {
        let Selector::Path(path) = self else {
            return None;
        };
        path.iter().try_fold(root, |value, segment| match segment {
            Segment::Field(name) => value.as_object()?.get(name),
            Segment::Index(i) => value.as_array()?.get(*i),
        })
    }
}

impl Expr {
    fn matches_json(&self, event: &serde_json::Value) -> bool {
        match self {
            Expr::Or(a, b) => a.matches_json(event) || b.matches_json(event),
            Expr::And(a, b) => a.matches_json(event) && b.matches_json(event),
            Expr::Check { selector, check } => {
                let value = selector.resolve(event);
                match check {
                    Check::NotExists => value.is_none(),
                    Check::IsNull => matches!(value, Some(serde_json::Value::Null)),
                    Check::IsTrue => matches!(value, Some(serde_json::Value::Bool(true))),
                    Check::IsFalse => matches!(value, Some(serde_json::Value::Bool(false))),
                }
            }
            Expr::Compare {
                selector,
                op,
                value,
            } => match selector.resolve(event) {
                None => false,
                Some(field) => compare_json(field, *op, value),
            },
        }
    }

    /// Evaluates a space-delimited field condition on the field's text.
    fn matches_text(&self, field: &str) -> bool {
        match self {
            Expr::Or(a, b) => a.matches_text(field) || b.matches_text(field),
            Expr::And(a, b) => a.matches_text(field) && b.matches_text(field),
            Expr::Check { .. } => false,
            Expr::Compare { op, value, .. } => compare_text(field, *op, value),
        }
    }
}

/// Compares a JSON field. Strings compare with the text of strings,
/// numbers and booleans; numbers compare numerically with numbers and with
/// strings that parse as numbers. Objects, arrays and null never compare.
fn compare_json(field: &serde_json::Value, op: Op, value: &Value) -> bool {
    use serde_json::Value as J;
    let text: std::borrow::Cow<str> = match field {
        J::String(s) => s.as_str().into(),
        J::Number(n) => n.to_string().into(),
        J::Bool(b) => b.to_string().into(),
        J::Null | J::Array(_) | J::Object(_) => return false,
    };
    compare_text(&text, op, value)
}

fn compare_text(text: &str, op: Op, value: &Value) -> bool {
    match value {
        Value::Str(pattern) => {
            let equal = wildcard_match(pattern.as_bytes(), text.as_bytes());
            match op {
                Op::Eq => equal,
                Op::Ne => !equal,
                _ => false,
            }
        }
        Value::Regex(re) => {
            let found = re.regex.is_match(text);
            match op {
                Op::Eq => found,
                Op::Ne => !found,
                _ => false,
            }
        }
        Value::Num(n) => match text.trim().parse::<f64>() {
            Ok(x) => match op {
                Op::Eq => x == *n,
                Op::Ne => x != *n,
                Op::Lt => x < *n,
                Op::Le => x <= *n,
                Op::Gt => x > *n,
                Op::Ge => x >= *n,
            },
            Err(_) => false,
        },
    }
}

/// `*` matches any run of bytes (including none); everything else itself.
fn wildcard_match(pattern: &[u8], text: &[u8]) -> bool {
    if !pattern.contains(&b'*') {
        return pattern == text;
    }
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

fn terms_match(terms: &[Term], text: &str) -> bool {
    let mut any_optional = false;
    let mut optional_found = false;
    for term in terms {
        let found = text.contains(term.text.as_str());
        match term.kind {
            TermKind::Required if !found => return false,
            TermKind::Excluded if found => return false,
            TermKind::Optional => {
                any_optional = true;
                optional_found |= found;
            }
            _ => {}
        }
    }
    !any_optional || optional_found
}

/// Splits a line into space-delimited fields; `"…"` and `[…]` are one
/// field each, without their delimiters.
pub fn split_fields(line: &str) -> Vec<&str> {
    let mut fields = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b' ' || bytes[i] == b'\t' {
            i += 1;
            continue;
        }
        let close = match bytes[i] {
            b'"' => Some(b'"'),
            b'[' => Some(b']'),
            _ => None,
        };
        match close {
            Some(close) => {
                let start = i + 1;
                let end = bytes[start..]
                    .iter()
                    .position(|&b| b == close)
                    .map_or(bytes.len(), |p| start + p);
                fields.push(&line[start..end]);
                i = end + 1;
            }
            None => {
                let start = i;
                while i < bytes.len() && bytes[i] != b' ' && bytes[i] != b'\t' {
                    i += 1;
                }
                fields.push(&line[start..i]);
            }
        }
    }
    fields
}

fn space_match(pattern: &[SpaceField], line: &str) -> bool {
    space_match_counting(pattern, &split_fields(line)).0
}

/// Matches space-delimited fields by dynamic programming over (pattern
/// field, line field): `reach[j]` says whether the pattern fields seen so
/// far can consume exactly the first `j` fields of the line. `...` turns
/// `reach` into its running OR (it may swallow any number of fields), a
/// named field moves every reachable position one field on when its
/// condition holds there. Work is at most one condition per (pattern field,
/// line field) pair, so a pattern of ten `...` costs what one does; a
/// backtracking matcher is exponential in the number of `...`. Returns the
/// match and the number of steps taken (pattern field × positions visited),
/// which tests bound.
fn space_match_counting(pattern: &[SpaceField], fields: &[&str]) -> (bool, usize) {
    let mut reach = vec![false; fields.len() + 1];
    reach[0] = true;
    let mut steps = 0usize;
    for field in pattern {
        steps += reach.len();
        match field {
            SpaceField::Ellipsis => {
                let mut any = false;
                for r in reach.iter_mut() {
                    any |= *r;
                    *r = any;
                }
            }
            SpaceField::Named { condition, .. } => {
                let mut next = vec![false; reach.len()];
                for (j, text) in fields.iter().enumerate() {
                    if reach[j] && condition.as_ref().is_none_or(|c| c.matches_text(text)) {
                        next[j + 1] = true;
                    }
                }
                reach = next;
            }
        }
        if !reach.contains(&true) {
            return (false, steps);
        }
    }
    (reach[fields.len()], steps)
}

// ------------------------------------------------------------- printing

impl fmt::Display for Pattern {
    /// A canonical form that parses back to the same tree.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pattern::All => Ok(()),
            Pattern::Terms(terms) => {
                for (i, term) in terms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    let prefix = match term.kind {
                        TermKind::Required => "",
                        TermKind::Optional => "?",
                        TermKind::Excluded => "-",
                    };
                    write!(f, "{prefix}\"{}\"", escape(&term.text))?;
                }
                Ok(())
            }
            Pattern::Json(expr) => write!(f, "{{ {expr} }}"),
            Pattern::Space(fields) => {
                f.write_str("[")?;
                for (i, field) in fields.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    match field {
                        SpaceField::Ellipsis => f.write_str("...")?,
                        SpaceField::Named { name, condition } => match condition {
                            None => f.write_str(name)?,
                            Some(c) => write!(f, "{c}")?,
                        },
                    }
                }
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(a, b) => write!(f, "{a} || {}", Paren(b, false)),
            Expr::And(a, b) => write!(f, "{} && {}", Paren(a, false), Paren(b, true)),
            Expr::Compare {
                selector,
                op,
                value,
            } => write!(f, "{selector} {op} {value}"),
            Expr::Check { selector, check } => {
                let check = match check {
                    Check::IsNull => "IS NULL",
                    Check::NotExists => "NOT EXISTS",
                    Check::IsTrue => "IS TRUE",
                    Check::IsFalse => "IS FALSE",
                };
                write!(f, "{selector} {check}")
            }
        }
    }
}

/// Prints an operand with the parentheses the tree needs: `||` binds
/// loosest and both operators associate to the left, so an `||` operand of
/// `&&` and any right-hand operand of its own operator are wrapped.
struct Paren<'a>(&'a Expr, bool);

impl fmt::Display for Paren<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let wrap = match self.0 {
            Expr::Or(..) => true,
            Expr::And(..) => self.1,
            _ => false,
        };
        if wrap {
            write!(f, "({})", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Field(name) => f.write_str(name),
            Selector::Path(path) => {
                f.write_str("$")?;
                for segment in path {
                    match segment {
                        Segment::Field(name) => write!(f, ".{name}")?,
                        Segment::Index(i) => write!(f, "[{i}]")?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        })
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => write!(f, "\"{}\"", escape(s)),
            Value::Num(n) => write!(f, "{n}"),
            Value::Regex(re) => write!(f, "%{}%", re.source),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests;
