"""The public key cache (rotation, retirement, kid floods, outages) and the JWKS it publishes."""

from __future__ import annotations

import base64

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from chalkops.errors import ConfigurationError
from chalkops.secrets.base import PublicKey
from chalkops.secrets.exceptions import SecretsUnavailable
from chalkops.tokens.exceptions import InvalidToken
from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache, jwks
from chalkops.tokens.types import TENANT_ACCESS_TYP, TENANT_AUDIENCE
from tests.unit.tokens.fakes import (
    KEY,
    REGION_ISSUER,
    Clock,
    FakeTransit,
    forge,
    public_pem,
    tenant_issuer,
)


def test_tokens_signed_before_a_rotation_keep_verifying(
    issuer: TokenIssuer, verifier: TokenVerifier, transit: FakeTransit, cache_clock: Clock
) -> None:
    old = issuer.issue(subject="u", roles=[])
    assert verifier.verify(old.token).jti == old.jti
    transit.rotate(KEY)
    cache_clock.advance(11)  # past the minimum refresh interval
    new = issuer.issue(subject="u", roles=[])
    assert new.kid == "jwt-test-v2"
    assert verifier.verify(new.token).jti == new.jti, "an unknown kid triggers a refresh"
    assert verifier.verify(old.token).jti == old.jti, "the previous version still verifies"


def test_a_retired_version_stops_verifying_once_the_cache_refreshes(
    issuer: TokenIssuer, verifier: TokenVerifier, transit: FakeTransit, cache_clock: Clock
) -> None:
    old = issuer.issue(subject="u", roles=[])
    verifier.verify(old.token)
    transit.rotate(KEY)
    transit.retire_below(KEY, 2)
    cache_clock.advance(301)  # the cache's TTL bounds how long a retired key is still trusted
    with pytest.raises(InvalidToken):
        verifier.verify(old.token)
    assert verifier.verify(issuer.issue(subject="u", roles=[]).token).sub == "u"


def test_an_explicit_refresh_drops_a_retired_version_at_once(
    issuer: TokenIssuer, verifier: TokenVerifier, transit: FakeTransit, cache: PublicKeyCache
) -> None:
    old = issuer.issue(subject="u", roles=[])
    verifier.verify(old.token)
    transit.rotate(KEY)
    transit.retire_below(KEY, 2)
    cache.refresh()
    with pytest.raises(InvalidToken):
        verifier.verify(old.token)


def test_a_flood_of_unknown_kids_reads_vault_at_most_once_per_interval(
    verifier: TokenVerifier, transit: FakeTransit, cache_clock: Clock
) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    header = {"alg": "ES256", "typ": "at+jwt"}
    claims = {"sub": "u"}
    for attempt in range(500):
        token = forge(claims, {**header, "kid": f"jwt-test-v{attempt + 2}"}, attacker)
        with pytest.raises(InvalidToken):
            verifier.verify(token)
        cache_clock.advance(0.1)  # 500 tokens over 50 seconds
    # The first load, then one refresh per 10 s window: about 5 reads instead of 500.
    assert transit.reads <= 6


def test_a_token_our_issuer_signs_right_after_a_rotation_verifies_at_once(
    cache: PublicKeyCache, transit: FakeTransit, cache_clock: Clock
) -> None:
    # Given the cache just spent its refresh on an invented kid (so it would wait 10 s) …
    issuer = tenant_issuer(transit, on_new_kid=cache.expect)
    verifier = TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=TENANT_AUDIENCE, typ=TENANT_ACCESS_TYP
    )
    verifier.verify(issuer.issue(subject="u", roles=[]).token)
    attacker = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidToken):
        verifier.verify(
            forge({"sub": "u"}, {"alg": "ES256", "typ": "at+jwt", "kid": "x"}, attacker)
        )
    # … when the key rotates and our issuer signs with the new version, no time passing,
    transit.rotate(KEY)
    fresh = issuer.issue(subject="u", roles=[])
    # then the same process accepts the token it just issued.
    assert fresh.kid == "jwt-test-v2"
    assert verifier.verify(fresh.token).jti == fresh.jti


