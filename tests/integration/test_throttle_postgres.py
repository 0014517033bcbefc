"""The login throttle on real PostgreSQL under concurrency: a burst cannot outrun the counter.

Every attempt runs ``admit`` in its own pooled transaction at the same instant (``now`` is fixed,
so no block can expire mid-test): the per-key advisory locks must serialise them so that exactly
the free failures are admitted, however the threads interleave.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest

from chalkops.db.postgres import Database
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from chalkops.security.exceptions import AccountLocked
from chalkops.security.postgres import PostgresThrottleStore
from chalkops.security.throttle import LoginThrottle
from tests.support.platform import migrated_tenants, regional_app_database

pytestmark = pytest.mark.integration
REGION = "local-1"
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BURST = 16


@pytest.fixture(scope="module")
def tenant(platform_infra: Infrastructure) -> str:
    return migrated_tenants(platform_infra, REGION)[0]


@pytest.fixture
def app_db(platform_infra: Infrastructure) -> Iterator[Database]:
    db = regional_app_database(platform_infra, REGION, pool_max_size=8)
    db.open(wait=True)
    yield db
    db.close()


def burst(db: Database, tenant: str) -> list[bool]:
    throttle = LoginThrottle()
    email = f"victim-{new_id().hex[:8]}@example.test"

    def attempt(index: int) -> bool:
        try:
            with db.tenant_transaction(tenant) as conn:
                store = PostgresThrottleStore(conn, "login_throttle", lock=True)
                throttle.admit(store, email=email, source=f"198.51.100.{index}", now=NOW)
        except AccountLocked:
            return False
        return True

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(attempt, range(BURST)))


def test_a_parallel_burst_admits_exactly_the_free_failures(app_db: Database, tenant: str) -> None:
    admitted = burst(app_db, tenant)
    assert admitted.count(True) == LoginThrottle().policy.account_free_failures, admitted
