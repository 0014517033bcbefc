"""The port the control plane provisions tenants through."""

from __future__ import annotations

from typing import Protocol

from chalkops.provisioning.models import ProvisionRequest, ProvisionResult


class ProvisioningClient(Protocol):
    def invoke(self, region: str, request: ProvisionRequest) -> ProvisionResult:
        """Run ``request`` in ``region``; raise ``RegionProvisioningError`` if it did not happen."""
        ...
