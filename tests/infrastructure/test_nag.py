"""cdk-nag AwsSolutions: no unsuppressed finding, and every suppression says why."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk.cx_api import SynthesisMessageLevel

from tests.infrastructure._synth import Synthesized
from tests.infrastructure._template import all_stacks

pytestmark = pytest.mark.infrastructure

# The reviewed suppressions (reasons: stacks/suppressions.py). A new one must be added here.
GLOBAL_SUPPRESSIONS = {
    "AwsSolutions-L1",
    "AwsSolutions-IAM4",
    "AwsSolutions-IAM5",
    "AwsSolutions-APIG2",
    "AwsSolutions-APIG4",
    "AwsSolutions-COG4",
    "AwsSolutions-SMG4",
    "AwsSolutions-CFR1",
    "AwsSolutions-CFR2",
    "AwsSolutions-CFR4",
}
REGIONAL_SUPPRESSIONS = {
    "AwsSolutions-L1",
    "AwsSolutions-IAM4",
    "AwsSolutions-IAM5",
    "AwsSolutions-APIG2",
    "AwsSolutions-APIG3",
    "AwsSolutions-COG4",
    "AwsSolutions-SMG4",
}
DEVELOPMENT_ONLY = {"AwsSolutions-RDS10"}


def _nag_messages(synth: Synthesized, stack: str, level: SynthesisMessageLevel) -> list[str]:
    return [
        f"{message.id}: {message.entry.data}"
        for message in synth.artifact(stack).messages
        if message.level == level and "AwsSolutions-" in str(message.entry.data)
    ]


def _suppressions(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in template["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            yield logical_id, rule


def _report(synth: Synthesized, stack: str) -> list[dict[str, str]]:
    (path,) = synth.outdir.glob(f"AwsSolutions*-{stack}-NagReport.csv")
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _expected(synth: Synthesized, stack: str) -> set[str]:
    expected = GLOBAL_SUPPRESSIONS if stack == synth.global_name else REGIONAL_SUPPRESSIONS
    return expected | (DEVELOPMENT_ONLY if synth.built.config.is_development else set())


@pytest.mark.parametrize("variant", ["production", "development"])
def test_no_unsuppressed_aws_solutions_findings(
    variant: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesized = request.getfixturevalue(variant)
    for stack in all_stacks(synth):
        assert _nag_messages(synth, stack, SynthesisMessageLevel.ERROR) == []
        assert _nag_messages(synth, stack, SynthesisMessageLevel.WARNING) == []


def test_the_checks_really_ran_on_every_stack(production: Synthesized) -> None:
    for stack in all_stacks(production):
        rows = _report(production, stack)
        compliance = {row["Compliance"] for row in rows}
        assert "Compliant" in compliance
        assert "Non-Compliant" not in compliance
        suppressed = {
            row["Rule ID"].split("[")[0] for row in rows if row["Compliance"] == "Suppressed"
        }
        assert suppressed == _expected(production, stack)


@pytest.mark.parametrize("variant", ["production", "development"])
def test_every_suppression_is_reviewed_and_carries_a_reason(
    variant: str, request: pytest.FixtureRequest
) -> None:
    synth: Synthesized = request.getfixturevalue(variant)
    for stack in all_stacks(synth):
        ids = set()
        for logical_id, rule in _suppressions(synth.templates[stack]):
            ids.add(rule["id"])
            assert len(rule.get("reason", "").split()) >= 10, (stack, logical_id, rule)
        assert ids == _expected(synth, stack), stack


def test_production_never_suppresses_deletion_protection(production: Synthesized) -> None:
    for stack in all_stacks(production):
        ids = {rule["id"] for _, rule in _suppressions(production.templates[stack])}
        assert not ids & DEVELOPMENT_ONLY
