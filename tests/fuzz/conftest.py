"""Schemathesis against the running platform's OpenAPI schemas, from their own address.

Fuzzing sends thousands of bad sign-ins; it runs from a loopback address of its own so the
per-source throttle it trips does not throttle the rest of the suite.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from requests.adapters import HTTPAdapter

FUZZ_SOURCE = "127.0.9.9"


class SourceAddressAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (FUZZ_SOURCE, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture(scope="session")
def fuzz_session() -> Iterator[requests.Session]:
    session = requests.Session()
    session.mount("http://", SourceAddressAdapter())
    yield session
    session.close()


@pytest.fixture(scope="session")
def central_schema(central_url: str) -> Any:
    return schemathesis.openapi.from_url(f"{central_url}/openapi.json")
