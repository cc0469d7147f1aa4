#!/usr/bin/env python3
"""Writes the bundled mock organization `mock/acme` (and, with --synthetic N,
a synthetic organization of N accounts x 17 regions for benchmarks, and
then nothing else). `mockgen.py DIR` writes the worlds under DIR instead.

The acme world is hand-designed: a management account with an organization
trail, a log-archive account holding the trail bucket (Object Lock,
versioning), a security account that is the delegated GuardDuty
administrator, a compliant workload account and one with realistic gaps.
Run it again after changing it; the YAML it writes is committed.
"""
import argparse
import json
import sys
from pathlib import Path

import yaml

REGIONS = ["ap-northeast-1", "eu-west-1", "us-east-1"]
MGMT, ARCHIVE, SECURITY, PROD, DEV = "111111111111", "222222222222", "333333333333", "444444444444", "555555555555"
ORG_TRAIL = f"arn:aws:cloudtrail:us-east-1:{MGMT}:trail/acme-org-trail"
ORG_KEY = f"arn:aws:kms:us-east-1:{MGMT}:key/0b6f1a52-7c1e-4f3e-9b1d-org000000001"
ORG_LOG_GROUP = f"arn:aws:logs:us-east-1:{MGMT}:log-group:aws-cloudtrail-logs-acme:*"
NOW = "2026-11-20T12:00:00Z"
RECENT = "2026-11-20T11:55:00Z"


def status(logging=True, error=None, cw_time=RECENT, cw_error=None, stop=None):
    return {
        "is_logging": logging,
        "latest_delivery_time": RECENT if logging else "2026-09-01T00:00:00Z",
        "latest_delivery_error": error,
        "latest_digest_delivery_time": RECENT if logging else None,
        "latest_cloudwatch_logs_delivery_time": cw_time,
        "latest_cloudwatch_logs_delivery_error": cw_error,
        "stop_logging_time": stop,
    }


def org_trail(with_status):
    trail = {
        "name": "acme-org-trail",
        "arn": ORG_TRAIL,
        "home_region": "us-east-1",
        "owner_account_id": MGMT,
        "is_multi_region": True,
        "is_organization_trail": True,
        "include_global_service_events": True,
        "log_file_validation_enabled": True,
        "s3_bucket_name": "acme-org-cloudtrail-logs",
        "kms_key_id": ORG_KEY,
        "cloudwatch_logs_log_group_arn": ORG_LOG_GROUP,
        "cloudwatch_logs_role_arn": f"arn:aws:iam::{MGMT}:role/CloudTrailToCloudWatchLogs",
        "advanced_event_selectors": [
            {"name": "Log all management events", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]},
            {"name": "S3 object events", "field_selectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]}]},
        ],
    }
    if with_status:
        trail["status"] = status()
    return trail


def recorder(region, global_types):
    return {
        "name": "default",
        "role_arn": "arn:aws:iam::ACCOUNT:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig",
        "all_supported": True,
        "include_global_resource_types": global_types,
        "recording_strategy": "ALL_SUPPORTED_RESOURCE_TYPES",
        "status": {"recording": True, "last_status": "Success", "last_status_change_time": RECENT},
    }


def member_detector(account, region, enabled=True, findings=()):
    return {
        "id": f"d{account[:4]}{region.replace('-', '')}",
        "status": "ENABLED" if enabled else "DISABLED",
        "finding_publishing_frequency": "FIFTEEN_MINUTES",
        "features": [{"name": "CLOUD_TRAIL", "status": "ENABLED"}, {"name": "S3_DATA_EVENTS", "status": "ENABLED"}],
        "administrator": {"account_id": SECURITY, "relationship_status": "Enabled"},
        "high_severity_findings": list(findings),
    }


FSBP = "arn:aws:securityhub:REGION::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS = "arn:aws:securityhub:REGION::standards/cis-aws-foundations-benchmark/v/3.0.0"
# The log archive shares one Resolver query logging configuration per
# region with every account through AWS RAM.
QUERY_LOGS = "rqlc-acme{region}"


def vpc_id(account, region, n=0):
    return f"vpc-{account[:4]}{region.replace('-', '')[:9]}{n:04d}"


def flow_log(account, region, resource, traffic="ALL", status="ACTIVE", delivery="SUCCESS"):
    return {"id": f"fl-{resource[-12:]}{traffic[:1].lower()}", "resource_id": resource, "traffic_type": traffic,
            "flow_log_status": status, "deliver_logs_status": delivery, "log_destination_type": "s3",
            "log_destination": "arn:aws:s3:::acme-org-vpc-flow-logs", "max_aggregation_interval": 600}


def query_log_config(account, region):
    cid = QUERY_LOGS.format(region=region.replace("-", ""))
    return {"id": cid, "name": "acme-dns", "arn": f"arn:aws:route53resolver:{region}:{ARCHIVE}:resolver-query-log-config/{cid}",
            "owner_id": ARCHIVE, "status": "CREATED", "share_status": "SHARED_BY_ME" if account == ARCHIVE else "SHARED_WITH_ME",
            "destination_arn": "arn:aws:s3:::acme-org-dns-query-logs"}


