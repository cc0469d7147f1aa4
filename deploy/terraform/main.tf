# Deploys auditscope's read-only role to every account of the organization
# with a service-managed CloudFormation StackSet (the same template as
# deploy/cloudformation/), from the management account. New accounts get
# the role automatically. Also creates, in the scanner account, the policy
# that lets the scanner assume it.
#
#   terraform init && terraform apply -var scanner_account_id=111111111111
#
# The permissions are `auditscope iam-policy`; a test keeps the list below
# equal to it (tests/suite/live/mod.rs).

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

variable "scanner_account_id" {
  description = "Account auditscope runs in (management or delegated audit account)"
  type        = string
}

variable "external_id" {
  description = "Optional external id (--external-id)"
  type        = string
  default     = ""
  sensitive   = true
}

variable "role_name" {
  type    = string
  default = "auditscope-readonly"
}

variable "target_ou_ids" {
  description = "Organization root or OU ids to deploy to"
  type        = list(string)
}

variable "regions" {
  description = "One region is enough: IAM is global"
  type        = list(string)
  default     = ["us-east-1"]
}

resource "aws_cloudformation_stack_set" "auditscope_role" {
  name             = "auditscope-readonly-role"
  permission_model = "SERVICE_MANAGED"
  capabilities     = ["CAPABILITY_NAMED_IAM"]
  template_body    = file("${path.module}/../cloudformation/auditscope-readonly-role.yaml")

  parameters = {
    ScannerAccountId = var.scanner_account_id
    ExternalId       = var.external_id
    RoleName         = var.role_name
  }

  auto_deployment {
    enabled                          = true
    retain_stacks_on_account_removal = false
  }

  lifecycle {
    ignore_changes = [administration_role_arn]
  }
}

resource "aws_cloudformation_stack_set_instance" "auditscope_role" {
  for_each       = toset(var.regions)
  stack_set_name = aws_cloudformation_stack_set.auditscope_role.name
  region         = each.value
  deployment_targets {
    organizational_unit_ids = var.target_ou_ids
  }
}

# The management account is not a StackSet target: give it the same role
# directly, so a scan from a delegated audit account reaches it too.
resource "aws_iam_role" "management" {
  name                 = var.role_name
  max_session_duration = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${var.scanner_account_id}:root" }
      Action    = "sts:AssumeRole"
      Condition = var.external_id == "" ? null : { StringEquals = { "sts:ExternalId" = var.external_id } }
    }]
  })
}

resource "aws_iam_role_policy" "management" {
  name   = "auditscope-readonly"
  role   = aws_iam_role.management.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "AuditscopeReadOnly", Effect = "Allow", Resource = "*", Action = local.actions }] })
}

locals {
  actions = [
    "account:ListRegions",
    "cloudtrail:DescribeTrails",
    "cloudtrail:GetEventDataStore",
    "cloudtrail:GetEventSelectors",
    "cloudtrail:GetInsightSelectors",
    "cloudtrail:GetTrailStatus",
    "cloudtrail:ListEventDataStores",
    "cloudwatch:DescribeAlarms",
    "config:DescribeConfigurationRecorderStatus",
    "config:DescribeConfigurationRecorders",
    "config:DescribeDeliveryChannels",
    "ec2:DescribeFlowLogs",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "events:ListRules",
    "events:ListTargetsByRule",
    "guardduty:DescribeOrganizationConfiguration",
    "guardduty:GetAdministratorAccount",
    "guardduty:GetDetector",
    "guardduty:GetFindings",
    "guardduty:ListDetectors",
    "guardduty:ListFindings",
    "kms:DescribeKey",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "logs:DescribeAccountPolicies",
    "logs:DescribeLogGroups",
    "logs:DescribeMetricFilters",
    "organizations:DescribeOrganization",
    "organizations:ListAccounts",
    "organizations:ListAccountsForParent",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListRoots",
    "route53resolver:ListResolverQueryLogConfigAssociations",
    "route53resolver:ListResolverQueryLogConfigs",
    "s3:GetAccountPublicAccessBlock",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetLifecycleConfiguration",
    "s3:GetReplicationConfiguration",
    "securityhub:DescribeHub",
    "securityhub:DescribeOrganizationConfiguration",
    "securityhub:GetAdministratorAccount",
    "securityhub:GetEnabledStandards",
    "securitylake:ListDataLakes",
    "securitylake:ListLogSources",
    "sns:ListSubscriptionsByTopic",
    "sns:ListTopics",
    "sts:GetCallerIdentity",
  ]
}

# Attach to the principal that runs auditscope in the scanner account.
output "scanner_policy" {
  value = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "sts:AssumeRole"
      Resource = "arn:aws:iam::*:role/${var.role_name}"
    }]
  })
}
