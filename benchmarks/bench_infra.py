"""Infrastructure benchmarks: the largest Lambda asset after real local bundling, and synth time.

- ``lambda_asset_size``: the largest unzipped deployment of one ChalkOps function (its own asset
  plus every layer it uses), bundled for real (pip installing the Linux wheels), in MiB, against
  Lambda's 250 MB unzipped limit (AWS counts it as 262,144,000 bytes = 250 MiB). Goal: <= 0.3.
- ``synth_all_stacks``: synthesizing every stack (global + one per region, cdk-nag included) with
  bundling reduced to copying, against synthesizing one empty stack in the same process; and
  ``synth_all_stacks_with_bundling``, the same with the layer's pip install (what ``make synth``
  does on a fresh ``cdk.out``). Both are figures to watch, not goals.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from aws_cdk import App, Stack
from aws_cdk.cx_api import CloudAssembly

from benchmarks._report import emit
from stacks.application import build_app

LAMBDA_UNZIPPED_LIMIT_MIB = 250.0
MIB = 1024 * 1024


def _synth_app(outdir: Path, *, install_dependencies: bool) -> tuple[float, CloudAssembly]:
    start = time.perf_counter()
    built = build_app(
        outdir=outdir, overrides={"chalkops:install_dependencies": install_dependencies}
    )
    assembly = built.app.synth()
    return time.perf_counter() - start, assembly


def _synth_empty_stack(outdir: Path) -> float:
    start = time.perf_counter()
    app = App(outdir=str(outdir))
    Stack(app, "Empty")
    app.synth()
    return time.perf_counter() - start


def _tree_bytes(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def _asset_path(outdir: Path, manifest: dict[str, Any], code: dict[str, Any]) -> Path:
    asset_hash = str(code["S3Key"]).removesuffix(".zip")
    return outdir / manifest["files"][asset_hash]["source"]["path"]


def _largest_function_bytes(assembly: CloudAssembly, outdir: Path) -> tuple[str, int]:
    largest = ("", 0)
    for artifact in assembly.stacks:
        resources = artifact.template["Resources"]
        manifest = json.loads((outdir / f"{artifact.stack_name}.assets.json").read_text())
        for logical_id, resource in resources.items():
            properties = resource.get("Properties", {})
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            if not str(properties.get("Handler", "")).startswith("functions."):
                continue  # CDK's own deployment-time handlers
            size = _tree_bytes(_asset_path(outdir, manifest, properties["Code"]))
            for layer in properties.get("Layers", []):
                content = resources[layer["Ref"]]["Properties"]["Content"]
                size += _tree_bytes(_asset_path(outdir, manifest, content))
            if size > largest[1]:
                largest = (f"{artifact.stack_name}/{logical_id}", size)
    return largest


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="chalkops-bench-infra-") as scratch:
        root = Path(scratch)
        _synth_empty_stack(root / "warmup")  # start the jsii runtime outside any measurement
        empty = _synth_empty_stack(root / "empty")
        copied, _ = _synth_app(root / "copied", install_dependencies=False)
        bundled, assembly = _synth_app(root / "bundled", install_dependencies=True)
        _, size = _largest_function_bytes(assembly, root / "bundled")
    emit(
        "lambda_asset_size",
        size / MIB,
        "MB",
        "lambda_unzipped_limit",
        LAMBDA_UNZIPPED_LIMIT_MIB,
    )
    emit("synth_all_stacks", copied, "s", "synth_empty_stack", empty)
    emit("synth_all_stacks_with_bundling", bundled, "s", "synth_empty_stack", empty)


if __name__ == "__main__":
    main()