def query_log_association(account, region, vpc, status="ACTIVE"):
    return {"id": f"rqlca-{vpc[4:]}", "resolver_query_log_config_id": QUERY_LOGS.format(region=region.replace("-", "")),
            "resource_id": vpc, "status": status, "error": "NONE"}


def network(account, region):
    """The default VPC, with a flow log of ALL traffic to the central bucket
    and the shared DNS query logging."""
    vpc = vpc_id(account, region)
    return {
        "vpcs": [{"id": vpc, "owner_id": account, "cidr_block": "172.31.0.0/16", "is_default": True, "state": "available"}],
        "flow_logs": [flow_log(account, region, vpc)],
        "resolver_query_log_configs": [query_log_config(account, region)],
        "resolver_query_log_config_associations": [query_log_association(account, region, vpc)],
    }


def security_hub(account, region, standards=(FSBP, CIS)):
    return {
        "enabled": True, "hub_arn": f"arn:aws:securityhub:{region}:{account}:hub/default", "subscribed_at": "2026-01-05T09:00:00.000Z",
        "auto_enable_controls": True, "control_finding_generator": "SECURITY_CONTROL",
        "standards": [{"standards_arn": s.replace("REGION", region), "status": "READY",
                       "standards_subscription_arn": f"arn:aws:securityhub:{region}:{account}:subscription/{s.split('/')[-3]}/v/{s.split('/')[-1]}"}
                      for s in standards],
        "administrator_account_id": None if account == SECURITY else SECURITY,
    }


def region_facts(account, region, config=True, detector=None, log_groups=(), extra=None):
    facts = {"region": region, "log_groups": list(log_groups)}
    facts.update(network(account, region))
    facts["security_hub"] = security_hub(account, region)
    facts["event_data_stores"] = []
    facts["security_lake"] = {"data_lake": None, "log_sources": None}
    if detector is not None:
        facts["guardduty_detectors"] = [detector]
    if config:
        rec = recorder(region, region == "us-east-1")
        rec["role_arn"] = rec["role_arn"].replace("ACCOUNT", account)
        facts["config_recorders"] = [rec]
        facts["config_delivery_channels"] = [{"name": "default", "s3_bucket_name": "acme-org-config", "delivery_frequency": "TwentyFour_Hours"}]
    facts.update(extra or {})
    return facts


def log_group(account, region, name, retention, key=None, protected=True):
    return {
        "name": name,
        "arn": f"arn:aws:logs:{region}:{account}:log-group:{name}:*",
        "retention_in_days": retention,
        "kms_key_id": key,
        "data_protection_status": "ACTIVATED" if protected else None,
        "log_group_class": "STANDARD",
    }


def key(account, region, key_id, rotation=True, state="Enabled", aliases=()):
    return {
        "arn": f"arn:aws:kms:{region}:{account}:key/{key_id}",
        "key_id": key_id,
        "region": region,
        "account_id": account,
        "key_state": state,
        "key_manager": "CUSTOMER",
        "key_spec": "SYMMETRIC_DEFAULT",
        "origin": "AWS_KMS",
        "rotation_enabled": rotation,
        "aliases": list(aliases),
    }


# CIS 4.x filters on the organization trail's log group, written the ways
# real accounts write them; six are broken on purpose, one link each, so
# the report shows what each kind of gap looks like.
ALARM_TOPIC = f"arn:aws:sns:us-east-1:{MGMT}:security-alarms"
PENDING_TOPIC = f"arn:aws:sns:us-east-1:{MGMT}:auth-alarms"
ORG_FILTERS = [
    # CIS v1.4.0 4.1 joined every clause with ||: it matches nearly every event.
    ("UnauthorizedAPICalls", '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") || '
     '($.sourceIPAddress!="delivery.logs.amazonaws.com") || ($.eventName!="HeadBucket") }', {}),
    ("ConsoleSigninWithoutMFA", '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
     '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }', {}),
    ("RootAccountUsage", '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }', {}),
    ("IAMPolicyChanges", "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = Put*Policy) || ($.eventName = Delete*Policy*) || "
     "($.eventName = Attach*Policy) || ($.eventName = Detach*Policy) || ($.eventName = CreatePolicy*)) }", {}),
    ("CloudTrailConfigChanges", "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
     "($.eventName = StartLogging) || ($.eventName = StopLogging) }", {"actions_enabled": False}),
    ("ConsoleSigninFailures", '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
     {"alarm_actions": [PENDING_TOPIC]}),
    ("DisableOrDeleteCMK", "{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }", {}),
    ("S3BucketPolicyChanges", "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || "
     "($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || "
     "($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || "
     "($.eventName = DeleteBucketReplication)) }", {}),
    ("AWSConfigChanges", "{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||"
     "($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }", {}),
    # The alarm watches the right name in the namespace of the CIS text, not the filter's.
    ("SecurityGroupChanges", "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || "
     "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || "
     "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }", {"namespace": "CISBenchmark"}),
    ("NACLChanges", "{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || "
     "($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }", {}),
    ("NetworkGatewayChanges", "{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || "
     "($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || "
     "($.eventName = DetachInternetGateway) }", {}),
    # CreateRoute is missing; a regex looking for "CreateRoute" finds it in "CreateRouteTable".
    ("RouteTableChanges", "{ ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || "
     "($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || "
     "($.eventName = DisassociateRouteTable) }", {}),
    ("VPCChanges", "{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || "
     "($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || "
     "($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || "
     "($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || "
     "($.eventName = EnableVpcClassicLink) }", {}),
    ("OrganizationsChanges", '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || '
     '($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || '
     '($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || '
     '($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || '
     '($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || '
     '($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || '
     '($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || '
     '($.eventName = "UpdateOrganizationalUnit")) }', {}),
    # One filter, with the event name as a dimension and one alarm per name.
    ("EC2InstanceChanges", "{ $.eventSource = ec2.amazonaws.com && ($.eventName = RunInstances || $.eventName = StopInstances || "
     "$.eventName = TerminateInstances) }", {"per_event": ["RunInstances", "StopInstances", "TerminateInstances"]}),
]


