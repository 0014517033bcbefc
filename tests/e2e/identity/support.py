"""Helpers for the identity end-to-end tests: tenants, sign-in, passkeys, forged tokens.

Every secret a test creates (passwords, access and refresh tokens, forged tokens) goes through
:data:`LEDGER`, which the secret scan (``test_zz_secret_scan.py``) looks for in every log file of
the platform once the other tests have run.
"""

from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from chalkops.config import VaultSettings
from chalkops.local.platform import Infrastructure
from chalkops.secrets.vault import VaultKeyValue, VaultSession, VaultTransit
from tests.support.authenticator import SoftAuthenticator
from tests.support.platform import client_from

WEBAUTHN_RP_ID = "localhost"


class SecretLedger:
    """Every secret value the identity tests created, for the log scan."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, str] = {}

    def record(self, kind: str, *values: str) -> None:
        with self._lock:
            for value in values:
                if value:
                    self._values[value] = kind

    def items(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._values.items())


LEDGER = SecretLedger()
_addresses = itertools.count(1)


def next_address() -> str:
    """A fresh loopback source address (127.10.x.y) so per-source throttles never interfere."""
    n = next(_addresses)
    return f"127.10.{n // 250}.{n % 250 + 1}"


def new_password(label: str = "pw") -> str:
    password = f"{label} {secrets.token_urlsafe(12)} passphrase"
    LEDGER.record("password", password)
    return password


def unique_name(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Tenant:
    name: str
    tenant_id: str
    region: str
    admin_email: str
    admin_password: str

    @property
    def prefix(self) -> str:
        return f"/tenants/{self.name}"


@dataclass
class Session:
    """A signed-in tenant user: a client on its own source address plus its tokens."""

    client: httpx.Client
    tenant: Tenant
    access_token: str
    refresh_token: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.client.get(self.tenant.prefix + path, headers=headers, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.client.post(self.tenant.prefix + path, headers=headers, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.client.patch(self.tenant.prefix + path, headers=headers, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.auth, **kwargs.pop("headers", {})}
        return self.client.delete(self.tenant.prefix + path, headers=headers, **kwargs)

    def me(self) -> dict[str, Any]:
        response = self.get("/users/me")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def client(central_url: str, address: str | None = None) -> Iterator[httpx.Client]:
    with client_from(address or next_address(), central_url) as http:
        yield http


def register_tenant(http: httpx.Client, region: str = "local-1", prefix: str = "idt") -> Tenant:
    name = unique_name(prefix)
    email = f"admin@{name}.test"
    password = new_password("admin")
    response = http.post(
        "/auth/register",
        json={
            "tenant_name": name,
            "region": region,
            "admin_email": email,
            "admin_password": password,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "active", body
    return Tenant(name, body["tenant_id"], region, email, password)


def record_pair(body: Mapping[str, Any]) -> None:
    LEDGER.record("access_token", str(body.get("access_token", "")))
    LEDGER.record("refresh_token", str(body.get("refresh_token", "")))


def login(http: httpx.Client, tenant: Tenant, email: str, password: str) -> httpx.Response:
    if len(password) >= 8:  # wrong guesses too: no submitted password may reach a log
        LEDGER.record("password", password)
    response = http.post(f"{tenant.prefix}/auth/login", json={"email": email, "password": password})
    if response.status_code == 200:
        record_pair(response.json())
    return response


def sign_in(central_url: str, tenant: Tenant, email: str, password: str) -> Session:
    http = client_from(next_address(), central_url)
    response = login(http, tenant, email, password)
    assert response.status_code == 200, response.text
    body = response.json()
    return Session(http, tenant, body["access_token"], body["refresh_token"])


def sign_in_admin(central_url: str, tenant: Tenant) -> Session:
    return sign_in(central_url, tenant, tenant.admin_email, tenant.admin_password)


def create_member(admin: Session, role: str = "member") -> tuple[dict[str, Any], str]:
    email = f"{unique_name(role)}@{admin.tenant.name}.test"
    password = new_password(role)
    response = admin.post("/users", json={"email": email, "password": password, "roles": [role]})
    assert response.status_code == 201, response.text
    return response.json(), password


# Passkeys ----------------------------------------------------------------------------------


def webauthn_origin(central_port: int) -> str:
    """The allowed WebAuthn origin of the running platform (the central API serves the UI)."""
    return f"http://localhost:{central_port}"


def register_passkey(
    session: Session, authenticator: SoftAuthenticator, nickname: str | None = None
) -> dict[str, Any]:
    options = session.post("/auth/passkeys/register/options", json={})
    assert options.status_code == 200, options.text
    credential = authenticator.create(options.json())
    body: dict[str, Any] = {"credential": credential}
    if nickname is not None:
        body["nickname"] = nickname
    response = session.post("/auth/passkeys/register/verify", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def passkey_options(http: httpx.Client, tenant: Tenant, email: str | None = None) -> dict[str, Any]:
    response = http.post(
        f"{tenant.prefix}/auth/passkeys/login/options", json={"email": email} if email else {}
    )
    assert response.status_code == 200, response.text
    options: dict[str, Any] = response.json()
    return options


def passkey_verify(
    http: httpx.Client, tenant: Tenant, assertion: dict[str, Any], ceremony_id: str | None
) -> httpx.Response:
    body: dict[str, Any] = {"credential": assertion}
    if ceremony_id is not None:
        body["ceremony_id"] = ceremony_id
    response = http.post(f"{tenant.prefix}/auth/passkeys/login/verify", json=body)
    if response.status_code == 200:
        record_pair(response.json())
    return response


# Forged tokens -----------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(part: Mapping[str, object]) -> str:
    return b64url(json.dumps(part, separators=(",", ":")).encode())


def root_session(infra: Infrastructure) -> VaultSession:
    settings = VaultSettings(
        addr=infra.openbao.addr,
        auth_method="token",
        token=SecretStr(infra.openbao.root_token),
    )
    return VaultSession(settings)


def root_transit(infra: Infrastructure) -> VaultTransit:
    """Transit with the root token: signs with the region's real key, as an insider could."""
    return VaultTransit(root_session(infra))


def root_kv(infra: Infrastructure) -> VaultKeyValue:
    return VaultKeyValue(root_session(infra))


def forge(
    transit: VaultTransit, key: str, header: Mapping[str, object], claims: Mapping[str, object]
) -> str:
    """A JWS signed by the real transit key with any header and claims we like."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    _kid, signature = transit.sign(key, signing_input.encode())
    token = f"{signing_input}.{b64url(signature)}"
    LEDGER.record("forged_token", token)
    return token


def unverified_claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def unverified_header(token: str) -> dict[str, Any]:
    head = token.split(".", maxsplit=1)[0]
    header: dict[str, Any] = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    return header
