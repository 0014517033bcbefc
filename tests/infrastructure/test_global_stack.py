"""The global stack: network, global database, central API + WAF, web application."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from stacks.constructs.api_stage import LATENCY_P99_THRESHOLD_MS
from stacks.constructs.web_site import PLACEHOLDER_SITE
from tests.infrastructure._synth import Synthesized
from tests.infrastructure._template import as_list, service_functions

pytestmark = pytest.mark.infrastructure


def _only(resources: dict[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    assert len(resources) == 1, list(resources)
    return next(iter(resources.items()))


def _central_function(synth: Synthesized) -> dict[str, Any]:
    return _only(service_functions(synth, synth.global_name))[1]


def test_vpc_uses_an_s3_endpoint_flow_logs_and_a_single_nat(production: Synthesized) -> None:
    template = production.template(production.global_name)
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    template.has_resource_properties(
        "AWS::EC2::VPCEndpoint",
        {"ServiceName": Match.object_like({}), "VpcEndpointType": "Gateway"},
    )
    template.has_resource_properties(
        "AWS::EC2::FlowLog", {"TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"}
    )


def test_global_database_is_aurora_serverless_v2_with_backups(production: Synthesized) -> None:
    _, cluster = _only(production.resources(production.global_name, "AWS::RDS::DBCluster"))
    properties = cluster["Properties"]

    assert properties["Engine"] == "aurora-postgresql"
    assert properties["ServerlessV2ScalingConfiguration"]["MinCapacity"] == 0.5
    assert properties["BackupRetentionPeriod"] >= 7
    assert properties["DeletionProtection"] is True
    assert properties["DatabaseName"] == "chalkops_global"
    assert cluster["DeletionPolicy"] == "Snapshot"
    instances = production.resources(production.global_name, "AWS::RDS::DBInstance")
    assert {i["Properties"]["DBInstanceClass"] for i in instances.values()} == {"db.serverless"}
    assert len(instances) == 2  # writer + reader in another AZ


def test_development_database_can_be_destroyed(development: Synthesized) -> None:
    for stack in [development.global_name, *development.regional_names]:
        _, cluster = _only(development.resources(stack, "AWS::RDS::DBCluster"))
        assert cluster["Properties"]["DeletionProtection"] is False
        assert cluster["DeletionPolicy"] == "Delete"


def test_central_api_is_a_lambda_proxy_with_access_and_execution_logs(
    production: Synthesized,
) -> None:
    template = production.template(production.global_name)
    template.has_resource_properties(
        "AWS::ApiGateway::RestApi", {"EndpointConfiguration": {"Types": ["REGIONAL"]}}
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Stage",
        {
            "StageName": "v1",
            "TracingEnabled": True,
            "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.any_value()},
            "MethodSettings": [
                Match.object_like(
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "LoggingLevel": "ERROR",
                        "DataTraceEnabled": False,
                        "MetricsEnabled": True,
                    }
                )
            ],
        },
    )
    template.has_resource_properties(
        "AWS::ApiGateway::Method",
        {"HttpMethod": "ANY", "Integration": Match.object_like({"Type": "AWS_PROXY"})},
    )


def test_waf_blocks_the_blacklist_ip_sets_on_the_api_stage(production: Synthesized) -> None:
    stack = production.global_name
    ip_sets = production.resources(stack, "AWS::WAFv2::IPSet")
    _, acl = _only(production.resources(stack, "AWS::WAFv2::WebACL"))
    _, association = _only(production.resources(stack, "AWS::WAFv2::WebACLAssociation"))
    _, api_stage = _only(production.resources(stack, "AWS::ApiGateway::Stage"))

    assert {s["Properties"]["IPAddressVersion"] for s in ip_sets.values()} == {"IPV4", "IPV6"}
    blocked = {
        rule["Statement"]["IPSetReferenceStatement"]["Arn"]["Fn::GetAtt"][0]
        for rule in acl["Properties"]["Rules"]
        if "IPSetReferenceStatement" in rule["Statement"] and "Block" in rule["Action"]
    }
    assert blocked == set(ip_sets)
    assert acl["Properties"]["Scope"] == "REGIONAL"
    stage_arn = str(association["Properties"]["ResourceArn"])
    assert api_stage["Properties"]["StageName"] in stage_arn


def test_central_function_may_update_only_the_blacklist_ip_sets(production: Synthesized) -> None:
    stack = production.global_name
    function = _central_function(production)
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    ip_sets = set(production.resources(stack, "AWS::WAFv2::IPSet"))
    waf_statements = [
        statement
        for policy in production.resources(stack, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in as_list(policy["Properties"]["PolicyDocument"]["Statement"])
        if any(str(action).startswith("wafv2:") for action in as_list(statement["Action"]))
    ]

    assert len(waf_statements) == 1
    (statement,) = waf_statements
    assert sorted(as_list(statement["Action"])) == ["wafv2:GetIPSet", "wafv2:UpdateIPSet"]
    assert {r["Fn::GetAtt"][0] for r in statement["Resource"]} == ip_sets
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables["CHALKOPS_WAF_BLACKLIST_IPV4_ARN"]["Fn::GetAtt"][0] in ip_sets


def test_central_function_gets_vault_and_database_settings(production: Synthesized) -> None:
    variables = _central_function(production)["Properties"]["Environment"]["Variables"]
    parameters = production.templates[production.global_name]["Parameters"]

    assert variables["CHALKOPS_VAULT_ADDR"] == {"Ref": "VaultAddress"}
    assert variables["CHALKOPS_VAULT_AUTH_METHOD"] == "aws"
    assert variables["CHALKOPS_VAULT_AWS_ROLE"] == {"Ref": "VaultAuthRoleCentralApi"}
    assert variables["CHALKOPS_VAULT__AWS_ROLE"] == {"Ref": "VaultAuthRoleCentralApi"}
    assert parameters["VaultAuthRoleCentralApi"]["Default"] == "central-api"
    assert parameters["VaultAddress"]["Default"].startswith("https://")
    assert variables["CHALKOPS_DATABASE__CREDENTIALS"] == "vault"
    assert variables["CHALKOPS_DATABASE__DBNAME"] == "chalkops_global"
    assert variables["CHALKOPS_ENVIRONMENT"] == "production"


def test_web_bucket_is_reached_only_through_origin_access_control(
    production: Synthesized,
) -> None:
    stack = production.global_name
    _, distribution = _only(production.resources(stack, "AWS::CloudFront::Distribution"))
    config = distribution["Properties"]["DistributionConfig"]
    (origin,) = config["Origins"]
    _only(production.resources(stack, "AWS::CloudFront::OriginAccessControl"))
    site_policy = [
        statement
        for policy in production.resources(stack, "AWS::S3::BucketPolicy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Principal") == {"Service": "cloudfront.amazonaws.com"}
    ]

    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"]["OriginAccessIdentity"] == ""
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert config["DefaultRootObject"] == "index.html"
    assert "Logging" in config
    (statement,) = site_policy
    assert statement["Action"] == "s3:GetObject"
    assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]


def test_web_responses_carry_security_headers(production: Synthesized) -> None:
    _, policy = _only(
        production.resources(production.global_name, "AWS::CloudFront::ResponseHeadersPolicy")
    )
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = str(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])

    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"]["Override"] is True
    assert "frame-ancestors 'none'" in csp
    assert "object-src 'none'" in csp


def test_without_an_angular_build_the_placeholder_page_is_published(
    production: Synthesized,
) -> None:
    web = production.built.global_stack.web
    if production.built.config.web_dist is None:
        assert web.site_dir == PLACEHOLDER_SITE
    assert (web.site_dir / "index.html").is_file()


def test_api_alarms_on_server_errors_and_latency(production: Synthesized) -> None:
    for stack in [production.global_name, *production.regional_names]:
        alarms = production.resources(stack, "AWS::CloudWatch::Alarm").values()
        by_metric = {alarm["Properties"].get("MetricName"): alarm for alarm in alarms}
        assert {"5XXError", "Latency", "Errors"} <= by_metric.keys()
        assert by_metric["Latency"]["Properties"]["ExtendedStatistic"] == "p99"
        assert by_metric["Latency"]["Properties"]["Threshold"] == LATENCY_P99_THRESHOLD_MS
        for alarm in alarms:
            assert alarm["Properties"]["AlarmActions"], stack