def metric_filter(name, pattern, namespace="CloudTrailMetrics", dimensions=None):
    transformation = {"metric_name": name, "metric_namespace": namespace, "metric_value": "1"}
    if dimensions:
        transformation["dimensions"] = dimensions
    return {"name": name, "pattern": pattern, "transformations": [transformation]}


def metric_alarm(account, region, name, metric, namespace="CloudTrailMetrics", topic=None, enabled=True, dimensions=None):
    alarm = {
        "name": name, "arn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
        "namespace": namespace, "metric_name": metric, "statistic": "Sum", "period": 300, "evaluation_periods": 1,
        "threshold": 1.0, "comparison_operator": "GreaterThanOrEqualToThreshold", "actions_enabled": enabled,
        "alarm_actions": [topic or f"arn:aws:sns:{region}:{account}:security-alarms"], "state": "OK",
    }
    if dimensions:
        alarm["dimensions"] = dimensions
    return alarm


def org_monitoring():
    """Filters, alarms and topics of the management account in us-east-1."""
    filters, alarms = [], []
    for name, pattern, how in ORG_FILTERS:
        if "per_event" in how:
            filters.append(metric_filter(name, pattern, dimensions={"EventName": "$.eventName"}))
            alarms += [metric_alarm(MGMT, "us-east-1", f"{name}-{e}", name, dimensions={"EventName": e}) for e in how["per_event"]]
            continue
        filters.append(metric_filter(name, pattern))
        alarms.append(metric_alarm(MGMT, "us-east-1", name, name, namespace=how.get("namespace", "CloudTrailMetrics"),
                                   topic=(how.get("alarm_actions") or [None])[0], enabled=how.get("actions_enabled", True)))
    topics = [
        {"arn": ALARM_TOPIC, "subscriptions": [{"arn": f"{ALARM_TOPIC}:7d3e9a10", "protocol": "email", "endpoint": "soc@acme.example"}]},
        {"arn": PENDING_TOPIC, "subscriptions": [{"arn": "PendingConfirmation", "protocol": "email", "endpoint": "iam-team@acme.example"}]},
    ]
    return filters, alarms, topics


def event_data_store(account, name, **settings):
    store = {"arn": f"arn:aws:cloudtrail:us-east-1:{account}:eventdatastore/{name}-0000-4000-8000-000000000001", "name": name,
             "status": "ENABLED", "multi_region_enabled": True, "organization_enabled": False, "retention_period": 2557,
             "termination_protection_enabled": True, "kms_key_id": ORG_KEY, "billing_mode": "EXTENDABLE_RETENTION_PRICING",
             "advanced_event_selectors": [{"name": "Management events", "field_selectors": [
                 {"field": "eventCategory", "equals": ["Management"]}]}]}
    store.update(settings)
    return store


def management():
    lg_key = key(MGMT, "us-east-1", "5c0ffee0-0000-4000-8000-logs00000001", aliases=["alias/cloudwatch-logs"])
    filters, alarms, topics = org_monitoring()
    org_group = log_group(MGMT, "us-east-1", "aws-cloudtrail-logs-acme", 400, lg_key["arn"])
    org_group["metric_filters"] = filters
    # Seven years of the organization's management events in CloudTrail Lake.
    org_store = event_data_store(MGMT, "acme-org-events", organization_enabled=True)
    return {
        "id": MGMT, "name": "acme-management", "email": "aws-root+management@acme.example", "status": "ACTIVE",
        "role": "management", "ou_path": ["Root"], "regions": REGIONS,
        "trails": [org_trail(True)],
        "kms_keys": [key(MGMT, "us-east-1", ORG_KEY.rsplit("/", 1)[1], aliases=["alias/acme-org-trail"]), lg_key],
        "s3_public_access_block": {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True},
        "region_facts": [
            region_facts(MGMT, r, detector=member_detector(MGMT, r), log_groups=([org_group] if r == "us-east-1" else []),
                         extra={"metric_alarms": alarms, "sns_topics": topics, "event_data_stores": [org_store]}
                         if r == "us-east-1" else None)
            for r in REGIONS
        ],
    }


