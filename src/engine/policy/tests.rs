use super::*;
use proptest::prelude::*;
use serde_json::json;

const BUCKET: &str = "example-trail-bucket";

fn transport(statements: Value) -> (bool, bool) {
    let d = denies_insecure_transport(&json!({ "Statement": statements }), BUCKET, "aws");
    (d.bucket, d.objects)
}

fn deny(resource: Value, extra_conditions: Value) -> Value {
    let mut condition = json!({"Bool": {"aws:SecureTransport": "false"}});
    if let (Some(c), Some(extra)) = (condition.as_object_mut(), extra_conditions.as_object()) {
        for (k, v) in extra {
            c.insert(k.clone(), v.clone());
        }
    }
    json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resource, "Condition": condition})
}

#[test]
fn secure_transport_needs_the_bucket_and_its_objects() {
    let both = json!([
        "arn:aws:s3:::example-trail-bucket",
        "arn:aws:s3:::example-trail-bucket/*"
    ]);
    let cases: Vec<(&str, Value, (bool, bool))> = vec![
        (
            "the compliant form",
            json!([deny(both.clone(), json!({}))]),
            (true, true),
        ),
        (
            "objects only",
            json!([deny(
                json!("arn:aws:s3:::example-trail-bucket/*"),
                json!({})
            )]),
            (false, true),
        ),
        (
            "bucket only",
            json!([deny(json!("arn:aws:s3:::example-trail-bucket"), json!({}))]),
            (true, false),
        ),
        (
            "another bucket",
            json!([deny(
                json!(["arn:aws:s3:::other", "arn:aws:s3:::other/*"]),
                json!({})
            )]),
            (false, false),
        ),
        (
            "every resource",
            json!([deny(json!("*"), json!({}))]),
            (true, true),
        ),
        (
            "a bucket-name wildcard",
            json!([deny(
                json!(["arn:aws:s3:::example-*", "arn:aws:s3:::example-*/*"]),
                json!({})
            )]),
            (true, true),
        ),
        (
            "one prefix of objects",
            json!([deny(
                json!([
                    "arn:aws:s3:::example-trail-bucket",
                    "arn:aws:s3:::example-trail-bucket/AWSLogs/*"
                ]),
                json!({})
            )]),
            (true, false),
        ),
        (
            "two statements",
            json!([
                deny(json!("arn:aws:s3:::example-trail-bucket"), json!({})),
                deny(json!("arn:aws:s3:::example-trail-bucket/*"), json!({}))
            ]),
            (true, true),
        ),
        (
            "narrowed to requests outside a VPC endpoint",
            json!([deny(
                both.clone(),
                json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1"}})
            )]),
            (false, false),
        ),
        (
            "narrowed to one account",
            json!([deny(
                both.clone(),
                json!({"StringEquals": {"aws:PrincipalAccount": "111111111111"}})
            )]),
            (false, false),
        ),
        (
            "a condition that always holds",
            json!([deny(
                both.clone(),
                json!({"StringLikeIfExists": {"aws:SourceVpce": "*"}})
            )]),
            (true, true),
        ),
        (
            "NotResource sparing nothing of the bucket",
            json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]),
            (true, true),
        ),
        (
            "NotResource sparing some objects",
            json!([{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::example-trail-bucket/public/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]),
            (true, false),
        ),
    ];
    for (what, statements, expected) in cases {
        assert_eq!(transport(statements), expected, "{what}");
    }
}

