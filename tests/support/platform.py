"""Helpers for tests that talk to the running platform."""

from __future__ import annotations

import httpx
import psycopg

from chalkops.crypto import Passwords
from chalkops.db.migrations import MigrationSet, migrate
from chalkops.db.postgres import Database
from chalkops.db.roles import DatabaseRoles
from chalkops.db.tenancy import tenant_schema
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from chalkops.secrets.vault import VaultDatabaseCredentials, VaultSession
from chalkops.security.throttle import LoginThrottle
from chalkops.vault_config.plan import region_database_name


def client_from(address: str, base_url: str, **kwargs: object) -> httpx.Client:
    """An HTTP client whose requests leave from ``address`` (any 127.x.y.z is loopback), so a
    test that blocks or throttles a source does not block the rest of the suite."""
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, transport=transport, timeout=60, **kwargs)  # type: ignore[arg-type]


def superuser(infra: Infrastructure, dbname: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(infra.postgres.conninfo(dbname), autocommit=True)


def create_operator(infra: Infrastructure, email: str, password: str) -> None:
    hashed = Passwords().hash(password)
    with superuser(infra, "chalkops_global") as conn:
        conn.execute(
            "INSERT INTO chalkops.global_system_users"
            " (id, email, email_lower, password_hash, roles)"
            " VALUES (%s, %s, %s, %s, ARRAY['operator'])",
            (new_id(), email, email.lower(), hashed),
        )


def tenant_schemas(infra: Infrastructure, dbname: str) -> set[str]:
    with superuser(infra, dbname) as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%'"
        ).fetchall()
    return {str(row[0]) for row in rows}


def most_admitted_in_a_burst(throttle: LoginThrottle, within_seconds: float) -> int:
    """The most failures a burst of parallel guesses can get verified, whatever the timing.

    Each attempt is counted before its password is verified, so only the free failures pass
    at once; one more passes each time a block expires, and every such failure doubles the
    next block (2 s, 4 s, 8 s …). A burst that ends within ``within_seconds`` (the client's
    timeout) therefore sees a bounded number of extra ones, however slow the machine is.
    The exact bound, at a fixed instant, is proven in tests/integration/test_throttle_postgres.py.
    """
    policy = throttle.policy
    extra, elapsed, block = 0, 0.0, policy.first_block.total_seconds()
    while elapsed + block <= within_seconds:
        elapsed += block
        extra += 1
        block = min(block * 2, policy.max_block.total_seconds())
    return policy.account_free_failures + extra


def migrated_tenants(infra: Infrastructure, region: str, count: int = 1) -> list[str]:
    """Fresh tenant schemas in a region's database, migrated by the owner role as provisioning
    does (the app role gets usage only)."""
    dbname = region_database_name(region)
    roles = DatabaseRoles(dbname)
    tenants = [str(new_id()) for _ in range(count)]
    with superuser(infra, dbname) as conn:
        for tenant in tenants:
            migrate(
                conn,
                MigrationSet.TENANT,
                tenant_schema(tenant),
                owner_role=roles.owner,
                usage_roles=(roles.app,),
            )
    return tenants


def regional_app_database(infra: Infrastructure, region: str, pool_max_size: int = 4) -> Database:
    """The regional API's pool (not yet opened), logged in with Vault dynamic credentials."""
    from tests.conftest import database_settings_for, vault_settings_for  # noqa: PLC0415

    service = f"regional-api-{region}"
    settings = database_settings_for(infra, region_database_name(region), service)
    return Database(
        settings.model_copy(update={"pool_max_size": pool_max_size}),
        VaultDatabaseCredentials(VaultSession(vault_settings_for(infra, service)), service),
    )
