"""``chalkops admin``: operator tasks on the control plane.

Runs with the central API's settings (``CHALKOPS_*``), or against the local platform with
``--local`` (its state folder gives the database and Vault logins).

    chalkops admin create-operator --email ops@example.com   (password from CHALKOPS_OPERATOR_PASSWORD or prompt)
    chalkops admin reprovision TENANT
    chalkops admin blacklist add 203.0.113.0/24 --reason "abuse" [--expires-in-minutes 60]
    chalkops admin blacklist list | remove ENTRY_ID
"""  # noqa: E501

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chalkops.config import CentralSettings
from chalkops.controlplane.models import OPERATOR_ROLE, GlobalUser
from chalkops.errors import NotFound, ValidationFailed
from chalkops.ids import new_id
from chalkops.security.passwords import check_password


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--local",
        type=Path,
        metavar="STATE_DIR",
        default=None,
        help="act on the local platform whose state folder this is",
    )
    parser.add_argument("--base-port", type=int, default=8000, help="with --local")
    sub = parser.add_subparsers(dest="admin_command", required=True)
    operator = sub.add_parser("create-operator", help="create a platform operator account")
    operator.add_argument("--email", required=True)
    reprovision = sub.add_parser("reprovision", help="provision a failed tenant again")
    reprovision.add_argument("tenant_name")
    blacklist = sub.add_parser("blacklist", help="manage the IP blacklist")
    actions = blacklist.add_subparsers(dest="blacklist_command", required=True)
    add = actions.add_parser("add")
    add.add_argument("cidr")
    add.add_argument("--reason")
    add.add_argument("--expires-in-minutes", type=int)
    actions.add_parser("list")
    remove = actions.add_parser("remove")
    remove.add_argument("entry_id")


def run(args: argparse.Namespace) -> int:
    from functions.central_api.composition import build_services  # noqa: PLC0415

    services = build_services(_settings(args))
    try:
        if args.admin_command == "create-operator":
            return _create_operator(services, args.email)
        if args.admin_command == "reprovision":
            tenant = services.registration.reprovision(args.tenant_name, actor="cli")
            _out(
                {
                    "tenant_id": str(tenant.id),
                    "tenant_name": tenant.name,
                    "status": tenant.status.value,
                }
            )
            return 0
        return _blacklist(services, args)
    finally:
        services.db.close()


def _create_operator(services: object, email: str) -> int:
    password = os.environ.get("CHALKOPS_OPERATOR_PASSWORD") or getpass.getpass("password: ")
    check_password(password, email=email)
    hashed = services.admin_auth._passwords.hash(password)  # type: ignore[attr-defined]
    user = GlobalUser(new_id(), None, email, hashed, (OPERATOR_ROLE,))
    services.store.create_operator(user)  # type: ignore[attr-defined]
    _out({"id": str(user.id), "email": email, "roles": [OPERATOR_ROLE]})
    return 0


def _blacklist(services: object, args: argparse.Namespace) -> int:
    store = services.store  # type: ignore[attr-defined]
    if args.blacklist_command == "list":
        for entry in store.list_blacklist():
            _out(
                {
                    "id": str(entry.id),
                    "cidr": entry.cidr,
                    "reason": entry.reason,
                    "expires_at": entry.expires_at.isoformat() if entry.expires_at else None,
                }
            )
        return 0
    if args.blacklist_command == "remove":
        try:
            entry_id = uuid.UUID(args.entry_id)
        except ValueError as exc:
            raise ValidationFailed(f"'{args.entry_id}' is not an entry id") from exc
        if not store.remove_blacklist(entry_id):
            raise NotFound(f"no blacklist entry {entry_id}")
        return 0
    import ipaddress  # noqa: PLC0415

    try:
        cidr = str(ipaddress.ip_network(args.cidr, strict=False))
    except ValueError as exc:
        raise ValidationFailed(f"'{args.cidr}' is not an IP address or CIDR block") from exc
    expires = (
        datetime.now(UTC) + timedelta(minutes=args.expires_in_minutes)
        if args.expires_in_minutes
        else None
    )
    entry = store.add_blacklist(cidr, args.reason, expires, None)
    store.audit("blacklist.added", "success", actor="cli", details={"cidr": entry.cidr})
    _out({"id": str(entry.id), "cidr": entry.cidr})
    return 0


def _settings(args: argparse.Namespace) -> CentralSettings:
    if args.local is None:
        return CentralSettings()
    from chalkops.local.platform import local_central_settings  # noqa: PLC0415

    return local_central_settings(args.local.resolve(), args.base_port)


def _out(document: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(document) + "\n")
