"""The web UI's static build served by the central API: files, deep links, and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from chalkops.http.problems import install_problem_handlers
from functions.central_api.routes.web import web_router


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    build = tmp_path / "browser"
    build.mkdir()
    (build / "index.html").write_text("<app-root></app-root>")
    (build / "main-ABC123.js").write_text("console.log(1)")
    (tmp_path / "secret.txt").write_text("not for the web")
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/auth/register")
    def register() -> dict[str, str]:
        return {"ok": "yes"}

    app.include_router(web_router(build))
    return TestClient(app)


def test_deep_links_answer_the_application_page(client: TestClient) -> None:
    response = client.get("/sign-in")
    assert response.status_code == 200
    assert "<app-root>" in response.text
    assert response.headers["cache-control"] == "no-cache"


def test_fingerprinted_assets_are_cached_for_good(client: TestClient) -> None:
    response = client.get("/main-ABC123.js")
    assert response.text == "console.log(1)"
    assert "immutable" in response.headers["cache-control"]


def test_a_missing_asset_is_404_not_the_application_page(client: TestClient) -> None:
    assert client.get("/missing-XYZ.js").status_code == 404


def test_nothing_outside_the_build_folder_is_served(client: TestClient) -> None:
    response = client.get("/%2E%2E/secret.txt")
    assert "not for the web" not in response.text


def test_an_over_long_path_is_404_not_a_crash(client: TestClient) -> None:
    assert client.get("/" + "a" * 300 + ".js").status_code == 404
    assert client.get("/" + "b" * 300).status_code == 200  # a client-side route, however odd


def test_api_paths_are_never_the_application_page(client: TestClient) -> None:
    unknown = client.get("/auth/nothing-here")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    wrong_method = client.get("/auth/register")
    assert wrong_method.status_code == 405
    assert wrong_method.headers["allow"] == "POST"
