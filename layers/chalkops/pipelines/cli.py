"""``chalkops convert PATH --output-dir DIR [--report-json FILE] [--report-md FILE]``.

The composition root of the engine: it decides whether an LLM-assist adapter runs (only when
``--assist`` names one) and turns every failure into one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from chalkops.errors import ChalkOpsError
from chalkops.pipelines.assist.base import AssistProvider
from chalkops.pipelines.convert import Batch, convert_path
from chalkops.pipelines.exceptions import UnparseableInput
from chalkops.pipelines.model import Conversion, Pipeline
from chalkops.pipelines.report import batch_report, markdown, pipeline_status

EXIT_UNPARSEABLE = 2


class AssistSettings(BaseSettings):
    """Secrets for assist providers come from the environment, never from flags."""

    model_config = SettingsConfigDict(env_prefix="CHALKOPS_ASSIST_")

    api_key: str | None = None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="a Jenkinsfile, a workflow file or a repository")
    parser.add_argument("--output-dir", type=Path, required=True, help="where .gitlab-ci.yml goes")
    parser.add_argument("--report-json", type=Path, help="write the audit report as JSON")
    parser.add_argument("--report-md", type=Path, help="write the audit report as Markdown")
    parser.add_argument(
        "--assist",
        choices=["bedrock", "openai-compatible"],
        help="let an LLM propose translations for unknown constructs (off by default)",
    )
    parser.add_argument("--assist-model", help="model id (Bedrock) or model name (endpoint)")
    parser.add_argument("--assist-endpoint", help="base URL of the OpenAI-compatible API")
    parser.add_argument("--assist-region", help="AWS region for Bedrock")


def build_assistant(args: argparse.Namespace) -> AssistProvider | None:
    if not getattr(args, "assist", None):
        return None
    if not args.assist_model:
        raise ChalkOpsError("--assist needs --assist-model")
    if args.assist == "bedrock":
        from chalkops.pipelines.assist.bedrock import BedrockAssist  # noqa: PLC0415

        return BedrockAssist(args.assist_model, region=args.assist_region)
    if not args.assist_endpoint:
        raise ChalkOpsError("--assist openai-compatible needs --assist-endpoint")
    from chalkops.pipelines.assist.openai_compatible import (  # noqa: PLC0415
        OpenAICompatibleAssist,
    )

    return OpenAICompatibleAssist(
        args.assist_endpoint, args.assist_model, api_key=AssistSettings().api_key
    )


def run(args: argparse.Namespace) -> int:
    try:
        batch = convert_path(args.path, assistant=build_assistant(args))
    except UnparseableInput as exc:
        _write_failure_reports(args, exc)
        sys.stderr.write(f"chalkops convert: {exc.detail}\n")
        return EXIT_UNPARSEABLE
    except ChalkOpsError as exc:
        sys.stderr.write(f"chalkops convert: {exc.detail}\n")
        return EXIT_UNPARSEABLE
    except (RecursionError, MemoryError) as exc:
        sys.stderr.write(
            f"chalkops convert: {args.path}: input too complex ({type(exc).__name__})\n"
        )
        return EXIT_UNPARSEABLE
    return _write_outputs(args, batch)


def _write_outputs(args: argparse.Namespace, batch: Batch) -> int:
    try:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        target = args.output_dir / ".gitlab-ci.yml"
        target.write_text(batch.yaml_text, encoding="utf-8")
        report = batch_report(batch.conversions, str(target))
        _write_reports(args, report)
    except OSError as exc:
        sys.stderr.write(f"chalkops convert: cannot write output: {exc}\n")
        return 1
    for conversion in batch.conversions:
        pipeline = next(p for p in report["pipelines"] if p["source"] == conversion.source)
        sys.stdout.write(
            f"{conversion.source}: {pipeline_status(conversion).value}, coverage "
            f"{pipeline['coverage_percent']}%, {len(conversion.manual_tasks)} manual task(s)\n"
        )
    sys.stdout.write(f"wrote {target}\n")
    return 0


def _write_reports(args: argparse.Namespace, report: dict[str, object]) -> None:
    if args.report_json:
        args.report_json.parent.mkdir(parents=True, exist_ok=True)
        args.report_json.write_text(
            json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8"
        )
    if args.report_md:
        args.report_md.parent.mkdir(parents=True, exist_ok=True)
        args.report_md.write_text(markdown(report), encoding="utf-8")


def _write_failure_reports(args: argparse.Namespace, exc: UnparseableInput) -> None:
    kind = "github-actions" if exc.path.endswith((".yml", ".yaml")) else "jenkins"
    failed = Conversion(source=exc.path, kind=kind, pipeline=Pipeline(), error=exc.detail)
    with contextlib.suppress(OSError):  # the one-line error is what the user needs
        _write_reports(args, batch_report([failed], None))
