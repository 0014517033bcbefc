"""The app's shape: which stacks exist, where they deploy, and from which context."""

from __future__ import annotations

import json
import re

import pytest

from chalkops.config import LAMBDA_PYTHON_RUNTIME
from stacks.application import CDK_JSON, build_app
from stacks.config import ConfigurationError
from stacks.constants import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from tests.infrastructure._synth import TEST_ACCOUNT, Synthesized
from tests.infrastructure._template import all_stacks, service_functions

pytestmark = pytest.mark.infrastructure


def test_one_global_stack_and_one_regional_stack_per_region(production: Synthesized) -> None:
    config = production.built.config
    regions = [region.name for region in config.regions]
    deployed = {stack.stack_name: stack.environment.region for stack in production.assembly.stacks}

    assert len(set(regions)) >= 2
    assert deployed == {
        "ChalkOps-Global": config.primary_region,
        **{f"ChalkOps-Regional-{region}": region for region in regions},
    }


def test_every_stack_deploys_to_the_account_from_context(production: Synthesized) -> None:
    for stack in production.assembly.stacks:
        assert stack.environment.account == TEST_ACCOUNT


def test_regional_stacks_deploy_after_the_global_stack(production: Synthesized) -> None:
    for name in production.regional_names:
        dependencies = {artifact.id for artifact in production.artifact(name).dependencies}
        assert production.global_name in dependencies


def test_cdk_json_names_regions_but_no_account() -> None:
    text = CDK_JSON.read_text()
    context = json.loads(text)["context"]

    assert context["chalkops:primary_region"]
    assert len(context["chalkops:regions"]) == 2
    assert not re.search(r"\b\d{12}\b", text), "an AWS account id is written into cdk.json"
    assert json.loads(text)["app"] == "python3 app.py"


def test_overlapping_address_ranges_are_refused() -> None:
    regions = [
        {"name": "eu-west-1", "cidr": "10.20.0.0/16"},
        {"name": "eu-central-1", "cidr": "10.20.128.0/17"},
    ]
    with pytest.raises(ConfigurationError, match="overlap"):
        build_app(overrides={"chalkops:regions": regions})


@pytest.mark.parametrize(
    ("cidr", "address"),
    [("0.0.0.0/0", "https://vault:8200"), ("172.25.16.0/20", "http://vault:8200")],
)
def test_vault_must_be_private_and_spoken_to_over_tls(cidr: str, address: str) -> None:
    vault = json.loads(CDK_JSON.read_text())["context"]["chalkops:vault"]
    with pytest.raises(ConfigurationError, match="vault"):
        build_app(overrides={"chalkops:vault": {**vault, "cidr": cidr, "address": address}})


def test_the_runtime_constant_is_the_one_the_library_is_built_for() -> None:
    assert LAMBDA_RUNTIME.name == LAMBDA_PYTHON_RUNTIME == "python3.12"


def test_every_function_and_layer_uses_the_runtime_constant(production: Synthesized) -> None:
    counts = {}
    for stack in all_stacks(production):
        functions = service_functions(production, stack)
        counts[stack] = len(functions)
        layers = production.resources(stack, "AWS::Lambda::LayerVersion")
        for function in functions.values():
            assert function["Properties"]["Runtime"] == LAMBDA_RUNTIME.name
            assert function["Properties"]["Architectures"] == [LAMBDA_ARCHITECTURE.name]
            for reference in function["Properties"]["Layers"]:
                layer = layers[reference["Ref"]]
                assert layer["Properties"]["CompatibleRuntimes"] == [LAMBDA_RUNTIME.name]
            assert layer["Properties"]["CompatibleArchitectures"] == [LAMBDA_ARCHITECTURE.name]

    assert counts[production.global_name] == 1  # the central API
    for name in production.regional_names:
        assert counts[name] == 2  # the regional API and the provisioner
