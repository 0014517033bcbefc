"""Bad input ends in one clear line naming file and line (exit 2), or in a correct result,
within bounded time and memory; never a traceback."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from chalkops.pipelines.convert import convert_path
from chalkops.pipelines.gitlab import schema_errors

from .inputs import big_jenkinsfile

CHALKOPS = Path(sys.executable).parent / "chalkops"


def _convert_cli(path: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHALKOPS), "convert", str(path), "--output-dir", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _assert_one_line_error(result: subprocess.CompletedProcess[str], name: str, line: int) -> None:
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"{name}:{line}:" in lines[0]


@pytest.mark.parametrize(
    ("name", "content", "line"),
    [
        ("Jenkinsfile", b"", 1),
        ("Jenkinsfile", b"   \n\n", 1),
        ("Jenkinsfile", bytes(range(256)) * 8, 1),
        ("Jenkinsfile", b"pipeline {\n  stages {\n    stage('a') {\n      steps { sh 'x' \n", 1),
        ("Jenkinsfile", b"println 'hello'\n", 1),
        ("ci.yml", b"on: push\njobs:\n  a: [\n", 4),
        ("ci.yml", b"on: push\njobs:\n  build:\n    runs-on: x\n    stepz: []\n", 3),
        ("ci.yml", b"", 1),
        ("ci.yml", b"- just\n- a list\n", 1),
        (
            "ci.yml",
            b"on: push\njobs:\n  a:\n    runs-on: x\n    needs: b\n    steps: [{run: x}]\n",
            5,
        ),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "unclosed",
        "not-a-pipeline",
        "bad-yaml",
        "bad-schema",
        "empty-yaml",
        "yaml-list",
        "unknown-need",
    ],
)
def test_unparseable_input_is_one_line_with_file_and_line(
    tmp_path: Path, name: str, content: bytes, line: int
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    result = _convert_cli(source, tmp_path / "out", "--report-json", str(tmp_path / "r.json"))
    _assert_one_line_error(result, name, line)
    assert '"status": "failed"' in (tmp_path / "r.json").read_text()
    assert not (tmp_path / "out" / ".gitlab-ci.yml").exists()


def test_deeply_nested_groovy_is_refused_quickly(tmp_path: Path) -> None:
    depth = 5000
    body = "".join(f"stage('s{i}') {{ stages {{ " for i in range(depth)) + "} }" * depth
    source = tmp_path / "Jenkinsfile"
    source.write_text("pipeline { agent any\n stages { " + body + " } }\n")
    started = time.monotonic()
    result = _convert_cli(source, tmp_path / "out")
    assert time.monotonic() - started < 60
    _assert_one_line_error(result, "Jenkinsfile", 2)
    assert "nested deeper" in result.stderr


def test_deeply_nested_yaml_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "ci.yml"
    source.write_text("on: push\njobs:\n  a:\n    x: " + "[" * 20000 + "]" * 20000 + "\n")
    result = _convert_cli(source, tmp_path / "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_workflow_with_a_thousand_jobs_converts_correctly(tmp_path: Path) -> None:
    jobs = {
        f"job{i}": {
            "runs-on": "ubuntu-latest",
            **({"needs": [f"job{i - 1}"]} if i % 10 else {}),
            "steps": [{"run": f"echo {i}"}],
        }
        for i in range(1000)
    }
    workflow = tmp_path / ".github" / "workflows" / "big.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(yaml.safe_dump({"on": "push", "jobs": jobs}))
    started = time.monotonic()
    batch = convert_path(tmp_path)
    assert time.monotonic() - started < 60
    document = yaml.safe_load(batch.yaml_text)
    assert schema_errors(document) == []
    assert len(batch.pipeline.jobs) == 1000
    assert document["job9"]["needs"] == ["job8"]
    assert document["job9"]["stage"] == "stage-10"
    assert document["job10"]["needs"] == []


def test_ten_megabyte_jenkinsfile_converts_in_bounded_time(tmp_path: Path) -> None:
    source = tmp_path / "Jenkinsfile"
    source.write_text(big_jenkinsfile(10 * 1024 * 1024))
    started = time.monotonic()
    result = _convert_cli(source, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 120
    text = (tmp_path / "out" / ".gitlab-ci.yml").read_text()
    assert "echo line-0-0" in text


def test_file_above_the_size_limit_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "Jenkinsfile"
    with source.open("wb") as handle:
        handle.truncate(17 * 1024 * 1024)
    result = _convert_cli(source, tmp_path / "out")
    _assert_one_line_error(result, "Jenkinsfile", 1)
    assert "limit" in result.stderr
