"""Small readers over synthesized CloudFormation templates and asset manifests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.infrastructure._synth import Synthesized

SERVICE_HANDLER_PREFIX = "functions."


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def service_functions(synth: Synthesized, stack: str) -> dict[str, dict[str, Any]]:
    """The ChalkOps functions of a stack (CDK's own custom-resource handlers left out)."""
    return {
        logical_id: resource
        for logical_id, resource in synth.resources(stack, "AWS::Lambda::Function").items()
        if resource["Properties"].get("Handler", "").startswith(SERVICE_HANDLER_PREFIX)
    }


def all_stacks(synth: Synthesized) -> list[str]:
    return [synth.global_name, *synth.regional_names]


def identity_statements(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every statement of every identity policy (inline role policies and policy resources)."""
    for logical_id, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        documents = []
        if resource["Type"] in {"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"}:
            documents.append(properties["PolicyDocument"])
        if resource["Type"] == "AWS::IAM::Role":
            documents += [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        for document in documents:
            for statement in as_list(document["Statement"]):
                yield logical_id, statement


def asset_dir(synth: Synthesized, stack: str, code: dict[str, Any]) -> Path:
    """The staged folder of a Lambda ``Code`` / layer ``Content`` property."""
    asset_hash = str(code["S3Key"]).removesuffix(".zip")
    manifest_file = synth.outdir / f"{stack}.assets.json"
    manifest = json.loads(manifest_file.read_text())
    source = manifest["files"][asset_hash]["source"]
    assert source["packaging"] == "zip"
    return synth.outdir / source["path"]


def layer_dirs(synth: Synthesized, stack: str, function: dict[str, Any]) -> list[Path]:
    layers = synth.resources(stack, "AWS::Lambda::LayerVersion")
    dirs = []
    for reference in function["Properties"].get("Layers", []):
        layer = layers[reference["Ref"]]
        dirs.append(asset_dir(synth, stack, layer["Properties"]["Content"]))
    return dirs
