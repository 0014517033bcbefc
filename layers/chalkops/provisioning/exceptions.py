"""Errors of provisioning, named for what the control plane does with them."""

from __future__ import annotations

from chalkops.errors import UpstreamUnavailable


class RegionProvisioningError(UpstreamUnavailable):
    """The region could not provision (or deprovision) the tenant; the saga marks it failed."""

    code = "provisioning_failed"
    title = "Provisioning failed"
