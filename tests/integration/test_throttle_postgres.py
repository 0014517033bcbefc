"""The login throttle on real PostgreSQL under concurrency: a burst cannot outrun the counter.

Every attempt runs ``admit`` in its own pooled transaction at the same instant (``now`` is fixed,
so no block can expire mid-test): the per-key advisory locks must serialise them so that exactly
the free failures are admitted, however the threads interleave.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager as ContextManager
from datetime import UTC, datetime
from typing import Any

import pytest

from chalkops.db.postgres import Database
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from chalkops.secrets.vault import VaultDatabaseCredentials, VaultSession
from chalkops.security.exceptions import AccountLocked
from chalkops.security.postgres import PostgresThrottleStore
from chalkops.security.throttle import LoginThrottle
from chalkops.vault_config.plan import GLOBAL_DATABASE_NAME
from tests.conftest import database_settings_for, vault_settings_for
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


@pytest.fixture
def global_db(platform_infra: Infrastructure) -> Iterator[Database]:
    """The central API's pool on the global database (its counters are ``chalkops.*``)."""
    settings = database_settings_for(platform_infra, GLOBAL_DATABASE_NAME, "central-api")
    db = Database(
        settings.model_copy(update={"pool_max_size": 8}),
        VaultDatabaseCredentials(
            VaultSession(vault_settings_for(platform_infra, "central-api")), "central-api"
        ),
    )
    db.open(wait=True)
    yield db
    db.close()


def burst(transaction: Callable[[], ContextManager[Any]], schema: str | None = None) -> list[bool]:
    throttle = LoginThrottle()
    email = f"victim-{new_id().hex[:8]}@example.test"

    def attempt(index: int) -> bool:
        try:
            with transaction() as conn:
                store = PostgresThrottleStore(conn, "login_throttle", schema=schema, lock=True)
                throttle.admit(store, email=email, source=f"198.51.100.{index}", now=NOW)
        except AccountLocked:
            return False
        return True

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        return list(pool.map(attempt, range(BURST)))


def test_a_parallel_burst_admits_exactly_the_free_failures(app_db: Database, tenant: str) -> None:
    admitted = burst(lambda: app_db.tenant_transaction(tenant))
    assert admitted.count(True) == LoginThrottle().policy.account_free_failures, admitted


def test_a_parallel_burst_at_a_global_admin_admits_exactly_the_free_failures(
    global_db: Database,
) -> None:
    # The global counters live in a named schema outside the search_path: the lock must be
    # scoped by that name (a NULL current_schema() once made the lock a silent no-op).
    admitted = burst(global_db.transaction, schema="chalkops")
    assert admitted.count(True) == LoginThrottle().policy.account_free_failures, admitted
