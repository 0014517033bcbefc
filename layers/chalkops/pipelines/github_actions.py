"""GitHub Actions workflow -> GitLab CI model.

Semantics kept on purpose: a ``run: |`` block is one script entry (one shell, as on GitHub);
each step is its own process on GitHub, so a step that changes directory or variables, or has
its own ``env`` / ``working-directory``, runs in a subshell; ``${{ }}`` placeholders are
substituted into the text before the shell runs, so they stay live inside single quotes.
Jobs start at once unless they ``need`` another (``needs: []``), as on GitHub.
"""

from __future__ import annotations

import itertools
import json
import re
import shlex
from collections.abc import Callable
from typing import Any

from chalkops.pipelines import gha_expr
from chalkops.pipelines.exceptions import UnparseableInput
from chalkops.pipelines.gha_expr import Untranslatable
from chalkops.pipelines.interpolation import variable_name
from chalkops.pipelines.jenkins_conditions import glob_to_regex
from chalkops.pipelines.model import (
    ConstructStatus,
    Conversion,
    Job,
    ManualTaskKind,
    Pipeline,
    PipelineVariable,
    Unconverted,
)
from chalkops.pipelines.shell import Expansion, Part, guarded, render_parts, scoped_step
from chalkops.pipelines.workflow_yaml import Path, line_of, load, validate

K, P, U, X = (
    ConstructStatus.KNOWN,
    ConstructStatus.PARTIAL,
    ConstructStatus.UNKNOWN,
    ConstructStatus.UNSUPPORTED,
)

SETUP_IMAGES = {
    "actions/setup-node": ("node-version", "node:{}", "node:lts"),
    "actions/setup-python": ("python-version", "python:{}", "python:3"),
    "actions/setup-java": ("java-version", "eclipse-temurin:{}", "eclipse-temurin:17"),
    "actions/setup-go": ("go-version", "golang:{}", "golang:latest"),
    "actions/setup-dotnet": (
        "dotnet-version",
        "mcr.microsoft.com/dotnet/sdk:{}",
        "mcr.microsoft.com/dotnet/sdk:8.0",
    ),
}
UNSUPPORTED_EVENTS = frozenset(
    {
        "issues",
        "issue_comment",
        "release",
        "pull_request_target",
        "pull_request_review",
        "pull_request_review_comment",
        "workflow_run",
        "repository_dispatch",
        "create",
        "delete",
        "deployment",
        "deployment_status",
        "discussion",
        "discussion_comment",
        "fork",
        "gollum",
        "label",
        "milestone",
        "page_build",
        "project",
        "public",
        "registry_package",
        "status",
        "watch",
        "check_run",
        "check_suite",
        "branch_protection_rule",
        "merge_group",
    }
)
_JOB_KEYS = frozenset(
    {
        "name",
        "runs-on",
        "needs",
        "if",
        "steps",
        "env",
        "container",
        "services",
        "strategy",
        "timeout-minutes",
        "continue-on-error",
        "concurrency",
        "environment",
        "outputs",
        "permissions",
        "defaults",
        "uses",
        "with",
        "secrets",
    }
)
_STEP_KEYS = frozenset(
    {
        "name",
        "id",
        "if",
        "run",
        "uses",
        "with",
        "env",
        "shell",
        "working-directory",
        "continue-on-error",
    }
)
OUTPUT_DIR = ".chalkops/outputs"
JOB_OUTPUTS = ".chalkops/job-outputs.env"
MAX_MATRIX = 200  # GitLab's limit of jobs one parallel:matrix may create


def convert_workflow(source: bytes, path: str) -> Conversion:
    """Parse, schema-check and convert one workflow file."""
    text = _decode(source, path)
    data, lines = load(text, path)
    validate(data, lines, path)
    conversion = Conversion(source=path, kind="github-actions", pipeline=Pipeline())
    _WorkflowConverter(conversion, data, lines).convert()
    return conversion


