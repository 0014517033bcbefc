"""Passkey registration and sign-in ceremonies, and one's own passkeys."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from chalkops.http.openapi import problems
from chalkops.identity.passkeys.exceptions import InvalidPasskeyAssertion
from chalkops.identity.passkeys.types import StoredPasskey
from functions.regional_api.deps import ClientIp, CurrentUser, Services, Tenant
from functions.regional_api.routes.auth import pair_out
from functions.regional_api.schemas import (
    EmptyBody,
    PasskeyLoginOptionsRequest,
    PasskeyLoginVerify,
    PasskeyOut,
    PasskeyRegisterVerify,
    TokenPairOut,
)

router = APIRouter(prefix="/auth/passkeys", tags=["passkeys"])


def passkey_out(passkey: StoredPasskey) -> PasskeyOut:
    return PasskeyOut(
        id=passkey.id,
        nickname=passkey.nickname,
        created_at=passkey.created_at,
        last_used_at=passkey.last_used_at,
        transports=list(passkey.transports),
        backup_eligible=passkey.backup_eligible,
        backup_state=passkey.backup_state,
    )


@router.post("/register/options", responses=problems(401))
def register_options(
    _body: EmptyBody, principal: CurrentUser, tenant: Tenant, services: Services
) -> dict[str, Any]:
    options: dict[str, Any] = json.loads(
        services.passkeys(tenant.tenant_id).registration_options(principal.user.id)
    )
    return options


@router.post(
    "/register/verify",
    status_code=status.HTTP_201_CREATED,
    response_model=PasskeyOut,
    responses=problems(400, 401, 409, 422),
)
def register_verify(
    body: PasskeyRegisterVerify, principal: CurrentUser, tenant: Tenant, services: Services
) -> PasskeyOut:
    stored = services.passkeys(tenant.tenant_id).verify_registration(
        principal.user.id, body.credential, body.nickname
    )
    return passkey_out(stored)


@router.post("/login/options", responses=problems(422))
def login_options(
    body: PasskeyLoginOptionsRequest, tenant: Tenant, services: Services
) -> dict[str, Any]:
    ceremony = services.passkeys(tenant.tenant_id).authentication_options(body.email)
    options: dict[str, Any] = json.loads(ceremony.options_json)
    return {**options, "ceremony_id": str(ceremony.ceremony_id)}


@router.post("/login/verify", response_model=TokenPairOut, responses=problems(400, 401, 422))
def login_verify(
    body: PasskeyLoginVerify, tenant: Tenant, services: Services, ip: ClientIp
) -> TokenPairOut:
    authenticated = services.passkeys(tenant.tenant_id).verify_authentication(
        body.credential, body.ceremony_id
    )
    user = services.users.current(tenant.tenant_id, authenticated.user_id, None)
    if user is None:  # deleted between the ceremony and now
        raise InvalidPasskeyAssertion("the passkey could not be verified")
    return pair_out(services.sessions.passkey_sign_in(tenant.tenant_id, user, source_ip=ip))


@router.get("", response_model=list[PasskeyOut], responses=problems(401))
def list_passkeys(principal: CurrentUser, tenant: Tenant, services: Services) -> list[PasskeyOut]:
    return [
        passkey_out(p) for p in services.passkeys(tenant.tenant_id).list_passkeys(principal.user.id)
    ]


@router.delete(
    "/{passkey_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(401, 404)
)
def delete_passkey(
    passkey_id: uuid.UUID, principal: CurrentUser, tenant: Tenant, services: Services
) -> Response:
    services.passkeys(tenant.tenant_id).delete_passkey(principal.user.id, passkey_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
