"""Apply a :class:`VaultPlan` to Vault (or OpenBao): engines, keys, database roles, policies, auth.

Idempotent: every step checks or overwrites, so re-running on a configured Vault changes nothing
it should keep (transit keys are never re-created, the forwarding key is generated only once).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import hvac
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hvac.exceptions import InvalidPath

from chalkops.ids import new_id
from chalkops.observability import get_logger
from chalkops.vault_config.plan import (
    CENTRAL_SIGNING_KEY,
    DATABASE_MOUNT,
    FORWARDING_PUBLIC_PATH,
    FORWARDING_SIGNING_PATH,
    KV_MOUNT,
    TRANSIT_MOUNT,
    ServiceIdentity,
    VaultPlan,
    policy_name,
    regional_signing_key,
    render_policy,
    webauthn_secret_path,
)

logger = get_logger("chalkops.vault_config")

# Vault tokens of services live an hour (renewed by logging in again); local AppRole secret ids
# a day, since `chalkops dev` issues fresh ones at every start.
SERVICE_TOKEN_TTL = "1h"  # noqa: S105  (a duration, not a secret)
SERVICE_TOKEN_MAX_TTL = "4h"  # noqa: S105
APPROLE_SECRET_ID_TTL = "24h"  # noqa: S105


@dataclass(frozen=True)
class AppRoleLogin:
    role_id: str
    secret_id: str


def apply_plan(client: hvac.Client, plan: VaultPlan) -> dict[str, AppRoleLogin]:
    """Configure ``client``'s Vault; returns fresh AppRole logins per service when AppRole is on."""
    _enable_engines(client)
    _ensure_transit_keys(client, plan)
    _ensure_forwarding_key(client)
    for region in plan.regions:
        _ensure_webauthn_secret(client, region)
    _configure_databases(client, plan)
    for service in plan.services:
        client.sys.create_or_update_policy(
            name=policy_name(service), policy=render_policy(service.policy, service.region)
        )
    logins: dict[str, AppRoleLogin] = {}
    if plan.use_approle:
        logins = _configure_approle(client, plan.services)
    if plan.use_aws_auth:
        _configure_aws_auth(client, plan.services)
    logger.info("vault configuration applied", extra={"services": len(plan.services)})
    return logins


def _enable_engines(client: hvac.Client) -> None:
    mounted = set(client.sys.list_mounted_secrets_engines()["data"].keys())
    wanted: list[tuple[str, str, dict[str, Any] | None]] = [
        ("kv", KV_MOUNT, {"version": "2"}),
        ("transit", TRANSIT_MOUNT, None),
        ("database", DATABASE_MOUNT, None),
    ]
    for engine, path, options in wanted:
        if f"{path}/" not in mounted:
            client.sys.enable_secrets_engine(backend_type=engine, path=path, options=options)


def _ensure_transit_keys(client: hvac.Client, plan: VaultPlan) -> None:
    names = [CENTRAL_SIGNING_KEY, *(regional_signing_key(region) for region in plan.regions)]
    for name in names:
        try:
            client.secrets.transit.read_key(name=name, mount_point=TRANSIT_MOUNT)
        except InvalidPath:
            client.secrets.transit.create_key(
                name=name, key_type="ecdsa-p256", exportable=False, mount_point=TRANSIT_MOUNT
            )


def _ensure_forwarding_key(client: hvac.Client) -> None:
    """Ed25519 key pair for the central → regional forwarding credential, generated once.

    Held in kv rather than transit on purpose: it signs every forwarded request, and a transit
    round trip per request would double the forwarding latency. Only the central API's policy
    reads the private half; regions read the public half.
    """
    kv = client.secrets.kv.v2
    try:
        kv.read_secret_version(
            path=FORWARDING_SIGNING_PATH, mount_point=KV_MOUNT, raise_on_deleted_version=True
        )
        return
    except InvalidPath:
        pass
    private = Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    kid = f"forwarding-{new_id().hex[:12]}"
    kv.create_or_update_secret(
        path=FORWARDING_SIGNING_PATH,
        secret={"private_pem": private_pem, "public_pem": public_pem, "kid": kid},
        mount_point=KV_MOUNT,
    )
    kv.create_or_update_secret(
        path=FORWARDING_PUBLIC_PATH,
        secret={"public_pem": public_pem, "kid": kid},
        mount_point=KV_MOUNT,
    )


