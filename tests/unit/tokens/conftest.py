"""Factories for the unit tests of the tokens package: a fake transit key and a tenant pair."""

from __future__ import annotations

import pytest

from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache
from chalkops.tokens.types import TENANT_ACCESS_TYP, TENANT_AUDIENCE
from tests.unit.tokens.fakes import KEY, REGION_ISSUER, Clock, FakeTransit, tenant_issuer


@pytest.fixture
def transit() -> FakeTransit:
    return FakeTransit(KEY)


@pytest.fixture
def cache_clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(transit: FakeTransit, cache_clock: Clock) -> PublicKeyCache:
    return PublicKeyCache(transit, KEY, ttl_seconds=300, clock=cache_clock)


@pytest.fixture
def issuer(transit: FakeTransit) -> TokenIssuer:
    return tenant_issuer(transit)


@pytest.fixture
def verifier(cache: PublicKeyCache) -> TokenVerifier:
    return TokenVerifier(
        cache, issuer=REGION_ISSUER, audience=TENANT_AUDIENCE, typ=TENANT_ACCESS_TYP
    )
