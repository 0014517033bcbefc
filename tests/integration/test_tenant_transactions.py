"""Tenant-scoped transactions through the library's pool, logged in with Vault dynamic creds."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from chalkops.db.exceptions import InvalidTenantSchema
from chalkops.db.postgres import Database
from chalkops.db.tenancy import tenant_schema
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from tests.support.platform import migrated_tenants, regional_app_database

pytestmark = pytest.mark.integration
REGION = "local-1"


@pytest.fixture(scope="module")
def two_tenants(platform_infra: Infrastructure) -> tuple[str, str]:
    first, second = migrated_tenants(platform_infra, REGION, count=2)
    return first, second


@pytest.fixture
def app_db(platform_infra: Infrastructure) -> Iterator[Database]:
    """The regional API's view of the database: one pooled connection, dynamic credentials."""
    db = regional_app_database(platform_infra, REGION, pool_max_size=1)
    db.open(wait=False)
    yield db
    db.close()


def insert_user(conn: psycopg.Connection[dict[str, object]], email: str) -> None:
    conn.execute(
        "INSERT INTO users (id, email, email_lower, webauthn_handle) VALUES (%s, %s, %s, %s)",
        (new_id(), email, email.lower(), new_id().bytes),
    )


def test_search_path_is_the_tenant_schema_inside_and_default_after_commit(
    app_db: Database, two_tenants: tuple[str, str]
) -> None:
    tenant, _ = two_tenants
    with app_db.tenant_transaction(tenant) as conn:
        inside = conn.execute("SELECT current_setting('search_path') AS p").fetchone()
    # The pool holds one connection, so this is the very connection used above.
    with app_db.transaction() as conn:
        after = conn.execute("SELECT current_setting('search_path') AS p").fetchone()
    assert inside == {"p": f'"{tenant_schema(tenant)}"'}
    assert after == {"p": '"$user", public'}


def test_one_tenants_rows_are_invisible_from_anothers_transaction(
    app_db: Database, two_tenants: tuple[str, str]
) -> None:
    tenant_a, tenant_b = two_tenants
    email = f"only-in-a-{new_id().hex[:8]}@example.com"
    with app_db.tenant_transaction(tenant_a) as conn:
        insert_user(conn, email)
    with app_db.tenant_transaction(tenant_b) as conn:
        seen = conn.execute("SELECT count(*) AS n FROM users WHERE email = %s", (email,)).fetchone()
    with app_db.tenant_transaction(tenant_a) as conn:
        own = conn.execute("SELECT count(*) AS n FROM users WHERE email = %s", (email,)).fetchone()
    assert seen == {"n": 0}
    assert own == {"n": 1}


def test_an_error_rolls_the_whole_transaction_back(
    app_db: Database, two_tenants: tuple[str, str]
) -> None:
    tenant, _ = two_tenants
    email = f"rolled-back-{new_id().hex[:8]}@example.com"
    with pytest.raises(RuntimeError), app_db.tenant_transaction(tenant) as conn:
        insert_user(conn, email)
        raise RuntimeError("the service failed after writing")
    with app_db.tenant_transaction(tenant) as conn:
        found = conn.execute(
            "SELECT count(*) AS n FROM users WHERE email = %s", (email,)
        ).fetchone()
    assert found == {"n": 0}


def test_the_app_login_is_not_owner_superuser_or_bypassrls(
    app_db: Database, two_tenants: tuple[str, str]
) -> None:
    tenant, _ = two_tenants
    with app_db.tenant_transaction(tenant) as conn:
        me = conn.execute(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
        owns = conn.execute(
            "SELECT count(*) AS n FROM pg_tables WHERE tableowner = current_user"
        ).fetchone()
    assert me == {
        "rolsuper": False,
        "rolbypassrls": False,
        "rolcreaterole": False,
        "rolcreatedb": False,
    }
    assert owns == {"n": 0}


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE public.planted (x int)",
        "CREATE SCHEMA planted",
        "DROP TABLE users",
        "ALTER TABLE users ADD COLUMN planted int",
    ],
)
def test_the_app_login_cannot_change_schema(
    app_db: Database, two_tenants: tuple[str, str], ddl: str
) -> None:
    tenant, _ = two_tenants
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        app_db.tenant_transaction(tenant) as conn,
    ):
        conn.execute(ddl)


def test_hostile_tenant_ids_never_reach_sql(app_db: Database) -> None:
    with pytest.raises(InvalidTenantSchema), app_db.tenant_transaction('acme"; DROP TABLE x; --'):
        pass
