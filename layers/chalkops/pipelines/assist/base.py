"""The assist port, and the one place proposals are checked and applied.

Deterministic rules always run first. A provider is asked only about source the rules left
unconverted; its answer must be a JSON object ``{"script": ["…"]}`` and the whole pipeline
must still pass GitLab's schema with it, or the proposal is dropped. Accepted proposals are
labelled machine-suggested in the YAML and in the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Protocol

from chalkops.pipelines.exceptions import AssistUnavailable
from chalkops.pipelines.gitlab import pipeline_document, schema_errors
from chalkops.pipelines.model import ConstructStatus, Conversion, Job, Pipeline

SYSTEM_PROMPT = (
    "You translate one unconverted CI construct into GitLab CI shell script lines. "
    'Answer with JSON only: {"script": ["command", ...]}. No prose.'
)


@dataclass(frozen=True)
class AssistRequest:
    """What the provider is asked: the source snippet and where it sits."""

    source_kind: str  # "jenkins" or "github-actions"
    source_path: str
    job: str
    line: int
    snippet: str

    def prompt(self) -> str:
        return (
            f"Source: {self.source_kind} pipeline {self.source_path}, line {self.line}, "
            f"inside GitLab job '{self.job}'.\nConstruct:\n{self.snippet}\n"
            "Give the GitLab CI script lines that do the same."
        )


class AssistProvider(Protocol):
    """A backend that proposes a translation (returns the model's raw text)."""

    name: str

    def propose(self, request: AssistRequest) -> str: ...


def parse_proposal(text: str) -> list[str] | None:
    """The script lines of a proposal, or ``None`` when it is not the agreed JSON shape."""
    body = text.strip()
    if body.startswith("```"):
        body = body.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        return None
    script = data.get("script") if isinstance(data, dict) else None
    if not isinstance(script, list) or not script or not all(isinstance(s, str) for s in script):
        return None
    return script


def assist(conversion: Conversion, pipeline: Pipeline, provider: AssistProvider | None) -> int:
    """Ask ``provider`` about every unconverted snippet; returns how many were accepted."""
    if provider is None:
        return 0
    accepted = 0
    for job in list(pipeline.jobs.values()):
        for item in list(job.unconverted):
            request = AssistRequest(conversion.kind, conversion.source, job.name, item.line,
                                    item.source)  # fmt: skip
            try:
                script = parse_proposal(provider.propose(request))
            except AssistUnavailable:
                script = None
            if script is None or not _fits(pipeline, job, script):
                continue
            job.script.extend(script)
            job.comments.append(
                f"machine-suggested ({provider.name}) for line {item.line}: review before use"
            )
            job.unconverted.remove(item)
            _label(conversion, item.line, provider.name)
            accepted += 1
    return accepted


def _fits(pipeline: Pipeline, job: Job, script: list[str]) -> bool:
    before = list(job.script)
    job.script.extend(script)
    try:
        return not schema_errors(pipeline_document(pipeline))
    finally:
        job.script[:] = before


def _label(conversion: Conversion, line: int, provider: str) -> None:
    for index, construct in enumerate(conversion.constructs):
        if construct.line == line and construct.status is ConstructStatus.UNKNOWN:
            conversion.constructs[index] = replace(
                construct,
                status=ConstructStatus.PARTIAL,
                machine_suggested=True,
                note=f"machine-suggested by {provider}; review",
            )
