"""The tenant identity slice end to end, through the central API on the running platform."""

from __future__ import annotations

import psycopg
import pytest

from chalkops.db.tenancy import tenant_schema
from chalkops.local.platform import Infrastructure
from chalkops.vault_config.plan import region_database_name
from tests.e2e.identity.support import (
    LEDGER,
    client,
    login,
    passkey_options,
    passkey_verify,
    record_pair,
    register_passkey,
    register_tenant,
    unverified_claims,
)
from tests.e2e.identity.support import Session as TenantSession
from tests.support.authenticator import SoftAuthenticator
from tests.support.platform import superuser, tenant_schemas

pytestmark = pytest.mark.e2e


def test_register_sign_in_add_a_passkey_sign_out_and_sign_in_with_the_passkey(
    central_url: str, platform_infra: Infrastructure, origin: str
) -> None:
    with client(central_url) as http:
        # Given a newly registered tenant in region local-2
        tenant = register_tenant(http, "local-2", prefix="slice")
        dbname = region_database_name("local-2")

        # Then its schema exists in its region only, and the initial admin user is in it
        schema = tenant_schema(tenant.tenant_id)
        assert schema in tenant_schemas(platform_infra, dbname)
        assert schema not in tenant_schemas(platform_infra, region_database_name("local-1"))
        with superuser(platform_infra, dbname) as conn:
            users = conn.execute(
                psycopg.sql.SQL("SELECT email, roles FROM {}.users").format(
                    psycopg.sql.Identifier(schema)
                )
            ).fetchall()
        assert users == [(tenant.admin_email, ["admin"])]

        # When the admin signs in with the password
        signed_in = login(http, tenant, tenant.admin_email, tenant.admin_password)
        assert signed_in.status_code == 200, signed_in.text
        pair = signed_in.json()
        assert pair["token_type"] == "Bearer"
        assert 0 < pair["expires_in"] <= 900
        claims = unverified_claims(pair["access_token"])
        assert claims["tenant_id"] == tenant.tenant_id
        assert claims["roles"] == ["admin"]
        session = TenantSession(http, tenant, pair["access_token"], pair["refresh_token"])

        # And registers a passkey from a software authenticator at the configured origin
        authenticator = SoftAuthenticator(origin=origin)
        passkey = register_passkey(session, authenticator, nickname="laptop")
        assert passkey["nickname"] == "laptop"
        listed = session.get("/auth/passkeys").json()
        assert [item["id"] for item in listed] == [passkey["id"]]

        # And signs out: the session's tokens stop working at once
        assert session.post("/auth/logout").status_code == 204
        assert session.get("/users/me").status_code == 401
        refreshed = http.post(
            f"{tenant.prefix}/auth/refresh", json={"refresh_token": pair["refresh_token"]}
        )
        assert refreshed.status_code == 401

        # Then a discoverable passkey sign-in (no email typed) starts a new session
        options = passkey_options(http, tenant)
        assert options["allowCredentials"] == []
        assert options["userVerification"] == "required"
        assertion = authenticator.get(options)
        verified = passkey_verify(http, tenant, assertion, options["ceremony_id"])
        assert verified.status_code == 200, verified.text
        record_pair(verified.json())
        fresh = verified.json()["access_token"]

        # And GET /users/me answers as that admin
        me = http.get(f"{tenant.prefix}/users/me", headers={"Authorization": f"Bearer {fresh}"})
        assert me.status_code == 200, me.text
        body = me.json()
        assert body["email"] == tenant.admin_email
        assert body["roles"] == ["admin"]
        assert body["tenant_id"] == tenant.tenant_id
        assert {"id", "display_name"} <= body.keys()
    assert LEDGER.items()
