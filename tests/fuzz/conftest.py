"""Schemathesis against the running platform's OpenAPI schemas, from their own address.

Fuzzing sends thousands of bad sign-ins; it runs from loopback addresses of its own so the
per-source throttle it trips does not throttle the rest of the suite. The regional API is fuzzed
through the central API's forwarding, as a dedicated tenant whose admin signs in from yet another
address: fuzzing the login route may throttle the fuzzing address, never the one that keeps a
valid bearer token at hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from requests.adapters import HTTPAdapter

from tests.support.platform import client_from

FUZZ_SOURCE = "127.0.9.9"
REGIONAL_FUZZ_SOURCE = "127.0.9.10"
SIGN_IN_SOURCE = "127.0.9.11"
FUZZ_PASSWORD = "fuzzing passphrase 7"  # a throwaway account of a test platform


class SourceAddressAdapter(HTTPAdapter):
    def __init__(self, source: str = FUZZ_SOURCE, **kwargs: Any) -> None:
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def session_from(source: str) -> requests.Session:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter(source))
    return session


@pytest.fixture(autouse=True)
def _schemathesis_node_id(request: pytest.FixtureRequest) -> None:
    """Schemathesis 4.32's ``from_fixture`` reads and rewrites ``node._nodeid``, which pytest 9.2
    no longer has (the id lives in ``node.nodeid``); give it the attribute it expects."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture(scope="session")
def fuzz_session() -> Iterator[requests.Session]:
    session = session_from(FUZZ_SOURCE)
    yield session
    session.close()


@pytest.fixture(scope="session")
def regional_fuzz_session() -> Iterator[requests.Session]:
    session = session_from(REGIONAL_FUZZ_SOURCE)
    yield session
    session.close()


@pytest.fixture(scope="session")
def central_schema(central_url: str) -> Any:
    return without_nul(schemathesis.openapi.from_url(f"{central_url}/openapi.json"))


def without_nul(schema: Any) -> Any:
    """Generated text holds no NUL: the request guard refuses it by design, with a 400 that
    tests/fuzz/test_input_hardening.py checks on every API; here it would only hide the rest."""
    schema.config.generation.update(allow_x00=False)
    return schema


# Rules no schema states: a schema-valid password can still be too common, and a region code
# must name a region configured at run time.
BUSINESS_RULES = frozenset({"password_policy", "unknown_region"})


def refused_by_business_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    errors = response.json().get("errors") or [{}]
    return all(error.get("type") in BUSINESS_RULES for error in errors)


@dataclass
class FuzzTenant:
    """A tenant of its own for fuzzing, and a bearer token of its admin that stays valid.

    The fuzzer may end the session the token belongs to (``POST /auth/logout``); the test then
    calls :meth:`sign_in` again.
    """

    central_url: str
    name: str
    email: str
    token: str = ""

    @property
    def base_url(self) -> str:
        return f"{self.central_url}/tenants/{self.name}"

    def sign_in(self) -> str:
        with client_from(SIGN_IN_SOURCE, self.central_url) as client:
            response = client.post(
                f"/tenants/{self.name}/auth/login",
                json={"email": self.email, "password": FUZZ_PASSWORD},
            )
        response.raise_for_status()
        self.token = str(response.json()["access_token"])
        return self.token

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def fuzz_tenant(central_url: str) -> FuzzTenant:
    name = f"fuzz-{uuid.uuid4().hex[:10]}"
    email = f"admin@{name}.test"
    with client_from(SIGN_IN_SOURCE, central_url) as client:
        registered = client.post(
            "/auth/register",
            json={
                "tenant_name": name,
                "region": "local-1",
                "admin_email": email,
                "admin_password": FUZZ_PASSWORD,
            },
        )
    assert registered.status_code == 201, registered.text
    assert registered.json()["status"] == "active", registered.text
    tenant = FuzzTenant(central_url, name, email)
    tenant.sign_in()
    return tenant


@pytest.fixture(scope="session")
def regional_schema(fuzz_tenant: FuzzTenant) -> Any:
    """The regional API's own OpenAPI document, read through the central forwarding, with every
    request sent to ``<central>/tenants/<name>/...``."""
    schema = schemathesis.openapi.from_url(f"{fuzz_tenant.base_url}/openapi.json")
    schema.config.update(base_url=fuzz_tenant.base_url)
    return without_nul(schema)