def _ensure_webauthn_secret(client: hvac.Client, region: str) -> None:
    """One decoy key per region, shared by all its instances so unknown emails always get the
    same decoy credentials, whichever instance answers (generated once, never rotated here)."""
    path = webauthn_secret_path(region)
    try:
        client.secrets.kv.v2.read_secret_version(
            path=path, mount_point=KV_MOUNT, raise_on_deleted_version=True
        )
    except InvalidPath:
        client.secrets.kv.v2.create_or_update_secret(
            path=path, secret={"decoy_key": secrets.token_hex(32)}, mount_point=KV_MOUNT
        )


def _configure_databases(client: hvac.Client, plan: VaultPlan) -> None:
    db = client.secrets.database
    for name, target in plan.databases.items():
        allowed = [s.name for s in plan.services if s.database == name]
        db.configure(
            name=target.connection,
            plugin_name="postgresql-database-plugin",
            allowed_roles=allowed,
            connection_url=target.connection_url,
            username=target.admin_user,
            password=target.admin_password.get_secret_value(),
            verify_connection=True,
            mount_point=DATABASE_MOUNT,
        )
    for service in plan.services:
        write_database_role(
            client,
            name=service.name,
            connection=plan.databases[service.database].connection,
            group_role=service.group_role,
            ttl=plan.credential_ttl,
            max_ttl=plan.credential_max_ttl,
        )


def write_database_role(
    client: hvac.Client, *, name: str, connection: str, group_role: str, ttl: str, max_ttl: str
) -> None:
    """A database engine role whose logins are members of ``group_role``."""
    client.secrets.database.create_role(
        name=name,
        db_name=connection,
        creation_statements=creation_statements(group_role),
        revocation_statements=REVOCATION_STATEMENTS,
        renew_statements=RENEW_STATEMENTS,
        default_ttl=ttl,
        max_ttl=max_ttl,
        mount_point=DATABASE_MOUNT,
    )


def creation_statements(group_role: str) -> list[str]:
    """A login that is a plain member of one group role: not owner, not superuser, no BYPASSRLS."""
    return [
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' "
        "NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION INHERIT "
        f'IN ROLE "{group_role}";',
    ]


RENEW_STATEMENTS = ["ALTER ROLE \"{{name}}\" VALID UNTIL '{{expiration}}';"]
# Revocation ends the login's live sessions first, then removes the login.
REVOCATION_STATEMENTS = [
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{{name}}';",
    'DROP ROLE IF EXISTS "{{name}}";',
]


def _configure_approle(
    client: hvac.Client, services: tuple[ServiceIdentity, ...]
) -> dict[str, AppRoleLogin]:
    if "approle/" not in client.sys.list_auth_methods()["data"]:
        client.sys.enable_auth_method(method_type="approle")
    logins: dict[str, AppRoleLogin] = {}
    for service in services:
        client.auth.approle.create_or_update_approle(
            role_name=service.name,
            token_policies=[policy_name(service)],
            token_ttl=SERVICE_TOKEN_TTL,
            token_max_ttl=SERVICE_TOKEN_MAX_TTL,
            secret_id_ttl=APPROLE_SECRET_ID_TTL,
        )
        role_id = client.auth.approle.read_role_id(role_name=service.name)["data"]["role_id"]
        secret_id = client.auth.approle.generate_secret_id(role_name=service.name)["data"][
            "secret_id"
        ]
        logins[service.name] = AppRoleLogin(str(role_id), str(secret_id))
    return logins


def _configure_aws_auth(client: hvac.Client, services: tuple[ServiceIdentity, ...]) -> None:
    """Bind each service's Lambda execution role (IAM principal) to its policy."""
    if "aws/" not in client.sys.list_auth_methods()["data"]:
        client.sys.enable_auth_method(method_type="aws")
    for service in services:
        if service.aws_iam_principal is None:
            continue
        client.auth.aws.create_role(
            role=service.name,
            auth_type="iam",
            bound_iam_principal_arn=[service.aws_iam_principal],
            token_policies=[policy_name(service)],
            token_ttl=SERVICE_TOKEN_TTL,
            token_max_ttl=SERVICE_TOKEN_MAX_TTL,
            resolve_aws_unique_ids=True,
        )
