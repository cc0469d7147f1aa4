use super::*;
use proptest::prelude::*;
use serde_json::json;

fn m(pattern: Value, event: Value) -> bool {
    matches(&pattern, &event).unwrap_or_else(|e| panic!("{pattern}: {e}"))
}

/// The EC2 state-change event of the EventBridge User Guide's examples.
fn ec2_event() -> Value {
    json!({
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "EC2 Instance State-change Notification", "source": "aws.ec2",
        "account": "111122223333", "time": "2017-12-22T18:43:48Z", "region": "us-west-1",
        "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
        "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated", "c-count": 5,
                   "source-ip": "10.0.0.255", "location": null, "tags": ["a", "b"]}
    })
}

#[test]
fn the_user_guides_examples() {
    let e = ec2_event();
    let cases: Vec<(Value, bool)> = vec![
        (json!({"source": ["aws.ec2"]}), true),
        (json!({"source": ["aws.s3"]}), false),
        (json!({"source": ["aws.s3", "aws.ec2"]}), true),
        (json!({"detail": {"state": ["terminated"]}}), true),
        (json!({"detail": {"state": ["running"]}}), false),
        (json!({"detail": {"location": [null]}}), true),
        (json!({"detail": {"location": [{"exists": true}]}}), true),
        (json!({"detail": {"nothing": [{"exists": false}]}}), true),
        (json!({"detail": {"nothing": [{"exists": true}]}}), false),
        (
            json!({"detail": {"nothing": [{"anything-but": "x"}]}}),
            false,
        ),
        (json!({"time": [{"prefix": "2017-12-22"}]}), true),
        (
            json!({"source": [{"prefix": {"equals-ignore-case": "AWS."}}]}),
            true,
        ),
        (json!({"source": [{"suffix": ".ec2"}]}), true),
        (
            json!({"source": [{"suffix": {"equals-ignore-case": ".EC2"}}]}),
            true,
        ),
        (
            json!({"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]}),
            true,
        ),
        (
            json!({"detail-type": [{"wildcard": "EC2*Notification"}]}),
            true,
        ),
        (json!({"detail-type": [{"wildcard": "EC2*Change"}]}), false),
        (
            json!({"detail": {"state": [{"anything-but": "running"}]}}),
            true,
        ),
        (
            json!({"detail": {"state": [{"anything-but": ["stopped", "terminated"]}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"prefix": "term"}}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"suffix": "ted"}}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"equals-ignore-case": ["TERMINATED"]}}]}}),
            false,
        ),
        (
            json!({"detail": {"state": [{"anything-but": {"wildcard": "run*"}}]}}),
            true,
        ),
        (
            json!({"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}]}}),
            true,
        ),
        (
            json!({"detail": {"c-count": [{"numeric": ["<", 5]}]}}),
            false,
        ),
        (json!({"detail": {"c-count": [5]}}), true),
        (json!({"detail": {"c-count": ["5"]}}), false),
        (
            json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/24"}]}}),
            true,
        ),
        (
            json!({"detail": {"source-ip": [{"cidr": "10.0.1.0/24"}]}}),
            false,
        ),
        (json!({"detail": {"tags": ["b"]}}), true),
        (json!({"detail": {"tags": ["c"]}}), false),
        (
            json!({"resources": [{"prefix": "arn:aws:ec2:us-west-1"}]}),
            true,
        ),
        (
            json!({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"detail": {"c-count": [5]}}]}),
            true,
        ),
        (
            json!({"source": ["aws.ec2"], "$or": [{"detail": {"state": ["running"]}}, {"region": ["eu-west-1"]}]}),
            false,
        ),
        (json!({"detail": {"state": {"nested": ["x"]}}}), false),
    ];
    for (pattern, expected) in cases {
        assert_eq!(m(pattern.clone(), e.clone()), expected, "{pattern}");
    }
}

#[test]
fn malformed_patterns_are_errors_not_matches() {
    for pattern in [
        json!(["aws.ec2"]),
        json!({"source": "aws.ec2"}),
        json!({"source": []}),
        json!({"source": [{"prefix": 1}]}),
        json!({"source": [{"sometimes": "x"}]}),
        json!({"source": [{"prefix": "a", "suffix": "b"}]}),
        json!({"detail": {"c-count": [{"numeric": [">"]}]}}),
        json!({"detail": {"c-count": [{"numeric": ["~", 1]}]}}),
        json!({"detail": {"source-ip": [{"cidr": "10.0.0.0/99"}]}}),
        json!({"$or": [{"source": ["a"]}]}),
        json!({"detail": {"missing-field": [{"prefix": 7}]}}),
    ] {
        assert!(matches(&pattern, &ec2_event()).is_err(), "{pattern}");
    }
}

proptest! {
    #[test]
    fn prefix_and_suffix_are_starts_and_ends_with(value in "[a-c.]{0,8}", affix in "[a-c.]{0,3}") {
        let event = json!({"source": value});
        prop_assert_eq!(m(json!({"source": [{"prefix": affix}]}), event.clone()), value.starts_with(&affix));
        prop_assert_eq!(m(json!({"source": [{"suffix": affix}]}), event), value.ends_with(&affix));
    }

    #[test]
    fn anything_but_is_the_negation_of_exact_for_a_present_field(value in "[ab]{1,2}", other in "[ab]{1,2}") {
        let event = json!({"k": value});
        prop_assert_eq!(
            m(json!({"k": [{"anything-but": other}]}), event.clone()),
            !m(json!({"k": [other]}), event)
        );
    }

    #[test]
    fn or_is_the_disjunction_of_its_alternatives(a in "[ab]", b in "[ab]", x in "[ab]", y in "[ab]") {
        let event = json!({"x": x, "y": y});
        let first = json!({"x": [a]});
        let second = json!({"y": [b]});
        prop_assert_eq!(
            m(json!({"$or": [first.clone(), second.clone()]}), event.clone()),
            m(first, event.clone()) || m(second, event)
        );
    }

    #[test]
    fn an_array_field_matches_when_one_element_does(items in prop::collection::vec("[abc]", 1..4), want in "[abc]") {
        let event = json!({"k": items});
        prop_assert_eq!(m(json!({"k": [want.clone()]}), event), items.contains(&want));
    }

    #[test]
    fn wildcards_match_as_regular_expressions_do(pattern in "[ab*]{0,6}", text in "[ab]{0,6}") {
        let regex = format!("^{}$", regex::escape(&pattern).replace("\\*", ".*"));
        prop_assert_eq!(wildcard(&pattern, &text), regex::Regex::new(&regex).expect("regex").is_match(&text));
    }
}
