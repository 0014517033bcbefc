"""Fixtures of the identity end-to-end tests (all through the central API on the platform)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from chalkops.local.platform import LocalPlatform
from tests.e2e.identity.support import (
    Session,
    Tenant,
    next_address,
    register_tenant,
    sign_in_admin,
    webauthn_origin,
)
from tests.support.platform import client_from


@pytest.fixture(scope="session")
def origin(local_platform: LocalPlatform) -> str:
    return webauthn_origin(local_platform.ports.central)


@pytest.fixture(scope="module")
def http(central_url: str) -> Iterator[httpx.Client]:
    with client_from(next_address(), central_url) as client:
        yield client


@pytest.fixture(scope="module")
def tenant(http: httpx.Client) -> Tenant:
    return register_tenant(http, "local-1")


@pytest.fixture(scope="module")
def admin(central_url: str, tenant: Tenant) -> Iterator[Session]:
    """The module tenant's initial admin, signed in."""
    session = sign_in_admin(central_url, tenant)
    yield session
    session.client.close()