def test_expecting_a_kid_the_cache_knows_reads_nothing(
    cache: PublicKeyCache, transit: FakeTransit
) -> None:
    cache.published()
    reads = transit.reads
    cache.expect("jwt-test-v1")
    assert transit.reads == reads


def test_the_cache_serves_known_keys_without_reading_vault_again(
    cache: PublicKeyCache, transit: FakeTransit, cache_clock: Clock
) -> None:
    for _ in range(100):
        assert cache.get("jwt-test-v1") is not None
        cache_clock.advance(1)
    assert transit.reads == 1


def test_a_vault_outage_after_the_first_load_keeps_the_cached_keys(
    cache: PublicKeyCache, transit: FakeTransit, cache_clock: Clock
) -> None:
    assert cache.get("jwt-test-v1") is not None
    transit.down = True
    cache_clock.advance(301)
    assert cache.get("jwt-test-v1") is not None
    reads = transit.reads
    cache_clock.advance(1)
    cache.get("jwt-test-v1")
    assert transit.reads == reads, "a failed refresh is not retried on every request"


def test_a_vault_outage_before_any_key_was_loaded_is_a_service_error(
    cache: PublicKeyCache, transit: FakeTransit
) -> None:
    transit.down = True
    with pytest.raises(SecretsUnavailable):
        cache.get("jwt-test-v1")


def test_a_key_that_is_not_p256_is_a_configuration_error() -> None:
    class WrongCurve(FakeTransit):
        def public_keys(self, key: str) -> list[PublicKey]:
            wrong = public_pem(ec.generate_private_key(ec.SECP384R1()))
            return [PublicKey(f"{key}-v1", 1, wrong)]

    with pytest.raises(ConfigurationError):
        PublicKeyCache(WrongCurve(KEY), KEY).get("jwt-test-v1")
    with pytest.raises(ConfigurationError):
        jwks(WrongCurve(KEY).public_keys(KEY))


# -- JWKS -------------------------------------------------------------------------------------


def test_jwks_lists_every_published_version_in_rfc7517_shape(
    transit: FakeTransit, cache: PublicKeyCache
) -> None:
    transit.rotate(KEY)
    document = jwks(cache.published())
    assert [key["kid"] for key in document["keys"]] == ["jwt-test-v1", "jwt-test-v2"]
    for key in document["keys"]:
        assert set(key) == {"kty", "crv", "x", "y", "kid", "use", "alg"}
        assert (key["kty"], key["crv"], key["use"], key["alg"]) == ("EC", "P-256", "sig", "ES256")
        for coordinate in (key["x"], key["y"]):
            assert "=" not in coordinate
            assert len(base64.urlsafe_b64decode(coordinate + "=")) == 32


def test_a_token_verifies_with_the_key_rebuilt_from_the_jwks(
    issuer: TokenIssuer, cache: PublicKeyCache
) -> None:
    # What a third party holding only /.well-known/jwks.json does.
    issued = issuer.issue(subject="u", roles=[])
    by_kid = {key["kid"]: key for key in jwks(cache.published())["keys"]}
    rebuilt = jwt.PyJWK(by_kid[issued.kid])
    claims = jwt.decode(issued.token, rebuilt, algorithms=["ES256"], audience="chalkops-tenant")
    assert claims["jti"] == issued.jti


def test_jwk_coordinates_keep_their_leading_zero_bytes() -> None:
    # About one key in 256 has an x coordinate below 2**248; dropping its zero byte would
    # publish a 31-byte coordinate that strict JOSE libraries refuse.
    while True:
        private = ec.generate_private_key(ec.SECP256R1())
        if private.public_key().public_numbers().x < 2**248:
            break
    key = jwks([PublicKey("k-v1", 1, public_pem(private))])["keys"][0]
    assert base64.urlsafe_b64decode(key["x"] + "=")[0] == 0
    assert len(base64.urlsafe_b64decode(key["x"] + "=")) == 32
