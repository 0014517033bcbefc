"""Create the local databases, their roles and their shared schemas (idempotent)."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from psycopg import sql

from chalkops.db.migrations import MigrationSet, migrate
from chalkops.db.roles import DatabaseRoles, ensure_roles, secure_database
from chalkops.local.postgres import PostgresLocation
from chalkops.vault_config.plan import GLOBAL_DATABASE_NAME, region_database_name

GLOBAL_SCHEMA = "chalkops"
REGIONAL_SCHEMA = "regional"


def prepare_databases(location: PostgresLocation, regions: Sequence[tuple[str, str]]) -> None:
    """Global database + one per region, each with its roles, grants and shared schema."""
    with psycopg.connect(location.conninfo(), autocommit=True) as admin:
        for dbname in [GLOBAL_DATABASE_NAME, *(region_database_name(code) for code, _ in regions)]:
            _create_database(admin, dbname)
            ensure_roles(admin, DatabaseRoles(dbname))
    _prepare(location, GLOBAL_DATABASE_NAME, MigrationSet.GLOBAL, GLOBAL_SCHEMA)
    _seed_regions(location, regions)
    for code, _name in regions:
        _prepare(location, region_database_name(code), MigrationSet.REGIONAL, REGIONAL_SCHEMA)


def _create_database(admin: psycopg.Connection[tuple[object, ...]], dbname: str) -> None:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
    if exists is None:
        admin.execute(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8'").format(sql.Identifier(dbname)))


def _prepare(location: PostgresLocation, dbname: str, kind: MigrationSet, schema: str) -> None:
    roles = DatabaseRoles(dbname)
    with psycopg.connect(location.conninfo(dbname), autocommit=True) as conn:
        secure_database(conn, roles)
        migrate(conn, kind, schema, owner_role=roles.owner, usage_roles=(roles.app,))


def _seed_regions(location: PostgresLocation, regions: Sequence[tuple[str, str]]) -> None:
    roles = DatabaseRoles(GLOBAL_DATABASE_NAME)
    with psycopg.connect(location.conninfo(GLOBAL_DATABASE_NAME)) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(roles.owner)))
        for code, name in regions:
            conn.execute(
                "INSERT INTO chalkops.regions (code, name) VALUES (%s, %s) "
                "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name",
                (code, name),
            )
