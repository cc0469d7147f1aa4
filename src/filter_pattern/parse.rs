//! The filter-pattern parser: a hand-written recursive descent over bytes
//! that never panics and reports the offset of the first problem.

use super::{
    Check, Expr, Op, Pattern, PatternError, RegexValue, Segment, Selector, SpaceField, Term,
    TermKind, Value,
};

/// Parses a filter pattern.
pub fn parse(pattern: &str) -> Result<Pattern, PatternError> {
    let mut p = Parser {
        src: pattern,
        pos: 0,
        depth: 0,
    };
    if pattern.len() > MAX_LEN {
        return Err(p.error_at(
            MAX_LEN,
            "longer than 1,024 characters, AWS's limit for a filter pattern",
        ));
    }
    p.skip_ws();
    let parsed = match p.peek() {
        None => Pattern::All,
        Some(b'{') => {
            p.pos += 1;
            let expr = p.expr(None)?;
            p.skip_ws();
            p.expect(b'}', "expected `}` to close the JSON pattern")?;
            Pattern::Json(expr)
        }
        Some(b'[') => {
            p.pos += 1;
            Pattern::Space(p.space_fields()?)
        }
        Some(_) => Pattern::Terms(p.terms()?),
    };
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.error("unexpected text after the end of the pattern"));
    }
    Ok(parsed)
}

/// Parses a JSON selector such as `$.userIdentity.type` or `$.items[0]`, as
/// metric filters use them for dimension and metric values.
pub fn parse_selector(text: &str) -> Result<Selector, PatternError> {
    let mut p = Parser {
        src: text,
        pos: 0,
        depth: 0,
    };
    p.skip_ws();
    let selector = p.selector()?;
    p.skip_ws();
    if p.pos < p.src.len() {
        return Err(p.error("unexpected text after the selector"));
    }
    Ok(selector)
}

