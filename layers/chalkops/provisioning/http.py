"""Provisioning over HTTP: the local platform runs each region's provisioner as a service."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import httpx
from pydantic import ValidationError

from chalkops.provisioning.exceptions import RegionProvisioningError
from chalkops.provisioning.models import ProvisionRequest, ProvisionResult

INVOKE_PATH = "/invoke"
CREDENTIAL_HEADER = "X-ChalkOps-Forwarded"


class HttpProvisioningClient:
    def __init__(
        self,
        urls: Mapping[str, str],
        credential: Callable[[str, ProvisionRequest], str],
        *,
        timeout_seconds: float = 30.0,
    ) -> None:
        self._urls = dict(urls)
        self._credential = credential
        self._client = httpx.Client(timeout=timeout_seconds)

    def invoke(self, region: str, request: ProvisionRequest) -> ProvisionResult:
        url = self._urls.get(region)
        if url is None:
            raise RegionProvisioningError(f"no provisioner is configured for region {region}")
        headers = {
            CREDENTIAL_HEADER: self._credential(region, request),
            "content-type": "application/json",
        }
        try:
            response = self._client.post(
                url.rstrip("/") + INVOKE_PATH, content=request.model_dump_json(), headers=headers
            )
        except httpx.TimeoutException as exc:
            raise RegionProvisioningError(f"region {region} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise RegionProvisioningError(f"region {region} is unreachable") from exc
        if response.status_code != 200:
            raise RegionProvisioningError(_reason(region, response))
        try:
            return ProvisionResult.model_validate_json(response.content)
        except ValidationError as exc:
            raise RegionProvisioningError(f"region {region} answered malformed JSON") from exc


def _reason(region: str, response: httpx.Response) -> str:
    try:
        detail = str(response.json().get("detail", ""))
    except ValueError:
        detail = ""
    return f"region {region} could not provision the tenant ({response.status_code} {detail})"
