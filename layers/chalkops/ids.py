"""Entity ids: UUIDv7 everywhere, so ids sort by creation time and index well."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A fresh UUIDv7 as a standard-library ``uuid.UUID`` (psycopg and pydantic take it as is)."""
    return uuid.UUID(int=uuid6.uuid7().int)


def is_uuid7(value: uuid.UUID) -> bool:
    return value.version == 7
