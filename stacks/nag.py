"""cdk-nag wiring: the AwsSolutions pack on every stack, suppressions with written reasons."""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aspects, IAspect
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions
from constructs import IConstruct

NAG_PACK = "AwsSolutions"


def apply_checks(scope: IConstruct) -> IAspect:
    """Run the AwsSolutions checks on everything below ``scope`` at synth time."""
    checks = AwsSolutionsChecks(verbose=True, reports=True)
    Aspects.of(scope).add(checks)
    return checks


def suppress(
    construct: IConstruct,
    rule: str,
    reason: str,
    *,
    applies_to: Sequence[str] | None = None,
) -> None:
    """Suppress one AwsSolutions rule on ``construct`` and its children, saying why."""
    NagSuppressions.add_resource_suppressions(
        construct,
        [
            NagPackSuppression(
                id=f"{NAG_PACK}-{rule}",
                reason=reason,
                applies_to=list(applies_to) if applies_to else None,
            )
        ],
        apply_to_children=True,
    )
