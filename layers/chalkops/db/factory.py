"""Build a :class:`Database` from settings: dynamic Vault credentials or a static login."""

from __future__ import annotations

from chalkops.config import DatabaseSettings
from chalkops.db.base import CredentialSource, StaticCredentials
from chalkops.db.postgres import Database
from chalkops.errors import ConfigurationError
from chalkops.secrets.vault import VaultDatabaseCredentials, VaultSession


def credential_source(settings: DatabaseSettings, vault: VaultSession) -> CredentialSource:
    if settings.credentials == "vault":
        if not settings.vault_role:
            raise ConfigurationError("CHALKOPS_DATABASE__VAULT_ROLE is required for vault logins")
        return VaultDatabaseCredentials(vault, settings.vault_role)
    if not settings.user or settings.password is None:
        raise ConfigurationError("static database logins need CHALKOPS_DATABASE__USER/PASSWORD")
    return StaticCredentials(settings.user, settings.password.get_secret_value())


def database_from_settings(
    settings: DatabaseSettings, vault: VaultSession, *, application_name: str
) -> Database:
    return Database(settings, credential_source(settings, vault), application_name=application_name)
