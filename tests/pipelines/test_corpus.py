"""The corpus: every case converts to what its expected.json says, validates, and runs.

Conversion checks are fast and always run; the ``e2e`` tests run the converted pipeline with
gitlab-ci-local (shell executor, one workspace per job) and check which jobs ran, in which
order, what they printed and which artefacts they left.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from chalkops.pipelines.convert import Batch, convert_path
from chalkops.pipelines.gitlab import schema_errors
from chalkops.pipelines.report import batch_report, pipeline_status

from .conftest import corpus_cases, expected_of, run_pipeline

CASES = corpus_cases()
RUNNABLE = [c for c in CASES if "run" in expected_of(c)]


def _convert(case: Path) -> Batch:
    return convert_path(case)


def test_corpus_is_large_enough_and_covers_both_sources() -> None:
    jenkins = [c for c in CASES if (c / "Jenkinsfile").exists()]
    workflows = [c for c in CASES if (c / ".github" / "workflows").is_dir()]
    assert len(CASES) >= 40
    assert len(jenkins) >= 15
    assert len(workflows) >= 15


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_converts_as_expected(case: Path) -> None:
    expected = expected_of(case)
    batch = _convert(case)
    document = yaml.safe_load(batch.yaml_text)

    assert schema_errors(document) == []
    assert list(batch.pipeline.jobs) == expected["jobs"]
    if "stages" in expected:
        assert document["stages"] == expected["stages"]
    statuses = {pipeline_status(c).value for c in batch.conversions}
    assert statuses == {expected["status"]}
    met = {(c.ref, c.status.value) for conv in batch.conversions for c in conv.constructs}
    for ref, status in expected.get("constructs", []):
        assert (ref, status) in met, f"{ref} {status} not reported; got {sorted(met)}"
    tasks = {(t.kind.value, t.name) for conv in batch.conversions for t in conv.manual_tasks}
    for kind, name in expected.get("manual_tasks", []):
        assert (kind, name) in tasks, f"manual task {kind} {name} missing; got {sorted(tasks)}"
    for text in expected.get("yaml_contains", []):
        assert text in batch.yaml_text, f"{text!r} not in output:\n{batch.yaml_text}"
    for text in expected.get("yaml_not_contains", []):
        assert text not in batch.yaml_text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_construct_has_a_source_line_and_report_is_consistent(case: Path) -> None:
    batch = _convert(case)
    report = batch_report(batch.conversions, "out/.gitlab-ci.yml")
    for pipeline in report["pipelines"]:
        assert pipeline["constructs"], "a pipeline with no constructs reported"
        assert all(c["line"] >= 1 for c in pipeline["constructs"])
        known = pipeline["counts"]["known"] + pipeline["counts"]["partial"]
        total = sum(pipeline["counts"].values())
        assert pipeline["coverage_percent"] == round(100 * known / total, 1)


def test_conversion_is_deterministic() -> None:
    for case in CASES[:10]:
        assert _convert(case).yaml_text == _convert(case).yaml_text


def _check_run(run: Any, spec: dict[str, Any], case: Path) -> None:
    summary = run.summary()
    for job in spec.get("passed", []):
        assert summary.get(job) == "PASS", f"{job} did not pass: {summary}\n{run.stdout}"
    for job in spec.get("failed", []):
        assert summary.get(job) == "FAIL", f"{job} did not fail: {summary}"
    for job in spec.get("warned", []):
        assert summary.get(job) == "WARN", f"{job} not an allowed failure: {summary}"
    for job in spec.get("not_run", []):
        assert job not in summary, f"{job} ran but should not have: {summary}"
    for before, after in spec.get("order", []):
        assert run.first_index(before, " finished in ") < run.first_index(after, " starting ")
    for job, lines in spec.get("output", {}).items():
        printed = run.job_lines(job)
        for line in lines:
            assert line in printed, f"{job} did not print {line!r}; printed {printed}"
    for job, lines in spec.get("no_output", {}).items():
        printed = run.job_lines(job)
        for line in lines:
            assert line not in printed
    for artefact in spec.get("artifacts", []):
        assert not (case / artefact).exists()
        assert (run.workdir / artefact).is_file(), f"artefact {artefact} missing"


@pytest.mark.e2e
@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", RUNNABLE, ids=[c.name for c in RUNNABLE])
def test_converted_pipeline_runs_in_gitlab_ci_local(
    case: Path, tmp_path: Path, gitlab_ci_local: Path
) -> None:
    spec = expected_of(case)["run"]
    batch = _convert(case)
    run = run_pipeline(case, batch.yaml_text, tmp_path, spec.get("variables", {}))
    _check_run(run, spec, case)
