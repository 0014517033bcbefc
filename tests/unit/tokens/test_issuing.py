"""Issuing ES256 tokens: contract shape, lifetime cap, and a header kid that never lies."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from chalkops.errors import ConfigurationError
from chalkops.tokens.exceptions import SigningUnavailable
from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache
from chalkops.tokens.types import GLOBAL_ADMIN_TYP, GLOBAL_AUDIENCE
from tests.unit.tokens.fakes import KEY, REGION_ISSUER, FakeTransit, public_pem, tenant_issuer

TENANT = str(uuid.uuid4())


def test_access_token_carries_the_contract_claims_and_header(
    issuer: TokenIssuer, transit: FakeTransit
) -> None:
    issued = issuer.issue(subject="user-1", roles=["admin"], tenant_id=TENANT)
    header = jwt.get_unverified_header(issued.token)
    claims = jwt.decode(
        issued.token,
        public_pem(transit.private_key(KEY, 1)),
        algorithms=["ES256"],
        audience="chalkops-tenant",
        issuer=REGION_ISSUER,
    )
    assert header == {"alg": "ES256", "typ": "at+jwt", "kid": "jwt-test-v1"}
    assert set(claims) == {"iss", "aud", "sub", "tenant_id", "roles", "iat", "exp", "jti"}
    assert (claims["sub"], claims["tenant_id"], claims["roles"]) == ("user-1", TENANT, ["admin"])
    assert claims["exp"] - claims["iat"] == 900 == issued.expires_in
    assert abs(claims["iat"] - time.time()) < 5
    assert uuid.UUID(claims["jti"]).version == 7 and claims["jti"] == issued.jti
    assert issued.kid == "jwt-test-v1"


def test_issued_token_round_trips_through_the_verifier(
    issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    issued = issuer.issue(subject="user-1", roles=["admin", "member"], tenant_id=TENANT)
    claims = verifier.verify(issued.token)
    assert (claims.sub, claims.tenant_id, claims.roles) == ("user-1", TENANT, ("admin", "member"))
    assert (claims.iss, claims.aud, claims.jti) == (REGION_ISSUER, "chalkops-tenant", issued.jti)
    assert claims.exp - claims.iat == 900


def test_every_token_gets_its_own_jti(issuer: TokenIssuer) -> None:
    jtis = {issuer.issue(subject="user-1", roles=[]).jti for _ in range(20)}
    assert len(jtis) == 20


def test_global_admin_tokens_carry_no_tenant(transit: FakeTransit, cache: PublicKeyCache) -> None:
    admin = tenant_issuer(transit, typ=GLOBAL_ADMIN_TYP, audience=GLOBAL_AUDIENCE)
    verifier = TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=GLOBAL_AUDIENCE, typ=GLOBAL_ADMIN_TYP
    )
    issued = admin.issue(subject="admin-1", roles=["global-admin"])
    claims = verifier.verify(issued.token)
    assert claims.tenant_id is None and "tenant_id" not in claims.raw


def test_extra_claims_are_carried_but_cannot_replace_core_claims(
    issuer: TokenIssuer, verifier: TokenVerifier
) -> None:
    issued = issuer.issue(subject="u", roles=[], extra={"auth_method": "passkey"})
    assert verifier.verify(issued.token).raw["auth_method"] == "passkey"
    for claim in ("sub", "tenant_id", "aud", "exp", "roles"):
        with pytest.raises(ValueError, match=claim):
            issuer.issue(subject="u", roles=[], extra={claim: "forged"})


def test_roles_given_as_one_string_are_refused(issuer: TokenIssuer) -> None:
    with pytest.raises(ValueError, match="roles"):
        issuer.issue(subject="u", roles="admin")


@pytest.mark.parametrize("lifetime", [901, 3600, 0, -5])
def test_access_token_lifetime_is_capped_at_fifteen_minutes(
    transit: FakeTransit, lifetime: int
) -> None:
    with pytest.raises(ConfigurationError):
        tenant_issuer(transit, lifetime_seconds=lifetime)


def test_a_longer_lifetime_needs_an_explicit_cap(transit: FakeTransit) -> None:
    agent = tenant_issuer(transit, lifetime_seconds=3600, max_lifetime_seconds=3600)
    assert agent.issue(subject="agent-1", roles=["agent"]).expires_in == 3600


def test_header_kid_follows_a_rotation_without_rereading_the_key(
    issuer: TokenIssuer, verifier: TokenVerifier, transit: FakeTransit
) -> None:
    before = issuer.issue(subject="u", roles=[])
    transit.rotate(KEY)
    after = issuer.issue(subject="u", roles=[])
    assert (before.kid, after.kid) == ("jwt-test-v1", "jwt-test-v2")
    assert jwt.get_unverified_header(after.token)["kid"] == "jwt-test-v2"
    assert transit.reads == 1, "the kid transit reports after signing is enough to follow"
    assert verifier.verify(after.token).jti == after.jti


def test_a_rotation_between_reading_the_kid_and_signing_is_detected_and_signed_again(
    transit: FakeTransit,
) -> None:
    issuer = tenant_issuer(transit)
    rotations = iter([True])
    transit.before_sign = lambda: transit.rotate(KEY) if next(rotations, False) else None
    issued = issuer.issue(subject="u", roles=[])
    header_kid = jwt.get_unverified_header(issued.token)["kid"]
    assert header_kid == issued.kid == "jwt-test-v2"
    assert transit.signatures == 2
    # The signature is by the version the header names, and by no other.
    v2 = public_pem(transit.private_key(KEY, 2))
    jwt.decode(issued.token, v2, algorithms=["ES256"], options={"verify_aud": False})
    with pytest.raises(jwt.InvalidSignatureError):
        v1 = public_pem(transit.private_key(KEY, 1))
        jwt.decode(issued.token, v1, algorithms=["ES256"], options={"verify_aud": False})


def test_an_issuer_refuses_to_chase_a_key_that_rotates_on_every_signature(
    transit: FakeTransit,
) -> None:
    issuer = tenant_issuer(transit)
    transit.before_sign = lambda: transit.rotate(KEY)
    with pytest.raises(SigningUnavailable):
        issuer.issue(subject="u", roles=[])


def test_issuing_with_a_key_that_has_no_published_version_is_a_named_error() -> None:
    class NoVersions(FakeTransit):
        def public_keys(self, key: str) -> list:  # type: ignore[type-arg]
            return []

    issuer = TokenIssuer(
        NoVersions(KEY), key=KEY, issuer="i", audience="a", typ="at+jwt", lifetime_seconds=60
    )
    with pytest.raises(SigningUnavailable):
        issuer.issue(subject="u", roles=[])
