"""Domain objects → response bodies."""

from __future__ import annotations

from chalkops.controlplane.models import Tenant
from functions.central_api.schemas import TenantOut


def tenant_out(tenant: Tenant) -> TenantOut:
    return TenantOut(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        region=tenant.region,
        status=tenant.status.value,
        status_reason=tenant.status_reason,
    )
