"""Provisioning in the same process (tests, benchmarks): the region's service, called directly."""

from __future__ import annotations

from collections.abc import Mapping

from chalkops.errors import ChalkOpsError
from chalkops.provisioning.exceptions import RegionProvisioningError
from chalkops.provisioning.models import ProvisionRequest, ProvisionResult
from chalkops.provisioning.service import TenantProvisioner


class InProcessProvisioningClient:
    def __init__(self, provisioners: Mapping[str, TenantProvisioner]) -> None:
        self._provisioners = dict(provisioners)

    def invoke(self, region: str, request: ProvisionRequest) -> ProvisionResult:
        provisioner = self._provisioners.get(region)
        if provisioner is None:
            raise RegionProvisioningError(f"no provisioner for region {region}")
        try:
            return provisioner.handle(request)
        except ChalkOpsError as exc:
            raise RegionProvisioningError(f"region {region}: {exc.detail}") from exc
