"""Tenant schemas: names derive from the tenant's UUID only, never from user input."""

from __future__ import annotations

import re
import uuid

from chalkops.db.exceptions import InvalidTenantSchema

TENANT_SCHEMA_PREFIX = "t_"
_TENANT_SCHEMA = re.compile(r"^t_[0-9a-f]{32}$")


def tenant_schema(tenant_id: uuid.UUID | str) -> str:
    """``t_<32 hex>`` for a tenant id; anything that is not a UUID is refused."""
    try:
        value = tenant_id if isinstance(tenant_id, uuid.UUID) else uuid.UUID(str(tenant_id))
    except ValueError as exc:
        raise InvalidTenantSchema("tenant id is not a UUID") from exc
    return f"{TENANT_SCHEMA_PREFIX}{value.hex}"


def is_tenant_schema(name: str) -> bool:
    return bool(_TENANT_SCHEMA.match(name))
