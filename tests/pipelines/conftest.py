"""Shared fixtures: the corpus of real-shaped pipelines and a gitlab-ci-local runner."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).parent / "corpus"
REPO_ROOT = Path(__file__).resolve().parents[2]
GITLAB_CI_LOCAL = REPO_ROOT / "tools" / "node_modules" / ".bin" / "gitlab-ci-local"
RUN_TIMEOUT_S = 90


def corpus_cases() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if (p / "expected.json").is_file())


def expected_of(case: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    return data


@dataclass
class PipelineRun:
    """What gitlab-ci-local printed, split by job."""

    returncode: int
    stdout: str
    workdir: Path

    def job_lines(self, job: str) -> list[str]:
        out = []
        for line in self.stdout.splitlines():
            if line.startswith(job + " ") and " > " in line:
                head, _, text = line.partition(" > ")
                if head.strip() == job:
                    out.append(text)
        return out

    def summary(self) -> dict[str, str]:
        """job name -> PASS / FAIL / WARN from the closing summary block."""
        result: dict[str, str] = {}
        for line in self.stdout.splitlines():
            stripped = line.strip()
            for verdict in ("PASS", "FAIL", "WARN"):
                if stripped.startswith(verdict + " "):
                    name = stripped[len(verdict) :].strip()
                    name = name.split("  ")[0].strip()
                    result.setdefault(name, verdict)
        return result

    def first_index(self, job: str, marker: str) -> int:
        for index, line in enumerate(self.stdout.splitlines()):
            head = line.split(marker)[0].strip() if marker in line else None
            if head == job:
                return index
        raise AssertionError(f"job {job!r} never printed {marker!r}:\n{self.stdout}")


def adapt_for_gitlab_ci_local(text: str) -> str:
    """gitlab-ci-local 4.60.1 uploads nothing for ``artifacts: untracked: true``; real GitLab
    uploads every untracked file. The output keeps ``untracked`` (right for GitLab); only the
    copy the tool runs gets an equivalent glob, so the workspace hand-off is still exercised."""
    return text.replace("    untracked: true\n", "    paths:\n    - '**/*'\n")


def run_pipeline(case: Path, yaml_text: str, tmp: Path, variables: dict[str, str]) -> PipelineRun:
    repo = tmp / "repo"
    shutil.copytree(case, repo, ignore=shutil.ignore_patterns("expected.json"))
    (repo / ".gitlab-ci.yml").write_text(adapt_for_gitlab_ci_local(yaml_text), encoding="utf-8")
    git = ["git", "-c", "user.name=corpus", "-c", "user.email=corpus@example.com"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run([*git, "-C", str(repo), "add", "-A"], check=True)
    subprocess.run([*git, "-C", str(repo), "commit", "-qm", "corpus case"], check=True)
    command = [
        str(GITLAB_CI_LOCAL),
        "--shell-isolation",
        "--force-shell-executor",
        "--no-color",
        "--max-job-name-padding",
        "0",
        "--no-evaluate-rule-changes",
    ]
    for key, value in variables.items():
        command += ["--variable", f"{key}={value}"]
    try:
        done = subprocess.run(
            command, cwd=repo, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"gitlab-ci-local timed out after {RUN_TIMEOUT_S}s: {exc.stdout!r}")
    return PipelineRun(done.returncode, done.stdout + done.stderr, repo)


@pytest.fixture(scope="session")
def gitlab_ci_local() -> Path:
    if not GITLAB_CI_LOCAL.exists():
        pytest.fail("gitlab-ci-local is missing: run `npm ci --prefix tools` (make node)")
    return GITLAB_CI_LOCAL