#[test]
fn only_a_deny_of_every_action_for_everyone_on_http_counts() {
    let both = json!([
        "arn:aws:s3:::example-trail-bucket",
        "arn:aws:s3:::example-trail-bucket/*"
    ]);
    let with = |field: &str, value: Value| {
        let mut s = deny(both.clone(), json!({}));
        s[field] = value;
        json!([s])
    };
    assert_eq!(transport(with("Action", json!("*"))), (true, true));
    assert_eq!(
        transport(with("Action", json!(["S3:*"]))),
        (true, true),
        "actions ignore case"
    );
    assert_eq!(
        transport(with("Action", json!("s3:GetObject"))),
        (false, false)
    );
    assert_eq!(transport(with("Action", json!("s3:Get*"))), (false, false));
    assert_eq!(
        transport(with(
            "Principal",
            json!({"AWS": "arn:aws:iam::111111111111:root"})
        )),
        (false, false)
    );
    assert_eq!(
        transport(with("Principal", json!({"AWS": ["*"]}))),
        (true, true)
    );
    assert_eq!(transport(with("Effect", json!("Allow"))), (false, false));
    let mut not_action = deny(both.clone(), json!({}));
    not_action.as_object_mut().map(|o| o.remove("Action"));
    not_action["NotAction"] = json!("ec2:*");
    assert_eq!(transport(json!([not_action.clone()])), (true, true));
    not_action["NotAction"] = json!("s3:GetObject");
    assert_eq!(transport(json!([not_action])), (false, false));
    // The condition must hold for HTTP requests: true, or a typo, does not.
    let mut secure = deny(both.clone(), json!({}));
    secure["Condition"] = json!({"Bool": {"aws:SecureTransport": "true"}});
    assert_eq!(transport(json!([secure])), (false, false));
    let mut boolean = deny(both, json!({}));
    boolean["Condition"] = json!({"Bool": {"aws:SecureTransport": false}});
    assert_eq!(transport(json!([boolean])), (true, true));
}

fn public(statement: Value) -> bool {
    !public_statements(&json!({ "Statement": [statement] })).is_empty()
}

fn allow(condition: Value) -> Value {
    json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
           "Resource": "arn:aws:s3:::example-trail-bucket/*", "Condition": condition})
}

