"""The central -> regional forwarding credential: bound to tenant, region and request."""

from __future__ import annotations

import statistics
import time
import timeit
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from chalkops.errors import ConfigurationError
from chalkops.tokens.exceptions import InvalidForwardingCredential, InvalidToken, TokenExpired
from chalkops.tokens.forwarding import ForwardingSigner, ForwardingVerifier
from chalkops.tokens.types import FORWARDING_TYP, ForwardedTenant
from tests.unit.tokens.fakes import forge, forge_hmac, forge_unsigned

KID = "forwarding-0123456789ab"
TENANT_ID = str(uuid.uuid4())
REQUEST = {"method": "GET", "path": "/tenants/acme/users/me"}


def private_pem(private: ed25519.Ed25519PrivateKey) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def public_pem(private: ed25519.Ed25519PrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def central_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture
def signer(central_key: ed25519.Ed25519PrivateKey) -> ForwardingSigner:
    return ForwardingSigner(private_pem(central_key), KID)


@pytest.fixture
def region_1(central_key: ed25519.Ed25519PrivateKey) -> ForwardingVerifier:
    return ForwardingVerifier(public_pem(central_key), KID, region="local-1")


def forwarded(signer: ForwardingSigner, **changes: str) -> str:
    request: dict[str, str] = {
        "tenant_id": TENANT_ID,
        "tenant_name": "acme",
        "region": "local-1",
        **REQUEST,
    }
    request.update(changes)
    return signer.sign(**request)


def claims_like_central(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "chalkops-central",
        "aud": "chalkops-region:local-1",
        "sub": TENANT_ID,
        "tenant_name": "acme",
        "htm": "GET",
        "htu": REQUEST["path"],
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


HEADER = {"alg": "EdDSA", "typ": FORWARDING_TYP, "kid": KID}


def test_a_forwarded_request_yields_the_tenant_the_central_api_resolved(
    signer: ForwardingSigner, region_1: ForwardingVerifier
) -> None:
    tenant = region_1.verify(forwarded(signer), **REQUEST)
    assert tenant == ForwardedTenant(tenant_id=TENANT_ID, tenant_name="acme", region="local-1")


def test_the_credential_has_the_documented_header_and_claims(signer: ForwardingSigner) -> None:
    token = forwarded(signer, method="post")
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert header == {"alg": "EdDSA", "typ": FORWARDING_TYP, "kid": KID}
    assert set(claims) == {"iss", "aud", "sub", "tenant_name", "htm", "htu", "iat", "exp", "jti"}
    assert claims["aud"] == "chalkops-region:local-1"
    assert (claims["sub"], claims["htm"], claims["htu"]) == (TENANT_ID, "POST", REQUEST["path"])
    assert claims["exp"] - claims["iat"] == 60


def test_a_credential_for_one_region_is_refused_by_another(
    signer: ForwardingSigner, central_key: ed25519.Ed25519PrivateKey
) -> None:
    region_2 = ForwardingVerifier(public_pem(central_key), KID, region="local-2")
    with pytest.raises(InvalidForwardingCredential):
        region_2.verify(forwarded(signer), **REQUEST)


@pytest.mark.parametrize(
    "request_seen",
    [
        {"method": "DELETE", "path": REQUEST["path"]},
        {"method": "POST", "path": REQUEST["path"]},
        {"method": "GET", "path": "/tenants/acme/users"},
        {"method": "GET", "path": "/tenants/other/users/me"},
        {"method": "GET", "path": REQUEST["path"] + "/"},
    ],
    ids=repr,
)
def test_a_credential_is_refused_for_any_other_request(
    signer: ForwardingSigner, region_1: ForwardingVerifier, request_seen: dict[str, str]
) -> None:
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forwarded(signer), **request_seen)


def test_the_method_compares_case_insensitively(
    signer: ForwardingSigner, region_1: ForwardingVerifier
) -> None:
    token = forwarded(signer, method="get")
    assert region_1.verify(token, method="Get", path=REQUEST["path"]).tenant_name == "acme"


def test_an_expired_credential_is_refused_but_not_as_an_expired_client_token(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier
) -> None:
    stale = ForwardingSigner(private_pem(central_key), KID, clock=lambda: time.time() - 66)
    with pytest.raises(InvalidForwardingCredential) as caught:
        region_1.verify(forwarded(stale), **REQUEST)
    assert not isinstance(caught.value, TokenExpired), "a client must not be told to refresh"
    assert caught.value.status == 401


def test_a_credential_signed_by_any_other_key_is_refused(region_1: ForwardingVerifier) -> None:
    impostor = ForwardingSigner(private_pem(ed25519.Ed25519PrivateKey.generate()), KID)
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forwarded(impostor), **REQUEST)