def _decode(source: bytes, path: str) -> str:
    if not source.strip():
        raise UnparseableInput(path, 1, "file is empty")
    if b"\x00" in source[:8192]:
        raise UnparseableInput(path, 1, "binary file, not a workflow")
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnparseableInput(path, source[: exc.start].count(b"\n") + 1, "not UTF-8") from exc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _WorkflowConverter:
    def __init__(
        self, conversion: Conversion, data: dict[str, Any], lines: dict[Path, int]
    ) -> None:
        self.c = conversion
        self.pipeline = conversion.pipeline
        self.data = data
        self.lines = lines
        self.uploads: dict[str, str] = {}  # artifact name -> job id
        self.skipped_jobs: set[str] = set()
        self.pending_comments: list[str] = []

    def line(self, *where: str | int) -> int:
        return line_of(self.lines, where)

    def record(
        self, ref: int, name: str, status: ConstructStatus, line: int, note: str = ""
    ) -> None:
        self.c.record(f"gha.{ref}", name, status, line, note)

    # --- workflow level ------------------------------------------------------------------

    def convert(self) -> None:
        self.triggers(self.data.get("on"))
        for name, value in (self.data.get("env") or {}).items():
            variable = self.variable_value(value, self.line("env", name))
            self.pipeline.variables[str(name)] = PipelineVariable(variable)
            self.record(6, f"env {name}", K, self.line("env", name))
        if "permissions" in self.data:
            self.record(
                18,
                "permissions",
                K,
                self.line("permissions"),
                "GitLab job tokens are scoped by project settings",
            )
        jobs: dict[str, Any] = self.data.get("jobs") or {}
        order = self.job_levels(jobs)
        for job_id, job_spec in jobs.items():
            if job_spec.get("uses"):
                self.reusable_workflow(job_id, job_spec)
        for job_id, level in order:
            if job_id in self.skipped_jobs:
                continue
            stage = f"stage-{level + 1}"
            self.pipeline.add_stage(stage)
            self.pipeline.add_job(self.job(job_id, jobs[job_id], stage))
        self.wire_downloads()

    def triggers(self, on: Any) -> None:
        events: dict[str, Any]
        if isinstance(on, str):
            events = {on: None}
        elif isinstance(on, list):
            events = dict.fromkeys(on)
        else:
            events = dict(on or {})
        rules: list[dict[str, Any]] = []
        for event, config in events.items():
            rules.extend(self.trigger(event, config or {}))
        if rules:
            self.pipeline.workflow_rules = rules
        elif events:
            # only events GitLab cannot start a pipeline for: run when triggered by the API
            self.pipeline.workflow_rules = [{"if": '$CI_PIPELINE_SOURCE == "api"'}]

    def trigger(self, event: str, config: dict[str, Any]) -> list[dict[str, Any]]:
        line = self.line("on", event)
        if event == "push":
            self.record(1, "on.push", K, line)
            return self.push_rules(config, line)
        if event == "pull_request":
            self.record(1, "on.pull_request", K, line)
            return self.pull_request_rules(config)
        if event == "workflow_dispatch":
            self.dispatch_inputs(config.get("inputs") or {})
            self.record(14, "on.workflow_dispatch", K, line)
            return [{"if": '$CI_PIPELINE_SOURCE == "web"'}]
        if event == "schedule":
            schedules: list[dict[str, Any]] = config if isinstance(config, list) else []
            for index, cron in enumerate(schedules):
                self.c.task(
                    ManualTaskKind.SCHEDULE,
                    str(cron.get("cron")),
                    "create a pipeline schedule",
                    self.line("on", "schedule", index),
                )
            self.record(14, "on.schedule", P, line, "create the pipeline schedule(s)")
            return [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
        if event == "workflow_call":
            self.record(
                19, "on.workflow_call", X, line, "reusable workflow: make it an include:/component"
            )
            self.c.task(
                ManualTaskKind.INCLUDE,
                self.c.source,
                "reusable workflow: publish as a CI/CD component",
                line,
            )
            return [{"if": '$CI_PIPELINE_SOURCE == "parent_pipeline"'}]
        status = X if event in UNSUPPORTED_EVENTS else U
        self.record(22, f"on.{event}", status, line, "no GitLab pipeline source for this event")
        self.c.task(
            ManualTaskKind.REVIEW,
            f"on.{event}",
            "no GitLab equivalent: use a webhook + pipeline trigger",
            line,
        )
        return []

    def push_rules(self, config: dict[str, Any], line: int) -> list[dict[str, Any]]:
        branches = _as_list(config.get("branches"))
        tags = _as_list(config.get("tags"))
        alternatives: list[str] = []
        alternatives += [_glob_if("$CI_COMMIT_BRANCH", b) for b in branches]
        alternatives += [_glob_if("$CI_COMMIT_TAG", t) for t in tags]
        guards = [
            {"if": _glob_if("$CI_COMMIT_BRANCH", b), "when": "never"}
            for b in _as_list(config.get("branches-ignore"))
        ]
        guards += [
            {"if": _glob_if("$CI_COMMIT_TAG", t), "when": "never"}
            for t in _as_list(config.get("tags-ignore"))
        ]
        if not alternatives:
            alternatives = ['$CI_PIPELINE_SOURCE == "push"']
        else:
            alternatives = [f'$CI_PIPELINE_SOURCE == "push" && {a}' for a in alternatives]
        return guards + self.with_paths(alternatives, config, line)

    def with_paths(
        self, alternatives: list[str], config: dict[str, Any], line: int
    ) -> list[dict[str, Any]]:
        paths = _as_list(config.get("paths"))
        ignored = _as_list(config.get("paths-ignore"))
        rules: list[dict[str, Any]] = []
        if ignored:
            self.record(
                1,
                "paths-ignore",
                P,
                line,
                "GitLab skips when any changed file matches, GitHub when all do",
            )
            rules += [{"if": a, "changes": ignored, "when": "never"} for a in alternatives]
        for alternative in alternatives:
            rule: dict[str, Any] = {"if": alternative}
            if paths:
                rule["changes"] = paths
            rules.append(rule)
        return rules

    def pull_request_rules(self, config: dict[str, Any]) -> list[dict[str, Any]]:
        base = '$CI_PIPELINE_SOURCE == "merge_request_event"'
        branches = _as_list(config.get("branches"))
        alternatives = [
            f"{base} && {_glob_if('$CI_MERGE_REQUEST_TARGET_BRANCH_NAME', b)}" for b in branches
        ] or [base]
        if config.get("types"):
            self.record(
                1,
                "pull_request.types",
                P,
                self.line("on", "pull_request", "types"),
                "GitLab runs merge request pipelines on every push to the MR",
            )
        return self.with_paths(alternatives, config, self.line("on", "pull_request"))

    def dispatch_inputs(self, inputs: dict[str, Any]) -> None:
        for name, given in inputs.items():
            spec = given or {}
            default = _text(spec.get("default", ""))
            options = [_text(o) for o in spec.get("options") or []]
            if spec.get("type") == "boolean":
                options = ["true", "false"] if default == "true" else ["false", "true"]
                default = default or "false"
            if options and default not in options:
                default = options[0]
            self.pipeline.variables[variable_name(str(name))] = PipelineVariable(
                default, description=str(spec.get("description") or name), options=options
            )

    def reusable_workflow(self, job_id: str, job: dict[str, Any]) -> None:
        line = self.line("jobs", job_id, "uses")
        self.record(
            19, f"jobs.{job_id}.uses {job['uses']}", X, line, "reusable workflow: manual task"
        )
        self.c.task(
            ManualTaskKind.INCLUDE,
            str(job["uses"]),
            "reusable workflow: convert it and include: it",
            line,
        )
        self.pipeline.comments.append(
            f"TODO(chalkops): job '{job_id}' calls reusable workflow {job['uses']} "
            f"(line {line}); convert that workflow and include it"
        )
        self.skipped_jobs.add(job_id)

    def job_levels(self, jobs: dict[str, Any]) -> list[tuple[str, int]]:
        """Jobs in source order with their depth in the ``needs`` graph (cycles refused)."""
        levels: dict[str, int] = {}
        for start in jobs:
            stack: list[tuple[str, int]] = [(start, 0)]
            visiting: set[str] = set()
            while stack:
                job_id, state = stack.pop()
                if job_id in levels:
                    continue
                needs = [str(n) for n in _as_list(jobs[job_id].get("needs"))]
                missing = [n for n in needs if n not in jobs]
                if missing:
                    raise UnparseableInput(
                        self.c.source,
                        self.line("jobs", job_id, "needs"),
                        f"job '{job_id}' needs unknown job '{missing[0]}'",
                    )
                if state == 0:
                    if job_id in visiting:
                        raise UnparseableInput(
                            self.c.source,
                            self.line("jobs", job_id),
                            f"job '{job_id}' is part of a needs cycle",
                        )
                    visiting.add(job_id)
                    stack.append((job_id, 1))
                    stack.extend((n, 0) for n in needs if n not in levels)
                else:
                    levels[job_id] = 1 + max((levels[n] for n in needs), default=-1)
        return [(j, levels[j]) for j in jobs]

    # --- jobs ----------------------------------------------------------------------------

    def job(self, job_id: str, spec: dict[str, Any], stage: str) -> Job:
        job = Job(name=job_id, stage=stage)
        at = ("jobs", job_id)
        self.record(2, f"jobs.{job_id}", K, self.line(*at))
        for key in sorted(set(spec) - _JOB_KEYS):
            self.record(2, f"jobs.{job_id}.{key}", U, self.line(*at, key), "not converted")
            self.pending_comments.append(f"TODO(chalkops): job key '{key}' not converted")
        job.needs = [str(n) for n in _as_list(spec.get("needs")) if str(n) not in self.skipped_jobs]
        if spec.get("needs"):
            self.record(8, f"jobs.{job_id}.needs", K, self.line(*at, "needs"))
        self.runs_on(job, spec.get("runs-on"), self.line(*at, "runs-on"))
        self.container(job, spec, at)
        for name, value in (spec.get("env") or {}).items():
            job.variables[str(name)] = self.variable_value(value, self.line(*at, "env", name))
            self.record(6, f"jobs.{job_id}.env {name}", K, self.line(*at, "env", name))
        self.job_condition(job, spec.get("if"), self.line(*at, "if"))
        self.strategy(job, spec.get("strategy") or {}, at)
        self.job_limits(job, spec, at)
        self.job_environment(job, spec.get("environment"), self.line(*at, "environment"))
        self.id_tokens(job, spec.get("permissions"), self.line(*at, "permissions"))
        defaults = {
            **((self.data.get("defaults") or {}).get("run") or {}),
            **((spec.get("defaults") or {}).get("run") or {}),
        }
        self.steps(job, job_id, spec, defaults)
        if not job.script:
            job.script = ["echo 'no steps to run'"]
        job.comments.extend(self.pending_comments)
        self.pending_comments = []
        return job

    def runs_on(self, job: Job, runs_on: Any, line: int) -> None:
        labels = runs_on.get("labels") if isinstance(runs_on, dict) else runs_on
        for label in _as_list(labels):
            text = str(label)
            if "${{" in text:
                job.tags.append(self.text_value(text, line))
                self.record(2, "runs-on expression", P, line, "runner tag taken from a variable")
            elif text.startswith("ubuntu-") or text == "linux":
                self.record(2, f"runs-on {text}", K, line, "GitLab's Linux runners")
            elif text.startswith(("windows-", "macos-")):
                tag = (
                    "saas-windows-medium-amd64"
                    if text.startswith("windows")
                    else "saas-macos-medium-m1"
                )
                job.tags.append(tag)
                self.record(2, f"runs-on {text}", P, line, f"GitLab hosted runner tag {tag}")
                self.c.task(ManualTaskKind.RUNNER_TAGS, tag, f"runner for GitHub '{text}'", line)
            else:
                job.tags.append(text)
                self.record(2, f"runs-on {text}", K, line)
                self.c.task(
                    ManualTaskKind.RUNNER_TAGS, text, "register a runner with this tag", line
                )

    def container(self, job: Job, spec: dict[str, Any], at: Path) -> None:
        container = spec.get("container")
        if container is not None:
            image = container if isinstance(container, str) else container.get("image")
            job.image = self.text_value(str(image), self.line(*at, "container"))
            extra = isinstance(container, dict) and bool(set(container) - {"image", "env"})
            self.record(
                13,
                "container",
                P if extra else K,
                self.line(*at, "container"),
                "container options/ports/credentials: configure the runner" if extra else "",
            )
            if isinstance(container, dict):
                for name, value in (container.get("env") or {}).items():
                    job.variables[str(name)] = self.variable_value(
                        value, self.line(*at, "container")
                    )
        for name, service in (spec.get("services") or {}).items():
            entry: dict[str, Any] = {"name": str(service.get("image")), "alias": str(name)}
            if service.get("env"):
                entry["variables"] = {
                    str(k): self.variable_value(v, self.line(*at, "services", name))
                    for k, v in service["env"].items()
                }
            job.services.append(entry)
            extra = bool(set(service) - {"image", "env", "ports"})
            self.record(
                13,
                f"services.{name}",
                P if extra else K,
                self.line(*at, "services", name),
                "service options: configure the runner" if extra else "reachable by its alias",
            )

    def job_condition(self, job: Job, condition: Any, line: int) -> None:
        if condition is None:
            return
        text = str(condition) if not isinstance(condition, bool) else _text(condition)
        try:
            status, rest = gha_expr.split_status(gha_expr.parse(text))
            if status == "cancelled":
                raise Untranslatable("cancelled()")
            when = {"always": "always", "failure": "on_failure"}.get(status or "")
            if rest is not None and _is_runtime(rest):
                job.before_script.append(
                    f"if ! {{ {gha_expr.shell_test(rest)}; }}; then "
                    "echo 'condition false: job skipped'; exit 0; fi"
                )
                self.record(
                    10, "if (job)", P, line, "run-time values: the job starts and exits early"
                )
            elif rest is not None:
                job.rules = [{"if": gha_expr.rule_if(rest), **({"when": when} if when else {})}]
                self.record(10, "if (job)", K, line)
            else:
                self.record(10, "if (job)", K, line)
            if when and not job.rules:
                job.when = when
        except Untranslatable as exc:
            self.record(10, "if (job)", U, line, f"{exc}: job made manual for review")
            job.when = "manual"

    def strategy(self, job: Job, strategy: dict[str, Any], at: Path) -> None:
        matrix = strategy.get("matrix")
        if matrix is None:
            return
        line = self.line(*at, "strategy", "matrix")
        if isinstance(matrix, str):
            self.record(9, "strategy.matrix (expression)", U, line, "matrix from an expression")
            return
        entries = _matrix_entries(matrix)
        if len(entries) > MAX_MATRIX or not entries:
            self.record(
                9,
                "strategy.matrix",
                U,
                line,
                f"{len(entries)} combinations (GitLab allows 1-{MAX_MATRIX})",
            )
            return
        job.parallel_matrix = entries
        note = (
            "include/exclude expanded into explicit combinations"
            if ("include" in matrix or "exclude" in matrix)
            else ""
        )
        self.record(9, "strategy.matrix", K, line, note)
        if "fail-fast" in strategy or "max-parallel" in strategy:
            self.record(
                9,
                "strategy.fail-fast/max-parallel",
                P,
                self.line(*at, "strategy"),
                "GitLab runs every matrix job",
            )

    def job_limits(self, job: Job, spec: dict[str, Any], at: Path) -> None:
        if "timeout-minutes" in spec:
            job.timeout = f"{spec['timeout-minutes']} minutes"
            self.record(15, "timeout-minutes", K, self.line(*at, "timeout-minutes"))
        if "continue-on-error" in spec:
            value = spec["continue-on-error"]
            job.allow_failure = value is True or isinstance(value, str)
            self.record(
                15,
                "continue-on-error",
                K if isinstance(value, bool) else P,
                self.line(*at, "continue-on-error"),
            )
        concurrency = spec.get("concurrency", self.data.get("concurrency"))
        if concurrency is not None:
            line = (
                self.line(*at, "concurrency") if "concurrency" in spec else self.line("concurrency")
            )
            group = concurrency if isinstance(concurrency, str) else concurrency.get("group", "")
            job.resource_group = (
                re.sub(r"[^A-Za-z0-9_./${} -]", "-", self.text_value(str(group), line)).strip()
                or job.name
            )
            if isinstance(concurrency, dict) and concurrency.get("cancel-in-progress"):
                job.interruptible = True
            self.record(
                15,
                "concurrency",
                P,
                line,
                "resource_group queues runs; auto-cancel is a project setting",
            )

    def job_environment(self, job: Job, environment: Any, line: int) -> None:
        if environment is None:
            return
        if isinstance(environment, str):
            job.environment = {"name": self.text_value(environment, line)}
        else:
            job.environment = {"name": self.text_value(str(environment.get("name")), line)}
            if environment.get("url"):
                job.environment["url"] = self.text_value(str(environment["url"]), line)
        self.record(16, "environment", K, line)

    def id_tokens(self, job: Job, permissions: Any, line: int) -> None:
        permissions = permissions if permissions is not None else self.data.get("permissions")
        if isinstance(permissions, dict) and permissions.get("id-token") == "write":
            job.id_tokens = {"ID_TOKEN": {"aud": "https://gitlab.example.com"}}
            self.record(18, "permissions.id-token", P, line, "set the audience your cloud expects")
            self.c.task(
                ManualTaskKind.REVIEW, "id_tokens aud", "set the OIDC audience on ID_TOKEN", line
            )

    # --- values --------------------------------------------------------------------------

    def expression_parts(
        self, text: str, line: int, step_outputs: dict[str, str] | None = None
    ) -> list[Part]:
        parts: list[Part] = []
        for is_expression, piece in gha_expr.split_text(text):
            if not is_expression:
                parts.append(piece)
                continue
            self.note_secret(piece, line)
            try:
                parts.append(gha_expr.value_expansion(piece, step_outputs))
                self.record(20, "${{ " + piece.strip() + " }}", K, line)
            except Untranslatable as exc:
                # an unconverted ${{ }} would be a shell syntax error: leave it empty, say so
                self.record(20, "${{ " + piece.strip() + " }}", U, line, f"{exc}; left empty")
                self.pending_comments.append(
                    f"TODO(chalkops): expression at line {line} not converted: ${{{{{piece}}}}}"
                )
        return parts

    def note_secret(self, expression: str, line: int) -> None:
        for name in re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", expression):
            if name == "GITHUB_TOKEN":
                self.record(7, "secrets.GITHUB_TOKEN", K, line, "CI_JOB_TOKEN")
                continue
            self.record(7, f"secrets.{name}", K, line, "masked CI/CD variable")
            self.c.task(
                ManualTaskKind.CI_VARIABLE, name, "masked CI/CD variable (GitHub secret)", line
            )

    def text_value(self, text: str, line: int) -> str:
        """A string with ``${{ }}`` turned into ``$VAR`` (for tags, images, names)."""
        out = []
        for part in self.expression_parts(text, line):
            out.append(part.code if isinstance(part, Expansion) else part)
        return "".join(out)

    def variable_value(self, value: Any, line: int) -> str:
        """A GitLab variable value: expressions become ``${VAR}``, literal ``$`` stays literal."""
        out = []
        for part in self.expression_parts(_text(value), line):
            out.append(part.code if isinstance(part, Expansion) else part.replace("$", "$$"))
        return "".join(out)

    def shell_value(self, value: Any, line: int, outputs: dict[str, str]) -> str:
        parts = self.expression_parts(_text(value), line, outputs)
        if len(parts) == 1 and isinstance(parts[0], str):
            return shlex.quote(parts[0])
        return (
            '"'
            + "".join(p.code if isinstance(p, Expansion) else p.replace('"', '\\"') for p in parts)
            + '"'
        )

    # --- steps ---------------------------------------------------------------------------

    def steps(self, job: Job, job_id: str, spec: dict[str, Any], defaults: dict[str, Any]) -> None:
        steps = spec.get("steps") or []
        raw = json.dumps(steps) + json.dumps(spec.get("outputs") or {})
        outputs: dict[str, str] = {}
        uses_outputs = "GITHUB_OUTPUT" in raw or "steps." in raw or "set-output" in raw
        if uses_outputs:
            job.variables["GITHUB_OUTPUT"] = f"$CI_PROJECT_DIR/{OUTPUT_DIR}/_anonymous"
            job.script.append(f"mkdir -p {OUTPUT_DIR}")
        if "GITHUB_ENV" in raw:
            job.variables["GITHUB_ENV"] = "$CI_PROJECT_DIR/.chalkops/github-env"
            job.script.append('mkdir -p .chalkops && touch "$GITHUB_ENV"')
            self.record(
                6,
                "GITHUB_ENV",
                P,
                self.line("jobs", job_id),
                "emulated: read back before each later step",
            )
        for index, step in enumerate(steps):
            at: Path = ("jobs", job_id, "steps", index)
            self.step_keys(step, at)
            if step.get("id") and uses_outputs:
                outputs[str(step["id"])] = f"$CI_PROJECT_DIR/{OUTPUT_DIR}/{step['id']}"
            if "run" in step:
                self.run_step(
                    job, step, at, defaults, outputs=outputs, github_env="GITHUB_ENV" in raw
                )
            elif "uses" in step:
                self.uses_step(job, step, at, outputs)
        self.job_outputs(job, spec.get("outputs") or {}, ("jobs", job_id, "outputs"), outputs)

    def step_keys(self, step: dict[str, Any], at: Path) -> None:
        if "timeout-minutes" in step:
            self.record(
                15,
                "step timeout-minutes",
                P,
                self.line(*at, "timeout-minutes"),
                "the job's timeout applies",
            )
        for key in sorted(set(step) - _STEP_KEYS - {"timeout-minutes"}):
            self.record(3, f"step key '{key}'", U, self.line(*at, key), "not converted")
            self.pending_comments.append(f"TODO(chalkops): step key '{key}' not converted")

    def run_step(
        self,
        job: Job,
        step: dict[str, Any],
        at: Path,
        defaults: dict[str, Any],
        *,
        outputs: dict[str, str],
        github_env: bool,
    ) -> None:
        line = self.line(*at, "run")
        script = render_parts(self.expression_parts(str(step["run"]).rstrip("\n"), line, outputs))
        env = {
            str(k): self.shell_value(v, self.line(*at, "env", k), outputs)
            for k, v in (step.get("env") or {}).items()
        }
        if step.get("id") and str(step["id"]) in outputs:
            env["GITHUB_OUTPUT"] = f'"{outputs[str(step["id"])]}"'
        if github_env:
            script = _LOAD_GITHUB_ENV + "\n" + script
        script = self.with_shell(script, step.get("shell") or defaults.get("shell"), line)
        workdir = step.get("working-directory") or defaults.get("working-directory")
        if env:
            self.record(6, "step env", K, self.line(*at, "env"), "scoped to the step")
        if workdir:
            self.record(
                3,
                "working-directory",
                K,
                self.line(*at, "working-directory") if "working-directory" in step else line,
            )
        body = scoped_step(
            script,
            env=env,
            workdir=str(workdir) if workdir else None,
            tolerate_failure=step.get("continue-on-error") is True,
        )
        self.record(3, "run", K, line)
        self.place_step(job, body, step.get("if"), self.line(*at, "if"))

    def with_shell(self, script: str, shell: Any, line: int) -> str:
        if shell in (None, "bash", "sh"):
            return script
        if shell in ("pwsh", "powershell"):
            self.record(3, f"shell: {shell}", P, line, "needs PowerShell in the image")
            return f"pwsh -Command {shlex.quote(script)}"
        if shell == "python":
            return f"python3 <<'CHALKOPS_PY'\n{script}\nCHALKOPS_PY"
        self.record(3, f"shell: {shell}", U, line, "custom shell kept as bash")
        return script

    def place_step(self, job: Job, body: str, condition: Any, line: int) -> None:
        """Append a step, honouring a step-level ``if:``."""
        if condition is None:
            job.script.append(body)
            return
        try:
            status, rest = gha_expr.split_status(gha_expr.parse(str(condition)))
            test = gha_expr.shell_test(rest) if rest is not None else None
        except Untranslatable as exc:
            self.record(10, "if (step)", U, line, f"{exc}: step kept, condition dropped")
            job.comments.append(
                f"TODO(chalkops): step condition at line {line} not converted: {condition}"
            )
            job.script.append(body)
            return
        if status in ("always", "failure", "cancelled"):
            guard = {
                "failure": '[ "$CI_JOB_STATUS" = "failed" ]',
                "cancelled": '[ "$CI_JOB_STATUS" = "canceled" ]',
            }.get(status)
            commands = [guarded(test, [body]) if test else body]
            job.after_script.append(guarded(guard, commands) if guard else commands[0])
            self.record(
                10, f"if: {status}() (step)", P, line, "after_script: runs after the job's script"
            )
            return
        job.script.append(guarded(test, [body]) if test else body)
        self.record(10, "if (step)", K, line)

    def uses_step(self, job: Job, step: dict[str, Any], at: Path, outputs: dict[str, str]) -> None:
        uses = str(step["uses"])
        action = uses.split("@", 1)[0]
        line = self.line(*at, "uses")
        handler = self.ACTIONS.get(action)
        if handler is not None:
            handler(self, job, step.get("with") or {}, line)
            return
        if action.startswith("./") or action.count("/") > 1:
            self.record(19, f"uses: {uses}", X, line, "composite/local action: convert by hand")
            self.c.task(
                ManualTaskKind.INCLUDE, uses, "convert this action into script or a component", line
            )
        else:
            self.record(21, f"uses: {uses}", U, line, "marketplace action without a mapping")
            job.unconverted.append(Unconverted(line, json.dumps(step)))
        job.comments.append(
            f"TODO(chalkops): step 'uses: {uses}' at line {line} not converted"
            + (f" (with: {json.dumps(step.get('with'))})" if step.get("with") else "")
        )

    def checkout(self, job: Job, options: dict[str, Any], line: int) -> None:
        depth = options.get("fetch-depth")
        if depth is not None:
            job.variables["GIT_DEPTH"] = str(depth)
        submodules = options.get("submodules")
        if submodules:
            job.variables["GIT_SUBMODULE_STRATEGY"] = (
                "recursive" if submodules == "recursive" else "normal"
            )
        extra = set(options) - {"fetch-depth", "submodules", "token", "persist-credentials"}
        self.record(
            4,
            "actions/checkout",
            P if extra else K,
            line,
            f"options {sorted(extra)} need review" if extra else "GitLab clones the repository",
        )

    def cache(self, job: Job, options: dict[str, Any], line: int) -> None:
        paths = [p.strip() for p in str(options.get("path", "")).splitlines() if p.strip()]
        key = str(options.get("key", ""))
        files = re.findall(r"'([^']+)'", key[key.find("hashFiles") :]) if "hashFiles" in key else []
        entry: dict[str, Any] = {"paths": paths}
        if files:
            entry["key"] = {"files": [f.removeprefix("**/") for f in files[:2]]}
            prefix = key[: key.find("${{")].strip("-_ ")
            if prefix and "${{" not in prefix:
                entry["key"]["prefix"] = prefix
        elif key:
            entry["key"] = re.sub(r"[^A-Za-z0-9_.$-]", "-", self.text_value(key, line))
        job.cache.append(entry)
        exact = len(files) <= 2 and "restore-keys" not in options
        self.record(
            11,
            "actions/cache",
            K if exact else P,
            line,
            "" if exact else "restore-keys / >2 key files approximated",
        )

    def upload(self, job: Job, options: dict[str, Any], line: int) -> None:
        paths = [
            p.strip()
            for p in str(options.get("path", "")).splitlines()
            if p.strip() and not p.strip().startswith("!")
        ]
        job.artifacts.setdefault("paths", []).extend(paths)
        if options.get("retention-days"):
            job.artifacts["expire_in"] = f"{options['retention-days']} days"
        self.uploads[str(options.get("name", "artifact"))] = job.name
        self.record(12, "actions/upload-artifact", K, line)

    def download(self, job: Job, options: dict[str, Any], line: int) -> None:
        job.comments.append(f"download-artifact (line {line}): artifacts arrive through needs:")
        wanted = str(options.get("name", "")) or "*"
        job.variables.setdefault("__downloads__", "")
        job.variables["__downloads__"] += wanted + "\n"
        if options.get("path"):
            self.record(
                12,
                "actions/download-artifact",
                P,
                line,
                "restored at their original paths, not 'path'",
            )
        else:
            self.record(12, "actions/download-artifact", K, line)

    def wire_downloads(self) -> None:
        for job in self.pipeline.jobs.values():
            wanted = job.variables.pop("__downloads__", "")
            for name in filter(None, wanted.splitlines()):
                producers = (
                    list(self.uploads.values()) if name == "*" else [self.uploads.get(name, "")]
                )
                for producer in filter(None, producers):
                    if job.needs is not None and producer not in job.needs and producer != job.name:
                        job.needs.append(producer)

    def docker_login(self, job: Job, options: dict[str, Any], line: int) -> None:
        registry = self.text_value(str(options.get("registry", "$CI_REGISTRY")), line)
        user = self.text_value(str(options.get("username", "$CI_REGISTRY_USER")), line)
        password = self.text_value(str(options.get("password", "$CI_REGISTRY_PASSWORD")), line)
        job.script.append(
            f'echo "{password}" | docker login "{registry}" --username "{user}" --password-stdin'
        )
        self.record(21, "docker/login-action", K, line)

    def job_outputs(
        self, job: Job, outputs: dict[str, Any], at: Path, step_outputs: dict[str, str]
    ) -> None:
        if not outputs:
            return
        lines = []
        for name, value in outputs.items():
            expr = self.shell_value(value, self.line(*at, name), step_outputs)
            lines.append(
                f'echo "{variable_name(str(name))}={expr.strip(chr(34))}" >> {JOB_OUTPUTS}'
            )
        job.script.append("\n".join(lines))
        job.artifacts.setdefault("reports", {})["dotenv"] = JOB_OUTPUTS
        self.record(
            17, "outputs", K, self.line(*at), "dotenv report read by jobs that need this one"
        )

    ACTIONS: dict[str, Callable[[_WorkflowConverter, Job, dict[str, Any], int], None]] = {}


_LOAD_GITHUB_ENV = (
    'if [ -f "$GITHUB_ENV" ]; then while IFS= read -r chalkops_line; do '
    'export "$chalkops_line"; done < "$GITHUB_ENV"; fi'
)


def _setup_handler(action: str) -> Callable[[_WorkflowConverter, Job, dict[str, Any], int], None]:
    """``actions/setup-*``: the language version becomes the job's image."""
    key, pattern, fallback = SETUP_IMAGES[action]

    def handler(self: _WorkflowConverter, job: Job, options: dict[str, Any], line: int) -> None:
        version = options.get(key)
        image = (
            pattern.format(self.text_value(_text(version), line))
            if version is not None
            else fallback
        )
        if job.image is None:
            job.image = image
        self.record(5, action, K if version is not None else P, line, f"image {image}")
        if options.get("cache"):
            self.record(
                11, f"{action} cache", P, line, "add a cache: entry for the package manager"
            )

    return handler


_WorkflowConverter.ACTIONS = {
    "actions/checkout": _WorkflowConverter.checkout,
    "actions/cache": _WorkflowConverter.cache,
    "actions/upload-artifact": _WorkflowConverter.upload,
    "actions/download-artifact": _WorkflowConverter.download,
    "docker/login-action": _WorkflowConverter.docker_login,
    **{name: _setup_handler(name) for name in SETUP_IMAGES},
}


def _is_runtime(node: gha_expr.Node) -> bool:
    if node.kind == "path" and node.value.split(".")[0] in ("needs", "steps", "env", "job"):
        return True
    return any(_is_runtime(a) for a in node.args)


def _glob_if(variable: str, pattern: Any) -> str:
    text = str(pattern)
    if any(c in text for c in "*?[+!"):
        return f"{variable} =~ {glob_to_regex(text)}"
    return f"{variable} == {json.dumps(text)}"


def _matrix_value(value: Any) -> str:
    return (
        value
        if isinstance(value, str)
        else json.dumps(value)
        if isinstance(value, dict | list)
        else _text(value)
    )


def _matrix_entries(matrix: dict[str, Any]) -> list[dict[str, str | list[str]]]:
    """GitHub matrix semantics (product, minus exclude, plus include) as GitLab entries."""
    axes = {
        k: [_matrix_value(v) for v in _as_list(values)]
        for k, values in matrix.items()
        if k not in ("include", "exclude")
    }
    includes = [
        {k: _matrix_value(v) for k, v in i.items()} for i in _as_list(matrix.get("include"))
    ]
    excludes = [
        {k: _matrix_value(v) for k, v in e.items()} for e in _as_list(matrix.get("exclude"))
    ]
    if not includes and not excludes:
        return [{variable_name(k): v for k, v in axes.items()}] if axes else []
    combos = (
        [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]
        if axes
        else []
    )
    combos = [
        c for c in combos if not any(all(c.get(k) == v for k, v in e.items()) for e in excludes)
    ]
    for include in includes:
        matched = False
        for combo in combos:
            if all(combo.get(k) == v for k, v in include.items() if k in axes):
                combo.update({k: v for k, v in include.items() if k not in axes})
                matched = True
        if not matched:
            combos.append(dict(include))
    return [{variable_name(k): v for k, v in c.items()} for c in combos]
