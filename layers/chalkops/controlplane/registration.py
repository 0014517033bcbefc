"""Tenant registration as a saga: global rows → regional provisioning → ``active``.

Failure at the region compensates (the region removes whatever it may have created — its own
provisioning is a single transaction, so normally there is nothing) and leaves the tenant
``failed`` with the reason, ready for :meth:`RegistrationService.reprovision`.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from chalkops.controlplane.caches import TenantDirectory
from chalkops.controlplane.exceptions import (
    ProvisioningFailed,
    TenantNameTaken,
    TenantNotFound,
    TenantNotReprovisionable,
)
from chalkops.controlplane.models import TENANT_OWNER_ROLE, GlobalUser, Tenant, TenantStatus
from chalkops.controlplane.postgres import ControlPlaneStore
from chalkops.controlplane.regions import RegionDirectory
from chalkops.crypto import Passwords
from chalkops.ids import new_id
from chalkops.observability import bind, get_logger
from chalkops.provisioning.base import ProvisioningClient
from chalkops.provisioning.exceptions import RegionProvisioningError
from chalkops.provisioning.models import ProvisionRequest
from chalkops.security.passwords import check_password

logger = get_logger("chalkops.controlplane")


class RegistrationService:
    def __init__(
        self,
        *,
        store: ControlPlaneStore,
        regions: RegionDirectory,
        provisioning: ProvisioningClient,
        passwords: Passwords,
        directory: TenantDirectory,
    ) -> None:
        self._store = store
        self._regions = regions
        self._provisioning = provisioning
        self._passwords = passwords
        self._directory = directory

    def register(
        self,
        *,
        tenant_name: str,
        region: str,
        admin_email: str,
        admin_password: str,
        display_name: str | None = None,
        source_ip: str | None = None,
    ) -> Tenant:
        self._regions.get(region)
        check_password(admin_password, field="admin_password", email=admin_email)
        # A cheap look first so losers of a race answer fast, before paying for Argon2id; the
        # unique constraint below is what actually decides.
        if self._store.tenant_name_exists(tenant_name):
            raise TenantNameTaken(f"the tenant name '{tenant_name}' is taken")
        tenant = Tenant(
            new_id(), tenant_name, region, TenantStatus.PROVISIONING, display_name=display_name
        )
        owner = GlobalUser(
            new_id(),
            tenant.id,
            admin_email,
            self._passwords.hash(admin_password),
            (TENANT_OWNER_ROLE,),
        )
        self._store.create_tenant_with_owner(tenant, owner)
        with bind(tenant_id=tenant.id):
            self._store.audit(
                "tenant.registered",
                "accepted",
                tenant_id=tenant.id,
                actor=admin_email,
                source_ip=source_ip,
                details={"tenant_name": tenant_name, "region": region},
            )
            return self._provision(tenant, owner)

    def reprovision(self, tenant_name: str, *, actor: str | None = None) -> Tenant:
        """Provision a ``failed`` (or stuck ``provisioning``) tenant again; idempotent."""
        tenant = self._store.tenant_by_name(tenant_name)
        if tenant is None:
            raise TenantNotFound(f"no tenant named '{tenant_name}'")
        if tenant.status is TenantStatus.ACTIVE:
            return tenant
        if not self._store.claim_for_provisioning(tenant.id, ("failed", "provisioning")):
            raise TenantNotReprovisionable(f"tenant '{tenant_name}' changed status meanwhile")
        owner = self._store.tenant_owner(tenant.id)
        if owner is None:
            raise TenantNotReprovisionable(f"tenant '{tenant_name}' has no owner to provision")
        with bind(tenant_id=tenant.id):
            self._store.audit("tenant.reprovision", "requested", tenant_id=tenant.id, actor=actor)
            return self._provision(replace(tenant, status=TenantStatus.PROVISIONING), owner)

    def _provision(self, tenant: Tenant, owner: GlobalUser) -> Tenant:
        request = ProvisionRequest(
            tenant_id=tenant.id,
            tenant_name=tenant.name,
            admin_email=owner.email,
            admin_password_hash=owner.password_hash,
            admin_display_name=tenant.display_name,
        )
        try:
            self._provisioning.invoke(tenant.region, request)
        except RegionProvisioningError as exc:
            return self._fail(tenant, exc)
        self._store.set_tenant_status(tenant.id, TenantStatus.ACTIVE)
        self._directory.invalidate(tenant.name)
        self._store.audit(
            "tenant.provisioned", "success", tenant_id=tenant.id, details={"region": tenant.region}
        )
        logger.info("tenant active", extra={"region": tenant.region})
        return replace(tenant, status=TenantStatus.ACTIVE, status_reason=None)

    def _fail(self, tenant: Tenant, error: RegionProvisioningError) -> Tenant:
        reason = error.detail
        self._compensate(tenant.region, tenant.id)
        self._store.set_tenant_status(tenant.id, TenantStatus.FAILED, reason)
        self._directory.invalidate(tenant.name)
        self._store.audit(
            "tenant.provisioned",
            "failure",
            tenant_id=tenant.id,
            details={"region": tenant.region, "reason": reason},
        )
        logger.warning("tenant provisioning failed", extra={"reason": reason})
        raise ProvisioningFailed(
            f"the region {tenant.region} could not provision tenant '{tenant.name}': {reason}; "
            "it can be re-provisioned",
            tenant_id=str(tenant.id),
            tenant_name=tenant.name,
            region=tenant.region,
            tenant_status=TenantStatus.FAILED.value,
        ) from error

    def _compensate(self, region: str, tenant_id: uuid.UUID) -> None:
        try:
            self._provisioning.invoke(
                region, ProvisionRequest(action="deprovision", tenant_id=tenant_id, tenant_name="-")
            )
        except RegionProvisioningError:
            # The region is down: its provisioning transaction rolled back with it, so nothing
            # was left there; re-provisioning is idempotent either way.
            logger.info("compensation skipped: region unreachable")
