"""Lambda assets built on this machine, without Docker.

CDK asks an ``ILocalBundling`` first and only falls back to a Docker image when it declines; these
bundlers never decline, so ``make synth`` works where no Docker engine runs. The layer is the
runtime dependencies of ``[project].dependencies`` (Linux wheels for the Lambda architecture,
pinned to the versions in ``uv.lock``) plus the ``chalkops`` package; each function asset is its
own ``functions/<name>`` package, keeping that path so the handler string imports unchanged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Callable
from pathlib import Path

import jsii
from aws_cdk import BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

from stacks.config import REPO_ROOT
from stacks.constants import LAMBDA_RUNTIME, PIP_PLATFORMS, RUNTIME_PROVIDED_PACKAGES

FUNCTIONS_DIR = REPO_ROOT / "functions"
LAYER_SOURCE = REPO_ROOT / "layers" / "chalkops"
PYPROJECT = REPO_ROOT / "pyproject.toml"
LOCKFILE = REPO_ROOT / "uv.lock"
_EXCLUDED = ("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")
_IGNORED = shutil.ignore_patterns(*_EXCLUDED)


class BundlingError(RuntimeError):
    """A Lambda asset could not be built locally."""


@jsii.implements(ILocalBundling)
class _LocalBuild:
    """Adapts a plain ``build(output_dir)`` function to CDK's local bundling interface."""

    def __init__(self, build: Callable[[Path], None]) -> None:
        self._build = build

    def try_bundle(self, output_dir: str, options: object) -> bool:
        self._build(Path(output_dir))
        return True


def layer_code(*, install_dependencies: bool) -> lambda_.Code:
    """The shared layer: ``python/`` holds the dependencies and the ``chalkops`` package."""

    def build(output_dir: Path) -> None:
        target = output_dir / "python"
        if install_dependencies:
            install_dependencies_into(target)
        shutil.copytree(LAYER_SOURCE, target / "chalkops", ignore=_IGNORED)

    inputs = [PYPROJECT.read_bytes(), LOCKFILE.read_bytes(), str(install_dependencies).encode()]
    return _local_asset(LAYER_SOURCE.parent, build, inputs)


def function_code(package: str) -> lambda_.Code:
    """One function's asset: ``functions/__init__.py`` and ``functions/<package>/``."""
    source = FUNCTIONS_DIR / package
    if not (source / "handler.py").is_file():
        raise BundlingError(f"functions/{package}/handler.py does not exist")

    def build(output_dir: Path) -> None:
        target = output_dir / "functions"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FUNCTIONS_DIR / "__init__.py", target / "__init__.py")
        shutil.copytree(source, target / package, ignore=_IGNORED)

    return _local_asset(source, build, [(FUNCTIONS_DIR / "__init__.py").read_bytes()])


def _local_asset(source: Path, build: Callable[[Path], None], inputs: list[bytes]) -> lambda_.Code:
    # CDK reuses a bundle while the source folder and the bundling options are unchanged; the
    # digest of the inputs outside the source folder (lock file, flags) goes into the options
    # so that changing them rebuilds the asset. The local bundler itself ignores it.
    digest = hashlib.sha256(b"\0".join([*inputs, *(p.encode() for p in PIP_PLATFORMS)]))
    return lambda_.Code.from_asset(
        str(source),
        exclude=list(_EXCLUDED),
        bundling=BundlingOptions(
            image=LAMBDA_RUNTIME.bundling_image,  # never pulled: the local build always succeeds
            local=_LocalBuild(build),
            environment={"CHALKOPS_BUILD_INPUTS": digest.hexdigest()},
        ),
    )


def layer_requirements() -> list[str]:
    """The runtime dependencies, exactly as ``[project].dependencies`` lists them."""
    with PYPROJECT.open("rb") as handle:
        return list(tomllib.load(handle)["project"]["dependencies"])


def lock_constraints() -> list[str]:
    """``name==version`` for every locked package, so the layer matches the tested versions."""
    with LOCKFILE.open("rb") as handle:
        packages = tomllib.load(handle)["package"]
    return [
        f"{package['name']}=={package['version']}"
        for package in packages
        if not {"editable", "virtual"} & package.get("source", {}).keys()
    ]


def install_dependencies_into(target: Path) -> None:
    """pip-install Linux wheels for the Lambda runtime and architecture into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    python_version = LAMBDA_RUNTIME.name.removeprefix("python")
    with tempfile.TemporaryDirectory() as scratch:
        requirements = Path(scratch) / "requirements.txt"
        constraints = Path(scratch) / "constraints.txt"
        requirements.write_text("\n".join(layer_requirements()) + "\n")
        constraints.write_text("\n".join(lock_constraints()) + "\n")
        command = [
            *_pip_command(),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-warn-conflicts",
            # .pyc files compiled here would be for this interpreter, not the Lambda's.
            "--no-compile",
            "--only-binary=:all:",
            "--implementation=cp",
            f"--python-version={python_version}",
            *(f"--platform={platform}" for platform in PIP_PLATFORMS),
            f"--target={target}",
            f"--requirement={requirements}",
            f"--constraint={constraints}",
        ]
        env = {**os.environ, "PIP_ROOT_USER_ACTION": "ignore"}
        # Arguments are built above from repository files, never from user input.
        result = subprocess.run(command, capture_output=True, text=True, check=False, env=env)  # noqa: S603
    if result.returncode != 0:
        raise BundlingError(f"pip could not build the Lambda layer:\n{result.stderr[-4000:]}")
    _remove_runtime_provided(target)


def _remove_runtime_provided(target: Path) -> None:
    for name in RUNTIME_PROVIDED_PACKAGES:
        shutil.rmtree(target / name, ignore_errors=True)
        for info in target.glob(f"{name}-*.dist-info"):
            shutil.rmtree(info)
    # Console scripts carry this machine's interpreter path; nothing on Lambda runs them.
    shutil.rmtree(target / "bin", ignore_errors=True)


def _pip_command() -> list[str]:
    """A pip that can download foreign-platform wheels: this interpreter's, else a nearby one."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip"]
    # `make env` creates .tools/ as a plain venv (with pip) to install uv; the project venv
    # itself is made by uv and has no pip.
    candidates = [REPO_ROOT / ".tools" / "bin" / "python", shutil.which("python3")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and _has_pip(str(candidate)):
            return [str(candidate), "-m", "pip"]
    raise BundlingError("no pip found to build the Lambda layer (run `make env` first)")


def _has_pip(python: str) -> bool:
    probe = [python, "-m", "pip", "--version"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0  # noqa: S603
