"""The client address comes from API Gateway's request context (through Mangum), never a header;
the request guard refuses oversized and over-deep bodies before any route runs."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from chalkops.controlplane.caches import BlacklistCache
from chalkops.http.client_ip import source_ip
from chalkops.http.guard import Rejection, RequestGuard, Scope
from chalkops.http.lambda_adapter import lambda_handler


def rest_event(source: str, headers: dict[str, str], path: str = "/ip") -> dict[str, Any]:
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "requestContext": {
            "identity": {"sourceIp": source},
            "stage": "prod",
            "resourcePath": "/{proxy+}",
            "httpMethod": "GET",
            "path": path,
        },
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
    }


def guarded_app(blocked: list[str]) -> FastAPI:
    app = FastAPI()
    cache = BlacklistCache(lambda: blocked)

    @app.get("/ip")
    def ip(request: Request) -> dict[str, str]:
        return {"ip": source_ip(request.scope)}

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    def gate(scope: Scope) -> Rejection | None:
        if cache.is_blocked(source_ip(scope)):
            return Rejection(403, "ip_blocked", "Blocked", "blocked")
        return None

    app.add_middleware(RequestGuard, gate=gate, max_body_bytes=1000, max_json_depth=8)
    return app


def test_lambda_source_ip_is_api_gateways_not_x_forwarded_for() -> None:
    handler = lambda_handler(guarded_app([]))
    response = handler(rest_event("203.0.113.9", {"X-Forwarded-For": "198.51.100.1"}), None)
    assert json.loads(response["body"]) == {"ip": "203.0.113.9"}


def test_a_blacklisted_source_is_refused_on_lambda_whatever_the_headers_say() -> None:
    handler = lambda_handler(guarded_app(["203.0.113.0/24"]))
    blocked = handler(rest_event("203.0.113.9", {"X-Forwarded-For": "198.51.100.1"}), None)
    assert blocked["statusCode"] == 403
    assert json.loads(blocked["body"])["code"] == "ip_blocked"
    innocent = handler(rest_event("198.51.100.1", {"X-Forwarded-For": "203.0.113.9"}), None)
    assert innocent["statusCode"] == 200


def test_http_api_v2_events_are_read_too() -> None:
    scope = {
        "aws.event": {"requestContext": {"http": {"sourceIp": "2001:db8::1"}}},
        "client": ("10.0.0.1", 1),
    }
    assert source_ip(scope) == "2001:db8::1"


def test_ipv4_mapped_ipv6_peers_match_ipv4_entries() -> None:
    assert BlacklistCache(lambda: ["192.0.2.0/24"]).is_blocked("::ffff:192.0.2.10")


client = TestClient(guarded_app([]))


def test_oversized_bodies_are_413() -> None:
    response = client.post("/echo", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_bodies_within_the_limit_reach_the_route_intact() -> None:
    assert client.post("/echo", content=b"y" * 1000).json() == {"bytes": 1000}


def test_deep_json_is_400_before_the_parser_sees_it() -> None:
    response = client.post(
        "/echo", content=b"[" * 50 + b"]" * 50, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "json_too_deep"


def test_brackets_inside_strings_do_not_count_as_depth() -> None:
    body = json.dumps({"a": "[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{"}).encode()
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


def test_a_nul_escape_inside_a_json_string_is_400() -> None:
    response = client.post(
        "/echo",
        content=b'{"email": "a\\u0000@x.test"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "nul_character"


def test_an_escaped_backslash_before_u0000_is_ordinary_text() -> None:
    body = b'{"note": "C:\\\\u0000dir"}'  # the text is C:\u0000dir: a backslash, then "u0000"
    response = client.post("/echo", content=body, headers={"content-type": "application/json"})
    assert response.json() == {"bytes": len(body)}
