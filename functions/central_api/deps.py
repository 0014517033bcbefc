"""Dependencies of the central API's routes, as ``Annotated`` aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chalkops.controlplane.models import OPERATOR_ROLE
from chalkops.errors import Forbidden, Unauthorized
from chalkops.http.client_ip import source_ip
from chalkops.tokens.types import Claims
from functions.central_api.composition import CentralServices

_bearer = HTTPBearer(auto_error=False)


# Request-only dependencies are ``async``: a sync one costs a thread-pool hop per request.
async def get_services(request: Request) -> CentralServices:
    services: CentralServices = request.app.state.services
    return services


async def get_client_ip(request: Request) -> str:
    return source_ip(request.scope)


Services = Annotated[CentralServices, Depends(get_services)]
ClientIp = Annotated[str, Depends(get_client_ip)]


def get_admin(
    services: Services,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Claims:
    if credentials is None:
        raise Unauthorized("a global admin bearer token is required")
    return services.admin_tokens.verify(credentials.credentials)


def get_operator(claims: Annotated[Claims, Depends(get_admin)]) -> Claims:
    if OPERATOR_ROLE not in claims.roles:
        raise Forbidden("this action needs the operator role")
    return claims


Admin = Annotated[Claims, Depends(get_admin)]
Operator = Annotated[Claims, Depends(get_operator)]
