"""Dependencies of the regional API's routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from chalkops.errors import Unauthorized
from chalkops.regional.tenancy import CLIENT_IP_KEY, SCOPE_KEY, TenantContext
from functions.regional_api.composition import RegionalServices


def get_services(request: Request) -> RegionalServices:
    services: RegionalServices = request.app.state.services
    return services


def get_tenant(request: Request) -> TenantContext:
    context = request.scope.get(SCOPE_KEY)
    if not isinstance(context, TenantContext):  # the gate sets it; never trust anything else
        raise Unauthorized("requests must come through the ChalkOps central API")
    return context


def get_client_ip(request: Request) -> str:
    return str(request.scope.get(CLIENT_IP_KEY) or "")


Services = Annotated[RegionalServices, Depends(get_services)]
Tenant = Annotated[TenantContext, Depends(get_tenant)]
ClientIp = Annotated[str, Depends(get_client_ip)]
