use super::*;
use proptest::prelude::*;
use serde_json::json;

fn m(pattern: &str, event: serde_json::Value) -> bool {
    parse(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {}", e.caret()))
        .matches_json(&event)
}

fn line(pattern: &str, text: &str) -> bool {
    parse(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {}", e.caret()))
        .matches(&Event::Text(text))
}

fn err(pattern: &str) -> PatternError {
    match parse(pattern) {
        Ok(p) => panic!("{pattern} parsed as {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn json_equality_wildcards_and_logic() {
    let login = json!({"eventName": "ConsoleLogin", "errorMessage": "Failed authentication",
                       "additionalEventData": {"MFAUsed": "No"}, "userIdentity": {"type": "IAMUser"}});
    assert!(m(r#"{ $.eventName = "ConsoleLogin" }"#, login.clone()));
    assert!(
        m("{ $.eventName = ConsoleLogin }", login.clone()),
        "unquoted value"
    );
    assert!(m(r#"{ $.eventName = "Console*" }"#, login.clone()));
    assert!(m(r#"{ $.eventName = "*Login" }"#, login.clone()));
    assert!(m(r#"{ $.eventName = "C*e*n" }"#, login.clone()));
    assert!(
        !m(r#"{ $.eventName = "console*" }"#, login.clone()),
        "case-sensitive"
    );
    assert!(!m(r#"{ $.eventName != "ConsoleLogin" }"#, login.clone()));
    assert!(m(
        r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") }"#,
        login.clone()
    ));
    assert!(m(
        r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
        login.clone()
    ));
    assert!(m(
        r#"{ $.eventName = "X" || $.userIdentity.type = "IAMUser" }"#,
        login.clone()
    ));
    // Precedence: && binds tighter than ||.
    assert!(m(
        r#"{ $.eventName = "X" && $.eventName = "Y" || $.userIdentity.type = "IAMUser" }"#,
        login.clone()
    ));
    assert!(!m(
        r#"{ $.eventName = "X" && ($.eventName = "Y" || $.userIdentity.type = "IAMUser") }"#,
        login
    ));
}

#[test]
fn a_chain_of_event_names_joined_with_and_never_matches() {
    let pattern = r#"{ ($.eventName = DeleteGroupPolicy) && ($.eventName = DeleteRolePolicy) }"#;
    for name in ["DeleteGroupPolicy", "DeleteRolePolicy"] {
        assert!(!m(pattern, json!({"eventName": name})));
    }
}

#[test]
fn absent_fields_exists_null_and_booleans() {
    let root = json!({"userIdentity": {"type": "Root"}, "eventType": "AwsApiCall", "flag": true, "gone": null});
    assert!(m(
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
        root.clone()
    ));
    assert!(!m("{ $.userIdentity.type NOT EXISTS }", root.clone()));
    assert!(m("{ $.gone IS NULL }", root.clone()));
    assert!(
        !m("{ $.missing IS NULL }", root.clone()),
        "absent is not null"
    );
    assert!(m("{ $.flag IS TRUE }", root.clone()));
    assert!(!m("{ $.flag IS FALSE }", root.clone()));
    // A comparison on an absent field never matches, with = or !=.
    assert!(!m(r#"{ $.missing = "x" }"#, root.clone()));
    assert!(!m(r#"{ $.missing != "x" }"#, root));
}

#[test]
fn numbers_arrays_and_regex() {
    let event = json!({"bytes": 1500, "code": "404", "items": [{"name": "a"}, {"name": "b"}],
                       "eventName": "DeleteRolePolicy"});
    assert!(m("{ $.bytes > 1000 }", event.clone()));
    assert!(m(
        "{ $.bytes >= 1500 && $.bytes <= 1500 && $.bytes = 1500 }",
        event.clone()
    ));
    assert!(!m("{ $.bytes < 1e3 }", event.clone()));
    assert!(
        m("{ $.code = 404 }", event.clone()),
        "numeric text compares numerically"
    );
    assert!(m("{ $.code != 200 }", event.clone()));
    assert!(m(r#"{ $.items[1].name = "b" }"#, event.clone()));
    assert!(!m(r#"{ $.items[2].name = "b" }"#, event.clone()));
    assert!(m("{ $.eventName = %^Delete.*Policy$% }", event.clone()));
    assert!(!m("{ $.eventName != %Policy% }", event.clone()));
    assert!(m(r#"{ $.eventName = "Delete*Policy" }"#, event));
}

#[test]
fn terms_phrases_exclusions_and_alternatives() {
    let text = "2026-11-23 ERROR disk full on /dev/sda1";
    assert!(line("ERROR", text));
    assert!(line("ERROR disk", text), "all terms, any order");
    assert!(line("disk ERROR", text));
    assert!(!line("ERROR WARN", text));
    assert!(line(r#""disk full""#, text));
    assert!(!line(r#""full disk""#, text));
    assert!(!line("ERROR -disk", text));
    assert!(line("ERROR -retry", text));
    assert!(line("?WARN ?ERROR", text));
    assert!(!line("?WARN ?INFO", text));
    assert!(!line("error", text), "case-sensitive");
    assert!(line("", text), "empty pattern matches everything");
    assert!(line("   ", text));
}

#[test]
fn space_delimited_fields() {
    let log =
        r#"127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534"#;
    assert_eq!(split_fields(log).len(), 7);
    assert!(line(
        "[ip, user, username, timestamp, request, status_code, bytes]",
        log
    ));
    assert!(line(
        r#"[ip, user, username, timestamp, request = "*html*", status_code = 4*, bytes]"#,
        log
    ));
    assert!(line(
        "[ip, user, username, timestamp, request, status_code = 4* || status_code = 5*, bytes]",
        log
    ));
    assert!(!line(
        "[ip, user, username, timestamp, request, status_code != 404 && status_code != 500, bytes]",
        log
    ));
    assert!(line("[..., status_code = 404, bytes > 1000]", log));
    assert!(line("[ip = 127.0.0.1, ...]", log));
    assert!(
        !line("[ip, user]", log),
        "field count must match without `...`"
    );
    assert!(!line("[..., bytes < 1000]", log));
}

#[test]
fn errors_point_at_the_problem() {
    let e = err(r#"{ $.eventName = "ConsoleLogin" "#);
    assert_eq!(e.message, "expected `}` to close the JSON pattern");
    assert_eq!(e.column(), 32);
    assert!(e
        .caret()
        .contains("\n                               ^ expected"));
    assert_eq!(err("{ eventName = x }").column(), 3);
    assert_eq!(err(r#"{ $.a = "x }"#).message, "unterminated quoted string");
    assert!(err("{ $.a < abc }").message.contains("compares numbers"));
    assert!(err("{ $.a ~ 1 }")
        .message
        .starts_with("expected an operator"));
    assert!(err("{ $.a = %(% }")
        .message
        .starts_with("invalid regular expression"));
    assert!(err("{ $.a = 1 } trailing")
        .message
        .contains("after the end"));
    assert!(err("[a, b = 1 && c = 2]")
        .message
        .contains("must compare `b`"));
    assert!(err("[]").message.contains("at least one field"));
    assert!(err(&"x".repeat(1025)).message.contains("1,024"));
    assert!(err(&format!(
        "{{ {}$.a = 1{} }}",
        "(".repeat(100),
        ")".repeat(100)
    ))
    .message
    .contains("too deeply"));
}

#[test]
fn printer_gives_a_canonical_form() {
    let p = parse(r#"{($.a=1)&&($.b = x||$.c NOT EXISTS)}"#).expect("parses");
    assert_eq!(
        p.to_string(),
        r#"{ $.a = 1 && ($.b = "x" || $.c NOT EXISTS) }"#
    );
    let p = parse(r#"-"a b" ?c d"#).expect("parses");
    assert_eq!(p.to_string(), r#"-"a b" ?"c" "d""#);
}

// ------------------------------------------------------------ properties

fn arb_expr() -> impl Strategy<Value = String> {
    let selector = prop_oneof![
        Just("$.eventName".to_owned()),
        Just("$.userIdentity.type".to_owned()),
        Just("$.a[0].b".to_owned()),
        "[a-z]{1,5}".prop_map(|s| format!("$.{s}")),
    ];
    let value = prop_oneof![
        "[A-Za-z*]{1,8}",
        "-?[0-9]{1,4}",
        "[ -~]{0,8}".prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        Just("%^Delete.*%".to_owned()),
    ];
    let leaf = (
        selector,
        prop_oneof![Just("="), Just("!="), Just(">"), Just("<=")],
        value,
    )
        .prop_map(|(s, op, v)| format!("{s} {op} {v}"));
    let leaf = prop_oneof![
        leaf,
        Just("$.x NOT EXISTS".to_owned()),
        Just("$.x IS NULL".to_owned()),
        Just("$.x IS TRUE".to_owned()),
    ];
    leaf.prop_recursive(4, 24, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} && {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}||{b}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

/// A backtracking matcher takes time exponential in the number of `...`
/// (the hardening case `filter-pattern-ellipsis-hang`); the dynamic program
/// takes one step per (pattern field, line position), whatever the shape.
#[test]
fn many_ellipses_match_in_polynomial_steps() {
    let pattern = parse("[...,...,...,...,...,...,...,...,...,...,x=y]").expect("parses");
    let Pattern::Space(fields) = &pattern else {
        panic!("space-delimited")
    };
    let words: Vec<String> = (0..200).map(|i| format!("w{i}")).collect();
    let line: Vec<&str> = words.iter().map(String::as_str).collect();
    let (matched, steps) = space_match_counting(fields, &line);
    assert!(!matched);
    assert!(steps <= fields.len() * (line.len() + 1), "{steps} steps");
    let mut with_y = line.clone();
    with_y.push("y");
    assert!(space_match_counting(fields, &with_y).0);
    // The same pattern on a CloudTrail record (matched as its JSON text).
    assert!(!pattern.matches_json(&json!({"eventName": "ConsoleLogin", "a": [1, 2, 3]})));
}

fn arb_space_pattern() -> impl Strategy<Value = String> {
    let field = prop_oneof![
        Just("...".to_owned()),
        "[a-c]".prop_map(|n| n),
        ("[a-c]", "[xyz*]{1,3}").prop_map(|(n, v)| format!("{n}={v}")),
        ("[a-c]", "[xyz]{1,2}").prop_map(|(n, v)| format!("{n}!={v}")),
    ];
    prop::collection::vec(field, 1..40).prop_map(|fields| format!("[{}]", fields.join(",")))
}

/// The reference semantics, by backtracking; only for short inputs.
fn space_match_backtracking(pattern: &[SpaceField], fields: &[&str]) -> bool {
    match pattern.split_first() {
        None => fields.is_empty(),
        Some((SpaceField::Ellipsis, rest)) => {
            (0..=fields.len()).any(|skip| space_match_backtracking(rest, &fields[skip..]))
        }
        Some((SpaceField::Named { condition, .. }, rest)) => match fields.split_first() {
            None => false,
            Some((field, others)) => {
                condition.as_ref().is_none_or(|c| c.matches_text(field))
                    && space_match_backtracking(rest, others)
            }
        },
    }
}

proptest! {
    /// Random space-delimited patterns of up to 40 fields against lines of
    /// up to 60 fields: the work is bounded by pattern × line size.
    #[test]
    fn space_delimited_matching_is_polynomial(
        source in arb_space_pattern(),
        words in prop::collection::vec("[xyz]{1,2}", 0..60),
    ) {
        let pattern = parse(&source).map_err(|e| TestCaseError::fail(e.caret()))?;
        let Pattern::Space(fields) = &pattern else { return Err(TestCaseError::fail("space")) };
        let line: Vec<&str> = words.iter().map(String::as_str).collect();
        let (_, steps) = space_match_counting(fields, &line);
        prop_assert!(steps <= fields.len() * (line.len() + 1));
    }

    /// The dynamic program decides exactly what backtracking decides.
    #[test]
    fn space_delimited_matching_agrees_with_backtracking(
        source in arb_space_pattern().prop_filter("short", |s| s.matches("...").count() <= 4),
        words in prop::collection::vec("[xyz]{1,2}", 0..12),
    ) {
        let pattern = parse(&source).map_err(|e| TestCaseError::fail(e.caret()))?;
        let Pattern::Space(fields) = &pattern else { return Err(TestCaseError::fail("space")) };
        let line: Vec<&str> = words.iter().map(String::as_str).collect();
        prop_assert_eq!(space_match_counting(fields, &line).0, space_match_backtracking(fields, &line));
    }

    #[test]
    fn never_panics_on_arbitrary_input(s in "\\PC{0,80}") {
        let _ = parse(&s);
    }

    #[test]
    fn never_panics_on_pattern_like_input(s in "[{}\\[\\]()$.=!<>&|\"%*?, a-z0-9\\\\-]{0,60}") {
        if let Err(e) = parse(&s) {
            let _ = e.caret();
        }
    }

    #[test]
    fn printed_patterns_parse_back_to_the_same_tree(s in "[{}\\[\\]()$.=!<>&|\"*?, a-z0-9-]{0,60}") {
        if let Ok(p) = parse(&s) {
            let printed = p.to_string();
            prop_assert_eq!(parse(&printed).ok(), Some(p), "printed: {}", printed);
        }
    }

    #[test]
    fn generated_json_patterns_round_trip(e in arb_expr()) {
        let source = format!("{{ {e} }}");
        match parse(&source) {
            Ok(p) => {
                let printed = p.to_string();
                prop_assert_eq!(parse(&printed).ok(), Some(p), "printed: {}", printed);
            }
            // Only `>`/`<=` with a non-number may be rejected.
            Err(err) => prop_assert!(err.message.contains("compares numbers"), "{}: {}", source, err.caret()),
        }
    }
}
