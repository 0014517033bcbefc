"""The provisioner's composition root."""

from __future__ import annotations

from chalkops.config import RegionalSettings
from chalkops.db.factory import database_from_settings
from chalkops.db.roles import DatabaseRoles
from chalkops.provisioning.service import TenantProvisioner
from chalkops.secrets.vault import VaultSession


def build_provisioner(settings: RegionalSettings | None = None) -> TenantProvisioner:
    resolved = settings or RegionalSettings()
    vault = VaultSession(resolved.vault)
    db = database_from_settings(
        resolved.database, vault, application_name=f"chalkops-provisioner-{resolved.region}"
    )
    db.open()
    return TenantProvisioner(db, DatabaseRoles(resolved.database.dbname))
