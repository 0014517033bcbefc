from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel

from functions.regional_api.deps import Services, Tenant

router = APIRouter(tags=["platform"])


class Health(BaseModel):
    status: str


class TenantOut(BaseModel):
    tenant_id: uuid.UUID
    tenant_name: str
    region: str


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")


@router.get("/tenant", response_model=TenantOut)
async def tenant(context: Tenant, services: Services) -> TenantOut:
    """The tenant this request was forwarded for, as the region sees it."""
    return TenantOut(
        tenant_id=context.tenant_id,
        tenant_name=context.tenant_name,
        region=services.settings.region,
    )
