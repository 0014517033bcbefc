from __future__ import annotations

from fastapi import APIRouter

from functions.central_api.deps import Services
from functions.central_api.schemas import Health, RegionOut

router = APIRouter(tags=["platform"])


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok")


@router.get("/regions", response_model=list[RegionOut])
def regions(services: Services) -> list[RegionOut]:
    return [RegionOut(code=r.code, name=r.name) for r in services.regions.all()]
