from __future__ import annotations

from fastapi import APIRouter, status

from chalkops.http.openapi import problems
from functions.central_api.deps import ClientIp, Services
from functions.central_api.schemas import LoginRequest, RegisterRequest, TenantOut, TokenOut
from functions.central_api.views import tenant_out

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    response_model=TenantOut,
    responses=problems(409, 422, 502),
)
def register(body: RegisterRequest, services: Services, client_ip: ClientIp) -> TenantOut:
    tenant = services.registration.register(
        tenant_name=body.tenant_name,
        region=body.region,
        admin_email=body.admin_email,
        admin_password=body.admin_password,
        display_name=body.display_name,
        source_ip=client_ip,
    )
    return tenant_out(tenant)


@router.post("/login", response_model=TokenOut, responses=problems(401, 422, 429))
def login(body: LoginRequest, services: Services, client_ip: ClientIp) -> TokenOut:
    issued = services.admin_auth.login(
        email=body.email, password=body.password, source_ip=client_ip
    )
    return TokenOut(access_token=issued.token, expires_in=issued.expires_in)
