"""Tenant isolation over every regional route (checklist item 19).

Tenant A (local-1) attacks tenant B in the other region (local-2) and tenant C in its own region
(local-1): with A's tokens at B's URLs, and with B's ids under A's own URLs. Every attempt must
get 401/403/404 (public routes aside), no response may carry the victim's data, and the victim's
users, passkeys and sessions must be exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from chalkops.config import RegionalSettings
from functions.regional_api.app import create_app
from tests.e2e.identity.support import (
    Session,
    Tenant,
    client,
    create_member,
    new_password,
    passkey_options,
    register_passkey,
    register_tenant,
    sign_in,
    sign_in_admin,
)
from tests.support.authenticator import SoftAuthenticator

pytestmark = pytest.mark.e2e


@dataclass
class World:
    """A tenant's admin and member, with a passkey each, and the tenant's private facts."""

    tenant: Tenant
    admin: Session
    member: Session
    admin_key: SoftAuthenticator
    passkey_id: str
    member_passkey_id: str

    @property
    def ids(self) -> dict[str, str]:
        return {
            "admin": self.admin.extra["id"],
            "member": self.member.extra["id"],
            "passkey": self.passkey_id,
            "member_passkey": self.member_passkey_id,
        }

    def secrets(self) -> list[str]:
        """Strings that must never appear in an answer to another tenant."""
        return [
            self.tenant.admin_email,
            self.member.extra["email"],
            self.admin.extra["id"],
            self.member.extra["id"],
            self.passkey_id,
            self.member_passkey_id,
        ]

    def snapshot(self) -> dict[str, Any]:
        users = self.admin.get("/users")
        assert users.status_code == 200, users.text
        return {
            "users": sorted(
                (u["id"], u["email"], u["display_name"], tuple(u["roles"])) for u in users.json()
            ),
            "admin_passkeys": sorted(p["id"] for p in self.admin.get("/auth/passkeys").json()),
            "member_passkeys": sorted(p["id"] for p in self.member.get("/auth/passkeys").json()),
        }


def build_world(central_url: str, region: str, origin: str) -> World:
    with client(central_url) as http:
        tenant = register_tenant(http, region, prefix="iso")
    admin = sign_in_admin(central_url, tenant)
    admin.extra["id"] = admin.me()["id"]
    body, password = create_member(admin)
    member = sign_in(central_url, tenant, body["email"], password)
    member.extra.update(id=body["id"], email=body["email"], password=password)
    admin_key = SoftAuthenticator(origin=origin)
    passkey = register_passkey(admin, admin_key)
    member_passkey = register_passkey(member, SoftAuthenticator(origin=origin))
    return World(tenant, admin, member, admin_key, passkey["id"], member_passkey["id"])


@pytest.fixture(scope="module")
def worlds(central_url: str, origin: str) -> Iterator[dict[str, World]]:
    built = {
        "A": build_world(central_url, "local-1", origin),
        "B": build_world(central_url, "local-2", origin),  # another region
        "C": build_world(central_url, "local-1", origin),  # A's own region
    }
    yield built
    for world in built.values():
        world.admin.client.close()
        world.member.client.close()


Attack = Callable[[World, World], httpx.Response]


def _with(attacker: Session, method: str, url: str, **kwargs: Any) -> httpx.Response:
    return attacker.client.request(method, url, headers=attacker.auth, **kwargs)


def _at(victim: World, path: str) -> str:
    return victim.tenant.prefix + path.format(**victim.ids)


def _token_at(method: str, path: str, body: dict[str, Any] | None = None) -> Attack:
    """The attacker's admin token, at the victim's URL (with the victim's ids in it)."""
    return lambda attacker, victim: _with(attacker.admin, method, _at(victim, path), json=body)


def _register_verify(attacker: World, victim: World) -> httpx.Response:
    # A registration response for the attacker's own ceremony, sent to the victim's tenant.
    options = attacker.admin.post("/auth/passkeys/register/options", json={}).json()
    credential = SoftAuthenticator(origin=attacker.admin_key.origin).create(options)
    return _with(
        attacker.admin,
        "POST",
        _at(victim, "/auth/passkeys/register/verify"),
        json={"credential": credential},
    )


def _login_with_own_password(attacker: World, victim: World) -> httpx.Response:
    return attacker.admin.client.post(
        _at(victim, "/auth/login"),
        json={"email": attacker.tenant.admin_email, "password": attacker.tenant.admin_password},
    )


def _refresh_with_own_token(attacker: World, victim: World) -> httpx.Response:
    return attacker.admin.client.post(
        _at(victim, "/auth/refresh"), json={"refresh_token": attacker.admin.refresh_token}
    )


def _passkey_login_with_own_key(attacker: World, victim: World) -> httpx.Response:
    options = passkey_options(attacker.admin.client, victim.tenant)
    assertion = attacker.admin_key.get(options, credential=attacker.admin_key.credentials[0])
    return attacker.admin.client.post(
        _at(victim, "/auth/passkeys/login/verify"), json={"credential": assertion}
    )


def _passkey_options_for_victim(attacker: World, victim: World) -> httpx.Response:
    # Public by design; the answer for the victim's email must not be the victim's credentials
    # when asked under the attacker's tenant.
    return attacker.admin.client.post(
        _at(attacker, "/auth/passkeys/login/options"), json={"email": victim.tenant.admin_email}
    )


# Every route of the regional API, and how an attacker would try it against the victim.
ATTACKS: dict[tuple[str, str], list[Attack]] = {
    ("GET", "/health"): [_token_at("GET", "/health")],
    ("GET", "/tenant"): [_token_at("GET", "/tenant")],
    ("GET", "/.well-known/jwks.json"): [_token_at("GET", "/.well-known/jwks.json")],
    ("POST", "/auth/login"): [_login_with_own_password],
    ("POST", "/auth/refresh"): [_refresh_with_own_token],
    ("POST", "/auth/logout"): [_token_at("POST", "/auth/logout")],
    ("POST", "/auth/passkeys/register/options"): [
        _token_at("POST", "/auth/passkeys/register/options", {})
    ],
    ("POST", "/auth/passkeys/register/verify"): [_register_verify],
    ("POST", "/auth/passkeys/login/options"): [_passkey_options_for_victim],
    ("POST", "/auth/passkeys/login/verify"): [_passkey_login_with_own_key],
    ("GET", "/auth/passkeys"): [_token_at("GET", "/auth/passkeys")],
    ("DELETE", "/auth/passkeys/{passkey_id}"): [
        _token_at("DELETE", "/auth/passkeys/{passkey}"),
        _token_at("DELETE", "/auth/passkeys/{member_passkey}"),
    ],
    ("GET", "/users/me"): [_token_at("GET", "/users/me")],
    ("GET", "/users"): [_token_at("GET", "/users")],
    ("POST", "/users"): [
        _token_at("POST", "/users", {"email": "planted@evil.test", "password": "planted pass 1"})
    ],
    ("GET", "/users/{user_id}"): [
        _token_at("GET", "/users/{admin}"),
        _token_at("GET", "/users/{member}"),
    ],
    ("PATCH", "/users/{user_id}"): [
        _token_at("PATCH", "/users/{member}", {"roles": ["admin"]}),
        _token_at("PATCH", "/users/{admin}", {"display_name": "pwned"}),
    ],
    ("DELETE", "/users/{user_id}"): [
        _token_at("DELETE", "/users/{member}"),
        _token_at("DELETE", "/users/{admin}"),
    ],
}
# Public by design: they answer anyone, and answer only what is public.
PUBLIC = {
    ("GET", "/health"),
    ("GET", "/tenant"),
    ("GET", "/.well-known/jwks.json"),
    ("POST", "/auth/passkeys/login/options"),
}


def test_the_attacks_cover_every_route_of_the_regional_api() -> None:
    schema = create_app(RegionalSettings()).openapi()
    routes = {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
    }
    assert routes == set(ATTACKS)


@pytest.mark.parametrize("victim", ["B", "C"], ids=["other-region", "same-region"])
def test_a_tenant_a_token_never_reaches_tenant_b_on_any_route_19(
    worlds: dict[str, World], victim: str
) -> None:
    attacker, target = worlds["A"], worlds[victim]
    before = target.snapshot()
    for (method, path), attacks in ATTACKS.items():
        for attack in attacks:
            response = attack(attacker, target)
            if (method, path) not in PUBLIC:
                assert response.status_code in (401, 403, 404), (method, path, response.text)
            # What the attacker sent (ids in the URL, echoed as `instance`) is no leak.
            sent = str(response.request.url) + response.request.content.decode()
            for secret in target.secrets():
                if secret not in sent:
                    assert secret not in response.text, (method, path, secret)
    assert target.snapshot() == before
    # The victim's sessions were not ended by the attacker's logout / refresh attempts.
    assert target.admin.get("/users/me").status_code == 200
    assert target.member.get("/users/me").status_code == 200


@pytest.mark.parametrize("victim", ["B", "C"], ids=["other-region", "same-region"])
def test_tenant_b_ids_under_tenant_a_paths_are_not_found_19(
    worlds: dict[str, World], victim: str
) -> None:
    attacker, target = worlds["A"], worlds[victim]
    before = target.snapshot()
    for method, path, body in [
        ("GET", "/users/{admin}", None),
        ("GET", "/users/{member}", None),
        ("PATCH", "/users/{member}", {"roles": ["admin"]}),
        ("PATCH", "/users/{member}", {"display_name": "pwned"}),
        ("DELETE", "/users/{member}", None),
        ("DELETE", "/auth/passkeys/{passkey}", None),
        ("DELETE", "/auth/passkeys/{member_passkey}", None),
    ]:
        url = attacker.tenant.prefix + path.format(**target.ids)
        response = _with(attacker.admin, method, url, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert target.tenant.admin_email not in response.text
        assert target.member.extra["email"] not in response.text
    assert target.snapshot() == before


def test_a_victims_tokens_work_only_at_their_own_tenant_19(worlds: dict[str, World]) -> None:
    # Tokens of B and C presented at A's URLs by someone holding them: still refused, so a
    # token can never be "moved" to another tenant's path.
    a = worlds["A"]
    for other in ("B", "C"):
        stolen = worlds[other].admin
        for path in ("/users/me", "/users", "/auth/passkeys"):
            response = a.admin.client.get(a.tenant.prefix + path, headers=stolen.auth)
            assert response.status_code == 401, (other, path, response.text)


def test_a_passkey_of_one_tenant_signs_in_nowhere_else_19(worlds: dict[str, World]) -> None:
    a, c = worlds["A"], worlds["C"]
    for ceremony in (None, c.tenant.admin_email):
        options = passkey_options(a.admin.client, c.tenant, ceremony)
        assertion = a.admin_key.get(options, credential=a.admin_key.credentials[0])
        response = a.admin.client.post(
            f"{c.tenant.prefix}/auth/passkeys/login/verify", json={"credential": assertion}
        )
        assert response.status_code in (400, 401), response.text


def test_the_same_email_in_two_tenants_is_two_unrelated_users_19(
    worlds: dict[str, World], central_url: str
) -> None:
    a, c = worlds["A"], worlds["C"]
    email, password = a.member.extra["email"], new_password()
    created = c.admin.post("/users", json={"email": email, "password": password})
    assert created.status_code == 201, created.text
    assert created.json()["id"] != a.member.extra["id"]
    with client(central_url) as http:
        credentials = {"email": email, "password": password}
        own = http.post(f"{c.tenant.prefix}/auth/login", json=credentials)
        crossed = http.post(f"{a.tenant.prefix}/auth/login", json=credentials)
    assert own.status_code == 200
    assert crossed.status_code == 401
