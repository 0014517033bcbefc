"""Throttle counters in PostgreSQL (the global DB's ``chalkops.login_throttle`` or a tenant's)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from chalkops.security.throttle import ThrottleState


class PostgresThrottleStore:
    """Runs on the caller's connection, inside the caller's transaction."""

    def __init__(
        self, conn: psycopg.Connection[Any], table: str, schema: str | None = None
    ) -> None:
        self._conn = conn
        self._table = sql.Identifier(schema, table) if schema else sql.Identifier(table)

    def load(self, keys: list[str]) -> dict[str, ThrottleState]:
        rows = self._conn.execute(
            sql.SQL(
                "SELECT key, window_start, failures, blocked_until FROM {} WHERE key = ANY(%s)"
            ).format(self._table),
            (keys,),
        ).fetchall()
        return {
            row["key"]: ThrottleState(
                row["key"], row["window_start"], row["failures"], row["blocked_until"]
            )
            for row in rows
        }

    def save(self, state: ThrottleState) -> None:
        self._conn.execute(
            sql.SQL(
                "INSERT INTO {} (key, window_start, failures, blocked_until)"
                " VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (key) DO UPDATE SET window_start = EXCLUDED.window_start,"
                " failures = EXCLUDED.failures, blocked_until = EXCLUDED.blocked_until"
            ).format(self._table),
            (state.key, state.window_start, state.failures, state.blocked_until),
        )

    def clear(self, key: str) -> None:
        self._conn.execute(sql.SQL("DELETE FROM {} WHERE key = %s").format(self._table), (key,))
