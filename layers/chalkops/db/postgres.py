"""The PostgreSQL adapter: a psycopg 3 pool whose logins come from a :class:`CredentialSource`.

Two ways in, and nothing else hands out connections:

* :meth:`Database.transaction` for data that is not tenant-scoped (the global control plane,
  the regional shared schema);
* :meth:`Database.tenant_transaction` for tenant data: it sets ``search_path`` to the tenant's
  schema *transaction-locally* (``set_config(..., true)``), so the setting dies with the
  transaction and a pooled connection never carries one tenant's path into another's request.

The first statement of every transaction is ours (``set_config``). If it fails because the
connection is dead — a revoked credential terminates its sessions — the connection is thrown
away and the transaction starts again on a fresh one, before any of the caller's work has run.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from chalkops.config import DatabaseSettings
from chalkops.db.base import CredentialSource
from chalkops.db.exceptions import DatabaseUnavailable
from chalkops.db.tenancy import tenant_schema
from chalkops.observability import get_logger

logger = get_logger("chalkops.db")

Connection = psycopg.Connection[DictRow]
_ATTEMPTS = 3


@lru_cache(maxsize=4096)
def _quoted(schema: str) -> str:
    return sql.Identifier(schema).as_string(None)


class Database:
    """A pool of connections to one PostgreSQL database."""

    def __init__(
        self,
        settings: DatabaseSettings,
        credentials: CredentialSource,
        *,
        application_name: str = "chalkops",
        max_lifetime_seconds: float = 1800.0,
    ) -> None:
        self.settings = settings
        self._credentials = credentials
        self._conninfo = psycopg.conninfo.make_conninfo(
            host=settings.host,
            port=settings.port,
            dbname=settings.dbname,
            connect_timeout=max(1, int(settings.connect_timeout_seconds)),
            application_name=application_name,
            sslmode=settings.sslmode,
            # Session-level, set once at login: no per-transaction cost on the hot path.
            options=f"-c statement_timeout={int(settings.statement_timeout_ms)}",
        )
        self._pool: ConnectionPool[Connection] = ConnectionPool(
            self._conninfo,
            kwargs=self._connect_kwargs,
            connection_class=psycopg.Connection[DictRow],
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
            max_lifetime=max_lifetime_seconds,
            timeout=settings.connect_timeout_seconds * 2,
            reconnect_timeout=60.0,
            open=False,
            name=application_name,
        )

    def _connect_kwargs(self) -> dict[str, Any]:
        credential = self._credentials.current()
        return {"user": credential.user, "password": credential.password, "row_factory": dict_row}

    def open(self, *, wait: bool = False) -> None:
        self._pool.open(wait=wait, timeout=self.settings.connect_timeout_seconds * 2)

    def close(self) -> None:
        self._pool.close()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A transaction outside any tenant (global tables, the regional shared schema)."""
        conn = self._checkout_ready(None)
        try:
            yield conn
        except BaseException:
            self._finish(conn, commit=False)
            raise
        self._finish(conn, commit=True)

    @contextmanager
    def tenant_transaction(self, tenant_id: uuid.UUID | str) -> Iterator[Connection]:
        """A transaction whose unqualified names resolve in the tenant's schema only."""
        conn = self._checkout_ready(tenant_schema(tenant_id))
        try:
            yield conn
        except BaseException:
            self._finish(conn, commit=False)
            raise
        self._finish(conn, commit=True)

    def _checkout_ready(self, search_path: str | None) -> Connection:
        """A pooled connection inside a fresh transaction with our settings applied."""
        last_error: Exception | None = None
        for _attempt in range(_ATTEMPTS):
            try:
                conn = self._pool.getconn()
            except PoolTimeout as exc:
                raise DatabaseUnavailable("no database connection became available") from exc
            try:
                self._prepare(conn, search_path)
                return conn
            except psycopg.OperationalError as exc:
                last_error = exc
                self._discard(conn, exc)
                # A revoked credential or a restarted server kills every pooled session at once:
                # sweep the idle ones so the retry gets a live connection.
                self._pool.check()
        raise DatabaseUnavailable("the database refused every connection attempt") from last_error

    def _prepare(self, conn: Connection, search_path: str | None) -> None:
        # The transaction's first statement: it opens the transaction (so a dead connection is
        # found before the caller's work runs) and, for a tenant, sets search_path to the quoted
        # schema identifier transaction-locally (``true``), so it ends with the transaction.
        if search_path is None:
            conn.execute("SELECT 1")
            return
        conn.execute("SELECT set_config('search_path', %s, true)", (_quoted(search_path),))

    def _finish(self, conn: Connection, *, commit: bool) -> None:
        try:
            if commit:
                conn.commit()
            else:
                conn.rollback()
        except psycopg.OperationalError as exc:
            self._discard(conn, exc)
            raise DatabaseUnavailable("the database connection was lost") from exc
        self._pool.putconn(conn)

    def _discard(self, conn: Connection, exc: Exception) -> None:
        state = getattr(getattr(exc, "diag", None), "sqlstate", None)
        # Whatever killed the session (revocation, expiry, restart), the next login should use a
        # credential checked afresh; the source decides whether that means a new one.
        self._credentials.invalidate()
        logger.warning("discarding a broken database connection", extra={"sqlstate": state})
        conn.close()
        self._pool.putconn(conn)

    def stats(self) -> dict[str, int]:
        return dict(self._pool.get_stats())
