"""The migration runner: versioned, recorded per schema, idempotent, safe when run concurrently."""

from __future__ import annotations

import threading

import psycopg
import pytest

from chalkops.db.exceptions import MigrationError
from chalkops.db.migrations import MigrationSet, load_migrations, migrate, pending
from chalkops.db.roles import DatabaseRoles
from chalkops.db.tenancy import tenant_schema
from chalkops.ids import new_id
from chalkops.local.platform import Infrastructure
from chalkops.vault_config.plan import region_database_name

pytestmark = pytest.mark.integration
DB = region_database_name("local-1")
ROLES = DatabaseRoles(DB)


def connect(infra: Infrastructure) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(infra.postgres.conninfo(DB), autocommit=True)


def test_a_new_tenant_schema_gets_every_migration_once(platform_infra: Infrastructure) -> None:
    schema = tenant_schema(new_id())
    every = [migration.version for migration in load_migrations(MigrationSet.TENANT)]
    with connect(platform_infra) as conn:
        assert pending(conn, MigrationSet.TENANT, schema) == every
        assert migrate(conn, MigrationSet.TENANT, schema, owner_role=ROLES.owner) == every
        assert migrate(conn, MigrationSet.TENANT, schema, owner_role=ROLES.owner) == []
        assert pending(conn, MigrationSet.TENANT, schema) == []
        owner = conn.execute(
            "SELECT tableowner FROM pg_tables WHERE schemaname = %s AND tablename = 'users'",
            (schema,),
        ).fetchone()
    assert owner == (ROLES.owner,), "DDL must run as the owner role, not the login"


def test_an_applied_migration_that_changed_is_refused(platform_infra: Infrastructure) -> None:
    schema = tenant_schema(new_id())
    with connect(platform_infra) as conn:
        migrate(conn, MigrationSet.TENANT, schema, owner_role=ROLES.owner)
        conn.execute(
            psycopg.sql.SQL("UPDATE {}.schema_migrations SET checksum = 'edited'").format(
                psycopg.sql.Identifier(schema)
            )
        )
        with pytest.raises(MigrationError, match="changed after it was applied"):
            migrate(conn, MigrationSet.TENANT, schema, owner_role=ROLES.owner)


def test_concurrent_runners_on_one_schema_apply_each_migration_exactly_once(
    platform_infra: Infrastructure,
) -> None:
    schema = tenant_schema(new_id())
    barrier = threading.Barrier(6)
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def runner() -> None:
        try:
            with connect(platform_infra) as conn:
                barrier.wait()
                applied.append(migrate(conn, MigrationSet.TENANT, schema, owner_role=ROLES.owner))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=runner) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    every = [migration.version for migration in load_migrations(MigrationSet.TENANT)]
    assert sorted(applied, key=len, reverse=True) == [every] + [[]] * 5
    with connect(platform_infra) as conn:
        rows = conn.execute(
            psycopg.sql.SQL("SELECT count(*) FROM {}.schema_migrations").format(
                psycopg.sql.Identifier(schema)
            )
        ).fetchone()
    assert rows == (len(every),)


def test_global_and_regional_schemas_were_migrated_by_the_platform(
    platform_infra: Infrastructure,
) -> None:
    with psycopg.connect(platform_infra.postgres.conninfo("chalkops_global")) as conn:
        assert pending(conn, MigrationSet.GLOBAL, "chalkops") == []
        regions = conn.execute("SELECT code FROM chalkops.regions ORDER BY code").fetchall()
    assert regions == [("local-1",), ("local-2",)]
    for code in ("local-1", "local-2"):
        with psycopg.connect(platform_infra.postgres.conninfo(region_database_name(code))) as conn:
            assert pending(conn, MigrationSet.REGIONAL, "regional") == []
