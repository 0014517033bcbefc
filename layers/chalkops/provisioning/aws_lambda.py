"""Provisioning in the cloud: a synchronous invocation of the region's provisioner Lambda."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chalkops.provisioning.exceptions import RegionProvisioningError
from chalkops.provisioning.models import ProvisionRequest, ProvisionResult

if TYPE_CHECKING:
    from collections.abc import Callable


class LambdaProvisioningClient:
    """Invokes ``function_names[region]`` in that region (boto3 clients built lazily)."""

    def __init__(
        self,
        function_names: Mapping[str, str],
        *,
        client_factory: Callable[[str], Any] | None = None,
    ) -> None:
        self._functions = dict(function_names)
        self._factory = client_factory or _lambda_client
        self._clients: dict[str, Any] = {}

    def invoke(self, region: str, request: ProvisionRequest) -> ProvisionResult:
        function = self._functions.get(region)
        if function is None:
            raise RegionProvisioningError(f"no provisioner function is configured for {region}")
        client = self._clients.get(region) or self._clients.setdefault(
            region, self._factory(region)
        )
        try:
            response = client.invoke(
                FunctionName=function,
                InvocationType="RequestResponse",
                Payload=request.model_dump_json().encode(),
            )
            payload = json.loads(response["Payload"].read())
        except Exception as exc:  # botocore raises many types; all mean "it did not happen"
            raise RegionProvisioningError(f"invoking the {region} provisioner failed") from exc
        if response.get("FunctionError"):
            raise RegionProvisioningError(
                f"the {region} provisioner failed: {payload.get('errorMessage', 'unknown error')}"
            )
        try:
            return ProvisionResult.model_validate(payload)
        except ValidationError as exc:
            raise RegionProvisioningError(f"the {region} provisioner answered malformed") from exc


def _lambda_client(region: str) -> Any:
    import boto3  # noqa: PLC0415  (cloud path only)

    return boto3.client("lambda", region_name=region)
