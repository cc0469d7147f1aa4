//! The filter-pattern matcher: the 17 CIS-style alarm patterns against
//! 100,000 CloudTrail records. Goal: at least 1 million pattern-event
//! evaluations per second on one core (criterion reports time per batch of
//! 1.7 million evaluations; divide).

use auditscope::filter_pattern::{parse, Pattern};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

const PATTERNS: [&str; 17] = [
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }"#,
    r#"{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }"#,
    r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#,
    "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}",
    "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    r#"{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }"#,
    "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }",
    "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }",
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
    "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }",
    "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }",
    "{ ($.eventSource = ec2.amazonaws.com) && (($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable)) }",
    "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }",
    r#"{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }"#,
    "{ ($.eventName = ModifySnapshotAttribute) || ($.eventName = ModifyDBSnapshotAttribute) || ($.eventName = ModifyDBClusterSnapshotAttribute) }",
    "{ ($.eventName = RunInstances) || ($.eventName = TerminateInstances) || ($.eventName = StopInstances) || ($.eventName = StartInstances) || ($.eventName = RebootInstances) }",
];

const NAMES: [(&str, &str); 16] = [
    ("ConsoleLogin", "signin"),
    ("DescribeInstances", "ec2"),
    ("GetObject", "s3"),
    ("PutBucketPolicy", "s3"),
    ("AssumeRole", "sts"),
    ("CreateRoute", "ec2"),
    ("CreateRouteTable", "ec2"),
    ("DisableKey", "kms"),
    ("Decrypt", "kms"),
    ("StopLogging", "cloudtrail"),
    ("AttachRolePolicy", "iam"),
    ("ListUsers", "iam"),
    ("AuthorizeSecurityGroupIngress", "ec2"),
    ("RunInstances", "ec2"),
    ("PutConfigurationRecorder", "config"),
    ("CreateAccount", "organizations"),
];

fn event(i: usize) -> Value {
    let (name, service) = NAMES[i % NAMES.len()];
    let identity = match i % 7 {
        0 => {
            json!({"type": "Root", "principalId": "111122223333", "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333"})
        }
        1 => json!({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}),
        _ => {
            json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::111122223333:user/u{i}"), "accountId": "111122223333", "userName": format!("u{i}")})
        }
    };
    let mut record = json!({
        "eventVersion": "1.09",
        "userIdentity": identity,
        "eventTime": "2026-11-20T10:00:00Z",
        "eventSource": format!("{service}.amazonaws.com"),
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"bucketName": "b", "instanceId": format!("i-{i:08x}")},
        "responseElements": null,
        "requestID": format!("req-{i}"),
        "eventID": format!("evt-{i}"),
        "readOnly": false,
        "eventType": if i.is_multiple_of(11) { "AwsServiceEvent" } else { "AwsApiCall" },
        "managementEvent": true,
        "recipientAccountId": "111122223333",
    });
    if i.is_multiple_of(13) {
        record["errorCode"] = json!("AccessDenied");
        record["errorMessage"] = json!("User is not authorized");
    }
    if name == "ConsoleLogin" {
        record["additionalEventData"] =
            json!({"MFAUsed": if i.is_multiple_of(2) { "Yes" } else { "No" }});
        record["responseElements"] =
            json!({"ConsoleLogin": if i.is_multiple_of(3) { "Failure" } else { "Success" }});
    }
    record
}

fn bench(c: &mut Criterion) {
    let patterns: Vec<Pattern> = PATTERNS
        .iter()
        .map(|p| parse(p).unwrap_or_else(|e| panic!("{}", e.caret())))
        .collect();
    let events: Vec<Value> = (0..100_000).map(event).collect();
    let mut group = c.benchmark_group("filter-pattern");
    group.sample_size(10);
    group.throughput(Throughput::Elements((patterns.len() * events.len()) as u64));
    group.bench_function("17-patterns-x-100k-events", |b| {
        b.iter(|| {
            let mut matched = 0usize;
            for event in &events {
                for pattern in &patterns {
                    matched += usize::from(pattern.matches_json(event));
                }
            }
            matched
        })
    });
    group.throughput(Throughput::Elements(PATTERNS.len() as u64));
    group.bench_function("parse-17-patterns", |b| {
        b.iter(|| PATTERNS.iter().filter_map(|p| parse(p).ok()).count())
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
