//! Reading S3 bucket policies and ACLs for public access and transport
//! security, the way S3's own "public" evaluation does it.

use serde_json::Value;

const ALL_USERS: &str = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS: &str = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/// Condition keys that tie a statement to known principals or networks, so
/// that S3 does not treat a `Principal: *` statement as public.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:userid",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
];

fn as_list(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

fn statements(policy: &Value) -> Vec<&Value> {
    policy.get("Statement").map(as_list).unwrap_or_default()
}

/// Whether a statement's principal is everyone (`*` or `{"AWS": "*"}`).
fn principal_is_everyone(statement: &Value) -> bool {
    match statement.get("Principal") {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(map)) => map
            .get("AWS")
            .map(|aws| as_list(aws).iter().any(|p| p.as_str() == Some("*")))
            .unwrap_or(false),
        _ => false,
    }
}

fn is_wildcard_value(value: &Value) -> bool {
    as_list(value).iter().all(|v| {
        v.as_str()
            .is_some_and(|s| s == "*" || s.is_empty() || s == "0.0.0.0/0" || s == "::/0")
    })
}

/// Whether a statement's condition restricts it to known principals.
fn has_restricting_condition(statement: &Value) -> bool {
    let Some(Value::Object(operators)) = statement.get("Condition") else {
        return false;
    };
    operators.iter().any(|(operator, keys)| {
        let negated = operator.to_ascii_lowercase().contains("not");
        keys.as_object().is_some_and(|keys| {
            keys.iter().any(|(key, value)| {
                !negated
                    && RESTRICTING_KEYS.contains(&key.to_ascii_lowercase().as_str())
                    && !is_wildcard_value(value)
            })
        })
    })
}

/// Labels (`Sid` or index) of Allow statements that grant access to everyone.
pub fn public_statements(policy: &Value) -> Vec<String> {
    statements(policy)
        .into_iter()
        .enumerate()
        .filter(|(_, s)| s.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|(_, s)| principal_is_everyone(s) && !has_restricting_condition(s))
        .map(|(index, s)| {
            s.get("Sid")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .unwrap_or_else(|| format!("Statement[{index}]"))
        })
        .collect()
}

/// Whether the policy denies every request not sent over TLS: a Deny for
/// everyone on `s3:*` (or `*`) with `aws:SecureTransport` = false.
pub fn denies_insecure_transport(policy: &Value) -> bool {
    statements(policy).into_iter().any(|s| {
        let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
        let all_actions = s
            .get("Action")
            .map(|a| {
                as_list(a)
                    .iter()
                    .any(|x| matches!(x.as_str(), Some("s3:*") | Some("*")))
            })
            .unwrap_or(false);
        let insecure = s
            .get("Condition")
            .and_then(|c| c.get("Bool"))
            .and_then(Value::as_object)
            .and_then(|keys| {
                keys.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("aws:SecureTransport"))
                    .map(|(_, v)| v)
            })
            .is_some_and(|v| {
                as_list(v)
                    .iter()
                    .any(|x| x.as_str() == Some("false") || x.as_bool() == Some(false))
            });
        deny && all_actions && insecure && principal_is_everyone(s)
    })
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
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn principal_star_without_condition_is_public() {
        let policy = json!({"Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}]});
        assert_eq!(public_statements(&policy), vec!["Open"]);
    }

    #[test]
    fn source_arn_condition_is_not_public() {
        let policy = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:PutObject",
            "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/t"}}}]});
        assert!(public_statements(&policy).is_empty());
    }

    #[test]
    fn wildcard_condition_value_is_still_public() {
        let policy = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
            "Condition": {"StringLike": {"aws:SourceArn": "*"}}}]});
        assert_eq!(public_statements(&policy), vec!["Statement[0]"]);
    }

    #[test]
    fn service_principal_is_not_public() {
        let policy = json!({"Statement": {"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject"}});
        assert!(public_statements(&policy).is_empty());
    }

    #[test]
    fn secure_transport_deny_is_recognised() {
        let policy = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]});
        assert!(denies_insecure_transport(&policy));
        let narrow = json!({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
            "Condition": {"Bool": {"aws:SecureTransport": false}}}]});
        assert!(!denies_insecure_transport(&narrow));
    }
}
