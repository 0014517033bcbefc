"""Lambda entry point of a region's tenant provisioner.

The event is a ``ProvisionRequest``; the result a ``ProvisionResult``. A failure raises
``RegionProvisioningError`` (the Lambda reports it as the function error the caller maps to a
failed tenant). Invocation is authorised by IAM (only the central API's role may invoke).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from chalkops.provisioning.models import ProvisionRequest
from chalkops.provisioning.service import TenantProvisioner
from functions.provisioner.composition import build_provisioner


@cache
def _provisioner() -> TenantProvisioner:
    return build_provisioner()


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    request = ProvisionRequest.model_validate(event)
    return _provisioner().handle(request).model_dump(mode="json")
