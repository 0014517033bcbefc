"""Dependencies of the regional API's routes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chalkops.errors import Unauthorized
from chalkops.identity.exceptions import SessionRevoked
from chalkops.identity.models import User
from chalkops.regional.tenancy import CLIENT_IP_KEY, SCOPE_KEY, TenantContext
from chalkops.tokens.exceptions import InvalidToken
from chalkops.tokens.types import Claims
from functions.regional_api.composition import RegionalServices

_bearer = HTTPBearer(auto_error=False)


# The dependencies that only read the request are ``async``: FastAPI runs a sync dependency in
# its thread pool, and a thread hop per dependency per request costs more than the work.
async def get_services(request: Request) -> RegionalServices:
    services: RegionalServices = request.app.state.services
    return services


async def get_tenant(request: Request) -> TenantContext:
    context = request.scope.get(SCOPE_KEY)
    if not isinstance(context, TenantContext):  # the gate sets it; never trust anything else
        raise Unauthorized("requests must come through the ChalkOps central API")
    return context


async def get_client_ip(request: Request) -> str:
    return str(request.scope.get(CLIENT_IP_KEY) or "")


Services = Annotated[RegionalServices, Depends(get_services)]
Tenant = Annotated[TenantContext, Depends(get_tenant)]
ClientIp = Annotated[str, Depends(get_client_ip)]


@dataclass(frozen=True)
class Principal:
    user: User
    claims: Claims
    session_id: uuid.UUID


def get_principal(
    services: Services,
    tenant: Tenant,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthorized("a bearer access token is required")
    claims = services.access_tokens.verify(credentials.credentials)
    # The token must be for the tenant the central API resolved from the URL: a token of
    # tenant A presented at /tenants/B/... is refused, whatever it says otherwise.
    if claims.tenant_id != str(tenant.tenant_id):
        raise InvalidToken("The token is not valid for this tenant.")
    session = _session_id(claims)
    user = services.users.current(tenant.tenant_id, _uuid(claims.sub), session)
    if user is None:
        raise SessionRevoked("the session has ended or the user no longer exists")
    return Principal(user, claims, session)


def _session_id(claims: Claims) -> uuid.UUID:
    # Every tenant access token names its session: without one, sign-out and refresh-reuse
    # detection could not end it before it expires.
    raw = claims.raw.get("sid")
    if not raw:
        raise InvalidToken("The token is not valid.")
    return _uuid(str(raw))


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise InvalidToken("The token is not valid.") from exc


CurrentUser = Annotated[Principal, Depends(get_principal)]
