"""The regional stacks: isolated network, regional database, the IAM-only regional API."""

from __future__ import annotations

import ipaddress

import pytest

from stacks.constants import VAULT_PORT
from tests.infrastructure._synth import Synthesized
from tests.infrastructure._template import service_functions

pytestmark = pytest.mark.infrastructure

NEXT_WAVE_TYPES = (
    "AWS::SQS::Queue",
    "AWS::StepFunctions::StateMachine",
    "AWS::ECS::Cluster",
    "AWS::ECS::Service",
    "AWS::EC2::VPNGateway",
    "AWS::EC2::VPNConnection",
    "AWS::EC2::CustomerGateway",
)


def test_regional_vpcs_have_no_path_to_or_from_the_internet(production: Synthesized) -> None:
    for stack in production.regional_names:
        for resource_type in ("AWS::EC2::InternetGateway", "AWS::EC2::NatGateway"):
            assert not production.resources(stack, resource_type), (stack, resource_type)


def test_each_region_has_its_own_non_overlapping_address_range(production: Synthesized) -> None:
    networks = []
    for stack in [production.global_name, *production.regional_names]:
        (vpc,) = production.resources(stack, "AWS::EC2::VPC").values()
        networks.append(ipaddress.ip_network(vpc["Properties"]["CidrBlock"]))
    for index, network in enumerate(networks):
        assert not any(network.overlaps(other) for other in networks[index + 1 :])


def test_regional_api_methods_require_iam_signatures(production: Synthesized) -> None:
    for stack in production.regional_names:
        methods = production.resources(stack, "AWS::ApiGateway::Method").values()
        assert methods
        for method in methods:
            assert method["Properties"]["AuthorizationType"] == "AWS_IAM", stack


def test_regional_api_policy_admits_only_the_central_api_role(production: Synthesized) -> None:
    role_name = production.built.config.central_api_role_name()
    for stack in production.regional_names:
        (api,) = production.resources(stack, "AWS::ApiGateway::RestApi").values()
        statements = api["Properties"]["Policy"]["Statement"]
        allow = [s for s in statements if s["Effect"] == "Allow"]
        deny = [s for s in statements if s["Effect"] == "Deny"]

        assert api["Properties"]["EndpointConfiguration"]["Types"] == ["REGIONAL"]
        assert len(allow) == 1
        assert role_name in str(allow[0]["Principal"]["AWS"])
        assert len(deny) == 1
        assert deny[0]["Principal"] == {"AWS": "*"}
        assert role_name in str(deny[0]["Condition"]["StringNotEquals"]["aws:PrincipalArn"])


def test_functions_reach_only_their_database_and_vault(production: Synthesized) -> None:
    vault_cidr = production.built.config.vault.cidr
    for stack in production.regional_names:
        groups = production.resources(stack, "AWS::EC2::SecurityGroup")
        egress_rules = production.resources(stack, "AWS::EC2::SecurityGroupEgress").values()
        for function in service_functions(production, stack).values():
            (group_ref,) = function["Properties"]["VpcConfig"]["SecurityGroupIds"]
            group = group_ref["Fn::GetAtt"][0]
            inline = groups[group]["Properties"]["SecurityGroupEgress"]
            separate = [
                rule["Properties"]
                for rule in egress_rules
                if rule["Properties"]["GroupId"]["Fn::GetAtt"][0] == group
            ]
            assert [(r["CidrIp"], r["FromPort"]) for r in inline] == [(vault_cidr, VAULT_PORT)]
            assert [(r["FromPort"], r["ToPort"]) for r in separate] == [(5432, 5432)]
            assert "DestinationSecurityGroupId" in separate[0]


def test_functions_get_their_own_vault_role_as_a_parameter(production: Synthesized) -> None:
    for region, stack in production.built.regional_stacks.items():
        name = stack.stack_name
        parameters = production.templates[name]["Parameters"]
        assert parameters["VaultAuthRoleRegionalApi"]["Default"] == f"regional-api-{region}"
        assert parameters["VaultAuthRoleProvisioner"]["Default"] == f"provisioner-{region}"
        assert region in parameters["VaultAddress"]["Default"]
        roles = set()
        for function in service_functions(production, name).values():
            variables = function["Properties"]["Environment"]["Variables"]
            assert variables["CHALKOPS_VAULT_ADDR"] == {"Ref": "VaultAddress"}
            assert variables["CHALKOPS_VAULT_AUTH_METHOD"] == "aws"
            assert variables["CHALKOPS_REGION"] == region
            assert (
                variables["CHALKOPS_DATABASE__VAULT_ROLE"] == variables["CHALKOPS_VAULT_AWS_ROLE"]
            )
            roles.add(variables["CHALKOPS_VAULT_AWS_ROLE"]["Ref"])
        assert roles == {"VaultAuthRoleRegionalApi", "VaultAuthRoleProvisioner"}


def test_regional_database_is_named_for_its_region(production: Synthesized) -> None:
    for region, stack in production.built.regional_stacks.items():
        (cluster,) = production.resources(stack.stack_name, "AWS::RDS::DBCluster").values()
        assert cluster["Properties"]["DatabaseName"] == "chalkops_" + region.replace("-", "_")
        assert cluster["Properties"]["DeletionProtection"] is True


def test_next_wave_resources_are_not_deployed_yet(production: Synthesized) -> None:
    for stack in production.regional_names:
        for resource_type in NEXT_WAVE_TYPES:
            assert not production.resources(stack, resource_type), (stack, resource_type)
