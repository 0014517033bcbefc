"""The two GitLab schema validators give the same verdict.

Conversions take their verdict from jsonschema-rs (fast) and only ask the pure-Python
``jsonschema`` for the readable errors of a refused file: if the two ever disagreed, a generated
file could pass unchecked or fail with no message. Checked on every corpus output and on broken
variants of each.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalkops.pipelines.convert import convert_path
from chalkops.pipelines.gitlab import detailed_schema_errors, schema_errors

from .conftest import corpus_cases

CASES = corpus_cases()
Document = dict[str, Any]


def _first_job(doc: Document) -> Document:
    return next(
        value for key, value in doc.items() if isinstance(value, dict) and "script" in value
    )


def _script_not_a_list(doc: Document) -> None:
    _first_job(doc)["script"] = 42


def _unknown_job_key(doc: Document) -> None:
    _first_job(doc)["scirpt"] = ["echo typo"]


def _bad_when(doc: Document) -> None:
    _first_job(doc)["when"] = "sometimes"


def _stages_not_a_list(doc: Document) -> None:
    doc["stages"] = "build"


def _artifact_paths_not_strings(doc: Document) -> None:
    _first_job(doc)["artifacts"] = {"paths": [1, 2]}


BREAKAGES: dict[str, Callable[[Document], None]] = {
    "script_not_a_list": _script_not_a_list,
    "unknown_job_key": _unknown_job_key,
    "bad_when": _bad_when,
    "stages_not_a_list": _stages_not_a_list,
    "artifact_paths_not_strings": _artifact_paths_not_strings,
}


def _document(case: Path) -> Document:
    document: Document = yaml.safe_load(convert_path(case).yaml_text)
    return document


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_both_validators_accept_every_corpus_output(case: Path) -> None:
    document = _document(case)
    assert schema_errors(document) == []
    assert detailed_schema_errors(document) == []


@pytest.mark.parametrize("breakage", BREAKAGES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_both_validators_refuse_a_broken_output(case: Path, breakage: str) -> None:
    document = copy.deepcopy(_document(case))
    BREAKAGES[breakage](document)
    fast, detailed = schema_errors(document), detailed_schema_errors(document)
    assert detailed, "the breakage must make the document invalid"
    assert fast == detailed
