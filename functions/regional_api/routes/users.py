"""Tenant users: everyone sees themselves; admins manage their own tenant's users."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from chalkops.http.openapi import problems
from chalkops.identity.models import User
from functions.regional_api.deps import CurrentUser, Services, Tenant
from functions.regional_api.schemas import UserCreate, UserOut, UserUpdate

router = APIRouter(prefix="/users", tags=["users"], responses=problems(401))


def user_out(user: User, tenant_id: uuid.UUID) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        roles=list(user.roles),
        tenant_id=tenant_id,
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


@router.get("/me", response_model=UserOut)
async def me(principal: CurrentUser, tenant: Tenant) -> UserOut:
    return user_out(principal.user, tenant.tenant_id)


@router.get("", response_model=list[UserOut], responses=problems(403))
def list_users(principal: CurrentUser, tenant: Tenant, services: Services) -> list[UserOut]:
    return [
        user_out(u, tenant.tenant_id) for u in services.users.list(tenant.tenant_id, principal.user)
    ]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=problems(403, 409, 422),
)
def create_user(
    body: UserCreate, principal: CurrentUser, tenant: Tenant, services: Services
) -> UserOut:
    user = services.users.create(
        tenant.tenant_id,
        principal.user,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        roles=body.roles,
    )
    return user_out(user, tenant.tenant_id)


@router.get("/{user_id}", response_model=UserOut, responses=problems(403, 404))
def get_user(
    user_id: uuid.UUID, principal: CurrentUser, tenant: Tenant, services: Services
) -> UserOut:
    return user_out(services.users.get(tenant.tenant_id, principal.user, user_id), tenant.tenant_id)


@router.patch("/{user_id}", response_model=UserOut, responses=problems(403, 404, 409, 422))
def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    principal: CurrentUser,
    tenant: Tenant,
    services: Services,
) -> UserOut:
    user = services.users.update(
        tenant.tenant_id, principal.user, user_id, display_name=body.display_name, roles=body.roles
    )
    return user_out(user, tenant.tenant_id)


@router.delete(
    "/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(403, 404, 409)
)
def delete_user(
    user_id: uuid.UUID, principal: CurrentUser, tenant: Tenant, services: Services
) -> Response:
    services.users.delete(tenant.tenant_id, principal.user, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
