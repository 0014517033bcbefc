"""The control plane's domain types."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TenantStatus(StrEnum):
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    FAILED = "failed"


@dataclass(frozen=True)
class Tenant:
    id: uuid.UUID
    name: str
    region: str
    status: TenantStatus
    status_reason: str | None = None
    display_name: str | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class GlobalUser:
    id: uuid.UUID
    tenant_id: uuid.UUID | None
    email: str
    password_hash: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class BlacklistEntry:
    id: uuid.UUID
    cidr: str
    reason: str | None
    expires_at: datetime | None
    created_at: datetime


OPERATOR_ROLE = "operator"
TENANT_OWNER_ROLE = "tenant_owner"
