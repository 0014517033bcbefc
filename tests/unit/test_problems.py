"""Errors map to problem+json in one place, with stable codes; bad input is never a 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from chalkops.errors import Conflict, Throttled
from chalkops.http.problems import PROBLEM_JSON, install_problem_handlers


class TenantNameTaken(Conflict):
    code = "tenant_name_taken"


class Body(BaseModel):
    name: str = Field(min_length=3)


def make_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/things")
    def create(body: Body) -> dict[str, str]:
        if body.name == "taken":
            raise TenantNameTaken("the name is taken")
        if body.name == "slow":
            raise Throttled("slow down", retry_after=30)
        return {"name": body.name}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("internal detail that must not leak")

    return app


client = TestClient(make_app(), raise_server_exceptions=False)


def test_domain_error_becomes_problem_json_with_its_code() -> None:
    response = client.post("/things", json={"name": "taken"})
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["code"] == "tenant_name_taken"
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == 409


def test_throttle_carries_retry_after() -> None:
    response = client.post("/things", json={"name": "slow"})
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"


def test_validation_failure_is_422_listing_the_fields() -> None:
    response = client.post("/things", json={"name": "x"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert [error["field"] for error in body["errors"]] == ["name"]


def test_malformed_json_is_a_400_not_a_500() -> None:
    response = client.post(
        "/things", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_unknown_route_is_problem_json() -> None:
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unexpected_error_is_a_generic_500_without_internals() -> None:
    response = client.get("/boom")
    assert response.status_code == 500
    assert "internal detail" not in response.text
    assert response.json()["code"] == "internal_error"
