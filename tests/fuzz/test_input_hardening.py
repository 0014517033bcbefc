"""Checklist 27: hostile request bodies get a 4xx problem, never a 5xx, on both APIs.

Oversized bodies (declared and chunked), deeply nested JSON, invalid UTF-8, malformed JSON, NUL
characters and wrong content types, each sent to a JSON route of the central API, of the
regional API through the central forwarding, and of the regional API directly (with a valid
forwarding credential, so its own request guard and parser are the ones answering).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from chalkops.local.platform import Infrastructure, LocalPlatform
from chalkops.secrets.vault import VaultKeyValue, VaultSession
from chalkops.tokens.forwarding import ForwardingSigner
from chalkops.vault_config.plan import FORWARDING_SIGNING_PATH
from tests.conftest import vault_settings_for
from tests.fuzz.conftest import FuzzTenant
from tests.support.platform import client_from

pytestmark = pytest.mark.e2e
HARDENING_SOURCE = "127.0.9.12"
MAX_BODY = 1024 * 1024  # the platform's default max_body_bytes
JSON = "application/json"


@dataclass(frozen=True)
class Hostile:
    body: bytes
    content_type: str | None = JSON
    chunked: bool = False


def _nested(depth: int) -> bytes:
    return b'{"email": ' + b"[" * depth + b"]" * depth + b', "password": "x"}'


HOSTILE = {
    "oversized": Hostile(b'{"email": "' + b"a" * (MAX_BODY + 10) + b'", "password": "x"}'),
    "oversized_chunked": Hostile(b"[" + b"0," * (MAX_BODY // 2) + b"0]", chunked=True),
    "deeply_nested": Hostile(_nested(100_000)),
    "nested_just_too_deep": Hostile(_nested(40)),
    "invalid_utf8": Hostile(b'{"email": "\xff\xfe\xfd@x.test", "password": "\xc3\x28"}'),
    "lone_surrogate_escape": Hostile(b'{"email": "\\ud800@x.test", "password": "x"}'),
    "nul_characters": Hostile(b'{"email": "a\\u0000@x.test", "password": "p\\u0000"}'),
    "malformed_json": Hostile(b'{"email": "a@x.test", "password": '),
    "json_not_an_object": Hostile(b'"just a string"'),
    "text_plain": Hostile(b'{"email": "a@x.test", "password": "x"}', "text/plain"),
    "form_urlencoded": Hostile(b"email=a%40x.test&password=x", "application/x-www-form-urlencoded"),
    "multipart": Hostile(
        b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\na@x.test\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "xml": Hostile(b"<login><email>a@x.test</email></login>", "application/xml"),
    "no_content_type": Hostile(b'{"email": "a@x.test", "password": "x"}', None),
    "json_with_bad_charset": Hostile(b'{"email": "a@x.test"}', "application/json; charset=ebcdic"),
}


@dataclass(frozen=True)
class Target:
    client: httpx.Client
    path: str
    headers: dict[str, str]
    signer: ForwardingSigner | None = None
    tenant: dict[str, str] | None = None

    def send(self, hostile: Hostile) -> httpx.Response:
        headers = dict(self.headers)
        if hostile.content_type is not None:
            headers["content-type"] = hostile.content_type
        if self.signer is not None and self.tenant is not None:
            headers["x-chalkops-forwarded"] = self.signer.sign(
                tenant_id=self.tenant["tenant_id"],
                tenant_name=self.tenant["tenant_name"],
                region=self.tenant["region"],
                method="POST",
                path=self.path,
            )
        body = hostile.body
        content: bytes | Iterator[bytes] = (
            iter([body[i : i + 65536] for i in range(0, len(body), 65536)])
            if hostile.chunked
            else body
        )
        return self.client.post(self.path, content=content, headers=headers)


@pytest.fixture(scope="module")
def hardening_client(central_url: str) -> Iterator[httpx.Client]:
    with client_from(HARDENING_SOURCE, central_url) as client:
        yield client


@pytest.fixture(scope="module")
def regional_direct(local_platform: LocalPlatform) -> Iterator[httpx.Client]:
    url = f"http://127.0.0.1:{local_platform.ports.regional(0)}"
    with client_from(HARDENING_SOURCE, url) as client:
        yield client


@pytest.fixture(scope="module")
def forwarding_signer(platform_infra: Infrastructure) -> ForwardingSigner:
    signing = VaultKeyValue(VaultSession(vault_settings_for(platform_infra, "central-api"))).read(
        FORWARDING_SIGNING_PATH
    )
    return ForwardingSigner(signing["private_pem"], signing["kid"])


@pytest.fixture(scope="module")
def targets(
    hardening_client: httpx.Client,
    regional_direct: httpx.Client,
    forwarding_signer: ForwardingSigner,
    fuzz_tenant: FuzzTenant,
) -> dict[str, Target]:
    tenant = hardening_client.get(f"/tenants/{fuzz_tenant.name}").json()
    bearer = {"Authorization": f"Bearer {fuzz_tenant.sign_in()}"}
    return {
        "central_login": Target(hardening_client, "/auth/login", {}),
        "central_register": Target(hardening_client, "/auth/register", {}),
        "regional_login_forwarded": Target(
            hardening_client, f"/tenants/{fuzz_tenant.name}/auth/login", {}
        ),
        "regional_users_forwarded": Target(
            hardening_client, f"/tenants/{fuzz_tenant.name}/users", bearer
        ),
        "regional_login_direct": Target(
            regional_direct, "/auth/login", {}, forwarding_signer, tenant
        ),
        "regional_users_direct": Target(
            regional_direct, "/users", bearer, forwarding_signer, tenant
        ),
    }


@pytest.mark.parametrize(
    "target_name",
    [
        "central_login",
        "central_register",
        "regional_login_forwarded",
        "regional_users_forwarded",
        "regional_login_direct",
        "regional_users_direct",
    ],
)
@pytest.mark.parametrize("hostile_name", sorted(HOSTILE))
def test_hostile_body_gets_a_4xx_problem_never_a_5xx(
    targets: dict[str, Target], target_name: str, hostile_name: str
) -> None:
    # Given a JSON route, when a hostile body arrives
    response = targets[target_name].send(HOSTILE[hostile_name])
    # Then the answer is a client error, as a problem document with a stable code
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"]


def test_oversized_body_is_refused_before_it_is_read_whole(targets: dict[str, Target]) -> None:
    response = targets["regional_login_forwarded"].send(HOSTILE["oversized"])
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


def test_nesting_beyond_the_limit_is_refused_as_json_too_deep(targets: dict[str, Target]) -> None:
    for name in ("regional_login_direct", "central_login"):
        response = targets[name].send(HOSTILE["deeply_nested"])
        assert response.status_code == 400
        assert response.json()["code"] == "json_too_deep"


@pytest.mark.parametrize("path", ["/tenants/%00", "/tenants/{tenant}/users/%1F", "/auth/log%7Fin"])
def test_a_path_with_control_characters_is_not_found_never_a_5xx(
    hardening_client: httpx.Client, fuzz_tenant: FuzzTenant, path: str
) -> None:
    # Such a path names no resource; forwarding it would make the HTTP client refuse the URL.
    response = hardening_client.get(path.replace("{tenant}", fuzz_tenant.name))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_405_lists_every_method_the_path_serves(hardening_client: httpx.Client) -> None:
    # GET and POST /admin/blacklist are two routes; the answer names both.
    response = hardening_client.request("PUT", "/admin/blacklist")
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == {"GET", "POST"}


def test_the_schemas_document_the_problems_any_route_can_answer(
    hardening_client: httpx.Client, fuzz_tenant: FuzzTenant
) -> None:
    central = hardening_client.get("/openapi.json").json()
    regional = hardening_client.get(f"/tenants/{fuzz_tenant.name}/openapi.json").json()
    login = central["paths"]["/auth/login"]["post"]["responses"]
    users = regional["paths"]["/users/{user_id}"]["patch"]["responses"]
    for responses in (login, users):
        for status in ("400", "413", "422"):
            assert "application/problem+json" in responses[status]["content"], status
    assert "application/problem+json" in users["404"]["content"]
