"""Request and response bodies of the central API (the contract's shapes)."""

from __future__ import annotations

import ipaddress
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chalkops.http.fields import Email, NewPassword

TenantName = Annotated[
    str,
    Field(
        min_length=3,
        max_length=63,
        pattern=r"^[a-z][a-z0-9-]*$",
        description="3-63 characters of a-z, 0-9 and '-', starting with a letter",
    ),
]


class Health(BaseModel):
    status: str


class RegionOut(BaseModel):
    code: str
    name: str


class RegisterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    tenant_name: TenantName
    region: Annotated[str, Field(min_length=1, max_length=40)]
    admin_email: Email
    admin_password: NewPassword
    display_name: Annotated[str, Field(max_length=200)] | None = None


class TenantOut(BaseModel):
    tenant_id: uuid.UUID
    tenant_name: str
    region: str
    status: str
    status_reason: str | None = None


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=4096)]


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105  (the OAuth token type, not a secret)
    expires_in: int


class BlacklistIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cidr: Annotated[str, Field(min_length=2, max_length=64)]
    reason: Annotated[str, Field(max_length=500)] | None = None
    expires_at: datetime | None = None

    @field_validator("cidr")
    @classmethod
    def _valid_cidr(cls, value: str) -> str:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError as exc:
            raise ValueError("must be an IPv4 or IPv6 address or CIDR block") from exc


class BlacklistOut(BaseModel):
    id: uuid.UUID
    cidr: str
    reason: str | None
    expires_at: datetime | None
    created_at: datetime