def trail_bucket_policy():
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AWSCloudTrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:GetBucketAcl", "Resource": "arn:aws:s3:::acme-org-cloudtrail-logs",
             "Condition": {"StringEquals": {"aws:SourceArn": ORG_TRAIL}}},
            {"Sid": "AWSCloudTrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"},
             "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-org-cloudtrail-logs/AWSLogs/*",
             "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": ORG_TRAIL}}},
            {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
             "Resource": ["arn:aws:s3:::acme-org-cloudtrail-logs", "arn:aws:s3:::acme-org-cloudtrail-logs/*"],
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
        ],
    }


def log_archive():
    return {
        "id": ARCHIVE, "name": "acme-log-archive", "status": "ACTIVE", "role": "member", "ou_path": ["Root", "Security"],
        "regions": REGIONS, "trails": [org_trail(False)],
        "s3_public_access_block": {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True},
        "buckets": [{
            "name": "acme-org-cloudtrail-logs", "region": "us-east-1", "owner_account_id": ARCHIVE,
            "policy": trail_bucket_policy(),
            "acl": {"owner_id": "c0ffee-archive", "grants": [{"grantee_type": "CanonicalUser", "grantee_id": "c0ffee-archive", "permission": "FULL_CONTROL"}]},
            "public_access_block": {"block_public_acls": True, "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": True},
            "versioning": {"status": "Enabled", "mfa_delete": "Disabled"},
            "object_lock": {"enabled": True, "default_retention_mode": "COMPLIANCE", "default_retention_days": 400},
            "encryption": {"sse_algorithm": "aws:kms", "kms_master_key_id": ORG_KEY, "bucket_key_enabled": True},
            "logging": {"target_bucket": "acme-s3-access-logs", "target_prefix": "acme-org-cloudtrail-logs/"},
            "replication": {"role": f"arn:aws:iam::{ARCHIVE}:role/replication", "rules": [
                {"id": "dr", "status": "Enabled", "destination_bucket": "arn:aws:s3:::acme-org-cloudtrail-logs-dr", "destination_account": ARCHIVE,
                 "replicates_kms_objects": True}]},
            "lifecycle_rules": [{"id": "glacier-after-90", "status": "Enabled", "expiration_days": 2555}],
        }],
        "region_facts": [region_facts(ARCHIVE, r, detector=member_detector(ARCHIVE, r)) for r in REGIONS],
    }


def security():
    topic = f"arn:aws:sns:REGION:{SECURITY}:security-alerts"
    facts = []
    for r in REGIONS:
        detector = {
            "id": f"dadmin{r.replace('-', '')}", "status": "ENABLED", "finding_publishing_frequency": "FIFTEEN_MINUTES",
            "features": [{"name": "CLOUD_TRAIL", "status": "ENABLED"}],
            "organization_configuration": {"auto_enable_organization_members": "ALL", "member_account_limit_reached": False},
            "high_severity_findings": [],
        }
        t = topic.replace("REGION", r)
        hub = security_hub(SECURITY, r)
        hub["organization_configuration"] = {"auto_enable": False, "auto_enable_standards": "NONE",
                                             "configuration_type": "CENTRAL", "status": "ENABLED"}
        facts.append(region_facts(SECURITY, r, detector=detector, extra={
            "security_hub": hub,
            "security_lake": security_lake(r),
            "sns_topics": [{"arn": t, "subscriptions": [{"arn": f"{t}:4f1c2a9e", "protocol": "email", "endpoint": "soc@acme.example"}]}],
            "eventbridge_rules": [{"name": "guardduty-findings-to-soc", "arn": f"arn:aws:events:{r}:{SECURITY}:rule/guardduty-findings-to-soc",
                                   "state": "ENABLED", "event_pattern": {"source": ["aws.guardduty"], "detail-type": ["GuardDuty Finding"]},
                                   "targets": [{"id": "soc", "arn": t}]}],
        }))
    return {"id": SECURITY, "name": "acme-security", "status": "ACTIVE", "role": "member", "ou_path": ["Root", "Security"],
            "regions": REGIONS, "trails": [org_trail(False)], "region_facts": facts}


