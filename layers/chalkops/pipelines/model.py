"""Typed model of what conversion produces: a GitLab CI pipeline and the audit trail behind it.

The GitLab side is deliberately a small subset of the CI YAML reference: only the keywords the
converters emit. Key order on output is fixed in :mod:`chalkops.pipelines.gitlab`, so the model
stays free of presentation concerns apart from ``comments``, which carry the notes a reviewer
must see next to the job they concern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ConstructStatus(StrEnum):
    """How completely one source construct was carried over."""

    KNOWN = "known"  # mapped with the same meaning
    PARTIAL = "partial"  # mapped, with a documented difference
    UNKNOWN = "unknown"  # not recognised; left as a comment (LLM assist may propose)
    UNSUPPORTED = "unsupported"  # recognised, but GitLab has no equivalent: a manual task


class PipelineStatus(StrEnum):
    """Overall outcome for one source pipeline, as the audit report states it."""

    SUCCESSFUL = "successful"
    PARTIAL = "partial"
    UNSUPPORTED = "unsupported"
    FAILED = "failed"


class ManualTaskKind(StrEnum):
    """Work a person must do in GitLab before the converted pipeline behaves like the old one."""

    CI_VARIABLE = "ci_variable"
    RUNNER_TAGS = "runner_tags"
    SCHEDULE = "schedule"
    INCLUDE = "include"
    DOWNSTREAM = "downstream_project"
    REVIEW = "review"


@dataclass(frozen=True)
class Construct:
    """One source construct met during conversion, with where it was and what became of it."""

    ref: str  # the construct's number in the reference list, e.g. "jenkins.5" or "gha.12"
    name: str  # what it is in the source, e.g. "post.always" or "uses: actions/cache@v4"
    status: ConstructStatus
    line: int
    note: str = ""
    machine_suggested: bool = False


@dataclass(frozen=True)
class ManualTask:
    """A follow-up a person owns; ``name`` is the thing to create (variable, tag, schedule)."""

    kind: ManualTaskKind
    name: str
    detail: str
    line: int


@dataclass(frozen=True)
class Unconverted:
    """Source the rules could not convert, kept for the reviewer (and for LLM assist)."""

    line: int
    source: str


@dataclass
class Job:
    """One GitLab CI job. ``None`` / empty means the keyword is omitted from the output."""

    name: str
    stage: str
    script: list[str] = field(default_factory=list)
    before_script: list[str] = field(default_factory=list)
    after_script: list[str] = field(default_factory=list)
    image: str | None = None
    services: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    needs: list[str | dict[str, Any]] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    when: str | None = None
    allow_failure: bool | None = None
    environment: dict[str, str] | None = None
    resource_group: str | None = None
    interruptible: bool | None = None
    timeout: str | None = None
    retry: int | None = None
    parallel_matrix: list[dict[str, str | list[str]]] = field(default_factory=list)
    id_tokens: dict[str, dict[str, str]] = field(default_factory=dict)
    cache: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, Any] = field(default_factory=dict)
    trigger: dict[str, Any] | None = None
    comments: list[str] = field(default_factory=list)
    unconverted: list[Unconverted] = field(default_factory=list)


@dataclass
class PipelineVariable:
    """A top-level variable; ``description`` / ``options`` make it a run-time parameter."""

    value: str
    description: str | None = None
    options: list[str] = field(default_factory=list)
    expand: bool = True


@dataclass
class Pipeline:
    """A whole ``.gitlab-ci.yml``: stages in order, global variables, workflow rules, jobs."""

    stages: list[str] = field(default_factory=list)
    variables: dict[str, PipelineVariable] = field(default_factory=dict)
    workflow_rules: list[dict[str, Any]] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    def add_stage(self, stage: str) -> None:
        if stage not in self.stages and stage not in (".pre", ".post"):
            self.stages.append(stage)

    def add_job(self, job: Job) -> Job:
        self.jobs[job.name] = job
        return job


@dataclass
class Conversion:
    """The result of converting one source pipeline file."""

    source: str  # path as given, relative to the converted folder when there is one
    kind: str  # "jenkins" or "github-actions"
    pipeline: Pipeline
    constructs: list[Construct] = field(default_factory=list)
    manual_tasks: list[ManualTask] = field(default_factory=list)
    error: str | None = None

    def record(
        self, ref: str, name: str, status: ConstructStatus, line: int, note: str = ""
    ) -> None:
        self.constructs.append(Construct(ref, name, status, line, note))

    def task(self, kind: ManualTaskKind, name: str, detail: str, line: int) -> None:
        if not any(t.kind == kind and t.name == name for t in self.manual_tasks):
            self.manual_tasks.append(ManualTask(kind, name, detail, line))