def test_a_credential_naming_another_kid_is_refused(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier
) -> None:
    other_kid = ForwardingSigner(private_pem(central_key), "forwarding-ffffffffffff")
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forwarded(other_kid), **REQUEST)


@pytest.mark.parametrize("typ", ["at+jwt", "admin+jwt", "JWT", None])
def test_a_token_of_another_kind_is_not_a_forwarding_credential(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier, typ: str | None
) -> None:
    header = {"alg": "EdDSA", "kid": KID} | ({"typ": typ} if typ else {})
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forge(claims_like_central(), header, central_key), **REQUEST)


def test_other_algorithms_are_refused(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier
) -> None:
    tokens = [
        forge_unsigned(claims_like_central(), {**HEADER, "alg": "none"}),
        forge_hmac(
            claims_like_central(), {**HEADER, "alg": "HS256"}, public_pem(central_key).encode()
        ),
        forge(
            claims_like_central(),
            {**HEADER, "alg": "ES256"},
            ec.generate_private_key(ec.SECP256R1()),
        ),
    ]
    for token in tokens:
        with pytest.raises(InvalidForwardingCredential):
            region_1.verify(token, **REQUEST)


@pytest.mark.parametrize("claim", ["tenant_name", "htm", "htu", "sub", "exp", "iss", "aud", "jti"])
def test_a_credential_missing_a_claim_is_refused(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier, claim: str
) -> None:
    claims = claims_like_central()
    del claims[claim]
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forge(claims, HEADER, central_key), **REQUEST)


def test_a_credential_from_another_issuer_is_refused(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier
) -> None:
    token = forge(claims_like_central(iss="chalkops-region:local-2"), HEADER, central_key)
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(token, **REQUEST)


def test_header_supplied_keys_are_refused(
    central_key: ed25519.Ed25519PrivateKey, region_1: ForwardingVerifier
) -> None:
    header = {**HEADER, "jku": "https://attacker.example/jwks.json"}
    with pytest.raises(InvalidForwardingCredential):
        region_1.verify(forge(claims_like_central(), header, central_key), **REQUEST)


def test_forwarding_rejections_are_invalid_token_errors(region_1: ForwardingVerifier) -> None:
    # Handlers that map InvalidToken to 401 cover the forwarding credential too.
    with pytest.raises(InvalidToken):
        region_1.verify("not.a.token", **REQUEST)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=300)
    | st.from_regex(r"\A[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,80}\.[A-Za-z0-9_-]{0,90}\Z")
)
def test_garbage_is_only_ever_an_invalid_forwarding_credential(token: str) -> None:
    verifier = ForwardingVerifier(public_pem(_FUZZ_KEY), KID, region="local-1")
    with pytest.raises(InvalidForwardingCredential):
        verifier.verify(token, **REQUEST)


_FUZZ_KEY = ed25519.Ed25519PrivateKey.generate()


def test_keys_of_the_wrong_type_or_a_long_lifetime_are_configuration_errors(
    central_key: ed25519.Ed25519PrivateKey,
) -> None:
    ec_private = ec.generate_private_key(ec.SECP256R1())
    ec_pem = ec_private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    ec_public = (
        ec_private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ConfigurationError):
        ForwardingSigner(ec_pem, KID)
    with pytest.raises(ConfigurationError):
        ForwardingVerifier(ec_public, KID, region="local-1")
    with pytest.raises(ConfigurationError):
        ForwardingSigner(private_pem(central_key), KID, lifetime_seconds=3600)


def test_signing_and_verifying_each_take_well_under_half_a_millisecond(
    signer: ForwardingSigner, region_1: ForwardingVerifier
) -> None:
    # It runs on every forwarded request; the median of many batches resists a noisy machine.
    token = forwarded(signer)
    sign = timeit.repeat(lambda: forwarded(signer), number=50, repeat=15)
    verify = timeit.repeat(lambda: region_1.verify(token, **REQUEST), number=50, repeat=15)
    assert statistics.median(sign) / 50 < 0.0005
    assert statistics.median(verify) / 50 < 0.0005
