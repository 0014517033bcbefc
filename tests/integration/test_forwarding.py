"""Forwarding to a real HTTP server: what passes through, what never does, and clear failures."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request, Response

from chalkops.config import Region
from chalkops.controlplane.exceptions import RegionTimeout, RegionUnavailable
from chalkops.controlplane.forwarding import Forwarder
from chalkops.controlplane.models import Tenant, TenantStatus
from chalkops.errors import NotFound
from chalkops.http.guard import RequestGuard
from chalkops.regional.tenancy import SCOPE_KEY, forwarding_gate
from chalkops.tokens.forwarding import ForwardingSigner, ForwardingVerifier
from tests.conftest import free_port_block

TENANT = Tenant(uuid.uuid4(), "acme", "local-9", TenantStatus.ACTIVE)


def key_pair() -> tuple[str, str]:
    private = Ed25519PrivateKey.generate()
    return (
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    )


PRIVATE, PUBLIC = key_pair()


class AnyTenant:
    def is_active(self, tenant_id: uuid.UUID) -> bool:
        return True


def echo_app() -> FastAPI:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def echo(path: str, request: Request) -> Response:
        if path == "slow":
            await asyncio.sleep(3)
        if path.startswith("problem"):
            problem = {"type": "about:blank", "title": "Nope", "status": 404, "code": "not_found"}
            return Response(
                json.dumps({**problem, "instance": request.url.path}),
                status_code=404,
                media_type="application/problem+json",
            )
        context = request.scope[SCOPE_KEY]
        document = {
            "method": request.method,
            "path": request.url.path,
            "query": request.url.query,
            "body": (await request.body()).decode(),
            "tenant": context.tenant_name,
            "headers": {k: v for k, v in request.headers.items()},
        }
        return Response(
            json.dumps(document),
            status_code=int(request.headers.get("x-want", 200)),
            media_type="application/json",
            headers={"X-Region": "local-9"},
        )

    verifier = ForwardingVerifier(PUBLIC, "k1", region="local-9")
    app.add_middleware(RequestGuard, gate=forwarding_gate(lambda: verifier, AnyTenant))
    return app


@pytest.fixture(scope="module")
def region_url() -> Iterator[str]:
    port = free_port_block(0)
    server = uvicorn.Server(
        uvicorn.Config(
            echo_app(), host="127.0.0.1", port=port, log_level="warning", proxy_headers=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def forward(region_url: str, method: str, path: str, **kwargs: object) -> object:
    forwarder = Forwarder(ForwardingSigner(PRIVATE, "k1"), timeout_seconds=1.0)
    region = Region(code="local-9", name="test", api_url=region_url)

    async def run() -> object:
        try:
            return await forwarder.forward(
                tenant=TENANT,
                region=region,
                method=method,
                path=path,
                query=kwargs.get("query", b""),
                headers=kwargs.get("headers", []),  # type: ignore[arg-type]
                body=kwargs.get("body", b""),
                client_ip="198.51.100.4",  # type: ignore[arg-type]
            )
        finally:
            await forwarder.aclose()

    return asyncio.run(run())


def test_method_path_query_body_and_status_pass_through(region_url: str) -> None:
    result = forward(
        region_url,
        "PATCH",
        "users/42",
        query=b"a=1&b=two",
        body=b'{"x": "\xc3\xbc"}',
        headers=[("content-type", "application/json"), ("x-want", "418")],
    )
    assert result.status == 418  # type: ignore[attr-defined]
    echoed = json.loads(result.body)  # type: ignore[attr-defined]
    assert echoed["method"] == "PATCH"
    assert echoed["path"] == "/users/42"
    assert echoed["query"] == "a=1&b=two"
    assert echoed["body"] == '{"x": "ü"}'
    assert echoed["tenant"] == "acme"
    assert ("x-region", "local-9") in [(k.lower(), v) for k, v in result.headers]  # type: ignore[attr-defined]


def test_a_regional_problem_names_the_path_the_client_called(region_url: str) -> None:
    result = forward(region_url, "GET", "problem/7", query=b"x=1")
    assert result.status == 404  # type: ignore[attr-defined]
    problem = json.loads(result.body)  # type: ignore[attr-defined]
    assert problem["instance"] == "/tenants/acme/problem/7"
    assert problem["code"] == "not_found", "the rest of the problem passes unchanged"


def test_client_supplied_tenant_and_forwarding_headers_never_pass(region_url: str) -> None:
    result = forward(
        region_url,
        "GET",
        "whoami",
        headers=[
            ("x-chalkops-forwarded", "forged"),
            ("x-chalkops-tenant", "other-tenant"),
            ("x-forwarded-for", "10.9.9.9"),
            ("authorization", "Bearer user-token"),
        ],
    )
    echoed = json.loads(result.body)  # type: ignore[attr-defined]
    assert result.status == 200  # type: ignore[attr-defined]
    assert "x-chalkops-tenant" not in echoed["headers"]
    assert echoed["headers"]["x-forwarded-for"] == "198.51.100.4"
    assert echoed["headers"]["authorization"] == "Bearer user-token", "end-to-end auth passes"


def test_an_unreachable_region_is_a_502_problem() -> None:
    with pytest.raises(RegionUnavailable) as failure:
        forward(f"http://127.0.0.1:{free_port_block(0)}", "GET", "x")
    assert failure.value.status == 502


def test_a_slow_region_is_a_504_problem(region_url: str) -> None:
    with pytest.raises(RegionTimeout) as failure:
        forward(region_url, "GET", "slow")
    assert failure.value.status == 504


@pytest.mark.parametrize(
    ("credential", "method", "path"),
    [
        (None, "GET", "/users"),
        ("not-a-jwt", "GET", "/users"),
        ("signed-for-other-path", "GET", "/users"),
        ("signed-for-other-method", "DELETE", "/users/1"),
        ("signed-for-other-region", "GET", "/users"),
        ("signed-by-another-key", "GET", "/users"),
    ],
)
def test_the_region_refuses_anything_the_central_api_did_not_sign_for_this_request(
    region_url: str, credential: str | None, method: str, path: str
) -> None:
    signer = ForwardingSigner(PRIVATE, "k1")
    tenant = {"tenant_id": str(TENANT.id), "tenant_name": "acme"}
    tokens = {
        "signed-for-other-path": signer.sign(
            **tenant, region="local-9", method="GET", path="/other"
        ),
        "signed-for-other-method": signer.sign(
            **tenant, region="local-9", method="GET", path="/users/1"
        ),
        "signed-for-other-region": signer.sign(
            **tenant, region="local-1", method="GET", path="/users"
        ),
        "signed-by-another-key": ForwardingSigner(key_pair()[0], "k1").sign(
            **tenant, region="local-9", method="GET", path="/users"
        ),
    }
    headers = {}
    if credential is not None:
        headers["x-chalkops-forwarded"] = tokens.get(credential, credential)
    response = httpx.request(method, region_url + path, headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "forwarding_required"


def test_a_path_no_url_can_carry_is_not_found_not_a_crash(region_url: str) -> None:
    with pytest.raises(NotFound):
        forward(region_url, "GET", "users/\x1f")
