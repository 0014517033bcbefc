"""The regional API's composition root: settings → adapters → services, built once per process."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from chalkops.config import RegionalSettings
from chalkops.crypto import Passwords
from chalkops.db.factory import database_from_settings
from chalkops.db.postgres import Database
from chalkops.identity.passkeys.postgres import PostgresPasskeyRepository
from chalkops.identity.passkeys.service import PasskeyService
from chalkops.identity.sessions import SessionPolicy, SessionService
from chalkops.identity.users import UserService
from chalkops.regional.tenancy import RegionalTenants
from chalkops.secrets.vault import VaultKeyValue, VaultSession, VaultTransit
from chalkops.security.throttle import LoginThrottle
from chalkops.tokens.forwarding import ForwardingVerifier
from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache
from chalkops.tokens.types import TENANT_ACCESS_TYP
from chalkops.vault_config.plan import FORWARDING_PUBLIC_PATH, webauthn_secret_path


@dataclass
class RegionalServices:
    settings: RegionalSettings
    vault: VaultSession
    db: Database
    tenants: RegionalTenants
    forwarding: ForwardingVerifier
    signing_keys: PublicKeyCache
    access_tokens: TokenVerifier
    sessions: SessionService
    users: UserService
    decoy_key: bytes

    def passkeys(self, tenant_id: uuid.UUID) -> PasskeyService:
        """A passkey service bound to one tenant's schema (cheap: no I/O to build)."""
        return PasskeyService(
            PostgresPasskeyRepository(self.db, tenant_id),
            rp_id=self.settings.webauthn_rp_id,
            rp_name=self.settings.webauthn_rp_name,
            origins=self.settings.webauthn_origins,
            decoy_key=self.decoy_key,
        )

    def close(self) -> None:
        self.db.close()


def build_services(settings: RegionalSettings) -> RegionalServices:
    vault = VaultSession(settings.vault)
    db = database_from_settings(
        settings.database, vault, application_name=f"chalkops-regional-{settings.region}"
    )
    db.open()
    kv = VaultKeyValue(vault)
    public = kv.read(FORWARDING_PUBLIC_PATH)
    transit = VaultTransit(vault)
    keys = PublicKeyCache(transit, settings.signing_key)
    issuer = f"{settings.jwt_issuer}/{settings.region}"
    passwords = Passwords(settings.argon2_profile())
    return RegionalServices(
        settings=settings,
        vault=vault,
        db=db,
        tenants=RegionalTenants(db),
        forwarding=ForwardingVerifier(public["public_pem"], public["kid"], region=settings.region),
        signing_keys=keys,
        access_tokens=TokenVerifier(
            keys, issuer=issuer, audience=settings.jwt_audience, typ=TENANT_ACCESS_TYP
        ),
        sessions=SessionService(
            db=db,
            passwords=passwords,
            throttle=LoginThrottle(),
            issuer=TokenIssuer(
                transit,
                key=settings.signing_key,
                issuer=issuer,
                audience=settings.jwt_audience,
                typ=TENANT_ACCESS_TYP,
                lifetime_seconds=settings.access_token_seconds,
                on_new_kid=keys.expect,
            ),
            policy=SessionPolicy(
                refresh_lifetime=timedelta(seconds=settings.refresh_token_seconds)
            ),
        ),
        users=UserService(db=db, passwords=passwords),
        decoy_key=bytes.fromhex(kv.read(webauthn_secret_path(settings.region))["decoy_key"]),
    )
