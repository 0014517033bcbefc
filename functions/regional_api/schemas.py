"""Request and response bodies of a regional API (the contract's shapes)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from chalkops.http.fields import Email, NewPassword

Role = Annotated[str, Field(pattern=r"^(admin|member)$")]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=4096)]


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105  (the OAuth token type, not a secret)
    expires_in: int


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str | None
    roles: list[str]
    tenant_id: uuid.UUID
    created_at: datetime | None = None
    last_login_at: datetime | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Email
    password: NewPassword
    display_name: Annotated[str, Field(max_length=200)] | None = None
    roles: Annotated[list[Role], Field(min_length=1, max_length=2)] | None = None


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    roles: Annotated[list[Role], Field(min_length=1, max_length=2)] | None = None


class EmptyBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PasskeyRegisterVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential: dict[str, Any]
    nickname: Annotated[str, Field(max_length=64)] | None = None


class PasskeyLoginOptionsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(max_length=254)] | None = None


class PasskeyLoginVerify(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential: dict[str, Any]
    ceremony_id: uuid.UUID | None = None


class PasskeyOut(BaseModel):
    id: uuid.UUID
    nickname: str | None
    created_at: datetime
    last_used_at: datetime | None = None
    transports: list[str] = Field(default_factory=list)
    backup_eligible: bool = False
    backup_state: bool = False


class Jwks(BaseModel):
    keys: list[dict[str, str]]
