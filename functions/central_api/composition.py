"""The central API's composition root: settings → adapters → services, built once per process."""

from __future__ import annotations

from dataclasses import dataclass

from chalkops.config import CentralSettings
from chalkops.controlplane.admin_auth import GlobalAdminAuth
from chalkops.controlplane.caches import BlacklistCache, TenantDirectory
from chalkops.controlplane.forwarding import Forwarder
from chalkops.controlplane.postgres import ControlPlaneStore
from chalkops.controlplane.regions import RegionDirectory
from chalkops.controlplane.registration import RegistrationService
from chalkops.crypto import Passwords
from chalkops.db.factory import database_from_settings
from chalkops.db.postgres import Database
from chalkops.provisioning.aws_lambda import LambdaProvisioningClient
from chalkops.provisioning.base import ProvisioningClient
from chalkops.provisioning.http import INVOKE_PATH, HttpProvisioningClient
from chalkops.provisioning.models import ProvisionRequest
from chalkops.secrets.vault import VaultKeyValue, VaultSession, VaultTransit
from chalkops.security.throttle import LoginThrottle
from chalkops.tokens.forwarding import ForwardingSigner
from chalkops.tokens.jwt import TokenIssuer, TokenVerifier
from chalkops.tokens.keys import PublicKeyCache
from chalkops.vault_config.plan import FORWARDING_SIGNING_PATH

ADMIN_TOKEN_TYP = "admin+jwt"  # noqa: S105  (a JOSE type name, not a secret)


@dataclass
class CentralServices:
    settings: CentralSettings
    db: Database
    store: ControlPlaneStore
    regions: RegionDirectory
    tenants: TenantDirectory
    blacklist: BlacklistCache
    registration: RegistrationService
    admin_auth: GlobalAdminAuth
    admin_tokens: TokenVerifier
    forwarder: Forwarder

    async def aclose(self) -> None:
        await self.forwarder.aclose()
        self.db.close()


def passwords_from(settings: CentralSettings) -> Passwords:
    return Passwords(settings.argon2_profile())


def build_services(settings: CentralSettings) -> CentralServices:
    vault = VaultSession(settings.vault)
    db = database_from_settings(settings.database, vault, application_name="chalkops-central")
    db.open()
    store = ControlPlaneStore(db)
    regions = RegionDirectory(settings.regions)
    tenants = TenantDirectory(store.tenant_by_name, ttl_seconds=settings.tenant_cache_seconds)
    signing = VaultKeyValue(vault).read(FORWARDING_SIGNING_PATH)
    signer = ForwardingSigner(signing["private_pem"], signing["kid"])
    transit = VaultTransit(vault)
    passwords = passwords_from(settings)
    return CentralServices(
        settings=settings,
        db=db,
        store=store,
        regions=regions,
        tenants=tenants,
        blacklist=BlacklistCache(
            store.active_blacklist, ttl_seconds=settings.blacklist_cache_seconds
        ),
        registration=RegistrationService(
            store=store,
            regions=regions,
            provisioning=_provisioning(settings, signer),
            passwords=passwords,
            directory=tenants,
        ),
        admin_auth=GlobalAdminAuth(
            store=store,
            passwords=passwords,
            throttle=LoginThrottle(),
            issuer=TokenIssuer(
                transit,
                key=settings.signing_key,
                issuer=settings.jwt_issuer,
                audience=settings.jwt_audience,
                typ=ADMIN_TOKEN_TYP,
                lifetime_seconds=settings.admin_token_seconds,
            ),
        ),
        admin_tokens=TokenVerifier(
            PublicKeyCache(transit, settings.signing_key),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            typ=ADMIN_TOKEN_TYP,
        ),
        forwarder=Forwarder(signer, timeout_seconds=settings.forward_timeout_seconds),
    )


def _provisioning(settings: CentralSettings, signer: ForwardingSigner) -> ProvisioningClient:
    if settings.provisioning == "lambda":
        return LambdaProvisioningClient(settings.provisioner_functions)

    def credential(region: str, request: ProvisionRequest) -> str:
        return signer.sign(
            tenant_id=str(request.tenant_id),
            tenant_name=request.tenant_name,
            region=region,
            method="POST",
            path=INVOKE_PATH,
        )

    urls = {r.code: r.provisioner_url for r in settings.regions if r.provisioner_url}
    return HttpProvisioningClient(urls, credential)
