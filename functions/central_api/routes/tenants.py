from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response
from starlette.concurrency import run_in_threadpool

from chalkops.controlplane.exceptions import TenantNotActive, TenantNotFound
from chalkops.controlplane.models import TenantStatus
from chalkops.http.openapi import problems
from functions.central_api.deps import ClientIp, Services
from functions.central_api.schemas import TenantOut
from functions.central_api.views import tenant_out

router = APIRouter(prefix="/tenants", tags=["tenants"])
NamePath = Annotated[str, Path(min_length=1, max_length=63)]
FORWARDED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@router.get("/{tenant_name}", response_model=TenantOut, responses=problems(404))
def get_tenant(tenant_name: NamePath, services: Services) -> TenantOut:
    tenant = services.tenants.get(tenant_name)
    if tenant is None:
        raise TenantNotFound(f"no tenant named '{tenant_name}'")
    return tenant_out(tenant)


@router.api_route(
    "/{tenant_name}/{path:path}",
    methods=FORWARDED_METHODS,
    include_in_schema=True,
    responses=problems(404, 409, 502, 504),
    summary="Forwarded to the tenant's regional API",
)
async def forward(
    tenant_name: NamePath, path: str, request: Request, services: Services, client_ip: ClientIp
) -> Response:
    # A cached tenant is answered on the event loop; only a miss pays the thread hop to the DB.
    tenant = services.tenants.cached(tenant_name) or await run_in_threadpool(
        services.tenants.get, tenant_name
    )
    if tenant is None:
        raise TenantNotFound(f"no tenant named '{tenant_name}'")
    if tenant.status is not TenantStatus.ACTIVE:
        raise TenantNotActive(f"tenant '{tenant_name}' is {tenant.status.value}")
    forwarded = await services.forwarder.forward(
        tenant=tenant,
        region=services.regions.get(tenant.region),
        method=request.method,
        path=path,
        query=request.scope.get("query_string", b""),
        headers=request.headers.items(),
        body=await request.body(),
        client_ip=client_ip,
    )
    response = Response(content=forwarded.body, status_code=forwarded.status)
    for name, value in forwarded.headers:
        response.headers.append(name, value)
    return response
