"""Errors of the control plane, each with the stable code clients rely on."""

from __future__ import annotations

from chalkops.errors import (
    Conflict,
    Forbidden,
    NotFound,
    UpstreamTimeout,
    UpstreamUnavailable,
    ValidationFailed,
)


class TenantNameTaken(Conflict):
    """Another tenant already has this name (whatever its status)."""

    code = "tenant_name_taken"
    title = "Tenant name taken"


class UnknownRegion(ValidationFailed):
    """The region named is not one this deployment serves."""

    code = "validation_error"
    title = "Unknown region"


class TenantNotFound(NotFound):
    code = "tenant_not_found"
    title = "Tenant not found"


class TenantNotActive(Conflict):
    """The tenant exists but is provisioning or failed, so its region cannot serve it yet."""

    code = "tenant_not_active"
    title = "Tenant not active"


class ProvisioningFailed(UpstreamUnavailable):
    """The tenant's region could not provision it; the tenant is ``failed`` and can be retried."""

    code = "provisioning_failed"
    title = "Provisioning failed"


class TenantNotReprovisionable(Conflict):
    code = "tenant_not_reprovisionable"
    title = "Tenant cannot be re-provisioned"


class IpBlocked(Forbidden):
    code = "ip_blocked"
    title = "Blocked"


class RegionUnavailable(UpstreamUnavailable):
    code = "region_unavailable"
    title = "Region unavailable"


class RegionTimeout(UpstreamTimeout):
    code = "region_timeout"
    title = "Region timeout"
