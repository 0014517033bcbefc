"""The regional API's composition root: settings → adapters → services, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from chalkops.config import RegionalSettings
from chalkops.db.factory import database_from_settings
from chalkops.db.postgres import Database
from chalkops.regional.tenancy import RegionalTenants
from chalkops.secrets.vault import VaultKeyValue, VaultSession
from chalkops.tokens.forwarding import ForwardingVerifier
from chalkops.vault_config.plan import FORWARDING_PUBLIC_PATH


@dataclass
class RegionalServices:
    settings: RegionalSettings
    vault: VaultSession
    db: Database
    tenants: RegionalTenants
    forwarding: ForwardingVerifier

    def close(self) -> None:
        self.db.close()


def build_services(settings: RegionalSettings) -> RegionalServices:
    vault = VaultSession(settings.vault)
    db = database_from_settings(
        settings.database, vault, application_name=f"chalkops-regional-{settings.region}"
    )
    db.open()
    public = VaultKeyValue(vault).read(FORWARDING_PUBLIC_PATH)
    return RegionalServices(
        settings=settings,
        vault=vault,
        db=db,
        tenants=RegionalTenants(db),
        forwarding=ForwardingVerifier(public["public_pem"], public["kid"], region=settings.region),
    )
