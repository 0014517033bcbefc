"""Throttle counters in PostgreSQL (the global DB's ``chalkops.login_throttle`` or a tenant's)."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from chalkops.security.throttle import ThrottleState


class PostgresThrottleStore:
    """Runs on the caller's connection, inside the caller's transaction.

    With ``lock=True`` every ``load`` first takes a transaction-scoped advisory lock per key (in
    sorted order, so two callers never deadlock): concurrent sign-ins on the same account or
    source then read-modify-write their counters one after the other instead of losing counts.
    """

    def __init__(
        self,
        conn: psycopg.Connection[Any],
        table: str,
        schema: str | None = None,
        *,
        lock: bool = False,
    ) -> None:
        self._conn = conn
        self._table = sql.Identifier(schema, table) if schema else sql.Identifier(table)
        self._schema = schema
        self._lock = lock

    def load(self, keys: list[str]) -> dict[str, ThrottleState]:
        if self._lock:
            for key in sorted(set(keys)):
                # Scoped by schema: the same email in two tenants is two different counters.
                # The named schema, else the tenant's (search_path): current_schema() is NULL
                # when no search_path schema is usable, and a NULL key locks nothing.
                self._conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtextextended("
                    "coalesce(%s, current_schema()) || ':throttle:' || %s, 0))",
                    (self._schema, key),
                )
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
