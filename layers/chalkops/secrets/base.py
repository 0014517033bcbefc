"""Ports of the secrets package: what services need from a secrets backend, nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class KeyValueStore(Protocol):
    def read(self, path: str) -> dict[str, str]: ...

    def write(self, path: str, data: dict[str, str]) -> None: ...


@dataclass(frozen=True)
class PublicKey:
    """One version of a signing key, as published (PEM) and named in tokens (``kid``)."""

    kid: str
    version: int
    pem: str


class SigningKeys(Protocol):
    def sign(self, key: str, message: bytes) -> tuple[str, bytes]:
        """Sign ``message`` with the latest version of ``key``; return (kid, raw JWS signature)."""
        ...

    def public_keys(self, key: str) -> list[PublicKey]: ...


class Encryption(Protocol):
    def encrypt(self, key: str, plaintext: bytes, *, context: bytes | None = None) -> str: ...

    def decrypt(self, key: str, ciphertext: str, *, context: bytes | None = None) -> bytes: ...
