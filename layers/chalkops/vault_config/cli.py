"""``chalkops vault-apply``: apply ChalkOps' Vault configuration to a production Vault.

The plan file names the regions, each database Vault issues logins for, and the IAM principal
(Lambda execution role ARN) of each service. The administrator password of each database is read
from the environment variable the plan names, never from the file.

    {"regions": ["eu-west-1"],
     "databases": {"global": {"dbname": "chalkops_global",
                              "connection_url": "postgresql://{{username}}:{{password}}@host:5432/chalkops_global?sslmode=require",
                              "admin_user": "vault_admin", "admin_password_env": "GLOBAL_DB_ADMIN_PASSWORD"},
                   "region-eu-west-1": {...}},
     "aws_principals": {"central-api": "arn:aws:iam::123456789012:role/…", …}}
"""  # noqa: E501

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import hvac
from pydantic import SecretStr

from chalkops.errors import ValidationFailed
from chalkops.vault_config.apply import apply_plan
from chalkops.vault_config.plan import (
    DatabaseTarget,
    VaultPlan,
    policy_name,
    render_policy,
    standard_services,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", type=Path, required=False, help="the plan file (JSON)")
    parser.add_argument(
        "--print-policies", action="store_true", help="print the rendered policies and exit"
    )
    parser.add_argument("--regions", default="", help="with --print-policies: comma-separated")


def run(args: argparse.Namespace) -> int:
    if args.print_policies:
        regions = tuple(code for code in args.regions.split(",") if code)
        for service in standard_services(regions):
            sys.stdout.write(f"# {policy_name(service)}\n")
            sys.stdout.write(render_policy(service.policy, service.region) + "\n")
        return 0
    if args.plan is None:
        raise ValidationFailed("--plan FILE is required (or --print-policies)")
    plan = load_plan(args.plan)
    token = os.environ.get("VAULT_TOKEN") or os.environ.get("CHALKOPS_VAULT__TOKEN")
    addr = os.environ.get("VAULT_ADDR") or os.environ.get("CHALKOPS_VAULT__ADDR")
    if not token or not addr:
        raise ValidationFailed("set VAULT_ADDR and VAULT_TOKEN (an operator token) first")
    apply_plan(hvac.Client(url=addr, token=token), plan)
    sys.stdout.write(f"applied {len(plan.services)} service identities to {addr}\n")
    return 0


def load_plan(path: Path) -> VaultPlan:
    try:
        raw: Any = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ValidationFailed(f"{path}: cannot read ({exc.strerror})") from exc
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
    try:
        regions = tuple(str(code) for code in raw["regions"])
        databases = {
            name: DatabaseTarget(
                connection=name,
                dbname=str(entry["dbname"]),
                connection_url=str(entry["connection_url"]),
                admin_user=str(entry["admin_user"]),
                admin_password=SecretStr(_env(entry["admin_password_env"], path)),
            )
            for name, entry in raw["databases"].items()
        }
        principals = {str(k): str(v) for k, v in raw.get("aws_principals", {}).items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValidationFailed(f"{path}: missing or malformed field {exc}") from exc
    services = standard_services(regions, principals)
    missing = sorted({s.database for s in services} - databases.keys())
    if missing:
        raise ValidationFailed(f"{path}: no database entry for {', '.join(missing)}")
    return VaultPlan(
        regions=regions,
        databases=databases,
        services=services,
        use_approle=False,
        use_aws_auth=True,
    )


def _env(name: object, path: Path) -> str:
    value = os.environ.get(str(name))
    if not value:
        raise ValidationFailed(f"{path}: environment variable {name} is not set")
    return value
