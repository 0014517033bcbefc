"""Tenant users and sessions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


@dataclass(frozen=True)
class User:
    id: uuid.UUID
    email: str
    display_name: str | None
    roles: tuple[str, ...]
    created_at: datetime
    last_login_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN.value in self.roles


@dataclass(frozen=True)
class Credentials:
    """A user row with the secret part, only ever used inside sign-in."""

    user: User
    password_hash: str | None


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