def security_lake(region):
    """The security account's data lake: us-east-1 is the rollup region,
    eu-west-1 contributes to it, ap-northeast-1 is not in Security Lake.
    Every account sends CloudTrail management events, VPC flow logs and
    Route 53 logs, except dev in eu-west-1 (no Route 53)."""
    if region == "ap-northeast-1":
        return {"data_lake": None, "log_sources": None}
    sources = []
    for account in (MGMT, ARCHIVE, SECURITY, PROD, DEV):
        for name in ("CLOUD_TRAIL_MGMT", "VPC_FLOW", "ROUTE53", "SH_FINDINGS"):
            if account == DEV and region == "eu-west-1" and name == "ROUTE53":
                continue
            sources.append({"account": account, "region": region, "source_name": name, "source_version": "2.0"})
    return {
        "data_lake": {"arn": f"arn:aws:securitylake:{region}:{SECURITY}:data-lake/default", "region": region,
                      "create_status": "COMPLETED", "expiration_days": 2557,
                      "s3_bucket_arn": f"arn:aws:s3:::aws-security-data-lake-{region}-acme",
                      "replication_regions": ["us-east-1"] if region == "eu-west-1" else []},
        "log_sources": sources,
    }


def prod():
    k = key(PROD, "eu-west-1", "9a1b2c3d-0000-4000-8000-prodlogs0001", aliases=["alias/app-logs"])
    facts = [region_facts(PROD, r, detector=member_detector(PROD, r), log_groups=(
        [log_group(PROD, r, "/ecs/payments-api", 400, k["arn"])] if r == "eu-west-1" else [])) for r in REGIONS]
    # ap-northeast-1: the payments VPC records REJECT traffic on each of its
    # subnets instead of on the VPC, which covers it as well.
    tokyo = facts[0]
    payments = vpc_id(PROD, "ap-northeast-1", 1)
    subnets = [f"subnet-{PROD[:4]}apne1{n:08d}" for n in range(3)]
    tokyo["vpcs"].append({"id": payments, "owner_id": PROD, "cidr_block": "10.20.0.0/16", "is_default": False,
                          "state": "available", "name": "payments"})
    tokyo["subnets"] = [{"id": s, "vpc_id": payments} for s in subnets]
    tokyo["flow_logs"] += [flow_log(PROD, "ap-northeast-1", s, traffic="REJECT") for s in subnets]
    tokyo["resolver_query_log_config_associations"].append(query_log_association(PROD, "ap-northeast-1", payments))
    # eu-west-1: the default VPC also sends its flow log to CloudWatch Logs,
    # in a custom format, where a filter counts REJECT records and an alarm
    # notifies the SOC.
    ireland = facts[1]
    default = vpc_id(PROD, "eu-west-1")
    group = log_group(PROD, "eu-west-1", "vpc-flow-logs", 400, k["arn"])
    custom = "${version} ${vpc-id} ${subnet-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status}"
    group["metric_filters"] = [metric_filter("VpcFlowLogRejects",
                                             "[version, vpc, subnet, eni, src, dst, srcport, dstport, protocol, packets, bytes, "
                                             "start, end, action = \"REJECT\", status]", namespace="VPCFlowLogMetrics")]
    ireland["log_groups"].append(group)
    cwl = flow_log(PROD, "eu-west-1", default, traffic="REJECT")
    cwl.update({"id": "fl-prodeuw1cwl", "log_destination_type": "cloud-watch-logs", "log_group_name": "vpc-flow-logs",
                "log_destination": group["arn"].removesuffix(":*"), "log_format": custom})
    ireland["flow_logs"].append(cwl)
    topic = f"arn:aws:sns:eu-west-1:{PROD}:network-alarms"
    ireland["metric_alarms"] = [metric_alarm(PROD, "eu-west-1", "VpcFlowLogRejects", "VpcFlowLogRejects",
                                             namespace="VPCFlowLogMetrics", topic=topic)]
    ireland["sns_topics"] = [{"arn": topic, "subscriptions": [{"arn": f"{topic}:5e6f7a8b", "protocol": "email",
                                                               "endpoint": "netops@acme.example"}]}]
    return {"id": PROD, "name": "acme-workload-prod", "status": "ACTIVE", "role": "member", "ou_path": ["Root", "Workloads", "Prod"],
            "regions": REGIONS, "trails": [org_trail(False)], "kms_keys": [k], "region_facts": facts}