#[test]
fn public_follows_s3s_definition() {
    let cases: Vec<(&str, Value, bool)> = vec![
        ("no condition", allow(json!({})), true),
        (
            "a fixed VPC endpoint",
            allow(json!({"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}})),
            false,
        ),
        (
            "any VPC endpoint",
            allow(json!({"StringLike": {"aws:SourceVpce": "vpce-*"}})),
            true,
        ),
        (
            "a fixed ARN",
            allow(
                json!({"ArnEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t"}}),
            ),
            false,
        ),
        (
            "a wildcard ARN",
            allow(
                json!({"ArnLike": {"aws:SourceArn": "arn:aws:cloudtrail:*:111111111111:trail/*"}}),
            ),
            true,
        ),
        (
            "a fixed organization",
            allow(json!({"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}})),
            false,
        ),
        (
            "a policy variable",
            allow(json!({"StringEquals": {"aws:PrincipalAccount": "${aws:username}"}})),
            true,
        ),
        (
            "a narrow CIDR",
            allow(json!({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            false,
        ),
        (
            "a CIDR too wide",
            allow(json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}})),
            true,
        ),
        (
            "everything but a CIDR",
            allow(json!({"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            true,
        ),
        (
            "a negated key",
            allow(json!({"StringNotEquals": {"aws:SourceAccount": "111111111111"}})),
            true,
        ),
        (
            "IfExists lets requests without the key through",
            allow(json!({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})),
            true,
        ),
        (
            "a key that names nobody",
            allow(json!({"StringEquals": {"s3:prefix": "logs/"}})),
            true,
        ),
        (
            "two conditions, one restricting",
            allow(
                json!({"StringEquals": {"aws:SourceAccount": "111111111111"}, "Bool": {"aws:SecureTransport": "true"}}),
            ),
            false,
        ),
        (
            "ForAllValues is true for an empty set",
            allow(json!({"ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": "o-1/r-1/ou-1/"}})),
            true,
        ),
    ];
    for (what, statement, expected) in cases {
        assert_eq!(public(statement), expected, "{what}");
    }
    let service = json!({"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject"});
    assert!(!public(service));
    let account_wildcard = json!({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "s3:GetObject"});
    assert!(public(account_wildcard));
    let not_principal = json!({"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "s3:GetObject"});
    assert!(public(not_principal));
    let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:*"});
    assert!(!public(deny));
    let unknown_operator = allow(json!({"StringEqualz": {"aws:SourceVpce": "vpce-1"}}));
    assert!(
        public(unknown_operator),
        "an unreadable restriction restricts nothing"
    );
}

#[test]
fn conditions_follow_iams_operators() {
    let cond = |block: Value| -> Condition {
        let s = Statement::parse(
            &json!({"Effect": "Allow", "Action": "*", "Condition": block}),
            0,
        );
        assert!(s.unreadable.is_empty(), "{:?}", s.unreadable);
        s.conditions.into_iter().next().expect("one condition")
    };
    let one = |v: &str| vec![v.to_owned()];
    let cases: Vec<(Value, Option<Vec<String>>, bool)> = vec![
        (json!({"StringEquals": {"k": "a"}}), Some(one("a")), true),
        (json!({"StringEquals": {"k": "a"}}), Some(one("A")), false),
        (
            json!({"StringEqualsIgnoreCase": {"k": "a"}}),
            Some(one("A")),
            true,
        ),
        (json!({"StringEquals": {"k": "a"}}), None, false),
        (json!({"StringNotEquals": {"k": "a"}}), None, true),
        (json!({"StringEqualsIfExists": {"k": "a"}}), None, true),
        (
            json!({"StringLike": {"k": "a*c?"}}),
            Some(one("abbbcd")),
            true,
        ),
        (json!({"StringLike": {"k": "a*c?"}}), Some(one("ac")), false),
        (
            json!({"StringNotLike": {"k": ["x*", "y*"]}}),
            Some(one("yes")),
            false,
        ),
        (
            json!({"NumericLessThan": {"k": "10"}}),
            Some(one("9.5")),
            true,
        ),
        (
            json!({"NumericGreaterThanEquals": {"k": "10"}}),
            Some(one("10")),
            true,
        ),
        (
            json!({"NumericNotEquals": {"k": "10"}}),
            Some(one("10")),
            false,
        ),
        (
            json!({"DateGreaterThan": {"k": "2026-01-01T00:00:00Z"}}),
            Some(one("2026-06-01T00:00:00Z")),
            true,
        ),
        (
            json!({"DateLessThan": {"k": "2026-01-01"}}),
            Some(one("1767225600")),
            false,
        ),
        (json!({"Bool": {"k": "true"}}), Some(one("TRUE")), true),
        (
            json!({"IpAddress": {"k": "10.0.0.0/8"}}),
            Some(one("10.1.2.3")),
            true,
        ),
        (
            json!({"NotIpAddress": {"k": "10.0.0.0/8"}}),
            Some(one("10.1.2.3")),
            false,
        ),
        (
            json!({"IpAddress": {"k": "2001:db8::/32"}}),
            Some(one("2001:db8::1")),
            true,
        ),
        (json!({"Null": {"k": "true"}}), None, true),
        (json!({"Null": {"k": "false"}}), Some(one("x")), true),
        (
            json!({"ArnLike": {"k": "arn:aws:iam::*:role/admin"}}),
            Some(one("arn:aws:iam::111111111111:role/admin")),
            true,
        ),
        (
            json!({"ForAllValues:StringEquals": {"k": ["a", "b"]}}),
            Some(vec!["a".into(), "c".into()]),
            false,
        ),
        (
            json!({"ForAllValues:StringEquals": {"k": ["a", "b"]}}),
            None,
            true,
        ),
        (
            json!({"ForAnyValue:StringEquals": {"k": ["a", "b"]}}),
            Some(vec!["c".into(), "b".into()]),
            true,
        ),
        (
            json!({"ForAnyValue:StringEquals": {"k": ["a"]}}),
            None,
            false,
        ),
    ];
    for (block, values, expected) in cases {
        let c = cond(block.clone());
        assert_eq!(
            c.evaluate(values.as_deref()),
            expected,
            "{block} on {values:?}"
        );
    }
    assert!(cond(json!({"StringLikeIfExists": {"k": "*"}})).always_true());
    assert!(!cond(json!({"StringNotEquals": {"k": "a"}})).always_true());
    assert!(!cond(json!({"NumericLessThanIfExists": {"k": "5"}})).always_true());
    assert!(cond(json!({"IpAddressIfExists": {"k": ["0.0.0.0/0", "::/0"]}})).always_true());
    assert!(!cond(json!({"IpAddressIfExists": {"k": "0.0.0.0/1"}})).always_true());
}

#[test]
fn the_shared_verdict_cases() {
    // ../shared/cases/verdicts/s3-*.yaml
    let vpce = |value: &str, op: &str| {
        json!({"Statement": [{"Sid": "S", "Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-trail-bucket/*",
        "Condition": {op: {"aws:SourceVpce": value}}}]})
    };
    assert!(public_statements(&vpce("vpce-0a1b2c3d4e5f60718", "StringEquals")).is_empty());
    assert_eq!(public_statements(&vpce("vpce-*", "StringLike")), vec!["S"]);
}

proptest! {
    /// The dynamic-programming wildcard matcher agrees with a regular
    /// expression built from the pattern.
    #[test]
    fn wildcards_match_as_regular_expressions_do(pattern in "[ab*?]{0,8}", text in "[ab]{0,8}") {
        let regex = format!("^{}$", regex::escape(&pattern).replace("\\*", ".*").replace("\\?", "."));
        let expected = regex::Regex::new(&regex).expect("regex").is_match(&text);
        prop_assert_eq!(wildcard_match(&pattern, &text, false), expected);
    }

    /// `covers_all_with_prefix` and `may_match_with_prefix` agree with
    /// matching every (some) suffix, on short texts.
    #[test]
    fn prefix_questions_agree_with_enumeration(pattern in "[ab*?]{0,6}", prefix in "[ab]{0,3}") {
        let suffixes: Vec<String> = (0..4usize)
            .flat_map(|n| (0..1usize << n).map(move |bits| (0..n).map(|i| if bits >> i & 1 == 1 { 'a' } else { 'b' }).collect::<String>()))
            .collect();
        let matches: Vec<bool> = suffixes.iter().map(|s| wildcard_match(&pattern, &format!("{prefix}{s}"), false)).collect();
        if covers_all_with_prefix(&pattern, &prefix, false) {
            prop_assert!(matches.iter().all(|m| *m));
        }
        if matches.iter().any(|m| *m) {
            prop_assert!(may_match_with_prefix(&pattern, &prefix, false));
        }
    }

    /// A condition judged true for every request is true on any value.
    #[test]
    fn always_true_is_sound(
        op in prop::sample::select(vec!["StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
            "StringEqualsIfExists", "StringNotLikeIfExists", "StringLikeIfExists", "NumericLessThan",
            "NumericGreaterThanEqualsIfExists", "NumericNotEquals", "IpAddressIfExists", "NotIpAddress",
            "Bool", "BoolIfExists", "ForAllValues:StringNotEquals", "ForAnyValue:StringLike"]),
        values in prop::collection::vec("[a-c*]{0,3}|[0-9]{1,2}|10\\.0\\.0\\.0/[0-9]|true|false", 1..3),
        probe in "[a-c]{0,3}|[0-9]{1,3}|10\\.[0-9]\\.0\\.1|true|false",
    ) {
        let statement = Statement::parse(&json!({"Effect": "Allow", "Action": "*", "Condition": {op: {"k": values}}}), 0);
        let condition = &statement.conditions[0];
        prop_assume!(condition.possible_value(&probe));
        if condition.always_true() {
            prop_assert!(condition.evaluate(Some(std::slice::from_ref(&probe))), "{:?} on {}", condition, probe);
        }
    }
}
