"""Jenkinsfile -> GitLab CI model.

Declarative pipelines map section by section. Three differences of meaning drive the shape of
the output:

* Jenkins stages run one after another in *one* workspace; GitLab jobs each start from a fresh
  clone. Every job that a later stage follows hands its untracked files on as artifacts, and
  GitLab passes artifacts of earlier stages to later ones by default.
* Groovy GStrings are substituted before the shell runs (see :mod:`chalkops.pipelines.shell`).
* Each ``sh`` step is its own process, so steps that change the shell's state are scoped.

Scripted pipelines (``node { … }``) are converted when they are only stages of plain steps and
flagged otherwise, with their body kept as a comment.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from chalkops.pipelines import groovy
from chalkops.pipelines.exceptions import UnparseableInput
from chalkops.pipelines.groovy import Assignment, Call, Other, Placeholder, Statement, Value
from chalkops.pipelines.interpolation import (
    JENKINS_VARIABLES,
    expansion,
    map_jenkins_shell_variables,
)
from chalkops.pipelines.jenkins_conditions import UnknownCondition, condition_of
from chalkops.pipelines.model import (
    ConstructStatus,
    Conversion,
    Job,
    ManualTaskKind,
    Pipeline,
    PipelineVariable,
    Unconverted,
)
from chalkops.pipelines.shell import (
    Expansion,
    Part,
    quote_parts,
    render_parts,
    scoped_step,
    tidy_script,
)
from chalkops.pipelines.shell import guarded as shell_guarded

K, P, U, X = (
    ConstructStatus.KNOWN,
    ConstructStatus.PARTIAL,
    ConstructStatus.UNKNOWN,
    ConstructStatus.UNSUPPORTED,
)

# GitLab top-level keywords a job may not be named after
RESERVED_NAMES = frozenset(
    {
        "image",
        "services",
        "stages",
        "types",
        "before_script",
        "after_script",
        "variables",
        "cache",
        "include",
        "workflow",
        "default",
        "pages",
        "spec",
    }
)

HANDOFF_EXPIRY = "1 day"
POST_WHEN = {
    "always": "always",
    "cleanup": "always",
    "success": "on_success",
    "failure": "on_failure",
}
POST_STATUS_GUARD = {
    "success": '[ "$CI_JOB_STATUS" = "success" ]',
    "failure": '[ "$CI_JOB_STATUS" = "failed" ]',
    "aborted": '[ "$CI_JOB_STATUS" = "canceled" ]',
}


@dataclass
class Context:
    """What a stage inherits from the pipeline and its enclosing stages."""

    image: str | None = None
    tags: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    timeout: str | None = None
    retry: int | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    when: str | None = None
    matrix: list[dict[str, str | list[str]]] = field(default_factory=list)


def convert_jenkinsfile(source: bytes, path: str) -> Conversion:
    """Parse and convert one Jenkinsfile."""
    text = _decode(source, path)
    script = groovy.parse(text.encode("utf-8"), path)
    conversion = Conversion(source=path, kind="jenkins", pipeline=Pipeline())
    converter = _Converter(conversion)
    converter.libraries(script)
    pipeline_call = _find_call(script.statements, "pipeline")
    node_call = _find_call(script.statements, "node")
    if pipeline_call is not None:
        converter.declarative(pipeline_call)
    elif node_call is not None:
        converter.scripted(node_call, script.statements)
    else:
        first = script.statements[0].line if script.statements else 1
        raise UnparseableInput(path, first, "no 'pipeline { … }' or 'node { … }' block found")
    converter.finish()
    return conversion


def _decode(source: bytes, path: str) -> str:
    if not source.strip():
        raise UnparseableInput(path, 1, "file is empty")
    if b"\x00" in source[:8192]:
        raise UnparseableInput(path, 1, "binary file, not a Jenkinsfile")
    try:
        return source.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = source[: exc.start].count(b"\n") + 1
        raise UnparseableInput(path, line, "not UTF-8 text") from exc


def _find_call(statements: list[Statement], name: str) -> Call | None:
    for statement in statements:
        if isinstance(statement, Call) and statement.name == name:
            return statement
    return None


def _calls(statements: list[Statement] | None) -> list[Call]:
    return [s for s in statements or [] if isinstance(s, Call)]


def _comment_source(text: str, limit: int = 40) -> list[str]:
    # the first line starts at the call; the rest keep the file's indentation: dedent them
    first, _, rest = text.partition("\n")
    lines = [first, *textwrap.dedent(rest).splitlines()] if rest else [first]
    kept = lines[:limit]
    if len(lines) > limit:
        kept.append(f"… ({len(lines) - limit} more lines)")
    return kept


class _Converter:
    def __init__(self, conversion: Conversion) -> None:
        self.c = conversion
        self.pipeline = conversion.pipeline
        self.gitlab_stages: list[tuple[str, list[Job]]] = []
        self.post_jobs: list[Job] = []
        self.used_names: set[str] = set()
        self.extra_jobs: list[tuple[Job, Job]] = []

    # --- bookkeeping ---------------------------------------------------------------------

    def record(
        self, ref: int, name: str, status: ConstructStatus, line: int, note: str = ""
    ) -> None:
        self.c.record(f"jenkins.{ref}", name, status, line, note)

    def job_name(self, wanted: str) -> str:
        name = wanted.strip() or "job"
        if name in RESERVED_NAMES or name.startswith("."):
            name = f"{name.lstrip('.')} job"
        base, counter = name, 2
        while name in self.used_names:
            name = f"{base} {counter}"
            counter += 1
        self.used_names.add(name)
        return name

    # --- top level -----------------------------------------------------------------------

    def libraries(self, script: groovy.Script) -> None:
        for annotation in script.annotations:
            if annotation.name != "Library":
                continue
            names = ", ".join(a.literal for a in annotation.args) or annotation.text
            self.record(17, "@Library", X, annotation.line, f"shared library {names}")
            self.c.task(
                ManualTaskKind.INCLUDE,
                names,
                "port the shared library to a CI/CD component or an include: file",
                annotation.line,
            )
            self.pipeline.comments.append(
                f"TODO(chalkops): Jenkins shared library {names} (line {annotation.line}) "
                "must become an include: or CI/CD component"
            )

    def declarative(self, call: Call) -> None:
        context = Context()
        sections = {c.name: c for c in _calls(call.body)}
        handlers: dict[str, Callable[[Call, Context], None]] = {
            "agent": self.agent,
            "environment": self.environment_global,
            "options": self.options,
            "parameters": self.parameters,
            "triggers": self.triggers,
            "tools": self.tools,
            "libraries": self.libraries_section,
        }
        for name, section in sections.items():
            handler = handlers.get(name)
            if handler is not None:
                handler(section, context)
        stages = sections.get("stages")
        if stages is None:
            raise UnparseableInput(self.c.source, call.line, "pipeline has no 'stages' section")
        self.record(1, "stages", K, stages.line)
        for stage in _calls(stages.body):
            self.stage(stage, context, prefix="")
        if "post" in sections:
            self.pipeline_post(sections["post"], context)
        for statement in call.body or []:
            known = set(handlers) | {"stages", "post"}
            if not isinstance(statement, Call) or statement.name not in known:
                self.unknown_section(statement)

    def unknown_section(self, statement: Statement) -> None:
        name = statement.name if isinstance(statement, Call) else type(statement).__name__
        self.record(18, f"section '{name}'", U, statement.line, "not converted")
        self.pipeline.comments.append(
            f"TODO(chalkops): section at line {statement.line} not converted:"
        )
        self.pipeline.comments.extend(_comment_source(statement.text))

    def libraries_section(self, call: Call, _: Context) -> None:
        for lib in _calls(call.body):
            names = ", ".join(a.literal for a in lib.args)
            self.record(17, "libraries.lib", X, lib.line, f"shared library {names}")
            self.c.task(ManualTaskKind.INCLUDE, names, "port the shared library", lib.line)

    def finish(self) -> None:
        """Wire the workspace hand-off between consecutive stages and emit stages in order."""
        bridges: dict[str, list[Job]] = {}
        for owner, bridge in self.extra_jobs:
            bridges.setdefault(owner.name, []).append(bridge)
        for index, (stage, stage_jobs) in enumerate(self.gitlab_stages):
            self.pipeline.add_stage(stage)
            jobs = [b for j in stage_jobs for b in (j, *bridges.get(j.name, []))]
            followed = index + 1 < len(self.gitlab_stages) or bool(self.post_jobs)
            for job in jobs:
                if followed and job.trigger is None:
                    job.artifacts.setdefault("untracked", True)
                    job.artifacts.setdefault("expire_in", HANDOFF_EXPIRY)
                self.pipeline.add_job(job)
        for job in self.post_jobs:
            self.pipeline.add_job(job)
        if any(len(jobs) for _, jobs in self.gitlab_stages[:-1]) or self.post_jobs:
            self.pipeline.comments.append(
                "Jenkins stages share one workspace; GitLab jobs do not. Each job followed by "
                "a later stage hands its untracked files on as artifacts."
            )

    # --- pipeline sections ---------------------------------------------------------------

    def agent(self, call: Call, context: Context) -> None:
        arg = call.arg()
        if arg is not None and arg.kind == "name" and arg.text in ("any", "none"):
            self.record(3, f"agent {arg.text}", K, call.line)
            return
        for inner in _calls(call.body):
            self.agent_kind(inner, context)

    def agent_kind(self, call: Call, context: Context) -> None:
        if call.name == "label":
            self.agent_label(call, context)
            return
        if call.name == "docker":
            self.agent_docker(call, context)
            return
        if call.name in ("dockerfile", "kubernetes"):
            self.record(3, f"agent {call.name}", X, call.line, "needs a runner set up by hand")
            self.c.task(
                ManualTaskKind.REVIEW,
                f"agent {call.name}",
                "build the agent image in its own job (or a runner) and reference it as image:",
                call.line,
            )
            return
        self.record(3, f"agent {call.name}", U, call.line)

    def agent_label(self, call: Call, context: Context) -> None:
        value = call.arg()
        label = value.literal if value is not None else ""
        if "||" in label:
            self.record(3, "agent label", P, call.line, "GitLab tags are all required (&&)")
        tags = [t.strip(" ()") for t in re.split(r"&&|\|\|", label) if t.strip(" ()")]
        context.tags = tags
        self.record(3, "agent label", K, call.line)
        for tag in tags:
            self.c.task(
                ManualTaskKind.RUNNER_TAGS, tag, "register a runner with this tag", call.line
            )

    def agent_docker(self, call: Call, context: Context) -> None:
        image = call.arg()
        settings = {c.name: c for c in _calls(call.body)}
        if "image" in settings:
            image = settings["image"].arg()
        if image is None:
            self.record(3, "agent docker", U, call.line, "no image")
            return
        context.image = image.literal
        if "args" in settings:
            self.record(
                3,
                "agent docker args",
                P,
                settings["args"].line,
                "docker run arguments have no GitLab keyword; configure the runner",
            )
        else:
            self.record(3, "agent docker", K, call.line)
        if "label" in settings:
            self.agent_label(settings["label"], context)

    def environment_global(self, call: Call, context: Context) -> None:
        for name, value in self.environment_values(call).items():
            self.pipeline.variables[name] = PipelineVariable(value)

    def environment_values(self, call: Call) -> dict[str, str]:
        values: dict[str, str] = {}
        for statement in call.body or []:
            if not isinstance(statement, Assignment):
                self.record(4, "environment entry", U, statement.line, statement.text[:60])
                continue
            value = statement.value
            if value.kind == "call" and value.call is not None and value.call.name == "credentials":
                self.credential(statement.target, value.call)
                continue
            converted = self.variable_value(value, statement.line)
            if converted is None:
                continue
            values[statement.target] = converted
            self.record(4, f"environment {statement.target}", K, statement.line)
        return values

    def credential(self, variable: str, call: Call) -> None:
        credential_id = call.arg()
        ident = credential_id.literal if credential_id is not None else "?"
        self.record(
            4, f"credentials('{ident}')", P, call.line, "becomes a masked CI/CD variable you create"
        )
        self.c.task(
            ManualTaskKind.CI_VARIABLE,
            variable,
            f"masked CI/CD variable holding Jenkins credential '{ident}' (for a username/password "
            f"credential also {variable}_USR and {variable}_PSW)",
            call.line,
        )

    def variable_value(self, value: Value, line: int) -> str | None:
        """A Groovy value as a GitLab variable value (GitLab expands ``$`` in variables)."""
        if value.kind in ("number", "bool"):
            return value.text
        if value.kind != "string":
            self.record(4, f"environment value {value.text[:40]}", U, line, "not a literal")
            return None
        out: list[str] = []
        for part in value.parts:
            if isinstance(part, Placeholder):
                out.append(self.placeholder(part, line).code)
            else:
                out.append(part.replace("$", "$$"))  # literal in Groovy, literal in GitLab
        return "".join(out)

    def options(self, call: Call, context: Context) -> None:
        for option in _calls(call.body):
            self.option(option, context)

    def option(self, option: Call, context: Context) -> None:
        name = option.name
        if name == "timeout":
            context.timeout = _duration(option)
            self.record(
                8,
                "options.timeout",
                P,
                option.line,
                "Jenkins limits the whole run; GitLab limits each job",
            )
        elif name == "retry":
            count = int(option.arg().text) if option.arg() is not None else 1  # type: ignore[union-attr]
            context.retry = min(count, 2)
            status = K if count <= 2 else P
            self.record(
                8,
                "options.retry",
                status,
                option.line,
                "" if status is K else "GitLab retries a job at most twice",
            )
        elif name == "skipDefaultCheckout":
            context.variables["GIT_STRATEGY"] = "none"
            self.record(8, "options.skipDefaultCheckout", K, option.line)
        elif name == "disableConcurrentBuilds":
            self.pipeline.comments.append("disableConcurrentBuilds -> resource_group on every job")
            context.variables.setdefault("__resource_group__", "jenkins-pipeline")
            self.record(8, "options.disableConcurrentBuilds", K, option.line)
        elif name == "buildDiscarder":
            self.record(
                8,
                "options.buildDiscarder",
                P,
                option.line,
                "set artifact expiry / pipeline retention in the project settings",
            )
        elif name in ("timestamps", "ansiColor"):
            self.record(8, f"options.{name}", K, option.line, "GitLab logs always have this")
        elif name in (
            "preserveStashes",
            "parallelsAlwaysFailFast",
            "quietPeriod",
            "skipStagesAfterUnstable",
            "durabilityHint",
            "checkoutToSubdirectory",
        ):
            self.record(8, f"options.{name}", X, option.line, "no GitLab equivalent; dropped")
        else:
            self.record(8, f"options.{name}", U, option.line)

    def parameters(self, call: Call, _: Context) -> None:
        for param in _calls(call.body):
            self.parameter(param)

    def parameter(self, param: Call) -> None:
        name_value = param.arg("name")
        if name_value is None:
            self.record(10, f"parameter {param.name}", U, param.line)
            return
        name = name_value.literal
        default = param.arg("defaultValue")
        description = param.arg("description")
        variable = PipelineVariable(
            default.literal if default is not None and default.kind == "string" else "",
            description=description.literal if description is not None else "",
        )
        if default is not None and default.kind == "bool":
            variable.value = default.text
        if param.name == "booleanParam":
            variable.value = variable.value or "false"
            variable.options = ["true", "false"] if variable.value == "true" else ["false", "true"]
        elif param.name == "choice":
            choices = param.arg("choices")
            options = [i.literal for i in choices.items] if choices is not None else []
            variable.options = options
            variable.value = options[0] if options else ""
        elif param.name == "password":
            self.c.task(
                ManualTaskKind.CI_VARIABLE,
                name,
                "masked CI/CD variable (password parameter)",
                param.line,
            )
            self.record(
                10,
                f"parameters.{param.name} {name}",
                P,
                param.line,
                "passwords become masked CI/CD variables",
            )
            return
        elif param.name not in ("string", "text"):
            self.record(10, f"parameters.{param.name} {name}", U, param.line)
            return
        self.pipeline.variables[name] = variable
        self.record(10, f"parameters.{param.name} {name}", K, param.line)

    def triggers(self, call: Call, _: Context) -> None:
        for trigger in _calls(call.body):
            spec = trigger.arg()
            text = spec.literal if spec is not None else ""
            if trigger.name == "cron":
                cron = " ".join("0" if f == "H" else f for f in text.split())
                self.record(11, "triggers.cron", P, trigger.line, "create a pipeline schedule")
                self.c.task(
                    ManualTaskKind.SCHEDULE,
                    cron,
                    f"pipeline schedule (Jenkins spec '{text}'; H replaced by 0)",
                    trigger.line,
                )
            elif trigger.name == "pollSCM":
                self.record(
                    11,
                    "triggers.pollSCM",
                    K,
                    trigger.line,
                    "dropped: GitLab starts a pipeline on every push",
                )
            elif trigger.name == "upstream":
                self.record(
                    11,
                    "triggers.upstream",
                    X,
                    trigger.line,
                    "add a trigger job in the upstream project",
                )
                upstream = trigger.arg("upstreamProjects")
                self.c.task(
                    ManualTaskKind.DOWNSTREAM,
                    upstream.literal if upstream is not None else text,
                    "add a trigger: job for this project to the upstream pipeline",
                    trigger.line,
                )
            else:
                self.record(11, f"triggers.{trigger.name}", U, trigger.line)

    def tools(self, call: Call, context: Context) -> None:
        versions: dict[str, str] = {}
        for tool in _calls(call.body):
            label = tool.arg().literal if tool.arg() is not None else ""  # type: ignore[union-attr]
            digits = re.findall(r"\d+(?:\.\d+)*", label)
            versions[tool.name] = digits[0] if digits else ""
            self.record(
                12,
                f"tools.{tool.name}",
                P,
                tool.line,
                f"Jenkins tool '{label}' -> container image (version guessed)",
            )
        if context.image is None:
            context.image = _tool_image(versions)

    # --- stages --------------------------------------------------------------------------

    def stage(self, call: Call, inherited: Context, prefix: str) -> None:
        title = _title(call)
        name = f"{prefix}{title}"
        context = self.stage_context(call, inherited)
        sections = {c.name: c for c in _calls(call.body)}
        if "parallel" in sections:
            self.record(9, f"stage '{title}' parallel", K, sections["parallel"].line)
            jobs = []
            for child in _calls(sections["parallel"].body):
                child_context = self.stage_context(child, context)
                jobs.append(self.job_for(child, child_context, _title(child), name))
            self.gitlab_stages.append((name, jobs))
        elif "matrix" in sections:
            self.matrix_stage(sections["matrix"], context, name)
        elif "stages" in sections:
            self.record(1, f"stage '{title}' nested stages", K, sections["stages"].line)
            for child in _calls(sections["stages"].body):
                self.stage(child, context, prefix=f"{name} / ")
        else:
            self.gitlab_stages.append((name, [self.job_for(call, context, name, name)]))

    def stage_context(self, call: Call, inherited: Context) -> Context:
        context = replace(inherited, tags=list(inherited.tags), variables=dict(inherited.variables))
        context.rules = list(inherited.rules)
        for section in _calls(call.body):
            if section.name == "agent":
                self.agent(section, context)
            elif section.name == "environment":
                context.variables.update(self.environment_values(section))
            elif section.name == "tools":
                context.image = None
                self.tools(section, context)
            elif section.name == "options":
                self.options(section, context)
            elif section.name == "when":
                self.when(section, context)
            elif section.name == "input":
                self.input_step(section, context)
            elif section.name == "failFast":
                self.record(9, "failFast", P, section.line, "GitLab lets sibling jobs finish")
            elif section.name not in _STAGE_BODY_SECTIONS:
                self.unknown_section(section)
        for statement in call.body or []:
            if not isinstance(statement, Call):
                self.unknown_section(statement)
        return context

    def when(self, call: Call, context: Context) -> None:
        try:
            condition = condition_of(call)
        except UnknownCondition as exc:
            self.record(6, "when", U, exc.line, f"{exc.what}: job made manual for review")
            context.when = "manual"
            return
        context.rules = condition.rules(context.when or "on_success")
        self.record(6, "when", K, call.line)

    def input_step(self, call: Call, context: Context) -> None:
        message = call.arg("message") or call.arg()
        context.when = "manual"
        for rule in context.rules:
            if rule.get("when") != "never":
                rule["when"] = "manual"
        self.record(
            14,
            "input",
            P,
            call.line,
            "manual job; protect its environment to restrict who may run it"
            + (f" ('{message.literal}')" if message is not None else ""),
        )

    def job_for(self, call: Call, context: Context, title: str, gitlab_stage: str) -> Job:
        """The job for one leaf stage (a stage with ``steps``)."""
        job = self.new_job(title, gitlab_stage, context)
        sections = {c.name: c for c in _calls(call.body)}
        if "steps" in sections:
            self.steps(sections["steps"].body or [], job)
        elif "parallel" in sections or "stages" in sections:
            self.unknown_step(call, job, f"stage '{title}' nested inside parallel")
        if "post" in sections:
            self.stage_post(sections["post"], job)
        if not job.script:
            job.script = [f"echo {shlex.quote('stage ' + title + ': nothing to run')}"]
        return job

    def new_job(self, title: str, stage: str, context: Context) -> Job:
        variables = {k: v for k, v in context.variables.items() if not k.startswith("__")}
        job = Job(
            name=self.job_name(title),
            stage=stage,
            image=context.image,
            tags=list(context.tags),
            variables=variables,
            rules=[dict(r) for r in context.rules],
            when=context.when if not context.rules else None,
            timeout=context.timeout,
            retry=context.retry,
            parallel_matrix=list(context.matrix),
        )
        if context.when == "manual":
            job.allow_failure = False  # an `input` blocks the pipeline, as Jenkins waits
        if "__resource_group__" in context.variables:
            job.resource_group = context.variables["__resource_group__"]
        return job

    def matrix_stage(self, call: Call, context: Context, name: str) -> None:
        sections = {c.name: c for c in _calls(call.body)}
        axes: dict[str, list[str]] = {}
        for axis in _calls(sections["axes"].body if "axes" in sections else []):
            settings = {c.name: c for c in _calls(axis.body)}
            axis_name = settings["name"].arg().literal if "name" in settings else ""  # type: ignore[union-attr]
            values = [v.literal for v in settings["values"].args] if "values" in settings else []
            axes[axis_name] = values
        excluded = self.matrix_excludes(sections.get("excludes"))
        context = replace(context, matrix=_matrix_entries(axes, excluded))
        note = "excludes expanded into explicit combinations" if excluded else ""
        self.record(15, "matrix", K, call.line, note)
        inner = _calls(sections["stages"].body) if "stages" in sections else []
        for child in inner:
            child_title = _title(child)
            stage = name if len(inner) == 1 else f"{name} / {child_title}"
            child_context = self.stage_context(child, context)
            self.gitlab_stages.append((stage, [self.job_for(child, child_context, stage, stage)]))
        if len(inner) > 1:
            self.record(
                15,
                "matrix stages",
                P,
                call.line,
                "each inner stage runs across all cells before the next starts",
            )

    def matrix_excludes(self, call: Call | None) -> list[dict[str, list[str]]]:
        excluded: list[dict[str, list[str]]] = []
        for exclude in _calls(call.body if call else []):
            rule: dict[str, list[str]] = {}
            for axis in _calls(exclude.body):
                settings = {c.name: c for c in _calls(axis.body)}
                if "notValues" in settings:
                    self.record(15, "matrix exclude notValues", U, axis.line)
                    continue
                key = settings["name"].arg().literal if "name" in settings else ""  # type: ignore[union-attr]
                rule[key] = (
                    [v.literal for v in settings["values"].args] if "values" in settings else []
                )
            excluded.append(rule)
        return excluded

    # --- post ----------------------------------------------------------------------------

    def pipeline_post(self, call: Call, context: Context) -> None:
        for condition in _calls(call.body):
            when = POST_WHEN.get(condition.name)
            if when is None:
                self.record(
                    5,
                    f"post.{condition.name}",
                    X,
                    condition.line,
                    "no GitLab job condition matches; kept as a comment",
                )
                self.pipeline.comments.append(
                    f"TODO(chalkops): post {condition.name} (line {condition.line}) not converted:"
                )
                self.pipeline.comments.extend(_comment_source(condition.text))
                continue
            job = self.new_job(
                f"post {condition.name}", ".post", replace(context, rules=[], when=None)
            )
            job.when = when
            job.tags, job.image = list(context.tags), context.image
            self.steps(condition.body or [], job)
            if not job.script:
                job.script = [f"echo 'post {condition.name}'"]
            self.record(5, f"post.{condition.name}", K, condition.line)
            self.post_jobs.append(job)

    def stage_post(self, call: Call, job: Job) -> None:
        for condition in _calls(call.body):
            holder = Job(name=job.name, stage=job.stage)
            self.steps(condition.body or [], holder)
            self.merge_post_artifacts(job, holder, condition.name)
            if not holder.script:
                self.record(5, f"stage post.{condition.name}", K, condition.line)
                continue
            if condition.name in ("always", "cleanup"):
                job.after_script.extend(holder.script)
            elif condition.name in POST_STATUS_GUARD:
                job.after_script.append(
                    shell_guarded(POST_STATUS_GUARD[condition.name], holder.script)
                )
            else:
                self.record(
                    5,
                    f"stage post.{condition.name}",
                    X,
                    condition.line,
                    "no job status matches; kept as a comment",
                )
                job.comments.append(f"TODO(chalkops): post {condition.name} not converted:")
                job.comments.extend(_comment_source(condition.text))
                continue
            self.record(
                5,
                f"stage post.{condition.name}",
                P,
                condition.line,
                "after_script: runs in the job, cannot fail it",
            )

    def merge_post_artifacts(self, job: Job, holder: Job, condition: str) -> None:
        if not holder.artifacts:
            return
        when = {
            "always": "always",
            "cleanup": "always",
            "success": "on_success",
            "failure": "on_failure",
        }.get(condition, "always")
        for key, value in holder.artifacts.items():
            if key == "paths":
                job.artifacts.setdefault("paths", []).extend(value)
            elif key == "reports":
                job.artifacts.setdefault("reports", {}).update(value)
        previous = job.artifacts.get("when")
        job.artifacts["when"] = when if previous in (None, when) else "always"

    # --- steps ---------------------------------------------------------------------------

    def steps(self, statements: list[Statement], job: Job) -> None:
        self.record(2, "steps", K, statements[0].line if statements else 0) if statements else None
        for statement in statements:
            if isinstance(statement, Call):
                self.step(statement, job)
            else:
                self.unknown_step(statement, job, "Groovy statement")

    def step(self, call: Call, job: Job) -> None:
        handler = self.STEP_HANDLERS.get(call.name)
        if handler is None:
            self.unknown_step(call, job, f"step '{call.name}'")
            return
        handler(self, call, job)

    def unknown_step(self, statement: Statement, job: Job, what: str) -> None:
        self.record(18, what, U, statement.line, "kept as a comment")
        job.unconverted.append(Unconverted(statement.line, statement.text))
        job.comments.append(f"TODO(chalkops): {what} at line {statement.line} not converted:")
        job.comments.extend(_comment_source(statement.text))

    def shell_text(self, value: Value | None, line: int) -> str:
        """A Groovy string as shell code, honouring GString substitution."""
        if value is None:
            return ""
        if value.kind != "string":
            self.record(18, f"script value {value.text[:40]}", U, line, "not a string literal")
            return ""
        parts: list[Part] = []
        for part in value.parts:
            if isinstance(part, Placeholder):
                parts.append(self.placeholder(part, line))
            else:
                parts.append(map_jenkins_shell_variables(part))
        return render_parts(parts)

    def placeholder(self, part: Placeholder, line: int) -> Expansion:
        expr = part.expr
        for prefix in ("env.", "params."):
            if expr.startswith(prefix) and expr[len(prefix) :].isidentifier():
                expr = expr[len(prefix) :]
        if expr.isidentifier():
            self.record(19, f"${{{part.expr}}}", K, line)
            return expansion(JENKINS_VARIABLES.get(expr, expr))
        self.record(19, f"${{{part.expr}}}", U, line, "Groovy expression in a GString")
        return Expansion("${" + part.expr + "}")

    def step_sh(self, call: Call, job: Job) -> None:
        value = call.arg("script")
        script = tidy_script(self.shell_text(value, call.line))
        if call.named.get("returnStdout") or call.named.get("returnStatus"):
            self.record(2, f"{call.name} returnStdout", U, call.line, "only meaningful in script")
        if call.name in ("bat", "powershell", "pwsh"):
            self.record(2, call.name, P, call.line, "needs a Windows runner (tags)")
            self.c.task(
                ManualTaskKind.RUNNER_TAGS,
                "windows",
                "a Windows runner for bat/powershell",
                call.line,
            )
            script = script if call.name == "bat" else f"pwsh -Command {shlex.quote(script)}"
        else:
            self.record(2, call.name, K, call.line)
        job.script.append(scoped_step(script))

    def step_echo(self, call: Call, job: Job) -> None:
        value = call.arg("message")
        parts: list[Part] = []
        for part in value.parts if value is not None and value.kind == "string" else []:
            parts.append(
                self.placeholder(part, call.line) if isinstance(part, Placeholder) else part
            )
        job.script.append(f"echo {quote_parts(parts)}")
        self.record(2, "echo", K, call.line)

    def step_checkout(self, call: Call, job: Job) -> None:
        arg = call.arg()
        if arg is not None and arg.text == "scm":
            self.record(7, "checkout scm", K, call.line, "GitLab clones the repository itself")
        else:
            self.record(7, "checkout", P, call.line, "checkout of another repository: review")
            job.comments.append(f"TODO(chalkops): checkout at line {call.line}: {call.text[:80]}")

    def step_git(self, call: Call, job: Job) -> None:
        url = call.arg("url")
        if url is None:
            self.unknown_step(call, job, "git")
            return
        branch = call.arg("branch")
        clone = f"git clone {shlex.quote(url.literal)}"
        if branch is not None:
            clone += f" --branch {shlex.quote(branch.literal)}"
        job.script.append(clone + " checkout-repo")
        self.record(7, "git", P, call.line, "clones into checkout-repo/; credentials are manual")

    def step_archive(self, call: Call, job: Job) -> None:
        value = call.arg("artifacts")
        paths = [p.strip() for p in (value.literal if value else "").split(",") if p.strip()]
        job.artifacts.setdefault("paths", []).extend(paths)
        self.record(5, "archiveArtifacts", K, call.line)

    def step_junit(self, call: Call, job: Job) -> None:
        value = call.arg("testResults")
        paths = [p.strip() for p in (value.literal if value else "").split(",") if p.strip()]
        job.artifacts.setdefault("reports", {})["junit"] = paths[0] if len(paths) == 1 else paths
        job.artifacts.setdefault("when", "always")
        self.record(5, "junit", K, call.line)

    def step_stash(self, call: Call, job: Job) -> None:
        value = call.arg("includes")
        paths = [p.strip() for p in (value.literal if value else "**").split(",") if p.strip()]
        job.artifacts.setdefault("paths", []).extend(paths)
        name = call.arg("name")
        self.record(13, f"stash {name.literal if name else ''}", K, call.line)

    def step_unstash(self, call: Call, job: Job) -> None:
        self.record(13, "unstash", K, call.line, "artifacts of earlier stages are restored")

    def step_input(self, call: Call, job: Job) -> None:
        job.when = "manual" if not job.rules else None
        for rule in job.rules:
            if rule.get("when") != "never":
                rule["when"] = "manual"
        job.allow_failure = False
        self.record(14, "input", P, call.line, "manual job; protect its environment")

    def step_build(self, call: Call, job: Job) -> None:
        target = call.arg("job")
        project = target.literal if target is not None else "?"
        bridge = Job(
            name=self.job_name(f"{job.name} trigger {project}"),
            stage=job.stage,
            trigger={"project": f"CHANGE-ME/{project}", "strategy": "depend"},
            rules=[dict(r) for r in job.rules],
        )
        wait = call.arg("wait")
        if wait is not None and wait.text == "false":
            bridge.trigger = {"project": f"CHANGE-ME/{project}"}
        bridge.comments.append(
            f"Jenkins 'build job: {project}' (line {call.line}): set the GitLab project path"
        )
        self.extra_jobs.append((job, bridge))
        self.record(16, f"build job: {project}", P, call.line, "downstream trigger job")
        self.c.task(
            ManualTaskKind.DOWNSTREAM,
            project,
            "GitLab project path for the downstream Jenkins job",
            call.line,
        )

    def step_script(self, call: Call, job: Job) -> None:
        self.record(18, "script { … }", U, call.line, "Groovy kept as a comment")
        job.unconverted.append(Unconverted(call.line, call.text))
        job.comments.append(
            f"TODO(chalkops): Groovy script block at line {call.line} not converted:"
        )
        job.comments.extend(_comment_source(call.text))

    def step_block(
        self,
        call: Call,
        job: Job,
        *,
        env: dict[str, str],
        workdir: str | None,
        tolerate: bool = False,
    ) -> None:
        holder = Job(name=job.name, stage=job.stage, rules=job.rules)
        self.steps(call.body or [], holder)
        job.comments.extend(holder.comments)
        job.unconverted.extend(holder.unconverted)
        for key, value in holder.artifacts.items():
            job.artifacts.setdefault(key, value)
        if holder.script:
            job.script.append(
                scoped_step(
                    "\n".join(holder.script), env=env, workdir=workdir, tolerate_failure=tolerate
                )
            )

    def step_dir(self, call: Call, job: Job) -> None:
        path = self.shell_text(call.arg("path"), call.line)
        self.step_block(call, job, env={}, workdir=path)
        self.record(2, "dir", K, call.line)

    def step_with_env(self, call: Call, job: Job) -> None:
        entries = call.arg()
        env: dict[str, str] = {}
        for item in entries.items if entries is not None else []:
            key, _, val = item.literal.partition("=")
            env[key] = shlex.quote(val)
        self.step_block(call, job, env=env, workdir=None)
        self.record(4, "withEnv", K, call.line)

    def step_with_credentials(self, call: Call, job: Job) -> None:
        bindings = call.arg()
        for binding in bindings.items if bindings is not None else []:
            if binding.call is None:
                continue
            ident = binding.call.arg("credentialsId")
            for key in ("variable", "usernameVariable", "passwordVariable", "keyFileVariable"):
                variable = binding.call.arg(key) if key in binding.call.named else None
                if variable is not None:
                    self.c.task(
                        ManualTaskKind.CI_VARIABLE,
                        variable.literal,
                        f"masked CI/CD variable from Jenkins credential "
                        f"'{ident.literal if ident else '?'}' ({binding.call.name})",
                        call.line,
                    )
        self.record(4, "withCredentials", P, call.line, "bound to CI/CD variables you create")
        self.step_block(call, job, env={}, workdir=None)

    def step_timeout(self, call: Call, job: Job) -> None:
        job.timeout = job.timeout or _duration(call)
        self.record(8, "timeout step", P, call.line, "applies to the whole job")
        self.step_block(call, job, env={}, workdir=None)

    def step_retry(self, call: Call, job: Job) -> None:
        count = call.arg()
        job.retry = min(int(count.text), 2) if count is not None and count.kind == "number" else 1
        self.record(8, "retry step", P, call.line, "GitLab retries the whole job")
        self.step_block(call, job, env={}, workdir=None)

    def step_catch_error(self, call: Call, job: Job) -> None:
        self.record(18, "catchError", P, call.line, "failure tolerated; build result not set")
        self.step_block(call, job, env={}, workdir=None, tolerate=True)

    def step_sleep(self, call: Call, job: Job) -> None:
        amount = call.arg("time")
        unit = call.arg("unit")
        seconds = int(amount.text) if amount is not None and amount.kind == "number" else 1
        factor = {"MINUTES": 60, "HOURS": 3600}.get(unit.literal if unit else "", 1)
        job.script.append(f"sleep {seconds * factor}")
        self.record(2, "sleep", K, call.line)

    def step_error(self, call: Call, job: Job) -> None:
        value = call.arg("message")
        parts = list(value.parts) if value is not None and value.kind == "string" else []
        clean: list[Part] = [
            p if isinstance(p, str) else self.placeholder(p, call.line) for p in parts
        ]
        job.script.append(f"echo {quote_parts(clean)} >&2; exit 1")
        self.record(2, "error", K, call.line)

    def step_write_file(self, call: Call, job: Job) -> None:
        file_value, text = call.arg("file"), call.arg("text", 1)
        if file_value is None or text is None or text.kind != "string":
            self.unknown_step(call, job, "writeFile")
            return
        parts = [p if isinstance(p, str) else self.placeholder(p, call.line) for p in text.parts]
        job.script.append(f"printf '%s' {quote_parts(parts)} > {shlex.quote(file_value.literal)}")
        self.record(2, "writeFile", K, call.line)

    def step_clean(self, call: Call, job: Job) -> None:
        self.record(2, call.name, K, call.line, "every GitLab job starts from a fresh clone")

    STEP_HANDLERS: dict[str, Callable[[_Converter, Call, Job], None]] = {
        "sh": step_sh,
        "bat": step_sh,
        "powershell": step_sh,
        "pwsh": step_sh,
        "echo": step_echo,
        "checkout": step_checkout,
        "git": step_git,
        "archiveArtifacts": step_archive,
        "junit": step_junit,
        "stash": step_stash,
        "unstash": step_unstash,
        "input": step_input,
        "build": step_build,
        "script": step_script,
        "dir": step_dir,
        "withEnv": step_with_env,
        "withCredentials": step_with_credentials,
        "timeout": step_timeout,
        "retry": step_retry,
        "catchError": step_catch_error,
        "sleep": step_sleep,
        "error": step_error,
        "writeFile": step_write_file,
        "deleteDir": step_clean,
        "cleanWs": step_clean,
    }

    # --- scripted pipelines --------------------------------------------------------------

    def scripted(self, node: Call, statements: list[Statement]) -> None:
        context = Context()
        label = node.arg()
        if label is not None and label.kind == "string":
            context.tags = [label.literal]
            self.c.task(
                ManualTaskKind.RUNNER_TAGS,
                label.literal,
                "register a runner with this tag",
                node.line,
            )
        body = node.body or []
        simple = all(
            isinstance(s, Call) and s.name == "stage" and _plain_steps(s.body) for s in body
        )
        others = [s for s in statements if s is not node and not _is_library(s)]
        if not simple or others or not body:
            self.record(18, "scripted pipeline", X, node.line, "Groovy logic: convert by hand")
            self.pipeline.comments.append("TODO(chalkops): scripted pipeline not converted:")
            self.pipeline.comments.extend(_comment_source(node.text, limit=200))
            job = self.new_job("convert scripted pipeline", "manual", context)
            job.script = [
                "echo 'the Jenkins scripted pipeline needs converting by hand' >&2",
                "exit 1",
            ]
            job.when = "manual"
            self.gitlab_stages.append(("manual", [job]))
            return
        self.record(18, "scripted pipeline", P, node.line, "simple stages converted one job each")
        for stage in _calls(body):
            title = stage.arg().literal if stage.arg() is not None else "stage"  # type: ignore[union-attr]
            job = self.new_job(title, title, context)
            self.steps(stage.body or [], job)
            if not job.script:
                job.script = [f"echo {shlex.quote('stage ' + title + ': nothing to run')}"]
            self.record(1, f"stage '{title}'", K, stage.line)
            self.gitlab_stages.append((title, [job]))


_STAGE_BODY_SECTIONS = frozenset({"steps", "parallel", "stages", "matrix", "post"})


def _title(call: Call) -> str:
    value = call.arg()
    return value.literal if value is not None else "stage"


def _is_library(statement: Statement) -> bool:
    return isinstance(statement, Other) and statement.text.lstrip().startswith("@Library")


_PLAIN_STEPS = frozenset(
    {
        "sh",
        "echo",
        "bat",
        "archiveArtifacts",
        "junit",
        "checkout",
        "dir",
        "withEnv",
        "sleep",
        "error",
        "stash",
        "unstash",
        "writeFile",
    }
)


def _plain_steps(statements: list[Statement] | None) -> bool:
    for statement in statements or []:
        if not isinstance(statement, Call) or statement.name not in _PLAIN_STEPS:
            return False
        if statement.body is not None and not _plain_steps(statement.body):
            return False
    return True


def _duration(call: Call) -> str:
    amount = call.arg("time")
    unit = call.arg("unit")
    number = amount.text if amount is not None else "60"
    unit_name = (unit.literal if unit is not None else "MINUTES").lower()
    return f"{number} {unit_name}"


def _tool_image(versions: dict[str, str]) -> str | None:
    jdk = versions.get("jdk") or "17"
    if "maven" in versions:
        return f"maven:{versions['maven'] or '3'}-eclipse-temurin-{jdk}"
    if "gradle" in versions:
        return f"gradle:{versions['gradle'] or 'jdk' + jdk}"
    if "nodejs" in versions:
        return f"node:{versions['nodejs'] or 'lts'}"
    if "go" in versions:
        return f"golang:{versions['go'] or 'latest'}"
    if "jdk" in versions:
        return f"eclipse-temurin:{jdk}"
    return None


def _matrix_entries(
    axes: dict[str, list[str]], excluded: list[dict[str, list[str]]]
) -> list[dict[str, str | list[str]]]:
    """GitLab matrix entries; with excludes, the explicit list of remaining combinations."""
    if not excluded:
        return [{k: list(v) for k, v in axes.items()}] if axes else []
    combos: list[dict[str, str]] = [{}]
    for key, values in axes.items():
        combos = [{**c, key: v} for c in combos for v in values]
    kept = [
        c
        for c in combos
        if not any(all(c.get(k) in vals for k, vals in rule.items()) for rule in excluded)
    ]
    return [dict(c) for c in kept]
