"""Tenant users through the central API: admins manage, members see themselves."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.identity.support import (
    Session,
    create_member,
    new_password,
    sign_in,
    unique_name,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def member(central_url: str, admin: Session) -> Iterator[Session]:
    body, password = create_member(admin)
    session = sign_in(central_url, admin.tenant, body["email"], password)
    session.extra["user"] = body
    yield session
    session.client.close()


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status


def test_an_admin_creates_a_member_who_can_sign_in(admin: Session, central_url: str) -> None:
    email = f"{unique_name('Ada')}@{admin.tenant.name}.test"
    password = new_password()
    created = admin.post(
        "/users", json={"email": email, "password": password, "display_name": "Ada L."}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == email
    assert user["display_name"] == "Ada L."
    assert user["roles"] == ["member"]
    assert user["tenant_id"] == admin.tenant.tenant_id
    assert uuid.UUID(user["id"]).version == 7
    assert "password" not in created.text and password not in created.text
    # Emails sign in case-insensitively.
    session = sign_in(central_url, admin.tenant, email.upper(), password)
    assert session.me()["id"] == user["id"]
    session.client.close()


def test_an_admin_lists_gets_and_renames_users(admin: Session, member: Session) -> None:
    target = member.extra["user"]
    listed = admin.get("/users")
    assert listed.status_code == 200
    ids = [user["id"] for user in listed.json()]
    assert target["id"] in ids and admin.me()["id"] in ids
    fetched = admin.get(f"/users/{target['id']}")
    assert fetched.status_code == 200 and fetched.json()["email"] == target["email"]
    renamed = admin.patch(f"/users/{target['id']}", json={"display_name": "Renamed"})
    assert renamed.status_code == 200 and renamed.json()["display_name"] == "Renamed"
    assert member.me()["display_name"] == "Renamed"


def test_a_member_sees_only_themselves(admin: Session, member: Session) -> None:
    me = member.me()
    assert me["id"] == member.extra["user"]["id"]
    assert me["roles"] == ["member"]
    assert member.get(f"/users/{me['id']}").status_code == 200
    assert_problem(member.get("/users"), 403, "forbidden")
    assert_problem(member.get(f"/users/{admin.me()['id']}"), 403, "forbidden")


def test_a_member_may_rename_themselves_but_not_change_roles(
    admin: Session, member: Session
) -> None:
    me = member.extra["user"]["id"]
    renamed = member.patch(f"/users/{me}", json={"display_name": "Me, renamed"})
    assert renamed.status_code == 200
    assert_problem(member.patch(f"/users/{me}", json={"roles": ["admin"]}), 403, "forbidden")
    assert member.me()["roles"] == ["member"]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/users", None),
        ("POST", "/users", {"email": "x@y.test", "password": "a fine passphrase"}),
        ("GET", "/users/{admin}", None),
        ("PATCH", "/users/{admin}", {"display_name": "pwned"}),
        ("PATCH", "/users/{admin}", {"roles": ["member"]}),
        ("DELETE", "/users/{admin}", None),
    ],
)
def test_a_member_cannot_use_admin_routes(
    admin: Session, member: Session, method: str, path: str, body: dict[str, object] | None
) -> None:
    admin_id = admin.me()["id"]
    response = member.client.request(
        method,
        member.tenant.prefix + path.format(admin=admin_id),
        json=body,
        headers=member.auth,
    )
    assert_problem(response, 403, "forbidden")
    assert admin.me()["roles"] == ["admin"]
    assert admin.me()["display_name"] != "pwned"


def test_a_role_change_takes_effect_at_once_even_on_existing_tokens(
    admin: Session, central_url: str
) -> None:
    body, password = create_member(admin)
    promoted = admin.patch(f"/users/{body['id']}", json={"roles": ["admin", "member"]})
    assert promoted.status_code == 200
    assert promoted.json()["roles"] == ["admin", "member"]
    session = sign_in(central_url, admin.tenant, body["email"], password)
    assert session.get("/users").status_code == 200
    demoted = admin.patch(f"/users/{body['id']}", json={"roles": ["member"]})
    assert demoted.status_code == 200
    # Roles are read from the database on every request, not trusted from the token.
    assert_problem(session.get("/users"), 403, "forbidden")
    session.client.close()


def test_deleting_a_user_ends_their_access(admin: Session, member: Session) -> None:
    target = member.extra["user"]["id"]
    assert admin.delete(f"/users/{target}").status_code == 204
    assert_problem(admin.get(f"/users/{target}"), 404, "user_not_found")
    assert_problem(admin.delete(f"/users/{target}"), 404, "user_not_found")
    assert member.get("/users/me").status_code == 401


def test_the_last_admin_cannot_be_removed_or_demoted(admin: Session) -> None:
    me = admin.me()["id"]
    admins = [u for u in admin.get("/users").json() if "admin" in u["roles"]]
    for other in admins:
        if other["id"] != me:
            admin.patch(f"/users/{other['id']}", json={"roles": ["member"]})
    assert_problem(admin.patch(f"/users/{me}", json={"roles": ["member"]}), 409, "last_admin")
    assert_problem(admin.delete(f"/users/{me}"), 409, "last_admin")
    assert admin.me()["roles"] == ["admin"]


def test_a_duplicate_email_is_409_in_any_case(admin: Session, member: Session) -> None:
    email = member.extra["user"]["email"]
    for candidate in (email, email.upper()):
        response = admin.post("/users", json={"email": candidate, "password": new_password()})
        assert_problem(response, 409, "email_taken")


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        pytest.param({"password": "a fine passphrase"}, ["email"], id="missing-email"),
        pytest.param({"email": "not-an-email", "password": "a fine pass"}, ["email"], id="email"),
        pytest.param({"email": "a@b.test"}, ["password"], id="missing-password"),
        pytest.param(
            {"email": "a@b.test", "password": "a fine pass", "roles": ["root"]},
            ["roles.0"],
            id="unknown-role",
        ),
        pytest.param(
            {"email": "a@b.test", "password": "a fine pass", "roles": []}, ["roles"], id="no-roles"
        ),
        pytest.param(
            {"email": "a@b.test", "password": "a fine pass", "is_admin": True},
            ["is_admin"],
            id="extra-field",
        ),
    ],
)
def test_invalid_bodies_are_422_naming_the_fields(
    admin: Session, body: dict[str, object], fields: list[str]
) -> None:
    response = admin.post("/users", json=body)
    assert_problem(response, 422, "validation_error")
    assert [error["field"] for error in response.json()["errors"]] == fields


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PATCH", "/users/{me}", {"roles": ["superuser"]}),
        ("PATCH", "/users/{me}", {"display_name": ""}),
        ("GET", "/users/not-a-uuid", None),
        ("DELETE", "/auth/passkeys/not-a-uuid", None),
    ],
)
def test_invalid_paths_and_patches_are_422(
    admin: Session, method: str, path: str, body: dict[str, object] | None
) -> None:
    response = admin.client.request(
        method,
        admin.tenant.prefix + path.format(me=admin.me()["id"]),
        json=body,
        headers=admin.auth,
    )
    assert_problem(response, 422, "validation_error")


def test_malformed_json_is_a_400_problem_not_a_500(admin: Session) -> None:
    response = admin.client.post(
        f"{admin.tenant.prefix}/users",
        content=b'{"email": ',
        headers={**admin.auth, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_every_users_route_needs_a_token(admin: Session) -> None:
    me = admin.me()["id"]
    for method, path in [
        ("GET", "/users/me"),
        ("GET", "/users"),
        ("POST", "/users"),
        ("GET", f"/users/{me}"),
        ("PATCH", f"/users/{me}"),
        ("DELETE", f"/users/{me}"),
    ]:
        response = admin.client.request(method, admin.tenant.prefix + path, json={})
        assert response.status_code == 401, (method, path, response.text)
