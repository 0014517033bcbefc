"""The port a database pool gets its login credentials through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DatabaseCredential:
    user: str
    password: str


class CredentialSource(Protocol):
    """Hands out a credential that is valid now; replaces it when it expires or is revoked."""

    def current(self) -> DatabaseCredential: ...

    def invalidate(self) -> None:
        """Forget the cached credential (it was refused); the next ``current()`` gets a new one."""
        ...


class StaticCredentials:
    """A fixed user/password (tests and externally managed servers)."""

    def __init__(self, user: str, password: str) -> None:
        self._credential = DatabaseCredential(user, password)

    def current(self) -> DatabaseCredential:
        return self._credential

    def invalidate(self) -> None:
        """Nothing to refresh: a static credential is what it is."""
