"""The shared Lambda layer: runtime dependencies plus the ``chalkops`` library."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from stacks.constants import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME
from stacks.packaging import layer_code


class SharedLayer(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, install_dependencies: bool) -> None:
        super().__init__(scope, construct_id)
        self.layer = lambda_.LayerVersion(
            self,
            "Layer",
            code=layer_code(install_dependencies=install_dependencies),
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description="ChalkOps shared library and its runtime dependencies",
            # Functions being rolled back still reference the previous version.
            removal_policy=RemovalPolicy.RETAIN,
        )
