"""A synthesized ChalkOps app, and the way tests synthesize it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import assertions
from aws_cdk.cx_api import CloudAssembly, CloudFormationStackArtifact

from stacks.application import ChalkOpsApp, build_app

TEST_ACCOUNT = "111111111111"  # never deployed: only to exercise account-bound code paths


@dataclass
class Synthesized:
    built: ChalkOpsApp
    assembly: CloudAssembly
    outdir: Path
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def global_name(self) -> str:
        return self.built.global_stack.stack_name

    @property
    def regional_names(self) -> list[str]:
        return [stack.stack_name for stack in self.built.regional_stacks.values()]

    def artifact(self, name: str) -> CloudFormationStackArtifact:
        return self.assembly.get_stack_by_name(name)

    def template(self, name: str) -> assertions.Template:
        return assertions.Template.from_json(self.templates[name])

    def resources(self, name: str, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.templates[name]["Resources"].items()
            if resource["Type"] == resource_type
        }


def synthesize(outdir: Path, **context: Any) -> Synthesized:
    overrides = {"chalkops:install_dependencies": False, "chalkops:account": TEST_ACCOUNT}
    built = build_app(outdir=outdir, overrides={**overrides, **context})
    assembly = built.app.synth()
    result = Synthesized(built=built, assembly=assembly, outdir=outdir)
    for artifact in assembly.stacks:
        result.templates[artifact.stack_name] = artifact.template
    return result
