"""Vault (OpenBao) through the library: kv, transit signing, dynamic credentials, policies."""

from __future__ import annotations

import time

import hvac
import hvac.exceptions
import jwt
import psycopg
import pytest

from chalkops.db.postgres import Database
from chalkops.local.platform import Infrastructure, LocalPlatform
from chalkops.secrets.exceptions import SecretNotFound
from chalkops.secrets.vault import (
    VaultDatabaseCredentials,
    VaultKeyValue,
    VaultSession,
    VaultTransit,
)
from chalkops.vault_config.apply import write_database_role
from chalkops.vault_config.plan import (
    policy_name,
    region_database_name,
    render_policy,
    standard_services,
)
from tests.conftest import database_settings_for, vault_settings_for

pytestmark = pytest.mark.integration


def session_for(infra: Infrastructure, service: str) -> VaultSession:
    return VaultSession(vault_settings_for(infra, service))


def test_central_api_reads_the_forwarding_key_and_a_region_reads_only_its_public_half(
    platform_infra: Infrastructure,
) -> None:
    central = VaultKeyValue(session_for(platform_infra, "central-api"))
    region = VaultKeyValue(session_for(platform_infra, "regional-api-local-1"))
    signing = central.read("forwarding/signing")
    public = region.read("forwarding/public")
    assert "PRIVATE KEY" in signing["private_pem"]
    assert public["public_pem"] == signing["public_pem"]
    with pytest.raises(hvac.exceptions.Forbidden):
        region.read("forwarding/signing")


def test_missing_secret_is_a_named_error(
    platform_infra: Infrastructure, vault_root: hvac.Client
) -> None:
    kv = VaultKeyValue(VaultSession(vault_settings_for(platform_infra, "central-api")))
    with pytest.raises((SecretNotFound, hvac.exceptions.Forbidden)):
        kv.read("forwarding/does-not-exist")


def test_transit_signs_es256_jwts_that_verify_with_the_published_key(
    platform_infra: Infrastructure,
) -> None:
    transit = VaultTransit(session_for(platform_infra, "regional-api-local-1"))
    header = jwt.utils.base64url_encode(b'{"alg":"ES256","typ":"at+jwt","kid":"pending"}')
    payload = jwt.utils.base64url_encode(b'{"sub":"user-1"}')
    signing_input = header + b"." + payload
    kid, signature = transit.sign("jwt-local-1", signing_input)
    token = (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()
    keys = {key.kid: key for key in transit.public_keys("jwt-local-1")}
    assert kid in keys
    claims = jwt.decode(token, keys[kid].pem, algorithms=["ES256"], options={"verify_aud": False})
    assert claims == {"sub": "user-1"}


def test_a_region_cannot_use_another_regions_key_or_credentials(
    platform_infra: Infrastructure,
) -> None:
    session = session_for(platform_infra, "regional-api-local-1")
    with pytest.raises(hvac.exceptions.Forbidden):
        VaultTransit(session).sign("jwt-local-2", b"x")
    with pytest.raises(hvac.exceptions.Forbidden):
        session.call(lambda c: c.secrets.database.generate_credentials(name="regional-api-local-2"))


def test_services_cannot_create_transit_keys(platform_infra: Infrastructure) -> None:
    # `update` on sign paths, never `create`: naming a new key must not mint one.
    session = session_for(platform_infra, "regional-api-local-1")
    with pytest.raises(hvac.exceptions.Forbidden):
        session.call(lambda c: c.secrets.transit.create_key(name="planted-key"))
    with pytest.raises(hvac.exceptions.Forbidden):
        VaultTransit(session).sign("planted-key", b"x")


def test_the_session_logs_in_again_when_its_token_is_revoked(
    platform_infra: Infrastructure,
) -> None:
    session = session_for(platform_infra, "regional-api-local-1")
    kv = VaultKeyValue(session)
    kv.read("forwarding/public")
    session.client.auth.token.revoke_self()
    assert "public_pem" in kv.read("forwarding/public")


def test_revoking_a_dynamic_credential_ends_its_sessions_and_the_pool_recovers(
    platform_infra: Infrastructure, vault_root: hvac.Client
) -> None:
    session = session_for(platform_infra, "regional-api-local-1")
    credentials = VaultDatabaseCredentials(session, "regional-api-local-1")
    settings = database_settings_for(
        platform_infra, region_database_name("local-1"), "regional-api-local-1"
    ).model_copy(update={"pool_max_size": 2})
    db = Database(settings, credentials)
    db.open()
    try:
        with db.transaction() as conn:
            first_user = conn.execute("SELECT current_user AS u").fetchone()
        lease = credentials._lease  # the lease behind the live connection
        assert lease is not None
        vault_root.sys.revoke_lease(lease_id=lease.lease_id)
        with db.transaction() as conn:
            second_user = conn.execute("SELECT current_user AS u").fetchone()
        roles = (
            psycopg.connect(platform_infra.postgres.conninfo())
            .execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (first_user["u"],))
            .fetchone()
        )
    finally:
        db.close()
    assert first_user != second_user, "a revoked login must be replaced by a new one"
    assert roles == (0,), "revocation removes the database login"
    assert credentials.issued == 2


def test_an_expired_credential_is_replaced_without_failing_requests(
    platform_infra: Infrastructure, vault_root: hvac.Client
) -> None:
    dbname = region_database_name("local-1")
    role = {
        "name": "regional-api-local-1",
        "connection": "region-local-1",
        "group_role": f"{dbname}_app",
    }
    write_database_role(vault_root, **role, ttl="6s", max_ttl="6s")
    try:
        session = session_for(platform_infra, "regional-api-local-1")
        credentials = VaultDatabaseCredentials(session, "regional-api-local-1")
        settings = database_settings_for(platform_infra, dbname, "regional-api-local-1")
        db = Database(settings, credentials, max_lifetime_seconds=3.0)
        db.open()
        users = set()
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline:
            with db.transaction() as conn:
                users.add(conn.execute("SELECT current_user AS u").fetchone()["u"])
            time.sleep(0.5)
        db.close()
    finally:
        write_database_role(vault_root, **role, ttl="1h", max_ttl="24h")
    assert len(users) >= 2, "credentials past their max TTL must be re-issued"


def test_reapplying_the_configuration_keeps_keys_and_changes_nothing_it_should_keep(
    local_platform: LocalPlatform, vault_root: hvac.Client
) -> None:
    before_key = vault_root.secrets.transit.read_key(name="jwt-local-1")["data"]["latest_version"]
    before_kid = vault_root.secrets.kv.v2.read_secret_version(
        path="forwarding/public", mount_point="chalkops-kv", raise_on_deleted_version=True
    )["data"]["data"]["kid"]
    infra = local_platform.infrastructure
    assert infra is not None
    local_platform._configure_vault(infra.postgres, infra.openbao)  # the same apply, again
    after_key = vault_root.secrets.transit.read_key(name="jwt-local-1")["data"]["latest_version"]
    after_kid = vault_root.secrets.kv.v2.read_secret_version(
        path="forwarding/public", mount_point="chalkops-kv", raise_on_deleted_version=True
    )["data"]["data"]["kid"]
    assert (before_key, before_kid) == (after_key, after_kid)


def test_policies_in_the_repository_are_what_vault_enforces(vault_root: hvac.Client) -> None:
    for service in standard_services(("local-1", "local-2")):
        stored = vault_root.sys.read_policy(name=policy_name(service))["data"]["rules"]
        assert stored == render_policy(service.policy, service.region)
        assert '"create"' not in stored, "no service may create keys or secrets by naming them"
