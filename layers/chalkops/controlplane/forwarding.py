"""Forwarding ``/tenants/{name}/…`` to the tenant's regional API.

Method, path, query, body and status pass through; hop-by-hop headers do not, and neither does
any ``X-ChalkOps-*`` header a client sent — the tenant context travels only in the signed,
short-lived credential this module attaches, bound to the tenant, region, method and path.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import httpx

from chalkops.config import Region
from chalkops.controlplane.exceptions import RegionTimeout, RegionUnavailable
from chalkops.controlplane.models import Tenant
from chalkops.errors import NotFound
from chalkops.http.problem_document import PROBLEM_JSON

CREDENTIAL_HEADER = "x-chalkops-forwarded"
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
        "content-encoding",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "x-real-ip",
        "forwarded",
    }
)


class CredentialSigner(Protocol):
    def sign(
        self, *, tenant_id: str, tenant_name: str, region: str, method: str, path: str
    ) -> str: ...


@dataclass(frozen=True)
class ForwardedResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class Forwarder:
    def __init__(
        self,
        signer: CredentialSigner,
        *,
        timeout_seconds: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._signer = signer
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout_seconds, connect=min(3.0, timeout_seconds)),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            transport=transport,
        )

    async def forward(
        self,
        *,
        tenant: Tenant,
        region: Region,
        method: str,
        path: str,
        query: bytes,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        client_ip: str,
    ) -> ForwardedResponse:
        regional_path = "/" + path.lstrip("/")
        outgoing = [(k, v) for k, v in headers if not _dropped(k.lower())]
        outgoing.append(("x-forwarded-for", client_ip))
        outgoing.append(
            (
                CREDENTIAL_HEADER,
                self._signer.sign(
                    tenant_id=str(tenant.id),
                    tenant_name=tenant.name,
                    region=region.code,
                    method=method.upper(),
                    path=regional_path,
                ),
            )
        )
        url = region.api_url.rstrip("/") + regional_path
        try:
            response = await self._client.request(
                method,
                url,
                params=query.decode("latin-1") or None,
                headers=outgoing,
                content=body or None,
            )
        except httpx.InvalidURL as exc:
            # A path no URL can carry cannot name any regional resource.
            raise NotFound("no such resource") from exc
        except httpx.TimeoutException as exc:
            raise RegionTimeout(f"the region {region.code} did not answer in time") from exc
        except httpx.HTTPError as exc:
            raise RegionUnavailable(f"the region {region.code} is unreachable") from exc
        body_out = response.content
        if response.headers.get("content-type", "").startswith(PROBLEM_JSON):
            body_out = _client_instance(body_out, regional_path, f"/tenants/{tenant.name}")
        return ForwardedResponse(
            response.status_code,
            [(k, v) for k, v in response.headers.multi_items() if k.lower() not in _HOP_BY_HOP],
            body_out,
        )

    async def aclose(self) -> None:
        await self._client.aclose()


def _client_instance(body: bytes, regional_path: str, prefix: str) -> bytes:
    """A problem's ``instance`` names the path the client called, not the region's own path."""
    try:
        problem = json.loads(body)
    except ValueError:
        return body
    if not isinstance(problem, dict) or problem.get("instance") != regional_path:
        return body
    problem["instance"] = prefix + regional_path
    return json.dumps(problem).encode()


def _dropped(name: str) -> bool:
    return name in _HOP_BY_HOP or name.startswith("x-chalkops-")


def header_pairs(raw: Iterable[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]
