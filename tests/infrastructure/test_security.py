"""Security properties every stack must keep (security checklist, infrastructure items)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.infrastructure._synth import Synthesized
from tests.infrastructure._template import (
    all_stacks,
    as_list,
    identity_statements,
    service_functions,
)

pytestmark = pytest.mark.infrastructure

# Actions that only exist without resource-level permissions; nothing else may use "*".
RESOURCE_WILDCARD_ALLOWED = {
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    # CDK's BucketDeployment invalidating the site's distribution after an upload.
    "cloudfront:CreateInvalidation",
    "cloudfront:GetInvalidation",
}
DATA_SERVICES = ("s3", "rds", "rds-db", "secretsmanager", "kms", "sqs", "dynamodb", "wafv2", "logs")


def _stacks_and_resources(
    synth: Synthesized, resource_type: str
) -> list[tuple[str, dict[str, Any]]]:
    return [
        (stack, resource)
        for stack in all_stacks(synth)
        for resource in synth.resources(stack, resource_type).values()
    ]


def test_no_identity_policy_grants_a_wildcard_action(production: Synthesized) -> None:
    for stack in all_stacks(production):
        for logical_id, statement in identity_statements(production.templates[stack]):
            for action in as_list(statement["Action"]):
                assert action != "*" and not action.endswith(":*"), (stack, logical_id, action)


def test_wildcard_resources_only_for_actions_without_resource_scoping(
    production: Synthesized,
) -> None:
    for stack in all_stacks(production):
        for logical_id, statement in identity_statements(production.templates[stack]):
            if "*" in as_list(statement["Resource"]):
                actions = set(as_list(statement["Action"]))
                assert actions <= RESOURCE_WILDCARD_ALLOWED, (stack, logical_id, actions)


def test_data_actions_are_never_wildcarded_service_wide(production: Synthesized) -> None:
    pattern = re.compile(rf"^({'|'.join(re.escape(s) for s in DATA_SERVICES)}):\*?$")
    for stack in all_stacks(production):
        for logical_id, statement in identity_statements(production.templates[stack]):
            for action in as_list(statement["Action"]):
                assert not pattern.match(action), (stack, logical_id, action)


def test_each_function_has_a_role_of_its_own(production: Synthesized) -> None:
    roles = []
    for stack in all_stacks(production):
        for function in service_functions(production, stack).values():
            role = function["Properties"]["Role"]["Fn::GetAtt"][0]
            roles.append((stack, role))
            role_resource = production.templates[stack]["Resources"][role]
            assert "ManagedPolicyArns" not in role_resource["Properties"]
    assert len(roles) == len(set(roles))


def test_databases_are_encrypted_and_never_public(production: Synthesized) -> None:
    clusters = _stacks_and_resources(production, "AWS::RDS::DBCluster")
    instances = _stacks_and_resources(production, "AWS::RDS::DBInstance")

    assert len(clusters) == 3
    for _, cluster in clusters:
        properties = cluster["Properties"]
        assert properties["StorageEncrypted"] is True
        assert "KmsKeyId" in properties
        assert properties["EnableIAMDatabaseAuthentication"] is True
    for _, instance in instances:
        assert instance["Properties"]["PubliclyAccessible"] is False


def test_database_subnets_have_no_route_to_the_internet(production: Synthesized) -> None:
    for stack in all_stacks(production):
        template = production.templates[stack]["Resources"]
        (subnet_group,) = production.resources(stack, "AWS::RDS::DBSubnetGroup").values()
        subnets = {ref["Ref"] for ref in subnet_group["Properties"]["SubnetIds"]}
        tables = {
            association["Properties"]["RouteTableId"]["Ref"]
            for association in production.resources(
                stack, "AWS::EC2::SubnetRouteTableAssociation"
            ).values()
            if association["Properties"]["SubnetId"]["Ref"] in subnets
        }
        assert tables
        for route in production.resources(stack, "AWS::EC2::Route").values():
            assert route["Properties"]["RouteTableId"]["Ref"] not in tables, route
        for subnet in subnets:
            assert template[subnet]["Properties"]["MapPublicIpOnLaunch"] is False


def test_no_password_is_written_into_a_template(production: Synthesized) -> None:
    for stack, cluster in _stacks_and_resources(production, "AWS::RDS::DBCluster"):
        password = str(cluster["Properties"]["MasterUserPassword"])
        assert "{{resolve:secretsmanager:" in password, stack


def test_database_connections_require_tls(production: Synthesized) -> None:
    for _, group in _stacks_and_resources(production, "AWS::RDS::DBClusterParameterGroup"):
        assert group["Properties"]["Parameters"]["rds.force_ssl"] == "1"


def test_nothing_accepts_inbound_traffic_from_anywhere(production: Synthesized) -> None:
    for stack, group in _stacks_and_resources(production, "AWS::EC2::SecurityGroup"):
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            assert rule.get("CidrIp") != "0.0.0.0/0", (stack, rule)
            assert rule.get("CidrIpv6") != "::/0", (stack, rule)
    for stack, rule in _stacks_and_resources(production, "AWS::EC2::SecurityGroupIngress"):
        assert rule["Properties"].get("CidrIp") != "0.0.0.0/0", (stack, rule)


def test_buckets_are_private_encrypted_and_tls_only(production: Synthesized) -> None:
    buckets = production.resources(production.global_name, "AWS::S3::Bucket")
    policies = production.resources(production.global_name, "AWS::S3::BucketPolicy").values()
    tls_only = {
        policy["Properties"]["Bucket"]["Ref"]
        for policy in policies
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Deny"
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    }
    assert len(buckets) == 2  # the site and its access logs
    for logical_id, bucket in buckets.items():
        properties = bucket["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True,
            "BlockPublicPolicy": True,
            "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True,
        }
        assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert logical_id in tls_only


def test_keys_rotate_and_topics_are_encrypted(production: Synthesized) -> None:
    for stack, key in _stacks_and_resources(production, "AWS::KMS::Key"):
        assert key["Properties"]["EnableKeyRotation"] is True, stack
    topics = _stacks_and_resources(production, "AWS::SNS::Topic")
    assert len(topics) == 3
    for stack, topic in topics:
        assert "KmsMasterKeyId" in topic["Properties"], stack


def test_every_log_group_has_a_retention_period(production: Synthesized) -> None:
    groups = _stacks_and_resources(production, "AWS::Logs::LogGroup")
    assert len(groups) >= 3 * 4
    for stack, group in groups:
        assert group["Properties"]["RetentionInDays"] == 365, stack


def test_development_keeps_logs_for_a_week(development: Synthesized) -> None:
    for stack in all_stacks(development):
        for group in development.resources(stack, "AWS::Logs::LogGroup").values():
            assert group["Properties"]["RetentionInDays"] == 7


def test_functions_log_to_their_own_group_with_retention(production: Synthesized) -> None:
    for stack in all_stacks(production):
        groups = production.resources(stack, "AWS::Logs::LogGroup")
        for function in service_functions(production, stack).values():
            group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
            assert "RetentionInDays" in groups[group]["Properties"]
