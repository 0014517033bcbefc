"""The control plane's PostgreSQL adapter (global database, schema ``chalkops``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from chalkops.controlplane.exceptions import TenantNameTaken
from chalkops.controlplane.models import BlacklistEntry, GlobalUser, Tenant, TenantStatus
from chalkops.db.postgres import Database
from chalkops.ids import new_id

Conn = psycopg.Connection[Any]


def _tenant(row: dict[str, Any]) -> Tenant:
    return Tenant(
        id=row["id"],
        name=row["name"],
        region=row["region"],
        status=TenantStatus(row["status"]),
        status_reason=row["status_reason"],
        display_name=row["display_name"],
        updated_at=row["updated_at"],
    )


_TENANT_COLUMNS = "id, name, region, status, status_reason, display_name, updated_at"


class ControlPlaneStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # tenants ------------------------------------------------------------------------------------

    def tenant_name_exists(self, name: str) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute("SELECT 1 FROM chalkops.tenants WHERE name = %s", (name,)).fetchone()
        return row is not None

    def create_tenant_with_owner(self, tenant: Tenant, owner: GlobalUser) -> None:
        """Insert the tenant (status provisioning) and its global admin in one transaction."""
        try:
            with self.db.transaction() as conn:
                conn.execute(
                    "INSERT INTO chalkops.tenants (id, name, region, display_name, status)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (tenant.id, tenant.name, tenant.region, tenant.display_name, tenant.status),
                )
                self._insert_user(conn, owner)
        except psycopg.errors.UniqueViolation as exc:
            raise TenantNameTaken(f"the tenant name '{tenant.name}' is taken") from exc

    def tenant_by_name(self, name: str) -> Tenant | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                f"SELECT {_TENANT_COLUMNS} FROM chalkops.tenants WHERE name = %s",  # noqa: S608
                (name,),
            ).fetchone()
        return _tenant(row) if row else None

    def tenants_stuck_in(self, status: TenantStatus, older_than: datetime) -> list[Tenant]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                f"SELECT {_TENANT_COLUMNS} FROM chalkops.tenants"  # noqa: S608
                " WHERE status = %s AND updated_at < %s ORDER BY updated_at",
                (status, older_than),
            ).fetchall()
        return [_tenant(row) for row in rows]

    def set_tenant_status(
        self, tenant_id: uuid.UUID, status: TenantStatus, reason: str | None = None
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE chalkops.tenants SET status = %s, status_reason = %s, updated_at = now()"
                " WHERE id = %s",
                (status, reason, tenant_id),
            )

    def claim_for_provisioning(self, tenant_id: uuid.UUID, allowed: tuple[str, ...]) -> bool:
        """Move a tenant to ``provisioning`` if its status is one of ``allowed`` (atomic)."""
        with self.db.transaction() as conn:
            row = conn.execute(
                "UPDATE chalkops.tenants SET status = 'provisioning', status_reason = NULL,"
                " updated_at = now() WHERE id = %s AND status = ANY(%s) RETURNING id",
                (tenant_id, list(allowed)),
            ).fetchone()
        return row is not None

    # global admins ------------------------------------------------------------------------------

    @staticmethod
    def _insert_user(conn: Conn, user: GlobalUser) -> None:
        conn.execute(
            "INSERT INTO chalkops.global_system_users"
            " (id, tenant_id, email, email_lower, password_hash, roles)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                user.id,
                user.tenant_id,
                user.email,
                user.email.lower(),
                user.password_hash,
                list(user.roles),
            ),
        )

    def create_operator(self, user: GlobalUser) -> None:
        with self.db.transaction() as conn:
            self._insert_user(conn, user)

    def users_by_email(self, email: str) -> list[GlobalUser]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, tenant_id, email, password_hash, roles"
                " FROM chalkops.global_system_users WHERE email_lower = %s ORDER BY id LIMIT 20",
                (email.strip().lower(),),
            ).fetchall()
        return [
            GlobalUser(r["id"], r["tenant_id"], r["email"], r["password_hash"], tuple(r["roles"]))
            for r in rows
        ]

    def tenant_owner(self, tenant_id: uuid.UUID) -> GlobalUser | None:
        with self.db.transaction() as conn:
            row = conn.execute(
                "SELECT id, tenant_id, email, password_hash, roles"
                " FROM chalkops.global_system_users WHERE tenant_id = %s ORDER BY id LIMIT 1",
                (tenant_id,),
            ).fetchone()
        if row is None:
            return None
        return GlobalUser(
            row["id"], row["tenant_id"], row["email"], row["password_hash"], tuple(row["roles"])
        )

    def record_login(self, user_id: uuid.UUID, new_hash: str | None) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "UPDATE chalkops.global_system_users SET last_login_at = now(),"
                " password_hash = COALESCE(%s, password_hash) WHERE id = %s",
                (new_hash, user_id),
            )

    # blacklist ----------------------------------------------------------------------------------

    def active_blacklist(self) -> list[str]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT cidr::text AS cidr FROM chalkops.ip_blacklist"
                " WHERE expires_at IS NULL OR expires_at > now()"
            ).fetchall()
        return [row["cidr"] for row in rows]

    def list_blacklist(self) -> list[BlacklistEntry]:
        with self.db.transaction() as conn:
            rows = conn.execute(
                "SELECT id, cidr::text AS cidr, reason, expires_at, created_at"
                " FROM chalkops.ip_blacklist ORDER BY created_at"
            ).fetchall()
        return [
            BlacklistEntry(r["id"], r["cidr"], r["reason"], r["expires_at"], r["created_at"])
            for r in rows
        ]

    def add_blacklist(
        self,
        cidr: str,
        reason: str | None,
        expires_at: datetime | None,
        created_by: uuid.UUID | None,
    ) -> BlacklistEntry:
        with self.db.transaction() as conn:
            row = conn.execute(
                "INSERT INTO chalkops.ip_blacklist (id, cidr, reason, expires_at, created_by)"
                " VALUES (%s, %s, %s, %s, %s)"
                " RETURNING id, cidr::text AS cidr, reason, expires_at, created_at",
                (new_id(), cidr, reason, expires_at, created_by),
            ).fetchone()
        if row is None:  # INSERT … RETURNING always returns the row
            raise RuntimeError("blacklist insert returned nothing")
        return BlacklistEntry(
            row["id"], row["cidr"], row["reason"], row["expires_at"], row["created_at"]
        )

    def remove_blacklist(self, entry_id: uuid.UUID) -> bool:
        with self.db.transaction() as conn:
            row = conn.execute(
                "DELETE FROM chalkops.ip_blacklist WHERE id = %s RETURNING id", (entry_id,)
            ).fetchone()
        return row is not None

    # audit --------------------------------------------------------------------------------------

    def audit(
        self,
        event: str,
        outcome: str,
        *,
        tenant_id: uuid.UUID | None = None,
        actor: str | None = None,
        source_ip: str | None = None,
        details: dict[str, object] | None = None,
    ) -> None:
        with self.db.transaction() as conn:
            conn.execute(
                "INSERT INTO chalkops.audit_events"
                " (id, event, outcome, tenant_id, actor, source_ip, details)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (new_id(), event, outcome, tenant_id, actor, source_ip, Jsonb(details or {})),
            )
