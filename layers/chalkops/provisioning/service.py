"""Provision a tenant in this region, idempotently and atomically.

Everything — the schema, its tables (tenant migrations), the registry row in ``regional.tenants``
and the first admin user — happens in ONE transaction: PostgreSQL's DDL is transactional, so a
failure at any point (the database going away included) leaves no schema and no user behind.
Re-running on a tenant that is already provisioned changes nothing and answers the same.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql

from chalkops.db.migrations import MigrationSet, migrate
from chalkops.db.postgres import Database
from chalkops.db.roles import DatabaseRoles
from chalkops.db.tenancy import tenant_schema
from chalkops.ids import new_id
from chalkops.observability import bind, get_logger
from chalkops.provisioning.exceptions import RegionProvisioningError
from chalkops.provisioning.models import ProvisionRequest, ProvisionResult

logger = get_logger("chalkops.provisioning")
REGIONAL_SCHEMA = "regional"


class TenantProvisioner:
    def __init__(self, db: Database, roles: DatabaseRoles) -> None:
        self._db = db
        self._roles = roles

    def handle(self, request: ProvisionRequest) -> ProvisionResult:
        try:
            if request.action == "deprovision":
                return self.deprovision(request.tenant_id)
            return self.provision(request)
        except psycopg.Error as exc:
            # The transaction rolled back: nothing of this attempt remains in the region.
            logger.warning("provisioning failed", extra={"error": type(exc).__name__})
            raise RegionProvisioningError(
                f"the region database failed during {request.action} ({type(exc).__name__})"
            ) from exc

    def provision(self, request: ProvisionRequest) -> ProvisionResult:
        schema = tenant_schema(request.tenant_id)
        with bind(tenant_id=request.tenant_id), self._db.transaction() as conn:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(self._roles.owner)))
            applied = migrate(
                conn,
                MigrationSet.TENANT,
                schema,
                owner_role=self._roles.owner,
                usage_roles=(self._roles.app,),
            )
            conn.execute(
                "INSERT INTO regional.tenants (id, name, schema_name, status)"
                " VALUES (%s, %s, %s, 'active')"
                " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, status = 'active',"
                " updated_at = now()",
                (request.tenant_id, request.tenant_name, schema),
            )
            admin_id = self._ensure_admin(conn, schema, request)
        logger.info("tenant provisioned", extra={"migrations_applied": applied})
        return ProvisionResult(
            tenant_id=request.tenant_id,
            schema_name=schema,
            status="active",
            migrations_applied=applied,
            admin_user_id=admin_id,
        )

    def deprovision(self, tenant_id: uuid.UUID) -> ProvisionResult:
        """Remove every trace of a tenant from this region (compensation of a failed saga)."""
        schema = tenant_schema(tenant_id)
        with bind(tenant_id=tenant_id), self._db.transaction() as conn:
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(self._roles.owner)))
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            conn.execute("DELETE FROM regional.tenants WHERE id = %s", (tenant_id,))
        logger.info("tenant deprovisioned")
        return ProvisionResult(tenant_id=tenant_id, schema_name=schema, status="absent")

    @staticmethod
    def _ensure_admin(conn: object, schema: str, request: ProvisionRequest) -> uuid.UUID | None:
        if not request.admin_email:
            return None
        execute = conn.execute  # type: ignore[attr-defined]
        users = sql.Identifier(schema, "users")
        execute(
            sql.SQL(
                "INSERT INTO {} (id, email, email_lower, display_name, password_hash, roles,"
                " webauthn_handle) VALUES (%s, %s, %s, %s, %s, ARRAY['admin'], %s)"
                " ON CONFLICT (email_lower) DO NOTHING"
            ).format(users),
            (
                new_id(),
                request.admin_email,
                request.admin_email.lower(),
                request.admin_display_name,
                request.admin_password_hash,
                new_id().bytes,
            ),
        )
        row = execute(
            sql.SQL("SELECT id FROM {} WHERE email_lower = %s").format(users),
            (request.admin_email.lower(),),
        ).fetchone()
        return row["id"] if row else None
