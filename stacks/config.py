"""Deployment settings, read once from CDK context (``cdk.json`` plus any ``-c`` overrides).

Everything that differs between deployments lives in context, never in the stacks: the regions,
their address ranges, the environment, the Vault endpoint. Account ids come from context or
from the CLI's ``CDK_DEFAULT_ACCOUNT``; none is written down in this repository.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aws_cdk import aws_logs as logs
from constructs import Node

CONTEXT_PREFIX = "chalkops:"
# The values chalkops.config.Environment accepts for a deployed process.
ENVIRONMENTS = ("development", "production")
REPO_ROOT = Path(__file__).resolve().parent.parent


class ConfigurationError(ValueError):
    """The CDK context does not describe a deployment the stacks can build."""


@dataclass(frozen=True)
class RegionConfig:
    name: str
    cidr: str


@dataclass(frozen=True)
class VaultConfig:
    # May contain ``{region}``: each region talks to its own Vault cluster.
    address_template: str
    # The address range Vault's nodes connect from (the HCP HVN, or a self-managed VPC).
    cidr: str
    # Vault AWS-auth role per function (may contain ``{region}``), each bound in Vault to that
    # function's IAM role; the same name is the function's Vault database role.
    auth_roles: dict[str, str]

    def address(self, region: str) -> str:
        return self.address_template.replace("{region}", region)

    def auth_role(self, function: str, region: str) -> str:
        return self.auth_roles[function].replace("{region}", region)


@dataclass(frozen=True)
class DeploymentConfig:
    environment: str
    account: str | None
    primary_region: str
    global_cidr: str
    regions: tuple[RegionConfig, ...]
    vault: VaultConfig
    # False in tests: the layer then carries only the chalkops package (no pip run).
    install_dependencies: bool
    web_dist: Path | None

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def log_retention(self) -> logs.RetentionDays:
        # Production keeps a year for incident review; development keeps costs down.
        return logs.RetentionDays.ONE_WEEK if self.is_development else logs.RetentionDays.ONE_YEAR

    def central_api_role_name(self) -> str:
        """IAM role name of the central API function.

        Fixed rather than generated, because each regional stack (deployed in another region,
        so unable to reference the global stack directly) names it in its API's resource policy.
        """
        return f"chalkops-{self.environment}-central-api-{self.primary_region}"

    def function_role_name(self, function: str, region: str) -> str:
        return f"chalkops-{self.environment}-{function}-{region}"


def load_config(node: Node, *, default_account: str | None = None) -> DeploymentConfig:
    """Build the deployment settings from the app's context; raise on anything inconsistent."""
    environment = _get(node, "environment")
    if environment not in ENVIRONMENTS:
        raise ConfigurationError(f"chalkops:environment must be one of {ENVIRONMENTS}")
    regions = tuple(_parse_region(entry) for entry in _get(node, "regions"))
    primary_region = _get(node, "primary_region")
    global_cidr = _get(node, "global_cidr")
    _check_regions(regions, primary_region, global_cidr)
    return DeploymentConfig(
        environment=environment,
        account=node.try_get_context(f"{CONTEXT_PREFIX}account") or default_account,
        primary_region=primary_region,
        global_cidr=global_cidr,
        regions=regions,
        vault=_parse_vault(_get(node, "vault")),
        install_dependencies=_as_bool(_get(node, "install_dependencies")),
        web_dist=_web_dist(node.try_get_context(f"{CONTEXT_PREFIX}web_dist")),
    )


def _get(node: Node, key: str) -> Any:
    value = node.try_get_context(f"{CONTEXT_PREFIX}{key}")
    if value is None:
        raise ConfigurationError(f"CDK context {CONTEXT_PREFIX}{key} is not set (see cdk.json)")
    return value


def _parse_region(entry: Any) -> RegionConfig:
    if not isinstance(entry, dict) or not {"name", "cidr"} <= entry.keys():
        raise ConfigurationError('each chalkops:regions entry needs {"name": ..., "cidr": ...}')
    return RegionConfig(name=str(entry["name"]), cidr=str(entry["cidr"]))


def _check_regions(regions: tuple[RegionConfig, ...], primary: str, global_cidr: str) -> None:
    if not regions:
        raise ConfigurationError("chalkops:regions lists no region")
    names = [region.name for region in regions]
    if len(set(names)) != len(names):
        raise ConfigurationError("chalkops:regions lists a region twice")
    # The ranges must not overlap: the VPN and any peering later route between them.
    networks = [ipaddress.ip_network(global_cidr)]
    networks += [ipaddress.ip_network(region.cidr) for region in regions]
    for index, network in enumerate(networks):
        for other in networks[index + 1 :]:
            if network.overlaps(other):
                raise ConfigurationError(f"address ranges {network} and {other} overlap")
    if not primary:
        raise ConfigurationError("chalkops:primary_region is empty")


def _parse_vault(raw: Any) -> VaultConfig:
    try:
        vault = VaultConfig(
            address_template=str(raw["address"]),
            cidr=str(ipaddress.ip_network(raw["cidr"])),
            auth_roles={str(k): str(v) for k, v in raw["auth_roles"].items()},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigurationError(f"chalkops:vault is incomplete: {exc}") from exc
    # The databases admit this range on 5432: it must be Vault's private network, never the
    # internet (or a typo like 0.0.0.0/0).
    if not ipaddress.ip_network(vault.cidr).is_private:
        raise ConfigurationError(f"chalkops:vault cidr {vault.cidr} is not a private range")
    if not vault.address_template.startswith("https://"):
        raise ConfigurationError("chalkops:vault address must be an https:// URL")
    return vault


def _as_bool(value: Any) -> bool:
    # `-c key=false` arrives as a string.
    if isinstance(value, str):
        return value.strip().lower() not in {"false", "0", "no", ""}
    return bool(value)


def _web_dist(value: Any) -> Path | None:
    """The Angular build to publish: the context path, else the first ``web/dist/*/browser``."""
    if value:
        path = Path(str(value))
        return path if path.is_absolute() else REPO_ROOT / path
    built = sorted((REPO_ROOT / "web" / "dist").glob("*/browser/index.html"))
    return built[0].parent if built else None
