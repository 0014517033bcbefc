"""Tenant users, refresh-token families and sign-in throttling in the tenant's own schema."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from chalkops.identity.exceptions import EmailTaken
from chalkops.identity.models import Credentials, User
from chalkops.ids import new_id

Conn = psycopg.Connection[Any]
USER_COLUMNS = "id, email, display_name, roles, created_at, last_login_at"


def user_from(row: dict[str, Any]) -> User:
    return User(
        row["id"],
        row["email"],
        row["display_name"],
        tuple(row["roles"]),
        row["created_at"],
        row["last_login_at"],
    )


class UserRepository:
    """Runs on the caller's connection (inside its tenant transaction)."""

    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def credentials_by_email(self, email: str) -> Credentials | None:
        row = self._conn.execute(
            f"SELECT {USER_COLUMNS}, password_hash FROM users WHERE email_lower = %s",  # noqa: S608
            (email.strip().lower(),),
        ).fetchone()
        return Credentials(user_from(row), row["password_hash"]) if row else None

    def by_id(self, user_id: uuid.UUID) -> User | None:
        row = self._conn.execute(
            f"SELECT {USER_COLUMNS} FROM users WHERE id = %s",  # noqa: S608  (a constant column list)
            (user_id,),
        ).fetchone()
        return user_from(row) if row else None

    def active_session_user(self, user_id: uuid.UUID, family_id: uuid.UUID | None) -> User | None:
        """The user, if it still exists and its sign-in session has not been ended (one query)."""
        row = self._conn.execute(
            f"SELECT {USER_COLUMNS} FROM users u WHERE u.id = %s AND NOT EXISTS ("  # noqa: S608
            " SELECT 1 FROM refresh_tokens r WHERE r.family_id = %s"
            " AND r.revoked_at IS NOT NULL)",
            (user_id, family_id),
        ).fetchone()
        return user_from(row) if row else None

    def all(self) -> list[User]:
        rows = self._conn.execute(
            f"SELECT {USER_COLUMNS} FROM users ORDER BY created_at, id LIMIT 1000"  # noqa: S608
        ).fetchall()
        return [user_from(row) for row in rows]

    def create(
        self, *, email: str, password_hash: str, display_name: str | None, roles: tuple[str, ...]
    ) -> User:
        try:
            with self._conn.transaction():
                row = self._conn.execute(
                    "INSERT INTO users (id, email, email_lower, display_name, password_hash,"  # noqa: S608  (constant columns)
                    " roles, webauthn_handle) VALUES (%s, %s, %s, %s, %s, %s, %s)"
                    f" RETURNING {USER_COLUMNS}",
                    (
                        new_id(),
                        email,
                        email.lower(),
                        display_name,
                        password_hash,
                        list(roles),
                        new_id().bytes + new_id().bytes,
                    ),
                ).fetchone()
        except psycopg.errors.UniqueViolation as exc:
            raise EmailTaken(f"a user with the email {email} exists") from exc
        if row is None:
            raise RuntimeError("INSERT … RETURNING returned nothing")
        return user_from(row)

    def update(
        self, user_id: uuid.UUID, *, display_name: str | None, roles: tuple[str, ...] | None
    ) -> User | None:
        row = self._conn.execute(
            "UPDATE users SET display_name = COALESCE(%s, display_name),"  # noqa: S608  (constant columns)
            " roles = COALESCE(%s, roles), updated_at = now() WHERE id = %s"
            f" RETURNING {USER_COLUMNS}",
            (display_name, list(roles) if roles is not None else None, user_id),
        ).fetchone()
        return user_from(row) if row else None

    def delete(self, user_id: uuid.UUID) -> bool:
        return self._conn.execute("DELETE FROM users WHERE id = %s", (user_id,)).rowcount > 0

    def admin_count(self, *, excluding: uuid.UUID | None = None) -> int:
        row = self._conn.execute(
            "SELECT count(*) AS n FROM users WHERE 'admin' = ANY(roles) AND id <> %s",
            (excluding or uuid.UUID(int=0),),
        ).fetchone()
        return int(row["n"]) if row else 0

    def record_login(self, user_id: uuid.UUID, new_hash: str | None) -> None:
        self._conn.execute(
            "UPDATE users SET last_login_at = now(), password_hash = COALESCE(%s, password_hash)"
            " WHERE id = %s",
            (new_hash, user_id),
        )

    def lock_for_role_change(self) -> None:
        """Serialise admin-count checks so two demotions cannot both leave zero admins."""
        self._conn.execute("SELECT pg_advisory_xact_lock(hashtext('chalkops.tenant.admins'))")


class RefreshTokens:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def add(
        self, *, family_id: uuid.UUID, user_id: uuid.UUID, token_hash: str, expires_at: datetime
    ) -> None:
        self._conn.execute(
            "INSERT INTO refresh_tokens (id, family_id, user_id, token_hash, expires_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            (new_id(), family_id, user_id, token_hash, expires_at),
        )

    def claim(self, token_hash: str) -> dict[str, Any] | None:
        return self._conn.execute(
            "SELECT id, family_id, user_id, expires_at, rotated_at, revoked_at"
            " FROM refresh_tokens WHERE token_hash = %s FOR UPDATE",
            (token_hash,),
        ).fetchone()

    def mark_rotated(self, token_id: uuid.UUID) -> None:
        self._conn.execute(
            "UPDATE refresh_tokens SET rotated_at = now() WHERE id = %s", (token_id,)
        )

    def revoke_family(self, family_id: uuid.UUID) -> None:
        self._conn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = %s"
            " AND revoked_at IS NULL",
            (family_id,),
        )


def audit(
    conn: Conn,
    event: str,
    outcome: str,
    *,
    user_id: uuid.UUID | None = None,
    source_ip: str | None = None,
    details: dict[str, object] | None = None,
) -> None:
    conn.execute(
        "INSERT INTO audit_events (id, event, outcome, user_id, source_ip, details)"
        " VALUES (%s, %s, %s, %s, %s, %s)",
        (new_id(), event, outcome, user_id, _inet(source_ip), Jsonb(details or {})),
    )


def _inet(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
