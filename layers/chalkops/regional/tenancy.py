"""Tenant context in a regional API: only from the central API's signed forwarding credential.

A request without a valid credential never reaches a route; with one, the tenant it names must
be provisioned and active in this region. The verified context is stored in the ASGI scope for
handlers to read — no client header, path segment or body field can set it.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from chalkops.db.postgres import Database
from chalkops.errors import ChalkOpsError
from chalkops.http.guard import Rejection
from chalkops.observability import get_logger
from chalkops.tokens.forwarding import ForwardingVerifier
from chalkops.tokens.types import ForwardedTenant

logger = get_logger("chalkops.regional")
CREDENTIAL_HEADER = b"x-chalkops-forwarded"
SCOPE_KEY = "chalkops.tenant"
CLIENT_IP_KEY = "chalkops.client_ip"
OPEN_PATHS = frozenset({"/health"})


@dataclass(frozen=True)
class TenantContext:
    tenant_id: uuid.UUID
    tenant_name: str
    region: str


class RegionalTenants:
    """Which tenants this region hosts (``regional.tenants``), cached briefly per tenant."""

    def __init__(
        self,
        db: Database,
        *,
        ttl_seconds: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = db
        self._ttl = ttl_seconds
        self._clock = clock
        self._active: dict[uuid.UUID, float] = {}
        self._lock = threading.Lock()

    def is_active(self, tenant_id: uuid.UUID) -> bool:
        now = self._clock()
        seen = self._active.get(tenant_id)
        if seen is not None and now - seen < self._ttl:
            return True
        with self._db.transaction() as conn:
            row = conn.execute(
                "SELECT 1 FROM regional.tenants WHERE id = %s AND status = 'active'", (tenant_id,)
            ).fetchone()
        with self._lock:
            if row is None:
                self._active.pop(tenant_id, None)
                return False
            self._active[tenant_id] = now
        return True


class TenantRegistry(Protocol):
    def is_active(self, tenant_id: uuid.UUID) -> bool: ...


def forwarding_gate(
    verifier: Callable[[], ForwardingVerifier | None], tenants: Callable[[], TenantRegistry | None]
) -> Callable[[MutableMapping[str, Any]], Rejection | None]:
    """The regional API's gate: reject what the central API did not sign for this request."""

    def gate(scope: MutableMapping[str, Any]) -> Rejection | None:
        if scope.get("path") in OPEN_PATHS:
            return None
        current_verifier, current_tenants = verifier(), tenants()
        if current_verifier is None or current_tenants is None:
            return Rejection(503, "service_unavailable", "Starting", "the region is starting")
        try:
            context = _verified_context(scope, current_verifier, current_tenants)
        except Rejection as rejection:
            return rejection
        scope[SCOPE_KEY] = context
        scope[CLIENT_IP_KEY] = _header(scope, b"x-forwarded-for") or ""
        return None

    return gate


def _verified_context(
    scope: MutableMapping[str, Any], verifier: ForwardingVerifier, tenants: TenantRegistry
) -> TenantContext:
    token = _header(scope, CREDENTIAL_HEADER)
    if token is None:
        raise _unauthorized("requests must come through the ChalkOps central API")
    try:
        forwarded = verifier.verify(token, method=str(scope["method"]), path=str(scope["path"]))
    except ChalkOpsError as exc:
        raise _unauthorized("the forwarding credential is invalid") from exc
    context = _context(forwarded)
    try:
        active = tenants.is_active(context.tenant_id)
    except ChalkOpsError as exc:
        raise Rejection(exc.status, exc.code, exc.title, exc.detail) from exc
    if not active:
        raise Rejection(
            404, "tenant_not_found", "Tenant not found", "the tenant is not provisioned here"
        )
    return context


def _context(forwarded: ForwardedTenant) -> TenantContext:
    return TenantContext(uuid.UUID(forwarded.tenant_id), forwarded.tenant_name, forwarded.region)


def _unauthorized(detail: str) -> Rejection:
    return Rejection(401, "forwarding_required", "Not forwarded", detail)


def _header(scope: MutableMapping[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None
