"""Access and refresh tokens against the running regional API (checklist 13 to 18).

Forged tokens are signed with the region's *real* transit key (through the root token), so a
rejection proves the verifier's rule, not merely a bad signature. Each test first checks that the
honest version of its forgery is accepted, so none can pass vacuously.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chalkops.local.platform import Infrastructure
from chalkops.secrets.vault import VaultTransit
from chalkops.tokens.forwarding import ForwardingSigner
from chalkops.vault_config.plan import FORWARDING_SIGNING_PATH, regional_signing_key
from tests.e2e.identity.support import (
    LEDGER,
    Session,
    Tenant,
    b64url,
    client,
    forge,
    login,
    record_pair,
    register_tenant,
    root_kv,
    root_transit,
    segment,
    sign_in_admin,
    unverified_claims,
    unverified_header,
)
from tests.support.platform import create_operator

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def transit(platform_infra: Infrastructure) -> VaultTransit:
    return root_transit(platform_infra)


def me_with(session: Session, token: str) -> httpx.Response:
    return session.client.get(
        f"{session.tenant.prefix}/users/me", headers={"Authorization": f"Bearer {token}"}
    )


def assert_unauthorized(response: httpx.Response, code: str = "invalid_token") -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert response.headers["www-authenticate"] == "Bearer"


def honest_parts(admin: Session) -> tuple[dict[str, Any], dict[str, Any]]:
    return unverified_header(admin.access_token), unverified_claims(admin.access_token)


def test_a_token_forged_with_the_real_key_and_the_contract_shape_is_accepted(
    admin: Session, transit: VaultTransit
) -> None:
    header, claims = honest_parts(admin)
    key = regional_signing_key(admin.tenant.region)
    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": header["kid"]}
    assert header["kid"].startswith(f"{key}-v")
    assert {"iss", "aud", "sub", "tenant_id", "roles", "iat", "exp", "jti"} <= claims.keys()
    assert claims["exp"] - claims["iat"] <= 900
    token = forge(transit, key, header, {**claims, "jti": str(uuid.uuid4())})
    assert me_with(admin, token).status_code == 200


# Item 13: algorithms ----------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_alg_none_is_rejected_13(admin: Session, alg: str) -> None:
    header, claims = honest_parts(admin)
    token = f"{segment({**header, 'alg': alg})}.{segment(claims)}."
    LEDGER.record("forged_token", token)
    assert_unauthorized(me_with(admin, token))


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_with_the_published_public_key_as_secret_is_rejected_13(
    admin: Session, alg: str
) -> None:
    header, claims = honest_parts(admin)
    jwks = admin.client.get(f"{admin.tenant.prefix}/.well-known/jwks.json").json()
    jwk = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    public = jwt.PyJWK(jwk).key
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}[alg]
    signing_input = f"{segment({**header, 'alg': alg})}.{segment(claims)}"
    signature = hmac.new(pem, signing_input.encode(), digest).digest()
    assert_unauthorized(me_with(admin, f"{signing_input}.{b64url(signature)}"))


@pytest.mark.parametrize("alg", ["ES384", "ES512", "RS256", "PS256", "EdDSA"])
def test_a_real_signature_relabelled_with_another_algorithm_is_rejected_13(
    admin: Session, transit: VaultTransit, alg: str
) -> None:
    header, claims = honest_parts(admin)
    token = forge(
        transit, regional_signing_key(admin.tenant.region), {**header, "alg": alg}, claims
    )
    assert_unauthorized(me_with(admin, token))


# Item 14: required claims -----------------------------------------------------------------


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub", "jti", "tenant_id", "sid"])
def test_a_token_missing_a_required_claim_is_rejected_14(
    admin: Session, transit: VaultTransit, missing: str
) -> None:
    header, claims = honest_parts(admin)
    claims.pop(missing)
    token = forge(transit, regional_signing_key(admin.tenant.region), header, claims)
    response = me_with(admin, token)
    assert response.status_code == 401, response.text


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("iss", "https://evil.example"),
        ("iss", "https://chalkops.local/regional/local-2"),
        ("aud", "chalkops-global"),
        ("aud", ["chalkops-tenant", "chalkops-global"]),
        ("exp", 1_000_000_000),
        ("iat", 4_000_000_000),
        ("sub", "not-a-uuid"),
        ("sub", str(uuid.uuid4())),
        ("tenant_id", str(uuid.uuid4())),
        ("roles", "admin"),
    ],
)
def test_a_token_with_a_wrong_claim_is_rejected_14(
    admin: Session, transit: VaultTransit, claim: str, value: object
) -> None:
    header, claims = honest_parts(admin)
    claims[claim] = value
    token = forge(transit, regional_signing_key(admin.tenant.region), header, claims)
    assert me_with(admin, token).status_code == 401


def test_an_expired_token_is_token_expired(admin: Session, transit: VaultTransit) -> None:
    header, claims = honest_parts(admin)
    now = int(time.time())
    claims.update(iat=now - 1000, exp=now - 100)
    token = forge(transit, regional_signing_key(admin.tenant.region), header, claims)
    assert_unauthorized(me_with(admin, token), "token_expired")


# Item 15: token kinds stay apart ----------------------------------------------------------


def test_a_refresh_token_is_not_an_access_token_and_vice_versa_15(admin: Session) -> None:
    assert_unauthorized(me_with(admin, admin.refresh_token))
    refreshed = admin.client.post(
        f"{admin.tenant.prefix}/auth/refresh", json={"refresh_token": admin.access_token}
    )
    assert refreshed.status_code in (401, 422), refreshed.text


@pytest.mark.parametrize("typ", ["JWT", "admin+jwt", "agent+jwt", "chalkops-forward+jwt", None])
def test_a_token_of_another_typ_is_rejected_15(
    admin: Session, transit: VaultTransit, typ: str | None
) -> None:
    header, claims = honest_parts(admin)
    if typ is None:
        header.pop("typ")
    else:
        header["typ"] = typ
    token = forge(transit, regional_signing_key(admin.tenant.region), header, claims)
    assert_unauthorized(me_with(admin, token))


def test_a_global_admin_token_is_never_a_tenant_access_token_15(
    admin: Session, platform_infra: Infrastructure, central_url: str
) -> None:
    email = f"ops-{uuid.uuid4().hex[:8]}@chalkops.test"
    password = f"operator {uuid.uuid4().hex} passphrase"
    LEDGER.record("password", password)
    create_operator(platform_infra, email, password)
    with client(central_url) as http:
        response = http.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    LEDGER.record("access_token", token)
    assert_unauthorized(me_with(admin, token))


def test_a_forwarding_credential_is_never_a_tenant_access_token_15(
    admin: Session, platform_infra: Infrastructure
) -> None:
    signing = root_kv(platform_infra).read(FORWARDING_SIGNING_PATH)
    credential = ForwardingSigner(signing["private_pem"], signing["kid"]).sign(
        tenant_id=admin.tenant.tenant_id,
        tenant_name=admin.tenant.name,
        region=admin.tenant.region,
        method="GET",
        path="/users/me",
    )
    LEDGER.record("forged_token", credential)
    assert_unauthorized(me_with(admin, credential))


def test_a_forwarding_header_sent_by_a_client_does_not_reach_the_region(
    admin: Session, platform_infra: Infrastructure
) -> None:
    # A client adding its own forwarding header gains nothing: the central API sets the header.
    signing = root_kv(platform_infra).read(FORWARDING_SIGNING_PATH)
    other = str(uuid.uuid4())
    credential = ForwardingSigner(signing["private_pem"], signing["kid"]).sign(
        tenant_id=other,
        tenant_name="someone-else",
        region=admin.tenant.region,
        method="GET",
        path="/users/me",
    )
    LEDGER.record("forged_token", credential)
    response = admin.get("/users/me", headers={**admin.auth, "X-Chalkops-Forwarded": credential})
    assert response.status_code == 200
    assert response.json()["tenant_id"] == admin.tenant.tenant_id


# Item 16: keys come from us only ----------------------------------------------------------


def test_an_unknown_kid_is_rejected_16(admin: Session, transit: VaultTransit) -> None:
    header, claims = honest_parts(admin)
    key = regional_signing_key(admin.tenant.region)
    for kid in (f"{key}-v999", "", "../../etc/passwd", regional_signing_key("local-2") + "-v1"):
        token = forge(transit, key, {**header, "kid": kid}, claims)
        assert_unauthorized(me_with(admin, token))


def test_a_token_signed_by_another_regions_key_is_rejected_16(
    admin: Session, transit: VaultTransit
) -> None:
    header, claims = honest_parts(admin)
    other = regional_signing_key("local-2")
    token = forge(transit, other, {**header, "kid": f"{other}-v1"}, claims)
    assert_unauthorized(me_with(admin, token))


def _attacker_jwk() -> tuple[ec.EllipticCurvePrivateKey, dict[str, str]]:
    private = ec.generate_private_key(ec.SECP256R1())
    numbers = private.public_key().public_numbers()
    return private, {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://evil.example/jwks.json"},
        {"x5u": "https://evil.example/cert.pem"},
        {"x5c": ["MIIB"]},
        {"crit": ["exp"]},
    ],
)
def test_header_supplied_key_locations_are_rejected_even_on_a_real_signature_16(
    admin: Session, transit: VaultTransit, extra: dict[str, object]
) -> None:
    header, claims = honest_parts(admin)
    token = forge(transit, regional_signing_key(admin.tenant.region), {**header, **extra}, claims)
    assert_unauthorized(me_with(admin, token))


def test_a_token_carrying_the_attackers_own_jwk_is_rejected_16(admin: Session) -> None:
    header, claims = honest_parts(admin)
    private, public_jwk = _attacker_jwk()
    token = jwt.encode(claims, private, algorithm="ES256", headers={**header, "jwk": public_jwk})
    LEDGER.record("forged_token", token)
    assert_unauthorized(me_with(admin, token))
    token = jwt.encode(claims, private, algorithm="ES256", headers=header)
    assert_unauthorized(me_with(admin, token))


def test_jwks_publishes_only_public_ec_keys(admin: Session) -> None:
    jwks = admin.client.get(f"{admin.tenant.prefix}/.well-known/jwks.json")
    assert jwks.status_code == 200
    keys = jwks.json()["keys"]
    assert keys
    for key in keys:
        assert key["kty"] == "EC" and key["crv"] == "P-256" and key["alg"] == "ES256"
        assert "d" not in key
    assert unverified_header(admin.access_token)["kid"] in [k["kid"] for k in keys]


# Item 17: refresh rotation and reuse -----------------------------------------------------


def refresh(http: httpx.Client, tenant: Tenant, token: str) -> httpx.Response:
    response = http.post(f"{tenant.prefix}/auth/refresh", json={"refresh_token": token})
    if response.status_code == 200:
        record_pair(response.json())
    return response


def test_every_refresh_rotates_the_refresh_token_17(central_url: str, tenant: Tenant) -> None:
    session = sign_in_admin(central_url, tenant)
    first = refresh(session.client, tenant, session.refresh_token)
    assert first.status_code == 200, first.text
    pair = first.json()
    assert pair["refresh_token"] != session.refresh_token
    assert pair["access_token"] != session.access_token
    assert me_with(session, pair["access_token"]).status_code == 200
    second = refresh(session.client, tenant, pair["refresh_token"])
    assert second.status_code == 200
    session.client.close()


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family_17(
    central_url: str, tenant: Tenant
) -> None:
    victim = sign_in_admin(central_url, tenant)
    bystander = sign_in_admin(central_url, tenant)  # another session of the same user
    rotated = refresh(victim.client, tenant, victim.refresh_token).json()
    newer = refresh(victim.client, tenant, rotated["refresh_token"]).json()

    reused = refresh(victim.client, tenant, victim.refresh_token)
    assert_unauthorized(reused, "refresh_token_reused")

    # Every token of the family is dead: the newest refresh token and every access token …
    assert refresh(victim.client, tenant, newer["refresh_token"]).status_code == 401
    for token in (victim.access_token, rotated["access_token"], newer["access_token"]):
        assert me_with(victim, token).status_code == 401
    # … while the user's other session lives on.
    assert me_with(bystander, bystander.access_token).status_code == 200
    assert refresh(bystander.client, tenant, bystander.refresh_token).status_code == 200
    victim.client.close()
    bystander.client.close()


def test_an_unknown_refresh_token_is_rejected(admin: Session) -> None:
    response = refresh(admin.client, admin.tenant, base64.urlsafe_b64encode(b"x" * 32).decode())
    assert_unauthorized(response)


def test_logout_ends_the_family_and_needs_a_token(central_url: str, tenant: Tenant) -> None:
    session = sign_in_admin(central_url, tenant)
    assert session.client.post(f"{tenant.prefix}/auth/logout").status_code == 401
    assert session.post("/auth/logout").status_code == 204
    assert session.get("/users/me").status_code == 401
    # A signed-out session's refresh token is refused as ended, not reported as a theft.
    assert_unauthorized(refresh(session.client, tenant, session.refresh_token), "session_revoked")
    session.client.close()


# Item 18: key rotation ---------------------------------------------------------------------


def test_tokens_signed_before_a_rotation_keep_verifying_18(
    central_url: str, transit: VaultTransit, platform_infra: Infrastructure
) -> None:
    # A tenant of its own region's key would be cleaner, but rotating only adds versions, so
    # every other test's tokens stay valid: use region local-2's key.
    with client(central_url) as http:
        tenant = register_tenant(http, "local-2", prefix="rotate")
        before = login(http, tenant, tenant.admin_email, tenant.admin_password).json()
        old_kid = unverified_header(before["access_token"])["kid"]
        key = regional_signing_key("local-2")

        transit.rotate(key)

        after = login(http, tenant, tenant.admin_email, tenant.admin_password).json()
        new_kid = unverified_header(after["access_token"])["kid"]
        assert new_kid != old_kid
        assert int(new_kid.rsplit("-v", 1)[1]) > int(old_kid.rsplit("-v", 1)[1])
        for token in (after["access_token"], before["access_token"]):
            me = http.get(f"{tenant.prefix}/users/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200, me.text
        jwks = http.get(f"{tenant.prefix}/.well-known/jwks.json").json()
        assert {old_kid, new_kid} <= {k["kid"] for k in jwks["keys"]}
    # Retirement (min_decryption_version) is covered against real OpenBao by
    # tests/integration/tokens/test_transit_tokens.py::
    # test_rotation_keeps_old_tokens_valid_until_their_version_is_retired.


def test_a_tenant_access_token_is_never_a_global_admin_token_15(admin: Session) -> None:
    response = admin.client.get("/admin/blacklist", headers=admin.auth)
    assert response.status_code == 401, response.text
