"""An in-memory passkey repository and a hand-driven clock: fakes with real behaviour."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from chalkops.identity.passkeys import (
    ChallengePurpose,
    CredentialExists,
    PasskeyUser,
    StoredChallenge,
    StoredPasskey,
)
from chalkops.ids import new_id


@dataclass
class FakeClock:
    now: datetime = field(default_factory=lambda: datetime(2026, 1, 1, 12, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class InMemoryPasskeyRepository:
    """Same contract as the PostgreSQL adapter, one tenant, in dictionaries."""

    users: dict[uuid.UUID, PasskeyUser] = field(default_factory=dict)
    challenges: dict[uuid.UUID, StoredChallenge] = field(default_factory=dict)
    passkeys: dict[uuid.UUID, StoredPasskey] = field(default_factory=dict)

    def add_user(self, email: str, display_name: str | None = None) -> PasskeyUser:
        user = PasskeyUser(new_id(), email, display_name, new_id().bytes)
        self.users[user.id] = user
        return user

    def store_challenge(self, challenge: StoredChallenge) -> None:
        self.challenges[challenge.id] = challenge

    def consume_challenge(
        self, purpose: ChallengePurpose, challenge: bytes
    ) -> StoredChallenge | None:
        for stored in list(self.challenges.values()):
            if stored.purpose is purpose and stored.challenge == challenge:
                return self.challenges.pop(stored.id)
        return None

    def purge_expired_challenges(self, now: datetime, *, limit: int = 100) -> int:
        expired = [c.id for c in self.challenges.values() if c.expires_at < now][:limit]
        for challenge_id in expired:
            del self.challenges[challenge_id]
        return len(expired)

    def add_credential(self, passkey: StoredPasskey) -> None:
        if self.find_credential(passkey.credential_id) is not None:
            raise CredentialExists("this passkey is already registered")
        self.passkeys[passkey.id] = passkey

    def find_credential(self, credential_id: bytes) -> StoredPasskey | None:
        return next((p for p in self.passkeys.values() if p.credential_id == credential_id), None)

    def list_credentials(self, user_id: uuid.UUID) -> list[StoredPasskey]:
        owned = [p for p in self.passkeys.values() if p.user_id == user_id]
        return sorted(owned, key=lambda p: (p.created_at, p.id))

    def delete_credential(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> bool:
        passkey = self.passkeys.get(passkey_id)
        if passkey is None or passkey.user_id != user_id:
            return False
        del self.passkeys[passkey_id]
        return True

    def record_use(
        self, passkey_id: uuid.UUID, *, sign_count: int, backup_state: bool, used_at: datetime
    ) -> bool:
        passkey = self.passkeys[passkey_id]
        if not (passkey.sign_count < sign_count or passkey.sign_count == sign_count == 0):
            return False
        self.passkeys[passkey_id] = replace(
            passkey, sign_count=sign_count, backup_state=backup_state, last_used_at=used_at
        )
        return True

    def find_user_by_id(self, user_id: uuid.UUID) -> PasskeyUser | None:
        return self.users.get(user_id)

    def find_user_by_email(self, email: str) -> PasskeyUser | None:
        wanted = email.lower()
        return next((u for u in self.users.values() if u.email.lower() == wanted), None)

    def find_user_by_handle(self, handle: bytes) -> PasskeyUser | None:
        return next((u for u in self.users.values() if u.webauthn_handle == handle), None)
