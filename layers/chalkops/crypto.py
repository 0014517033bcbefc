"""Password hashing (Argon2id), constant-time comparison and random tokens stored as hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True)
class Argon2Profile:
    """Argon2id cost parameters. Defaults: RFC 9106's second recommended (low-memory) profile."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4
    hash_len: int = 32
    salt_len: int = 16

    @classmethod
    def owasp_minimum(cls) -> Argon2Profile:
        """OWASP's floor (m=19 MiB, t=2, p=1): used by tests and benchmarks where speed matters."""
        return cls(time_cost=2, memory_kib=19 * 1024, parallelism=1)


OWASP_MINIMUM = Argon2Profile.owasp_minimum()


class Passwords:
    """Hash and verify passwords; tell the caller when a stored hash should be upgraded."""

    def __init__(self, profile: Argon2Profile | None = None) -> None:
        self.profile = profile or Argon2Profile()
        self._hasher = PasswordHasher(
            time_cost=self.profile.time_cost,
            memory_cost=self.profile.memory_kib,
            parallelism=self.profile.parallelism,
            hash_len=self.profile.hash_len,
            salt_len=self.profile.salt_len,
            type=Type.ID,
        )
        # A real hash with the same parameters, verified against for unknown accounts so both
        # outcomes of a login cost the same time (no user enumeration by timing).
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True if ``password`` matches; ``stored_hash=None`` burns a verify and returns False."""
        if stored_hash is None:
            self._verify_quietly(self._dummy_hash, password)
            return False
        return self._verify_quietly(stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(stored_hash)
        except InvalidHashError:
            return True

    def _verify_quietly(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def constant_time_equals(left: str | bytes, right: str | bytes) -> bool:
    a = left.encode() if isinstance(left, str) else left
    b = right.encode() if isinstance(right, str) else right
    return hmac.compare_digest(a, b)


def new_token(nbytes: int = 32) -> str:
    """A URL-safe random token (256 bits by default)."""
    return secrets.token_urlsafe(nbytes)


def hash_token(token: str) -> str:
    """The stored form of a random token: SHA-256 is enough because the token has full entropy."""
    return hashlib.sha256(token.encode()).hexdigest()
