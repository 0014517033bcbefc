"""Operator endpoints: the IP blacklist and re-provisioning of failed tenants."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, status

from chalkops.errors import NotFound
from chalkops.http.openapi import problems
from functions.central_api.deps import Operator, Services
from functions.central_api.schemas import BlacklistIn, BlacklistOut, TenantOut
from functions.central_api.views import tenant_out

router = APIRouter(prefix="/admin", tags=["admin"], responses=problems(401, 403))


@router.get("/blacklist", response_model=list[BlacklistOut])
def list_blacklist(services: Services, _operator: Operator) -> list[BlacklistOut]:
    return [BlacklistOut(**vars(entry)) for entry in services.store.list_blacklist()]


@router.post(
    "/blacklist",
    status_code=status.HTTP_201_CREATED,
    response_model=BlacklistOut,
    responses=problems(422),
)
def add_blacklist(body: BlacklistIn, services: Services, operator: Operator) -> BlacklistOut:
    entry = services.store.add_blacklist(
        body.cidr, body.reason, body.expires_at, uuid.UUID(operator.sub)
    )
    services.blacklist.invalidate()
    services.store.audit(
        "blacklist.added", "success", actor=operator.sub, details={"cidr": entry.cidr}
    )
    return BlacklistOut(**vars(entry))


@router.delete(
    "/blacklist/{entry_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404)
)
def remove_blacklist(entry_id: uuid.UUID, services: Services, operator: Operator) -> None:
    if not services.store.remove_blacklist(entry_id):
        raise NotFound("no such blacklist entry")
    services.blacklist.invalidate()
    services.store.audit(
        "blacklist.removed", "success", actor=operator.sub, details={"id": str(entry_id)}
    )


@router.post(
    "/tenants/{tenant_name}/reprovision",
    response_model=TenantOut,
    responses=problems(404, 409, 502),
)
def reprovision(
    tenant_name: Annotated[str, Path(min_length=1, max_length=63)],
    services: Services,
    operator: Operator,
) -> TenantOut:
    return tenant_out(services.registration.reprovision(tenant_name, actor=operator.sub))