def dev():
    dev_trail = {
        "name": "dev-trail", "arn": f"arn:aws:cloudtrail:us-east-1:{DEV}:trail/dev-trail", "home_region": "us-east-1",
        "owner_account_id": DEV, "is_multi_region": False, "include_global_service_events": True,
        "log_file_validation_enabled": False, "s3_bucket_name": "acme-dev-trail-logs",
        "status": status(error="AccessDenied"),
        "event_selectors": [{"read_write_type": "WriteOnly", "include_management_events": True,
                             "exclude_management_event_sources": ["kms.amazonaws.com"]}],
    }
    old_finding = {"id": "6ec3a1b0f2d94a1c9e0b7f1d2c3a4b5e", "type": "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
                   "severity": 8.0, "title": "Credentials for instance role dev-ci were used from an external IP address.",
                   "created_at": "2026-10-02T08:14:00Z", "updated_at": "2026-11-19T08:14:00Z", "resource_type": "AccessKey"}
    facts = []
    for r in REGIONS:
        facts.append(region_facts(
            DEV, r, config=(r != "ap-northeast-1"),
            detector=member_detector(DEV, r, enabled=(r != "eu-west-1"), findings=([old_finding] if r == "us-east-1" else [])),
            log_groups=([log_group(DEV, r, "/aws/lambda/dev-<script>alert(1)</script>|`x`", 7, protected=False)] if r == "us-east-1" else []),
        ))
    # Network and Security Hub gaps: a legacy VPC in us-east-1 with neither
    # flow logs nor DNS query logging; the default VPC of eu-west-1 records
    # only accepted traffic and its query logging association failed;
    # Security Hub is off in ap-northeast-1 and has no standard in eu-west-1.
    tokyo, ireland, virginia = facts
    legacy = vpc_id(DEV, "us-east-1", 7)
    virginia["vpcs"].append({"id": legacy, "owner_id": DEV, "cidr_block": "10.99.0.0/16", "is_default": False,
                             "state": "available", "name": "legacy-<b>dev</b>"})
    ireland["flow_logs"] = [flow_log(DEV, "eu-west-1", vpc_id(DEV, "eu-west-1"), traffic="ACCEPT")]
    ireland["resolver_query_log_config_associations"][0].update(
        {"status": "FAILED", "error": "DESTINATION_NOT_FOUND", "error_message": "The destination bucket does not exist."})
    tokyo["security_hub"] = {"enabled": False}
    ireland["security_hub"]["standards"] = []
    # A Lake store for experiments: deletable, CloudTrail's key, 90 days.
    virginia["event_data_stores"] = [event_data_store(DEV, "dev-sandbox", multi_region_enabled=False, retention_period=90,
                                                      termination_protection_enabled=False, kms_key_id=None)]
    return {
        "id": DEV, "name": "acme-workload-dev", "status": "ACTIVE", "role": "member", "ou_path": ["Root", "Workloads", "Dev"],
        "regions": REGIONS, "trails": [org_trail(False), dev_trail],
        "buckets": [{
            "name": "acme-dev-trail-logs", "region": "us-east-1", "owner_account_id": DEV,
            "policy": {"Version": "2012-10-17", "Statement": [
                {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-dev-trail-logs/*"}]},
            "acl": {"owner_id": "c0ffee-dev", "grants": [{"grantee_type": "Group", "grantee_uri": "http://acs.amazonaws.com/groups/global/AllUsers", "permission": "READ"}]},
            "public_access_block": {"block_public_acls": False, "ignore_public_acls": False, "block_public_policy": False, "restrict_public_buckets": False},
            "versioning": {"status": "Suspended", "mfa_delete": "Disabled"},
            "encryption": {"sse_algorithm": "AES256", "bucket_key_enabled": False},
            "lifecycle_rules": [{"id": "expire-30", "status": "Enabled", "expiration_days": 30}],
        }],
        "region_facts": facts,
    }


def acme():
    world = {
        "schema_version": 1,
        "source": "mock:acme",
        "collected_at": NOW,
        "organization": {
            "id": "o-acme1234ab", "arn": f"arn:aws:organizations::{MGMT}:organization/o-acme1234ab", "management_account_id": MGMT,
            "feature_set": "ALL",
            "delegated_administrators": [{"account_id": SECURITY, "service_principal": "guardduty.amazonaws.com"},
                                         {"account_id": SECURITY, "service_principal": "securityhub.amazonaws.com"},
                                         {"account_id": SECURITY, "service_principal": "securitylake.amazonaws.com"}],
        },
    }
    return world, [management(), log_archive(), security(), prod(), dev()]


def dump(path, data, header=""):
    text = yaml.safe_dump(data, sort_keys=False, width=120, allow_unicode=True)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(header + text)


def scenarios():
    """Small worlds for the table-driven check tests (tests/checks.rs)."""
    # gaps: a management account with no org trail, a single-region trail,
    # a key without rotation, no data events, GuardDuty without alerting,
    # no delegated administrator.
    gaps_key = key(MGMT, "us-east-1", "1d2e3f40-0000-4000-8000-norotate0001", rotation=False)
    single = org_trail(True)
    single.update({"name": "local-trail", "arn": f"arn:aws:cloudtrail:us-east-1:{MGMT}:trail/local-trail",
                   "is_multi_region": False, "is_organization_trail": False, "kms_key_id": gaps_key["arn"],
                   "s3_bucket_name": "gaps-trail", "cloudwatch_logs_log_group_arn": None,
                   "advanced_event_selectors": [{"name": "mgmt", "field_selectors": [{"field": "eventCategory", "equals": ["Management"]}]}]})
    regions = ["eu-west-1", "us-east-1"]
    detector = {"id": "dgaps", "status": "ENABLED", "high_severity_findings": []}
    gaps = {
        "schema_version": 1, "collected_at": NOW,
        "organization": {"id": "o-gaps000000", "management_account_id": MGMT, "feature_set": "ALL"},
        "accounts": [{
            "id": MGMT, "name": "gaps", "role": "management", "regions": regions, "trails": [single], "kms_keys": [gaps_key],
            "buckets": [{"name": "gaps-trail", "owner_account_id": MGMT, "versioning": {"status": "Enabled"},
                         "lifecycle_rules": [{"id": "expire-90", "status": "Enabled", "expiration_days": 90}]}],
            "region_facts": [region_facts(MGMT, r, detector=dict(detector, id=f"dgaps{r}"), extra={
                "eventbridge_rules": [{"name": "gd-disabled", "arn": f"arn:aws:events:{r}:{MGMT}:rule/gd", "state": "DISABLED",
                                       "event_pattern": {"source": ["aws.guardduty"]}, "targets": [{"id": "t", "arn": f"arn:aws:sns:{r}:{MGMT}:t"}]}]})
                for r in regions],
        }],
    }
    for facts in gaps["accounts"][0]["region_facts"]:
        vpc = facts["vpcs"][0]["id"]
        # Delivery to a log group that was deleted: FAILED, "Access error".
        failed = flow_log(MGMT, facts["region"], vpc, delivery="FAILED")
        failed.update({"log_destination_type": "cloud-watch-logs", "log_group_name": "vpc-flow-logs-deleted",
                       "log_destination": f"arn:aws:logs:{facts['region']}:{MGMT}:log-group:vpc-flow-logs-deleted",
                       "deliver_logs_error_message": "Access error"})
        facts["flow_logs"] = [failed]
        facts["resolver_query_log_config_associations"] = []
        if facts["region"] == "eu-west-1":
            facts["security_hub"] = {"enabled": False}
    # outside-scan: only a member account; the organization trail, its
    # bucket, key and log group live in accounts that were not scanned.
    member = prod()
    member["regions"] = ["us-east-1"]
    member["region_facts"] = [f for f in member["region_facts"] if f["region"] == "us-east-1"]
    outside = {"schema_version": 1, "collected_at": NOW,
               "organization": {"id": "o-acme1234ab", "management_account_id": MGMT, "feature_set": "ALL",
                                "delegated_administrators": [{"account_id": SECURITY, "service_principal": "guardduty.amazonaws.com"},
                                                             {"account_id": SECURITY, "service_principal": "securityhub.amazonaws.com"}]},
               "accounts": [member]}
    # access-denied: a standalone account whose role may not read GuardDuty
    # or CloudTrail status in one region.
    denied_account = management()
    denied_account["role"] = "standalone"
    denied_account["buckets"] = [dict(log_archive()["buckets"][0], owner_account_id=MGMT)]
    denied = {"schema_version": 1, "collected_at": NOW, "accounts": [denied_account], "errors": [
        {"account_id": MGMT, "region": "eu-west-1", "service": "guardduty", "operation": "ListDetectors",
         "code": "AccessDeniedException", "message": "User is not authorized to perform: guardduty:ListDetectors"},
        {"account_id": MGMT, "region": None, "service": "s3", "operation": "GetBucketPolicy", "resource": "acme-org-cloudtrail-logs",
         "code": "AccessDenied", "message": "Access Denied"},
        {"account_id": MGMT, "region": "eu-west-1", "service": "ec2", "operation": "DescribeVpcs",
         "code": "UnauthorizedOperation", "message": "You are not authorized to perform this operation."},
        {"account_id": MGMT, "region": "us-east-1", "service": "securityhub", "operation": "GetEnabledStandards",
         "code": "AccessDeniedException", "message": "User is not authorized to perform: securityhub:GetEnabledStandards"}]}
    for facts in denied_account["region_facts"]:
        if facts["region"] == "eu-west-1":
            del facts["vpcs"]
        if facts["region"] == "us-east-1":
            facts["security_hub"]["standards"] = []
    # monitoring: a standalone account whose own trail feeds a log group
    # with every alarm check's recommended filter and a CIS-style alarm.
    checks = [yaml.safe_load(p.read_text()) for p in sorted((Path(__file__).resolve().parent.parent / "checks").glob("alarm-*.yaml"))]
    group = f"arn:aws:logs:us-east-1:{MGMT}:log-group:cloudtrail-management:*"
    own = org_trail(True)
    own.update({"name": "management-events", "arn": f"arn:aws:cloudtrail:us-east-1:{MGMT}:trail/management-events",
                "is_organization_trail": False, "cloudwatch_logs_log_group_arn": group, "s3_bucket_name": "monitoring-trail",
                "kms_key_id": None})
    watched = {"name": "cloudtrail-management", "arn": group, "retention_in_days": 400,
               "metric_filters": [metric_filter(c["monitor"]["metric"], c["monitor"]["pattern"]) for c in checks]}
    alarms = [metric_alarm(MGMT, "us-east-1", c["monitor"]["metric"], c["monitor"]["metric"]) for c in checks]
    topic = f"arn:aws:sns:us-east-1:{MGMT}:security-alarms"
    monitoring = {"schema_version": 1, "collected_at": NOW, "accounts": [{
        "id": MGMT, "name": "monitoring", "role": "standalone", "regions": ["us-east-1"], "trails": [own],
        "region_facts": [{"region": "us-east-1", "log_groups": [watched], "metric_alarms": alarms,
                          "sns_topics": [{"arn": topic, "subscriptions": [{"arn": f"{topic}:1a2b3c4d", "protocol": "email", "endpoint": "soc@example.com"}]}]}],
    }]}
    # network: the prod account's eu-west-1 alone, standalone: VPC flow
    # logs to S3 and (custom format) to CloudWatch Logs with a REJECT alarm,
    # DNS query logging, Security Hub.
    network = prod()
    network.update({"role": "standalone", "ou_path": [], "regions": ["eu-west-1"], "trails": []})
    network["region_facts"] = [f for f in network["region_facts"] if f["region"] == "eu-west-1"]
    network_world = {"schema_version": 1, "collected_at": NOW, "accounts": [network]}
    return {"gaps": gaps, "outside-scan": outside, "access-denied": denied, "monitoring": monitoring,
            "network": network_world}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, metavar="N",
                        help="write only a synthetic organization of N accounts x 17 regions (JSON), nothing else")
    parser.add_argument("--shards", type=int, metavar="K", default=1,
                        help="with --synthetic: split the organization into K files OUT-0.json .. OUT-(K-1).json "
                             "(OUT without .json), as K shards of an organization scan would write")
    parser.add_argument("out", nargs="?",
                        help="with --synthetic: the JSON file (default: stdout); otherwise the directory that "
                             "receives acme/ and scenarios/ (default: the repository's mock/)")
    args = parser.parse_args()
    if args.synthetic is not None and args.shards > 1:
        if not args.out:
            parser.error("--shards needs OUT")
        stem = args.out[:-5] if args.out.endswith(".json") else args.out
        synthetic_shards(args.synthetic, args.shards, stem)
        return
    if args.synthetic is not None:
        if args.out:
            with open(args.out, "w") as out:
                synthetic(args.synthetic, out)
        else:
            synthetic(args.synthetic, sys.stdout)
        return
    mock = Path(args.out) if args.out else Path(__file__).resolve().parent.parent / "mock"
    for name, world in scenarios().items():
        dump(mock / f"scenarios/{name}.yaml", world, f"# Scenario `{name}`: see scenarios() in bench/mockgen.py.\n")
    world, accounts = acme()
    dump(mock / "acme/world.yaml", world, "# The acme organization: see bench/mockgen.py for how it is designed.\n")
    for account in accounts:
        dump(mock / f"acme/accounts/{account['id']}-{account['name']}.yaml", account)


def synthetic_shards(n, k, stem):
    """The synthetic org of `synthetic`, its accounts dealt round-robin into
    K JSON files STEM-0.json .. STEM-(K-1).json, each with the organization."""
    world = synthetic_world(n)
    accounts = world["accounts"]
    for i in range(k):
        world["accounts"] = accounts[i::k]
        with open(f"{stem}-{i}.json", "w") as out:
            json.dump(world, out)


def synthetic(n, out):
    """A synthetic org: N accounts x 17 regions, as JSON to `out`."""
    json.dump(synthetic_world(n), out)


def synthetic_world(n):
    """The synthetic org of N accounts x 17 regions."""
    regions = [f"r{i:02d}-test-1" for i in range(17)]
    world, base = acme()
    accounts = []
    for i in range(n):
        template = json.loads(json.dumps(base[3 + (i % 2)]))  # prod or dev
        account_id = f"{900000000000 + i:012d}"
        # Bucket names are global: each synthetic account gets its own.
        text = (json.dumps(template).replace(template["id"], account_id)
                .replace("acme-dev-trail-logs", f"acme-dev-trail-logs-{account_id}"))
        account = json.loads(text)
        account["regions"] = regions
        facts = account["region_facts"]
        account["region_facts"] = []
        for j, r in enumerate(regions):
            f = json.loads(json.dumps(facts[j % len(facts)]).replace(facts[j % len(facts)]["region"], r))
            for g in range(8):
                f.setdefault("log_groups", []).append(
                    {"name": f"/app/service-{g}", "arn": f"arn:aws:logs:{r}:{account_id}:log-group:/app/service-{g}:*",
                     "retention_in_days": 30 if g % 3 == 0 else 400})
            account["region_facts"].append(f)
        accounts.append(account)
    world["accounts"] = [base[0], base[1], base[2]] + accounts
    return world


if __name__ == "__main__":
    main()
