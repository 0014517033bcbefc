"""What the control plane sends a region to provision a tenant (the same over HTTP and Lambda)."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class ProvisionRequest(BaseModel):
    action: str = Field(default="provision", pattern="^(provision|deprovision)$")
    tenant_id: uuid.UUID
    tenant_name: str
    admin_email: str = ""
    # The Argon2id hash, never the password: the password stops at the central API.
    admin_password_hash: str = ""
    admin_display_name: str | None = None


class ProvisionResult(BaseModel):
    tenant_id: uuid.UUID
    schema_name: str
    status: str
    migrations_applied: list[int] = Field(default_factory=list)
    admin_user_id: uuid.UUID | None = None
