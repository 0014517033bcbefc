"""The Lambda assets: each handler named in a template exists in the asset it deploys with."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from stacks.constants import HANDLER_ATTRIBUTE
from tests.infrastructure._synth import Synthesized
from tests.infrastructure._template import all_stacks, asset_dir, layer_dirs, service_functions

pytestmark = pytest.mark.infrastructure


def _defines(module: Path, name: str) -> bool:
    """Whether ``module`` binds ``name`` at top level (assignment, def or import)."""
    for node in ast.parse(module.read_text()).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name:
            return True
    return False


def test_each_handler_path_exists_in_its_asset(production: Synthesized) -> None:
    checked = 0
    for stack in all_stacks(production):
        for logical_id, function in service_functions(production, stack).items():
            handler = function["Properties"]["Handler"]
            module_path, _, attribute = handler.rpartition(".")
            root = asset_dir(production, stack, function["Properties"]["Code"])
            module = root.joinpath(*module_path.split(".")).with_suffix(".py")

            assert attribute == HANDLER_ATTRIBUTE
            assert module.is_file(), (stack, logical_id, handler)
            assert _defines(module, attribute), (stack, logical_id, handler)
            # Every package on the way must be importable as a package.
            for depth in range(1, len(module_path.split("."))):
                package = root.joinpath(*module_path.split(".")[:depth])
                assert (package / "__init__.py").is_file(), package
            checked += 1
    assert checked == 1 + 2 * len(production.regional_names)


def test_function_assets_carry_only_their_own_package(production: Synthesized) -> None:
    for stack in all_stacks(production):
        for function in service_functions(production, stack).values():
            root = asset_dir(production, stack, function["Properties"]["Code"])
            package = function["Properties"]["Handler"].split(".")[1]
            assert sorted(p.name for p in root.iterdir()) == ["functions"]
            contents = sorted(p.name for p in (root / "functions").iterdir())
            assert contents == ["__init__.py", package]
            assert not list(root.rglob("__pycache__"))


def test_each_function_has_the_shared_layer_with_the_chalkops_package(
    production: Synthesized,
) -> None:
    for stack in all_stacks(production):
        for function in service_functions(production, stack).values():
            (layer,) = layer_dirs(production, stack, function)
            assert sorted(p.name for p in layer.iterdir()) == ["python"]
            assert (layer / "python" / "chalkops" / "__init__.py").is_file()
