"""The composition root of the CDK app: one global stack, one regional stack per region."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aws_cdk import App

from stacks.config import REPO_ROOT, DeploymentConfig, load_config
from stacks.global_stack import GlobalStack
from stacks.nag import apply_checks
from stacks.regional_stack import RegionalStack
from stacks.suppressions import suppress_global_stack, suppress_regional_stack

CDK_JSON = REPO_ROOT / "cdk.json"
GLOBAL_STACK_NAME = "ChalkOps-Global"


def regional_stack_name(region: str) -> str:
    return f"ChalkOps-Regional-{region}"


@dataclass
class ChalkOpsApp:
    app: App
    config: DeploymentConfig
    global_stack: GlobalStack
    regional_stacks: dict[str, RegionalStack] = field(default_factory=dict)


def cdk_json_context() -> dict[str, Any]:
    """The context in cdk.json: the CLI reads it itself, a plain ``python app.py`` does not."""
    context: dict[str, Any] = json.loads(CDK_JSON.read_text())["context"]
    return context


def build_app(
    *,
    outdir: str | Path | None = None,
    overrides: dict[str, Any] | None = None,
    default_account: str | None = None,
) -> ChalkOpsApp:
    """Build (not synthesize) the app.

    ``cdk.json`` context is the default, CLI ``-c`` values override it, ``overrides`` (tests,
    benchmarks) override both.
    """
    app = App(
        outdir=str(outdir) if outdir is not None else None,
        context=cdk_json_context(),
        post_cli_context=overrides or {},
    )
    config = load_config(app.node, default_account=default_account)
    global_stack = GlobalStack(app, GLOBAL_STACK_NAME, config=config)
    suppress_global_stack(
        global_stack,
        development=config.is_development,
        central_function=global_stack.central_function,
        central_api=global_stack.central_api,
        database=global_stack.database,
        web=global_stack.web,
    )
    built = ChalkOpsApp(app=app, config=config, global_stack=global_stack)
    for region in config.regions:
        stack = RegionalStack(app, regional_stack_name(region.name), config=config, region=region)
        # Each regional API's resource policy names the central API's role: deploy it first.
        stack.add_stack_dependency(global_stack)
        suppress_regional_stack(
            development=config.is_development,
            functions=[stack.api_function, stack.provisioner],
            regional_api=stack.regional_api,
            database=stack.database,
        )
        built.regional_stacks[region.name] = stack
    apply_checks(app)
    return built
