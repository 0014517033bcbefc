"""Passkey ceremonies over HTTP: every rule the relying party must enforce (checklist 6 to 12).

Each negative case bends exactly one thing with the software authenticator and expects the
regional API (reached through the central API) to refuse it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from chalkops.db.tenancy import tenant_schema
from chalkops.local.platform import Infrastructure
from chalkops.vault_config.plan import region_database_name
from tests.e2e.identity.support import (
    Session,
    Tenant,
    b64url,
    create_member,
    next_address,
    passkey_options,
    passkey_verify,
    register_passkey,
    sign_in,
)
from tests.support.authenticator import Counter, SoftAuthenticator, from_b64url
from tests.support.platform import client_from, superuser

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def member(central_url: str, admin: Session) -> Iterator[Session]:
    body, password = create_member(admin)
    session = sign_in(central_url, admin.tenant, body["email"], password)
    session.extra["email"] = body["email"]
    yield session
    session.client.close()


@pytest.fixture(scope="module")
def admin_key(admin: Session, origin: str) -> SoftAuthenticator:
    authenticator = SoftAuthenticator(origin=origin)
    admin.extra["passkey"] = register_passkey(admin, authenticator, nickname="admin key")
    return authenticator


@pytest.fixture(scope="module")
def member_key(member: Session, origin: str) -> SoftAuthenticator:
    authenticator = SoftAuthenticator(origin=origin)
    member.extra["passkey"] = register_passkey(member, authenticator)
    return authenticator


@pytest.fixture
def anon(central_url: str) -> Iterator[httpx.Client]:
    with client_from(next_address(), central_url) as http:
        yield http


def assert_refused(
    response: httpx.Response, status: int = 401, code: str = "passkey_invalid"
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert "access_token" not in response.text


def sign_in_with(
    anon: httpx.Client,
    tenant: Tenant,
    key: SoftAuthenticator,
    email: str | None = None,
    **knobs: Any,
) -> httpx.Response:
    options = passkey_options(anon, tenant, email)
    return passkey_verify(anon, tenant, key.get(options, **knobs), options["ceremony_id"])


# Sign-in that works ------------------------------------------------------------------------


def test_discoverable_sign_in_needs_no_email(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    assert sign_in_with(anon, tenant, admin_key).status_code == 200


def test_email_first_sign_in_offers_only_that_users_passkeys(
    anon: httpx.Client, tenant: Tenant, admin: Session, admin_key: SoftAuthenticator
) -> None:
    options = passkey_options(anon, tenant, tenant.admin_email)
    allowed = [from_b64url(item["id"]) for item in options["allowCredentials"]]
    assert allowed == [admin_key.credentials[0].credential_id]
    response = passkey_verify(anon, tenant, admin_key.get(options), options["ceremony_id"])
    assert response.status_code == 200, response.text


def test_the_ceremony_id_is_optional(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    options = passkey_options(anon, tenant)
    assert passkey_verify(anon, tenant, admin_key.get(options), None).status_code == 200


def test_an_unknown_email_gets_options_of_the_same_shape(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    known = passkey_options(anon, tenant, tenant.admin_email)
    unknown = passkey_options(anon, tenant, f"nobody@{tenant.name}.test")
    assert known.keys() == unknown.keys()
    assert len(unknown["allowCredentials"]) == 1
    # ... and no passkey at all answers a ceremony started for an unknown email
    response = passkey_verify(
        anon,
        tenant,
        admin_key.get(unknown, credential=admin_key.credentials[0]),
        unknown["ceremony_id"],
    )
    assert_refused(response)


# Item 6: single-use, expiring challenges --------------------------------------------------


def test_a_replayed_sign_in_response_is_refused_6(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    options = passkey_options(anon, tenant)
    assertion = admin_key.get(options)
    assert passkey_verify(anon, tenant, assertion, options["ceremony_id"]).status_code == 200
    assert_refused(
        passkey_verify(anon, tenant, assertion, options["ceremony_id"]), 400, "challenge_expired"
    )


def test_a_refused_response_uses_up_its_challenge_6(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    options = passkey_options(anon, tenant)
    assert_refused(passkey_verify(anon, tenant, admin_key.get(options, user_verified=False), None))
    honest = admin_key.get(options)
    assert_refused(passkey_verify(anon, tenant, honest, None), 400, "challenge_expired")


def test_a_replayed_registration_is_refused_6(admin: Session, origin: str) -> None:
    options = admin.post("/auth/passkeys/register/options", json={}).json()
    key = SoftAuthenticator(origin=origin)
    credential = key.create(options)
    first = admin.post("/auth/passkeys/register/verify", json={"credential": credential})
    assert first.status_code == 201, first.text
    again = admin.post("/auth/passkeys/register/verify", json={"credential": credential})
    assert_refused(again, 400, "challenge_expired")
    assert admin.delete(f"/auth/passkeys/{first.json()['id']}").status_code == 204


def expire_challenges(infra: Infrastructure, tenant: Tenant) -> None:
    """Move every open challenge of the tenant into the past (instead of waiting 5 minutes)."""
    with superuser(infra, region_database_name(tenant.region)) as conn:
        conn.execute(
            psycopg.sql.SQL(
                "UPDATE {}.webauthn_challenges SET expires_at = now() - interval '1 s'"
            ).format(psycopg.sql.Identifier(tenant_schema(tenant.tenant_id)))
        )


def test_an_expired_sign_in_challenge_is_refused_6(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator, platform_infra: Infrastructure
) -> None:
    options = passkey_options(anon, tenant)
    expire_challenges(platform_infra, tenant)
    response = passkey_verify(anon, tenant, admin_key.get(options), options["ceremony_id"])
    assert_refused(response, 400, "challenge_expired")


def test_an_expired_registration_challenge_is_refused_6(
    admin: Session, origin: str, platform_infra: Infrastructure
) -> None:
    options = admin.post("/auth/passkeys/register/options", json={}).json()
    expire_challenges(platform_infra, admin.tenant)
    credential = SoftAuthenticator(origin=origin).create(options)
    response = admin.post("/auth/passkeys/register/verify", json={"credential": credential})
    assert_refused(response, 400, "challenge_expired")


def test_challenges_expire_within_minutes_6(
    anon: httpx.Client, tenant: Tenant, platform_infra: Infrastructure
) -> None:
    passkey_options(anon, tenant)
    with superuser(platform_infra, region_database_name(tenant.region)) as conn:
        row = conn.execute(
            psycopg.sql.SQL(
                "SELECT max(expires_at - created_at) FROM {}.webauthn_challenges"
            ).format(psycopg.sql.Identifier(tenant_schema(tenant.tenant_id)))
        ).fetchone()
    assert row is not None and row[0] is not None
    assert row[0].total_seconds() <= 600


# Items 7 and 8: origin, RP id, crossOrigin, user verification ------------------------------


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({"origin": "https://evil.example"}, id="wrong-origin-7"),
        pytest.param({"origin": "http://localhost:1"}, id="other-port-origin-7"),
        pytest.param({"rp_id": "evil.example"}, id="wrong-rp-id-7"),
        pytest.param({"cross_origin": True}, id="cross-origin-7"),
        pytest.param({"user_verified": False}, id="missing-uv-8"),
        pytest.param({"tamper_signature": True}, id="tampered-signature"),
    ],
)
def test_a_bent_sign_in_is_refused(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator, knobs: dict[str, Any]
) -> None:
    assert_refused(sign_in_with(anon, tenant, admin_key, **knobs))


@pytest.mark.parametrize(
    "knobs",
    [
        pytest.param({"origin": "https://evil.example"}, id="wrong-origin-7"),
        pytest.param({"rp_id": "evil.example"}, id="wrong-rp-id-7"),
        pytest.param({"cross_origin": True}, id="cross-origin-7"),
        pytest.param({"user_verified": False}, id="missing-uv-8"),
    ],
)
def test_a_bent_registration_is_refused(admin: Session, origin: str, knobs: dict[str, Any]) -> None:
    options = admin.post("/auth/passkeys/register/options", json={}).json()
    credential = SoftAuthenticator(origin=origin).create(options, **knobs)
    response = admin.post("/auth/passkeys/register/verify", json={"credential": credential})
    assert_refused(response, 400)


def test_registration_options_require_user_verification_and_a_resident_key_8(
    admin: Session,
) -> None:
    options = admin.post("/auth/passkeys/register/options", json={}).json()
    assert options["rp"]["id"] == "localhost"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["authenticatorSelection"]["residentKey"] == "required"


# Item 9: the credential must belong to the user ------------------------------------------


def test_another_users_passkey_cannot_answer_an_email_first_ceremony_9(
    anon: httpx.Client,
    tenant: Tenant,
    member: Session,
    admin_key: SoftAuthenticator,
    member_key: SoftAuthenticator,
) -> None:
    options = passkey_options(anon, tenant, member.extra["email"])
    hostile = admin_key.get(options, credential=admin_key.credentials[0])
    assert_refused(passkey_verify(anon, tenant, hostile, options["ceremony_id"]))


def test_a_user_handle_that_is_not_the_credentials_owner_is_refused_9(
    anon: httpx.Client,
    tenant: Tenant,
    admin_key: SoftAuthenticator,
    member_key: SoftAuthenticator,
) -> None:
    # The member's key, claiming to be the admin (the admin's user handle)
    admin_handle = admin_key.credentials[0].user_handle
    assert_refused(sign_in_with(anon, tenant, member_key, user_handle=admin_handle))


def test_a_discoverable_sign_in_without_a_user_handle_is_refused_9(
    anon: httpx.Client, tenant: Tenant, admin_key: SoftAuthenticator
) -> None:
    assert_refused(sign_in_with(anon, tenant, admin_key, omit_user_handle=True))


def test_an_unregistered_credential_is_refused(
    anon: httpx.Client, tenant: Tenant, origin: str, admin_key: SoftAuthenticator
) -> None:
    stranger = SoftAuthenticator(origin=origin)
    stranger.create(
        {
            "rp": {"id": "localhost"},
            "user": {"id": b64url(admin_key.credentials[0].user_handle)},
            "challenge": b64url(b"x" * 32),
            "pubKeyCredParams": [{"alg": -7, "type": "public-key"}],
        }
    )
    assert_refused(sign_in_with(anon, tenant, stranger))


# Item 10: credential ids are unique -------------------------------------------------------


def test_registering_an_existing_credential_id_is_refused_10(
    admin: Session, member: Session, origin: str, admin_key: SoftAuthenticator
) -> None:
    existing = admin_key.credentials[0].credential_id
    for who in (admin, member):
        options = who.post("/auth/passkeys/register/options", json={}).json()
        clone = SoftAuthenticator(origin=origin).create(options, credential_id=existing)
        response = who.post("/auth/passkeys/register/verify", json={"credential": clone})
        assert_refused(response, 409, "credential_exists")


def test_registration_options_exclude_the_users_existing_passkeys_10(
    admin: Session, admin_key: SoftAuthenticator
) -> None:
    options = admin.post("/auth/passkeys/register/options", json={}).json()
    excluded = [from_b64url(item["id"]) for item in options["excludeCredentials"]]
    assert admin_key.credentials[0].credential_id in excluded


# Item 11: sign counters ------------------------------------------------------------------


def test_a_sign_count_going_back_is_refused_11(
    anon: httpx.Client, tenant: Tenant, central_url: str, origin: str, admin: Session
) -> None:
    body, password = create_member(admin)
    owner = sign_in(central_url, tenant, body["email"], password)
    key = SoftAuthenticator(origin=origin)
    register_passkey(owner, key)
    for _ in range(3):
        assert sign_in_with(anon, tenant, key).status_code == 200
    assert key.credentials[0].sign_count == 3
    assert_refused(sign_in_with(anon, tenant, key, sign_count=2))
    assert_refused(sign_in_with(anon, tenant, key, sign_count=3))
    assert sign_in_with(anon, tenant, key, sign_count=4).status_code == 200
    owner.client.close()


def test_a_constant_zero_counter_is_accepted_11(
    anon: httpx.Client, tenant: Tenant, central_url: str, origin: str, admin: Session
) -> None:
    body, password = create_member(admin)
    owner = sign_in(central_url, tenant, body["email"], password)
    synced = SoftAuthenticator(
        origin=origin, counter=Counter.ZERO, backup_eligible=True, backed_up=True
    )
    stored = register_passkey(owner, synced)
    assert stored["backup_eligible"] is True and stored["backup_state"] is True
    for _ in range(3):
        assert sign_in_with(anon, tenant, synced).status_code == 200
    owner.client.close()


# Item 12: what is stored per credential ----------------------------------------------------


def test_a_passkey_stores_what_sign_in_and_the_user_need_12(
    admin: Session, anon: httpx.Client, admin_key: SoftAuthenticator, platform_infra: Infrastructure
) -> None:
    assert sign_in_with(anon, admin.tenant, admin_key).status_code == 200
    with superuser(platform_infra, region_database_name(admin.tenant.region)) as conn:
        row = conn.execute(
            psycopg.sql.SQL(
                "SELECT credential_id, public_key, sign_count, transports, aaguid,"
                " backup_eligible, backup_state, created_at, last_used_at FROM {}.passkeys"
                " WHERE credential_id = %s"
            ).format(psycopg.sql.Identifier(tenant_schema(admin.tenant.tenant_id))),
            (admin_key.credentials[0].credential_id,),
        ).fetchone()
    assert row is not None
    credential_id, public_key, sign_count, transports, aaguid, be, bs, created, used = row
    assert bytes(credential_id) == admin_key.credentials[0].credential_id
    assert bytes(public_key) == admin_key.credentials[0].cose_public_key
    assert sign_count == admin_key.credentials[0].sign_count > 0
    assert transports == ["hybrid", "internal"]
    assert aaguid is not None
    assert (be, bs) == (False, False)
    assert created is not None and used is not None and used >= created
    listed = admin.get("/auth/passkeys").json()
    mine = next(item for item in listed if item["id"] == admin.extra["passkey"]["id"])
    assert mine["last_used_at"] is not None
    assert mine["transports"] == ["hybrid", "internal"]


# Managing one's own passkeys --------------------------------------------------------------


def test_users_list_and_delete_only_their_own_passkeys(
    admin: Session,
    member: Session,
    origin: str,
    admin_key: SoftAuthenticator,
    member_key: SoftAuthenticator,
) -> None:
    admin_ids = {item["id"] for item in admin.get("/auth/passkeys").json()}
    member_ids = {item["id"] for item in member.get("/auth/passkeys").json()}
    assert admin.extra["passkey"]["id"] in admin_ids
    assert member_ids == {member.extra["passkey"]["id"]}
    assert not admin_ids & member_ids
    # Someone else's passkey id is simply not found, and stays
    response = admin.delete(f"/auth/passkeys/{member.extra['passkey']['id']}")
    assert_refused(response, 404, "passkey_not_found")
    assert member.get("/auth/passkeys").json()[0]["id"] == member.extra["passkey"]["id"]
    assert_refused(admin.delete(f"/auth/passkeys/{uuid.uuid4()}"), 404, "passkey_not_found")


def test_a_deleted_passkey_can_no_longer_sign_in(
    anon: httpx.Client, central_url: str, origin: str, admin: Session
) -> None:
    body, password = create_member(admin)
    owner = sign_in(central_url, admin.tenant, body["email"], password)
    key = SoftAuthenticator(origin=origin)
    stored = register_passkey(owner, key)
    assert owner.delete(f"/auth/passkeys/{stored['id']}").status_code == 204
    assert owner.get("/auth/passkeys").json() == []
    assert_refused(sign_in_with(anon, admin.tenant, key))
    owner.client.close()


MALFORMED: list[Any] = [
    {},
    {"id": 1, "rawId": [], "type": "public-key", "response": "x"},
    {"id": "AA", "rawId": "AA", "type": "public-key", "response": {}},
    {
        "id": "AA",
        "rawId": "AA",
        "type": "public-key",
        "response": {"clientDataJSON": "!!!", "authenticatorData": "", "signature": ""},
    },
    {
        "id": "AA",
        "rawId": "AA",
        "type": "public-key",
        "response": {
            "clientDataJSON": b64url(b'{"type":"webauthn.get","challenge":5}'),
            "authenticatorData": b64url(b"\x00" * 10),
            "signature": b64url(b"\x00"),
            "userHandle": 7,
        },
    },
]


@pytest.mark.parametrize("credential", MALFORMED)
def test_malformed_browser_responses_are_4xx_problems_never_5xx(
    anon: httpx.Client, admin: Session, credential: Any
) -> None:
    responses = [
        anon.post(
            f"{admin.tenant.prefix}/auth/passkeys/login/verify", json={"credential": credential}
        ),
        admin.post("/auth/passkeys/register/verify", json={"credential": credential}),
    ]
    for response in responses:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body",
    [
        {"credential": "not an object"},
        {"credential": {}, "ceremony_id": "not-a-uuid"},
        {"credential": {}, "extra": 1},
        {},
    ],
)
def test_invalid_verify_bodies_are_422(anon: httpx.Client, tenant: Tenant, body: Any) -> None:
    response = anon.post(f"{tenant.prefix}/auth/passkeys/login/verify", json=body)
    assert_refused(response, 422, "validation_error")


def test_a_passkey_sign_in_is_audited_with_its_source_address(
    central_url: str, admin: Session, admin_key: SoftAuthenticator, platform_infra: Infrastructure
) -> None:
    address = next_address()
    with client_from(address, central_url) as http:
        assert sign_in_with(http, admin.tenant, admin_key).status_code == 200
    with superuser(platform_infra, region_database_name(admin.tenant.region)) as conn:
        rows = conn.execute(
            psycopg.sql.SQL(
                "SELECT host(source_ip) FROM {}.audit_events WHERE event = 'login.passkey'"
                " AND outcome = 'success' AND user_id = %s"
            ).format(psycopg.sql.Identifier(tenant_schema(admin.tenant.tenant_id))),
            (admin.me()["id"],),
        ).fetchall()
    assert (address,) in rows
