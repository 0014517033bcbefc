"""Database roles and grants: the secure-schema pattern, applied by an administrator connection.

Per database ``D`` there are two group roles, neither of which can log in:

* ``D_owner`` owns every schema and table (migrations and provisioning ``SET ROLE`` to it);
* ``D_app`` may use the schemas it is granted and read/write rows, nothing more.

Logins are dynamic: Vault's database engine creates short-lived users that are members of one
of them. ``public`` grants nothing (CVE-2018-1058), and only these roles may connect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql


@dataclass(frozen=True)
class DatabaseRoles:
    dbname: str

    @property
    def owner(self) -> str:
        return f"{self.dbname}_owner"

    @property
    def app(self) -> str:
        return f"{self.dbname}_app"


def ensure_roles(admin: psycopg.Connection[Any], roles: DatabaseRoles) -> None:
    """Create the group roles and grants for ``roles.dbname`` (idempotent; autocommit conn)."""
    owner, app, db = (sql.Identifier(name) for name in (roles.owner, roles.app, roles.dbname))
    for name in (roles.owner, roles.app):
        exists = admin.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (name,)).fetchone()
        if exists is None:
            admin.execute(
                sql.SQL(
                    "CREATE ROLE {} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS"
                ).format(sql.Identifier(name))
            )
    statements = [
        sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
        sql.SQL("GRANT CONNECT, CREATE, TEMPORARY ON DATABASE {} TO {}").format(db, owner),
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(db, app),
    ]
    for statement in statements:
        admin.execute(statement)


def secure_database(conn: psycopg.Connection[Any], roles: DatabaseRoles) -> None:
    """Statements that must run connected *to* the database (autocommit, administrator)."""
    owner, app = sql.Identifier(roles.owner), sql.Identifier(roles.app)
    for statement in (
        sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"),
        sql.SQL("REVOKE ALL ON SCHEMA public FROM PUBLIC"),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}"
        ).format(owner, app),
        sql.SQL(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT USAGE, SELECT ON SEQUENCES TO {}"
        ).format(owner, app),
    ):
        conn.execute(statement)
