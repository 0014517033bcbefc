"""What a ChalkOps Vault must contain, as data: regions, their databases, service identities."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from string import Template

from pydantic import SecretStr

KV_MOUNT = "chalkops-kv"
TRANSIT_MOUNT = "transit"
DATABASE_MOUNT = "database"
CENTRAL_SIGNING_KEY = "central-jwt"
FORWARDING_SIGNING_PATH = "forwarding/signing"
FORWARDING_PUBLIC_PATH = "forwarding/public"


def webauthn_secret_path(region: str) -> str:
    """kv path of a region's WebAuthn secrets (the decoy key that hides unknown emails)."""
    return f"regional/{region}/webauthn"


def regional_signing_key(region: str) -> str:
    return f"jwt-{region}"


@dataclass(frozen=True)
class DatabaseTarget:
    """A PostgreSQL database Vault issues logins for, and the administrator login it uses."""

    connection: str
    dbname: str
    connection_url: str
    admin_user: str
    admin_password: SecretStr


@dataclass(frozen=True)
class ServiceIdentity:
    """A ChalkOps process and the policy, database role and auth binding it gets."""

    name: str
    policy: str
    region: str | None
    database: str
    group_role: str
    aws_iam_principal: str | None = None


@dataclass(frozen=True)
class VaultPlan:
    regions: tuple[str, ...]
    databases: dict[str, DatabaseTarget]
    services: tuple[ServiceIdentity, ...]
    use_approle: bool = True
    use_aws_auth: bool = False
    credential_ttl: str = "1h"
    credential_max_ttl: str = "24h"
    extra_policies: dict[str, str] = field(default_factory=dict)


def standard_services(
    regions: tuple[str, ...], aws_principals: dict[str, str] | None = None
) -> tuple[ServiceIdentity, ...]:
    """The identities of a ChalkOps deployment: one central API, per region an API + provisioner."""
    principals = aws_principals or {}
    services = [
        ServiceIdentity(
            "central-api",
            "central-api",
            None,
            "global",
            "chalkops_global_app",
            principals.get("central-api"),
        )
    ]
    for region in regions:
        dbname = region_database_name(region)
        services.append(
            ServiceIdentity(
                f"regional-api-{region}",
                "regional-api",
                region,
                f"region-{region}",
                f"{dbname}_app",
                principals.get(f"regional-api-{region}"),
            )
        )
        services.append(
            ServiceIdentity(
                f"provisioner-{region}",
                "provisioner",
                region,
                f"region-{region}",
                f"{dbname}_owner",
                principals.get(f"provisioner-{region}"),
            )
        )
    return tuple(services)


def region_database_name(region: str) -> str:
    return "chalkops_" + region.replace("-", "_")


GLOBAL_DATABASE_NAME = "chalkops_global"


def render_policy(policy: str, region: str | None) -> str:
    """The HCL text of ``policies/<policy>.hcl`` with ``${region}`` filled in."""
    text = resources.files("chalkops.vault_config").joinpath("policies", f"{policy}.hcl")
    return Template(text.read_text("utf-8")).safe_substitute(region=region or "")


def policy_name(service: ServiceIdentity) -> str:
    return f"chalkops-{service.name}"
