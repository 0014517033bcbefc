"""Verifying ES256 tokens: each rejection RFC 8725 asks for (security checklist 13-16)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from chalkops.errors import ConfigurationError, Unauthorized
from chalkops.secrets.base import PublicKey
from chalkops.tokens.exceptions import InvalidToken, TokenExpired
from chalkops.tokens.forwarding import ForwardingSigner
from chalkops.tokens.jwt import TokenVerifier
from chalkops.tokens.keys import PublicKeyCache, jwk
from chalkops.tokens.types import (
    AGENT_TYP,
    FORWARDING_TYP,
    GLOBAL_ADMIN_TYP,
    GLOBAL_AUDIENCE,
    TENANT_ACCESS_TYP,
    TENANT_AUDIENCE,
)
from tests.unit.tokens.fakes import (
    KEY,
    REGION_ISSUER,
    FakeTransit,
    forge,
    forge_hmac,
    forge_unsigned,
    public_pem,
    tenant_issuer,
)

OUR_KID = "jwt-test-v1"
ACCESS_HEADER = {"alg": "ES256", "typ": TENANT_ACCESS_TYP, "kid": OUR_KID}


def access_claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": REGION_ISSUER,
        "aud": TENANT_AUDIENCE,
        "sub": "user-1",
        "tenant_id": str(uuid.uuid4()),
        "roles": ["admin"],
        "iat": now,
        "exp": now + 300,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def our_key(transit: FakeTransit) -> ec.EllipticCurvePrivateKey:
    return transit.private_key(KEY, 1)


def test_a_token_forged_with_our_key_and_the_contract_shape_is_accepted(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    # The baseline every rejection below differs from in exactly one respect.
    token = forge(access_claims(), ACCESS_HEADER, our_key(transit))
    assert verifier.verify(token).sub == "user-1"


# -- 13: algorithms outside the pinned list -------------------------------------------------


def test_alg_none_is_rejected(verifier: TokenVerifier) -> None:
    for alg in ("none", "None", "NONE"):
        token = forge_unsigned(access_claims(), {**ACCESS_HEADER, "alg": alg})
        with pytest.raises(InvalidToken):
            verifier.verify(token)


def test_hs256_signed_with_our_public_key_as_the_secret_is_rejected(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    # Algorithm confusion: the public PEM is known to everyone, so as an HMAC secret it would
    # let anyone mint tokens if the verifier let the header choose the algorithm.
    secret = public_pem(our_key(transit)).encode()
    for alg in ("HS256", "HS384", "HS512"):
        token = forge_hmac(access_claims(), {**ACCESS_HEADER, "alg": alg}, secret)
        with pytest.raises(InvalidToken):
            verifier.verify(token)


@pytest.mark.parametrize(
    ("alg", "make_key"),
    [
        ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("PS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES384", lambda: ec.generate_private_key(ec.SECP384R1())),
        ("ES512", lambda: ec.generate_private_key(ec.SECP521R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate),
    ],
)
def test_algorithms_outside_the_pinned_list_are_rejected(
    verifier: TokenVerifier, alg: str, make_key: Any
) -> None:
    token = forge(access_claims(), {**ACCESS_HEADER, "alg": alg}, make_key())
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_relabelling_an_es256_signature_as_another_algorithm_is_rejected(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    genuine = forge(access_claims(), ACCESS_HEADER, our_key(transit))
    _header, payload, signature = genuine.split(".")
    relabelled = forge_unsigned({}, {**ACCESS_HEADER, "alg": "ES384"}).split(".")[0]
    with pytest.raises(InvalidToken):
        verifier.verify(f"{relabelled}.{payload}.{signature}")


@pytest.mark.parametrize("algorithms", [("HS256",), ("ES256", "HS256"), ("none",), ()])
def test_a_verifier_cannot_be_configured_with_symmetric_or_no_algorithms(
    cache: PublicKeyCache, algorithms: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigurationError):
        TokenVerifier(cache, issuer="i", audience="a", typ="at+jwt", algorithms=algorithms)


def test_a_tampered_payload_is_rejected(verifier: TokenVerifier, transit: FakeTransit) -> None:
    genuine = forge(access_claims(roles=["member"]), ACCESS_HEADER, our_key(transit))
    header, _payload, signature = genuine.split(".")
    elevated = forge_unsigned(access_claims(roles=["admin"]), ACCESS_HEADER).split(".")[1]
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{elevated}.{signature}")


# -- 14: required claims ----------------------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "iss", "aud", "sub", "jti", "roles"])
def test_a_token_missing_a_required_claim_is_rejected(
    verifier: TokenVerifier, transit: FakeTransit, claim: str
) -> None:
    claims = access_claims()
    del claims[claim]
    with pytest.raises(InvalidToken):
        verifier.verify(forge(claims, ACCESS_HEADER, our_key(transit)))


@pytest.mark.parametrize(
    "changes",
    [
        {"iss": "chalkops-region:local-2"},
        {"iss": "https://attacker.example"},
        {"aud": "someone-else"},
        {"sub": 42},
        {"roles": "admin"},
        {"roles": [1, 2]},
        {"tenant_id": 7},
        {"exp": "tomorrow"},
    ],
    ids=repr,
)
def test_a_token_with_a_wrong_or_malformed_claim_is_rejected(
    verifier: TokenVerifier, transit: FakeTransit, changes: dict[str, Any]
) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify(forge(access_claims(**changes), ACCESS_HEADER, our_key(transit)))


# -- 15: typ and aud keep token kinds apart ------------------------------------------------


@pytest.mark.parametrize(
    "typ", [GLOBAL_ADMIN_TYP, FORWARDING_TYP, AGENT_TYP, "refresh+jwt", "JWT", None]
)
def test_a_token_of_another_kind_is_never_accepted_as_a_tenant_access_token(
    verifier: TokenVerifier, transit: FakeTransit, typ: str | None
) -> None:
    header = {"alg": "ES256", "kid": OUR_KID} | ({"typ": typ} if typ else {})
    with pytest.raises(InvalidToken):
        verifier.verify(forge(access_claims(), header, our_key(transit)))


def test_typ_compares_as_a_media_type(verifier: TokenVerifier, transit: FakeTransit) -> None:
    header = {**ACCESS_HEADER, "typ": "application/AT+JWT"}
    assert verifier.verify(forge(access_claims(), header, our_key(transit))).sub == "user-1"


def test_a_global_admin_token_is_never_accepted_by_a_tenant_verifier_and_vice_versa(
    transit: FakeTransit, cache: PublicKeyCache
) -> None:
    # Same key and issuer on purpose: only typ and aud stand between the two kinds.
    admin_issuer = tenant_issuer(transit, typ=GLOBAL_ADMIN_TYP, audience=GLOBAL_AUDIENCE)
    admin_verifier = TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=GLOBAL_AUDIENCE, typ=GLOBAL_ADMIN_TYP
    )
    tenant_verifier = TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=TENANT_AUDIENCE, typ=TENANT_ACCESS_TYP
    )
    admin_token = admin_issuer.issue(subject="admin", roles=["global-admin"]).token
    tenant_token = tenant_issuer(transit).issue(subject="user", roles=["admin"]).token
    assert admin_verifier.verify(admin_token).sub == "admin"
    assert tenant_verifier.verify(tenant_token).sub == "user"
    with pytest.raises(InvalidToken):
        tenant_verifier.verify(admin_token)
    with pytest.raises(InvalidToken):
        admin_verifier.verify(tenant_token)


def test_the_global_audience_is_refused_even_with_the_access_typ(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    token = forge(access_claims(aud=GLOBAL_AUDIENCE), ACCESS_HEADER, our_key(transit))
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_token_naming_several_audiences_is_accepted_by_none(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    both = [TENANT_AUDIENCE, GLOBAL_AUDIENCE]
    with pytest.raises(InvalidToken):
        verifier.verify(forge(access_claims(aud=both), ACCESS_HEADER, our_key(transit)))


def test_a_forwarding_credential_is_never_accepted_as_an_access_token(
    verifier: TokenVerifier,
) -> None:
    # Even under a kid the verifier knows: the kind (typ, alg, aud) alone must fail it.
    signer = ForwardingSigner(_ed25519_pem(ed25519.Ed25519PrivateKey.generate()), OUR_KID)
    token = signer.sign(tenant_id="t", tenant_name="acme", region="local-1", method="GET", path="/")
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_a_token_from_another_regions_key_is_refused(verifier: TokenVerifier) -> None:
    other_region = FakeTransit("jwt-local-2")
    token = tenant_issuer(other_region, key="jwt-local-2").issue(subject="u", roles=[]).token
    with pytest.raises(InvalidToken):
        verifier.verify(token)


# -- 16: the header may select one of our keys, never supply one --------------------------


def test_an_unknown_kid_is_rejected(verifier: TokenVerifier) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    for kid in ("jwt-test-v99", "attacker", "", "../../etc/passwd"):
        with pytest.raises(InvalidToken):
            verifier.verify(forge(access_claims(), {**ACCESS_HEADER, "kid": kid}, attacker))


@pytest.mark.parametrize("kid", [None, 1, ["jwt-test-v1"], {"kid": "jwt-test-v1"}])
def test_a_missing_or_non_string_kid_is_rejected(
    verifier: TokenVerifier, transit: FakeTransit, kid: object
) -> None:
    header = {"alg": "ES256", "typ": TENANT_ACCESS_TYP} | ({"kid": kid} if kid else {})
    with pytest.raises(InvalidToken):
        verifier.verify(forge(access_claims(), header, our_key(transit)))


def test_a_token_carrying_the_attackers_own_jwk_is_rejected(verifier: TokenVerifier) -> None:
    # The classic embedded-key attack (CVE-2018-0114 style): sign with your own key, ship its
    # public half in the header and hope the verifier uses it.
    attacker = ec.generate_private_key(ec.SECP256R1())
    embedded = jwk(PublicKey(OUR_KID, 1, public_pem(attacker)))
    for header in (
        {**ACCESS_HEADER, "jwk": embedded},
        {"alg": "ES256", "typ": TENANT_ACCESS_TYP, "jwk": embedded},
    ):
        with pytest.raises(InvalidToken):
            verifier.verify(forge(access_claims(), header, attacker))


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("jku", "https://attacker.example/jwks.json"),
        ("x5u", "https://attacker.example/cert.pem"),
        ("x5c", ["MIIBszCCAVmgAwIBAgIU"]),
        ("crit", ["exp"]),
        ("b64", False),
    ],
)
def test_header_parameters_that_could_supply_a_key_are_rejected(
    verifier: TokenVerifier, transit: FakeTransit, parameter: str, value: object
) -> None:
    # Signed with *our* key on purpose: the parameter alone must be enough to refuse it.
    header = {**ACCESS_HEADER, parameter: value}
    with pytest.raises(InvalidToken):
        verifier.verify(forge(access_claims(), header, our_key(transit)))


# -- lifetime ---------------------------------------------------------------------------------


def test_a_token_expired_within_the_leeway_is_still_accepted(
    transit: FakeTransit, verifier: TokenVerifier
) -> None:
    issuer = tenant_issuer(transit, lifetime_seconds=60, clock=lambda: time.time() - 70)
    assert verifier.verify(issuer.issue(subject="u", roles=[]).token).sub == "u"


def test_a_token_expired_beyond_the_leeway_is_token_expired(
    transit: FakeTransit, verifier: TokenVerifier
) -> None:
    issuer = tenant_issuer(transit, lifetime_seconds=60, clock=lambda: time.time() - 100)
    with pytest.raises(TokenExpired) as caught:
        verifier.verify(issuer.issue(subject="u", roles=[]).token)
    assert (caught.value.status, caught.value.code) == (401, "token_expired")


def test_a_token_issued_in_the_future_is_rejected(
    transit: FakeTransit, verifier: TokenVerifier
) -> None:
    issuer = tenant_issuer(transit, clock=lambda: time.time() + 120)
    with pytest.raises(InvalidToken):
        verifier.verify(issuer.issue(subject="u", roles=[]).token)


def test_a_token_not_yet_valid_is_rejected(verifier: TokenVerifier, transit: FakeTransit) -> None:
    token = forge(access_claims(nbf=int(time.time()) + 600), ACCESS_HEADER, our_key(transit))
    with pytest.raises(InvalidToken):
        verifier.verify(token)


# -- errors -----------------------------------------------------------------------------------

MARKER = "<script>leak-7f3a</script>"


def test_rejections_never_echo_the_tokens_contents(
    verifier: TokenVerifier, transit: FakeTransit
) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    tokens = [
        forge(access_claims(sub=MARKER), ACCESS_HEADER, attacker),
        forge(access_claims(iss=MARKER), ACCESS_HEADER, our_key(transit)),
        forge(access_claims(aud=MARKER), ACCESS_HEADER, our_key(transit)),
        forge(access_claims(), {**ACCESS_HEADER, "kid": MARKER}, attacker),
        forge(access_claims(), {**ACCESS_HEADER, "typ": MARKER}, our_key(transit)),
        forge(access_claims(), {**ACCESS_HEADER, MARKER: 1}, our_key(transit)),
        forge(access_claims(exp=1, sub=MARKER), ACCESS_HEADER, our_key(transit)),
        f"{MARKER}.{MARKER}.{MARKER}",
    ]
    for token in tokens:
        with pytest.raises(Unauthorized) as caught:
            verifier.verify(token)
        error = caught.value
        assert MARKER not in f"{error} {error.detail} {error.extra}"
        assert "leak-7f3a" not in error.detail


def test_an_oversized_token_is_rejected_before_any_parsing(verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify("a" * 9000)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.from_regex(r"\A[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,60}\.[A-Za-z0-9_=-]{0,60}\Z"),
        st.builds(
            lambda header, claims: forge_unsigned(claims, header),
            st.dictionaries(st.sampled_from(["alg", "typ", "kid", "jku"]), st.text(max_size=12)),
            st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5)),
        ),
    )
)
def test_garbage_only_ever_yields_a_401(token: str) -> None:
    # Hypothesis does not mix with function-scoped fixtures, hence a module-level verifier.
    with pytest.raises(Unauthorized):
        _GARBAGE_VERIFIER.verify(token)


_GARBAGE_VERIFIER = TokenVerifier(
    PublicKeyCache(FakeTransit(KEY), KEY),
    issuer=REGION_ISSUER,
    audience=TENANT_AUDIENCE,
    typ=TENANT_ACCESS_TYP,
)


def _ed25519_pem(private: ed25519.Ed25519PrivateKey) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