/// AWS's limit on a metric filter's pattern (PutMetricFilter).
const MAX_LEN: usize = 1024;
/// Parentheses nested deeper than this are rejected rather than recursed.
const MAX_DEPTH: usize = 64;

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, message: &str) -> PatternError {
        self.error_at(self.pos, message)
    }

    fn error_at(&self, offset: usize, message: &str) -> PatternError {
        PatternError {
            offset: offset.min(self.src.len()),
            message: message.to_owned(),
            pattern: self.src.to_owned(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, byte: u8, message: &str) -> Result<(), PatternError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(message))
        }
    }

    /// Advances over the next character (never splits a UTF-8 sequence).
    fn bump_char(&mut self) -> Option<char> {
        let c = self.rest().chars().next()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    // ---------------------------------------------------------- terms

    fn terms(&mut self) -> Result<Vec<Term>, PatternError> {
        let mut terms = Vec::new();
        loop {
            self.skip_ws();
            let Some(first) = self.peek() else { break };
            let kind = match first {
                b'?' => TermKind::Optional,
                b'-' => TermKind::Excluded,
                _ => TermKind::Required,
            };
            if kind != TermKind::Required {
                self.pos += 1;
            }
            let text = if self.peek() == Some(b'"') {
                self.quoted()?
            } else {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'"'))
                {
                    self.bump_char();
                }
                self.src[start..self.pos].to_owned()
            };
            if text.is_empty() {
                return Err(self.error("expected a term"));
            }
            terms.push(Term { kind, text });
        }
        Ok(terms)
    }

    /// A `"…"` string with `\"` and `\\` escapes; the cursor is on `"`.
    fn quoted(&mut self) -> Result<String, PatternError> {
        let open = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.bump_char() {
                None => return Err(self.error_at(open, "unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump_char() {
                    Some(c @ ('"' | '\\')) => out.push(c),
                    Some(c) => {
                        out.push('\\');
                        out.push(c);
                    }
                    None => return Err(self.error_at(open, "unterminated quoted string")),
                },
                Some(c) => out.push(c),
            }
        }
    }

    // ---------------------------------------------------------- JSON

    /// `or := and ('||' and)*`. `field` is set inside a space-delimited
    /// pattern: comparisons then name that field instead of a `$` path.
    fn expr(&mut self, field: Option<&str>) -> Result<Expr, PatternError> {
        self.chain(field, "||", Self::and, Expr::Or)
    }

    /// `and := primary ('&&' primary)*`.
    fn and(&mut self, field: Option<&str>) -> Result<Expr, PatternError> {
        self.chain(field, "&&", Self::primary, Expr::And)
    }

    /// Operands joined by `operator`, grouped to the left.
    fn chain(
        &mut self,
        field: Option<&str>,
        operator: &str,
        operand: fn(&mut Self, Option<&str>) -> Result<Expr, PatternError>,
        join: fn(Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, PatternError> {
        let mut left = operand(self, field)?;
        loop {
            self.skip_ws();
            if !self.eat(operator) {
                return Ok(left);
            }
            let right = operand(self, field)?;
            left = join(Box::new(left), Box::new(right));
        }
    }

    fn primary(&mut self, field: Option<&str>) -> Result<Expr, PatternError> {
        self.skip_ws();
        if self.peek() == Some(b'(') {
            if self.depth >= MAX_DEPTH {
                return Err(self.error("parentheses nested too deeply"));
            }
            self.pos += 1;
            self.depth += 1;
            let inner = self.expr(field)?;
            self.depth -= 1;
            self.skip_ws();
            self.expect(b')', "expected `)`")?;
            return Ok(inner);
        }
        let selector = match field {
            None => self.selector()?,
            Some(name) => {
                let at = self.pos;
                let found = self.identifier();
                if found != name {
                    return Err(self.error_at(
                        at,
                        &format!("a condition in field `{name}` must compare `{name}`"),
                    ));
                }
                Selector::Field(found.to_owned())
            }
        };
        self.skip_ws();
        let checks = [
            ("IS NULL", Check::IsNull),
            ("NOT EXISTS", Check::NotExists),
            ("IS TRUE", Check::IsTrue),
            ("IS FALSE", Check::IsFalse),
        ];
        if field.is_none() {
            for (keyword, check) in checks {
                if self.eat(keyword) {
                    return Ok(Expr::Check { selector, check });
                }
            }
        }
        let op = if self.eat("!=") {
            Op::Ne
        } else if self.eat("<=") {
            Op::Le
        } else if self.eat(">=") {
            Op::Ge
        } else if self.eat("=") {
            Op::Eq
        } else if self.eat("<") {
            Op::Lt
        } else if self.eat(">") {
            Op::Gt
        } else {
            let expected = if field.is_none() {
                "expected an operator (=, !=, <, <=, >, >=) or IS NULL, NOT EXISTS, IS TRUE, IS FALSE"
            } else {
                "expected an operator (=, !=, <, <=, >, >=)"
            };
            return Err(self.error(expected));
        };
        self.skip_ws();
        let value_at = self.pos;
        let value = self.value()?;
        match (&value, op) {
            (Value::Num(_), _) | (_, Op::Eq | Op::Ne) => {}
            _ => {
                return Err(self.error_at(
                    value_at,
                    &format!("`{op}` compares numbers; this value is not a number"),
                ))
            }
        }
        Ok(Expr::Compare {
            selector,
            op,
            value,
        })
    }

    /// `$.a.b[0]`.
    fn selector(&mut self) -> Result<Selector, PatternError> {
        if !self.eat("$") {
            return Err(self.error("expected a selector such as `$.eventName`"));
        }
        let mut path = Vec::new();
        loop {
            match self.peek() {
                Some(b'.') => {
                    self.pos += 1;
                    let name = self.identifier();
                    if name.is_empty() {
                        return Err(self.error("expected a field name after `.`"));
                    }
                    path.push(Segment::Field(name.to_owned()));
                }
                Some(b'[') => {
                    self.pos += 1;
                    let start = self.pos;
                    while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                        self.pos += 1;
                    }
                    let index = self.src[start..self.pos]
                        .parse::<usize>()
                        .map_err(|_| self.error_at(start, "expected an array index"))?;
                    self.expect(b']', "expected `]`")?;
                    path.push(Segment::Index(index));
                }
                _ => break,
            }
        }
        if path.is_empty() {
            return Err(self.error("expected `.field` after `$`"));
        }
        Ok(Selector::Path(path))
    }

    fn identifier(&mut self) -> &'a str {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b':'))
        {
            self.pos += 1;
        }
        &self.src[start..self.pos]
    }

    /// A quoted string, a `%regex%`, a number or an unquoted word.
    fn value(&mut self) -> Result<Value, PatternError> {
        match self.peek() {
            Some(b'"') => Ok(Value::Str(self.quoted()?)),
            Some(b'%') => {
                let open = self.pos;
                self.pos += 1;
                let start = self.pos;
                while self.peek().is_some_and(|b| b != b'%') {
                    self.bump_char();
                }
                if self.peek() != Some(b'%') {
                    return Err(self.error_at(open, "unterminated regular expression (`%…%`)"));
                }
                let source = self.src[start..self.pos].to_owned();
                self.pos += 1;
                if source.is_empty() {
                    return Err(self.error_at(open, "empty regular expression"));
                }
                let regex = regex::Regex::new(&source).map_err(|e| {
                    self.error_at(start, &format!("invalid regular expression: {e}"))
                })?;
                Ok(Value::Regex(RegexValue { source, regex }))
            }
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(|b| {
                    !matches!(
                        b,
                        b' ' | b'\t'
                            | b'\n'
                            | b'\r'
                            | b')'
                            | b'('
                            | b'}'
                            | b']'
                            | b','
                            | b'&'
                            | b'|'
                            | b'"'
                    )
                }) {
                    self.bump_char();
                }
                let word = &self.src[start..self.pos];
                if word.is_empty() {
                    return Err(self.error_at(start, "expected a value"));
                }
                Ok(match number(word) {
                    Some(n) => Value::Num(n),
                    None => Value::Str(word.to_owned()),
                })
            }
        }
    }

    // ---------------------------------------------------------- space-delimited

    /// `name, name = value, ..., name != x && name != y]`; the cursor is
    /// after `[`.
    fn space_fields(&mut self) -> Result<Vec<SpaceField>, PatternError> {
        let mut fields = Vec::new();
        loop {
            self.skip_ws();
            if fields.is_empty() && self.peek() == Some(b']') {
                return Err(self.error("expected at least one field"));
            }
            if self.eat("...") {
                fields.push(SpaceField::Ellipsis);
            } else {
                let at = self.pos;
                let name = self.identifier();
                if name.is_empty() {
                    return Err(self.error_at(at, "expected a field name or `...`"));
                }
                let name = name.to_owned();
                self.skip_ws();
                let condition = if matches!(self.peek(), Some(b',' | b']')) {
                    None
                } else {
                    self.pos = at;
                    Some(self.expr(Some(&name))?)
                };
                fields.push(SpaceField::Named { name, condition });
            }
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(fields);
                }
                _ => return Err(self.error("expected `,` or `]`")),
            }
        }
    }
}

/// A decimal number as AWS writes them: `-12`, `3.5`, `1e3`. Anything else
/// (including `NaN` and `inf`) is a word.
fn number(word: &str) -> Option<f64> {
    let digits = word.strip_prefix('-').unwrap_or(word);
    let starts_with_digit = digits.as_bytes().first().is_some_and(u8::is_ascii_digit);
    let allowed = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !starts_with_digit || !allowed {
        return None;
    }
    word.parse::<f64>().ok().filter(|n| n.is_finite())
}
