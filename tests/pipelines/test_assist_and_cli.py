"""LLM assist is a port: off by default, used only for unknown constructs, proposals checked.

Providers here are fakes (a recording object, and httpx's MockTransport / a stub boto3 client);
no network is used.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from chalkops.pipelines.assist.base import AssistRequest
from chalkops.pipelines.assist.bedrock import BedrockAssist
from chalkops.pipelines.assist.openai_compatible import OpenAICompatibleAssist
from chalkops.pipelines.convert import convert_path
from chalkops.pipelines.report import batch_report

CORPUS = Path(__file__).parent / "corpus"
CHALKOPS = Path(sys.executable).parent / "chalkops"


class FakeAssist:
    """Answers every request with a fixed text and records what it was asked."""

    name = "fake"

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.requests: list[AssistRequest] = []

    def propose(self, request: AssistRequest) -> str:
        self.requests.append(request)
        return self.answer


def test_no_provider_changes_nothing() -> None:
    assert (
        convert_path(CORPUS / "j17-library-script").yaml_text
        == convert_path(CORPUS / "j17-library-script", assistant=None).yaml_text
    )


def test_valid_proposal_is_applied_and_labelled_machine_suggested() -> None:
    fake = FakeAssist('{"script": ["echo suggested-notify"]}')
    batch = convert_path(CORPUS / "j17-library-script", assistant=fake)
    asked_lines = sorted(r.line for r in fake.requests)
    assert asked_lines == [9, 13]  # the script block and the unknown step, nothing known
    assert "echo suggested-notify" in batch.yaml_text
    assert "machine-suggested (fake)" in batch.yaml_text
    report = batch_report(batch.conversions, "x")
    suggested = [c for c in report["pipelines"][0]["constructs"] if c["machine_suggested"]]
    assert {c["line"] for c in suggested} == {9, 13}


def test_invalid_proposals_are_dropped() -> None:
    baseline = convert_path(CORPUS / "g18-unknown-action").yaml_text
    for answer in ("not json", '{"script": 5}', '{"script": []}', '{"other": ["x"]}'):
        fake = FakeAssist(answer)
        assert convert_path(CORPUS / "g18-unknown-action", assistant=fake).yaml_text == baseline
        assert fake.requests, "the unknown marketplace action should have been offered"


def test_openai_compatible_adapter_speaks_chat_completions() -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(
            {
                "url": str(request.url),
                "auth": request.headers.get("authorization"),
                "body": json.loads(request.content),
            }
        )
        return httpx.Response(
            200, json={"choices": [{"message": {"content": '{"script": ["x"]}'}}]}
        )

    client = httpx.Client(transport=httpx.MockTransport(handler))
    adapter = OpenAICompatibleAssist("http://llm.local/v1/", "m1", api_key="k", http_client=client)
    answer = adapter.propose(AssistRequest("jenkins", "Jenkinsfile", "Build", 3, "slackSend 'x'"))
    assert answer == '{"script": ["x"]}'
    assert seen[0]["url"] == "http://llm.local/v1/chat/completions"
    assert seen[0]["auth"] == "Bearer k"
    assert seen[0]["body"]["model"] == "m1"
    assert "slackSend" in seen[0]["body"]["messages"][1]["content"]


class StubBedrock:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        return {"output": {"message": {"content": [{"text": '{"script": ["y"]}'}]}}}


def test_bedrock_adapter_uses_converse() -> None:
    stub = StubBedrock()
    adapter = BedrockAssist("anthropic.claude", boto3_client=stub)  # type: ignore[arg-type]
    assert adapter.propose(AssistRequest("jenkins", "J", "B", 1, "x")) == '{"script": ["y"]}'
    assert stub.calls[0]["modelId"] == "anthropic.claude"
    assert stub.calls[0]["messages"][0]["role"] == "user"


def test_cli_writes_pipeline_and_reports_for_a_repository(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [
            str(CHALKOPS),
            "convert",
            str(CORPUS / "m01-repo-merged"),
            "--output-dir",
            str(out),
            "--report-json",
            str(tmp_path / "r.json"),
            "--report-md",
            str(tmp_path / "r.md"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    text = (out / ".gitlab-ci.yml").read_text()
    assert "jenkins:Build:" in text and "ci:build:" in text and "release:build:" in text
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["summary"]["pipelines"] == 3
    assert [p["source"] for p in report["pipelines"]] == [
        "Jenkinsfile",
        ".github/workflows/ci.yml",
        ".github/workflows/release.yaml",
    ]
    markdown = (tmp_path / "r.md").read_text()
    assert "## Jenkinsfile (jenkins)" in markdown and "| line | construct |" in markdown


def test_cli_partial_conversion_exits_zero_and_lists_manual_tasks(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            str(CHALKOPS),
            "convert",
            str(CORPUS / "j05-credentials" / "Jenkinsfile"),
            "--output-dir",
            str(tmp_path),
            "--report-md",
            str(tmp_path / "r.md"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert "partial" in result.stdout
    markdown = (tmp_path / "r.md").read_text()
    assert "| ci_variable | `API_TOKEN` |" in markdown
