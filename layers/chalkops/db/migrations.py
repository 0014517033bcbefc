"""Versioned SQL migrations for the global schema, the regional shared schema and tenant schemas.

Files live in ``chalkops/db/sql/<kind>/NNNN_description.sql``. Each target schema records what
it has applied (version, name, checksum) in its own ``schema_migrations`` table, so re-running is
a no-op and an edited, already-applied file is refused rather than silently diverging. A
transaction-level advisory lock keyed on the schema serialises concurrent runners (two
processes starting at once, two provisioners racing on one tenant).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources

import psycopg
from psycopg import sql

from chalkops.db.exceptions import MigrationError

_FILE_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


class MigrationSet(StrEnum):
    GLOBAL = "global"
    REGIONAL = "regional"
    TENANT = "tenant"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


@cache
def load_migrations(kind: MigrationSet) -> tuple[Migration, ...]:
    folder = resources.files("chalkops.db").joinpath("sql", kind.value)
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _FILE_NAME.match(entry.name)
        if match is None:
            continue
        found.append(Migration(int(match.group(1)), match.group(2), entry.read_text("utf-8")))
    found.sort(key=lambda migration: migration.version)
    versions = [migration.version for migration in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration versions in the {kind.value} set")
    return tuple(found)


def migrate(
    conn: psycopg.Connection[object],
    kind: MigrationSet,
    schema: str,
    *,
    owner_role: str | None = None,
    usage_roles: tuple[str, ...] = (),
) -> list[int]:
    """Bring ``schema`` up to date with the ``kind`` set; return the versions applied now.

    Runs in its own transaction on ``conn`` (which must not be inside one). With ``owner_role``
    the DDL runs as that role (``SET LOCAL ROLE``) so objects are owned by it, not by the login
    role; ``usage_roles`` get ``USAGE`` on the schema (table rights come from default privileges).
    """
    migrations = load_migrations(kind)
    ident = sql.Identifier(schema)
    with conn.transaction():
        if owner_role:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner_role)))
        conn.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"chalkops.migrate:{schema}",)
        )
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(ident))
        for role in usage_roles:
            conn.execute(
                sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(ident, sql.Identifier(role))
            )
        conn.execute(
            sql.SQL(
                "CREATE TABLE IF NOT EXISTS {}.schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            ).format(ident)
        )
        applied = _applied(conn, ident)
        conn.execute("SELECT set_config('search_path', %s, true)", (ident.as_string(conn),))
        done: list[int] = []
        for migration in migrations:
            recorded = applied.get(migration.version)
            if recorded is not None:
                if recorded != migration.checksum:
                    raise MigrationError(
                        f"{kind.value} migration {migration.version:04d}_{migration.name} was "
                        f"changed after it was applied to schema {schema}; add a new migration"
                    )
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                sql.SQL(
                    "INSERT INTO {}.schema_migrations (version, name, checksum) VALUES (%s, %s, %s)"
                ).format(ident),
                (migration.version, migration.name, migration.checksum),
            )
            done.append(migration.version)
    return done


def _applied(conn: psycopg.Connection[object], ident: sql.Identifier) -> dict[int, str]:
    rows = conn.execute(
        sql.SQL("SELECT version, checksum FROM {}.schema_migrations").format(ident)
    ).fetchall()
    result: dict[int, str] = {}
    for row in rows:
        values = list(row.values()) if isinstance(row, dict) else list(row)  # type: ignore[call-overload]
        result[int(values[0])] = str(values[1])
    return result


def pending(conn: psycopg.Connection[object], kind: MigrationSet, schema: str) -> list[int]:
    """Versions of ``kind`` not yet applied to ``schema`` (all of them if it has none)."""
    exists = conn.execute(
        "SELECT to_regclass(%s) IS NOT NULL",
        (f"{sql.Identifier(schema).as_string(conn)}.schema_migrations",),
    ).fetchone()
    versions = [migration.version for migration in load_migrations(kind)]
    if not exists or not _first(exists):
        return versions
    applied = _applied(conn, sql.Identifier(schema))
    return [version for version in versions if version not in applied]


def _first(row: object) -> object:
    if isinstance(row, dict):
        return next(iter(row.values()))
    return row[0]  # type: ignore[index]
