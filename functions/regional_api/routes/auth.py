"""Password sign-in, refresh, sign-out."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from chalkops.http.openapi import problems
from chalkops.identity.models import TokenPair
from functions.regional_api.deps import ClientIp, CurrentUser, Services, Tenant
from functions.regional_api.schemas import LoginRequest, RefreshRequest, TokenPairOut

router = APIRouter(prefix="/auth", tags=["auth"])


def pair_out(pair: TokenPair) -> TokenPairOut:
    return TokenPairOut(
        access_token=pair.access_token, refresh_token=pair.refresh_token, expires_in=pair.expires_in
    )


@router.post("/login", response_model=TokenPairOut, responses=problems(401, 422, 429))
def login(body: LoginRequest, tenant: Tenant, services: Services, ip: ClientIp) -> TokenPairOut:
    return pair_out(
        services.sessions.password_sign_in(
            tenant.tenant_id, email=body.email, password=body.password, source_ip=ip
        )
    )


@router.post("/refresh", response_model=TokenPairOut, responses=problems(401, 422))
def refresh(body: RefreshRequest, tenant: Tenant, services: Services) -> TokenPairOut:
    return pair_out(services.sessions.refresh(tenant.tenant_id, body.refresh_token))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401))
def logout(principal: CurrentUser, tenant: Tenant, services: Services) -> Response:
    services.sessions.sign_out(tenant.tenant_id, principal.session_id, principal.user.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
