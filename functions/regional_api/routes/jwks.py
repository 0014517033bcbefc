"""The public keys tokens of this region are signed with (JWKS, RFC 7517)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chalkops.tokens.keys import jwks
from functions.regional_api.deps import Services, Tenant

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json")
def jwks_document(_tenant: Tenant, services: Services) -> dict[str, Any]:
    return dict(jwks(services.signing_keys.published()))
