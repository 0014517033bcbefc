"""Emit the GitLab CI model as ``.gitlab-ci.yml`` and validate it against GitLab's schema.

Key order is fixed here (not left to dict insertion elsewhere) so that the same input always
produces byte-identical output: reviewers diff these files. The schema is the one
``check-jsonschema`` vendors, loaded through that package so both stay in step.

Every generated file is validated, so validation is on the conversion's hot path: the verdict
comes from jsonschema-rs (compiled, ~100x faster here than the pure-Python validator, and
already in the environment through schemathesis); only a file it refuses is walked again by
``jsonschema`` for its readable ``path: message`` list. tests/pipelines/test_schema_validators.py
keeps the two verdicts in agreement.
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
import jsonschema_rs
import yaml
from check_jsonschema.builtin_schemas import get_builtin_schema

from chalkops.pipelines.exceptions import GeneratedPipelineInvalid
from chalkops.pipelines.model import Job, Pipeline, PipelineVariable


def pipeline_document(pipeline: Pipeline) -> dict[str, Any]:
    """The pipeline as plain data in GitLab's keyword order."""
    doc: dict[str, Any] = {}
    if pipeline.workflow_rules:
        doc["workflow"] = {"rules": pipeline.workflow_rules}
    if pipeline.stages:
        doc["stages"] = list(pipeline.stages)
    if pipeline.variables:
        doc["variables"] = {k: _variable(v) for k, v in pipeline.variables.items()}
    for name, job in pipeline.jobs.items():
        doc[name] = job_document(job)
    return doc


def _variable(variable: PipelineVariable) -> str | dict[str, Any]:
    if variable.description is None and not variable.options and variable.expand:
        return variable.value
    out: dict[str, Any] = {"value": variable.value}
    if variable.options:
        out["options"] = list(variable.options)
    if variable.description is not None:
        out["description"] = variable.description
    if not variable.expand:
        out["expand"] = False
    return out


def job_document(job: Job) -> dict[str, Any]:
    """One job as plain data; empty keywords are left out."""
    doc: dict[str, Any] = {"stage": job.stage}
    rules, when = job.rules, job.when
    if rules and when is not None:
        # GitLab refuses job-level `when` beside `rules`: fold it into each rule that runs
        rules = [
            r if r.get("when") == "never" else {**r, "when": r.get("when", when)} for r in rules
        ]
        when = None
    optional: list[tuple[str, Any]] = [
        ("image", job.image),
        ("services", job.services),
        ("tags", job.tags),
        ("variables", job.variables),
        ("needs", job.needs),
        ("rules", rules),
        ("when", when),
        ("allow_failure", job.allow_failure),
        ("environment", job.environment),
        ("resource_group", job.resource_group),
        ("interruptible", job.interruptible),
        ("timeout", job.timeout),
        ("retry", job.retry),
        ("parallel", {"matrix": job.parallel_matrix} if job.parallel_matrix else None),
        ("id_tokens", job.id_tokens),
        ("cache", job.cache),
        ("before_script", job.before_script),
        ("script", job.script),
        ("after_script", job.after_script),
        ("artifacts", job.artifacts),
        ("trigger", job.trigger),
    ]
    for key, value in optional:
        if value is None or (value == [] and key != "needs") or value == {}:
            continue
        doc[key] = value
    if job.trigger is not None:
        # a bridge job runs no script of its own
        for key in ("script", "before_script", "after_script", "image", "artifacts", "tags"):
            doc.pop(key, None)
    return doc


class _Dumper(yaml.CSafeDumper):
    """Block style, literal ``|`` for multi-line strings, never anchors."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.CSafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _represent_str)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, indent=2
    )


def _comment_block(lines: list[str]) -> str:
    out = []
    for line in lines:
        for part in line.splitlines() or [""]:
            out.append(f"# {part}".rstrip())
    return "\n".join(out) + "\n" if out else ""


def render_yaml(pipeline: Pipeline) -> str:
    """The ``.gitlab-ci.yml`` text: header comments, then each top-level key in order."""
    doc = pipeline_document(pipeline)
    validate_document(doc)
    parts = [_comment_block(pipeline.comments)] if pipeline.comments else []
    for key, value in doc.items():
        job = pipeline.jobs.get(key)
        block = _comment_block(job.comments) if job is not None and job.comments else ""
        parts.append(block + _dump({key: value}))
    text = "\n".join(parts)
    # what we wrote must read back as exactly what we validated
    if yaml.load(text, Loader=yaml.CSafeLoader) != doc:
        raise GeneratedPipelineInvalid("emitted YAML does not round-trip")
    return text


@functools.cache
def _gitlab_schema() -> dict[str, Any]:
    schema: dict[str, Any] = get_builtin_schema("vendor.gitlab-ci")
    return schema


@functools.cache
def _gitlab_validator() -> jsonschema.protocols.Validator:
    schema = _gitlab_schema()
    validator_class = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


@functools.cache
def _gitlab_verdict() -> Any:
    return jsonschema_rs.validator_for(_gitlab_schema())


def schema_errors(doc: dict[str, Any]) -> list[str]:
    """GitLab CI schema violations of ``doc``, as ``path: message`` strings."""
    if _gitlab_verdict().is_valid(doc):
        return []
    return detailed_schema_errors(doc)


def detailed_schema_errors(doc: dict[str, Any]) -> list[str]:
    """The same verdict from the pure-Python validator, with every violation spelled out."""
    errors = sorted(_gitlab_validator().iter_errors(doc), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in errors]


def validate_document(doc: dict[str, Any]) -> None:
    errors = schema_errors(doc)
    if errors:
        raise GeneratedPipelineInvalid("generated pipeline fails GitLab's schema: " + errors[0])
