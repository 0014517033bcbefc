"""What the running regional APIs are logged in to PostgreSQL as (checklist items 21 and 22).

Item 20 (``search_path`` transaction-scoped) and the library-level halves of 21 and 22 are in
tests/integration/test_tenant_transactions.py and tests/unit/test_tenancy.py; these tests look
at the live processes the identity tests just used.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from chalkops.db.tenancy import tenant_schema
from chalkops.local.platform import Infrastructure
from chalkops.vault_config.plan import region_database_name
from tests.e2e.identity.support import Tenant, login, register_tenant
from tests.support.platform import superuser, tenant_schemas

pytestmark = pytest.mark.e2e
REGIONS = ("local-1", "local-2")


@pytest.mark.parametrize("region", REGIONS)
def test_the_regional_apis_database_logins_are_not_owner_superuser_or_bypassrls_22(
    platform_infra: Infrastructure, http: httpx.Client, region: str
) -> None:
    # Make sure this region's API has live pooled connections to look at.
    tenant = register_tenant(http, region)
    assert login(http, tenant, tenant.admin_email, tenant.admin_password).status_code == 200
    dbname = region_database_name(region)
    with superuser(platform_infra, dbname) as conn:
        logins = conn.execute(
            "SELECT DISTINCT r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole,"
            " r.rolcreatedb, pg_has_role(r.oid, %s, 'MEMBER'), pg_has_role(r.oid, %s, 'MEMBER')"
            " FROM pg_stat_activity a JOIN pg_roles r ON r.rolname = a.usename"
            " WHERE a.datname = %s AND a.application_name = %s",
            (f"{dbname}_app", f"{dbname}_owner", dbname, f"chalkops-regional-{region}"),
        ).fetchall()
        owned = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE r.rolname = ANY(%s)",
            ([row[0] for row in logins],),
        ).fetchone()
        public_create = conn.execute(
            "SELECT has_schema_privilege('public', 'public', 'CREATE')"
        ).fetchone()
    assert logins, "the regional API holds no connection to inspect"
    for name, is_super, bypass, createrole, createdb, is_app, is_owner in logins:
        assert (is_super, bypass, createrole, createdb) == (False, False, False, False), name
        assert is_app and not is_owner, name
    assert owned == (0,)
    assert public_create == (False,)


def test_schemas_are_named_from_the_tenant_uuid_never_the_name_21(
    platform_infra: Infrastructure, tenant: Tenant
) -> None:
    schemas = tenant_schemas(platform_infra, region_database_name(tenant.region))
    assert tenant_schema(tenant.tenant_id) == f"t_{uuid.UUID(tenant.tenant_id).hex}"
    assert tenant_schema(tenant.tenant_id) in schemas
    assert not [schema for schema in schemas if tenant.name.replace("-", "_") in schema]
