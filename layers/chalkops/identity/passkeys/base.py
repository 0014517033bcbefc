"""The passkey service's port: everything it needs from storage, for one tenant.

A repository instance is bound to one tenant; the service never sees SQL or tenant schemas.
Each method is its own unit of work, which matters for :meth:`consume_challenge`: a challenge
must stay consumed even when the verification that follows fails.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from chalkops.identity.passkeys.types import (
    ChallengePurpose,
    PasskeyUser,
    StoredChallenge,
    StoredPasskey,
)


class PasskeyRepository(Protocol):
    # Challenges ---------------------------------------------------------------------------
    def store_challenge(self, challenge: StoredChallenge) -> None:
        """Keep a freshly issued challenge until it is consumed or expires."""
        ...

    def consume_challenge(
        self, purpose: ChallengePurpose, challenge: bytes
    ) -> StoredChallenge | None:
        """Remove and return the stored challenge with this value, expired or not (single use).

        ``None`` when there is none: never issued, already consumed, or purged.
        """
        ...

    def purge_expired_challenges(self, now: datetime, *, limit: int = 100) -> int:
        """Delete up to ``limit`` challenges that expired before ``now``; return how many."""
        ...

    # Credentials --------------------------------------------------------------------------
    def add_credential(self, passkey: StoredPasskey) -> None:
        """Store a new credential; raises ``CredentialExists`` if its credential id is taken."""
        ...

    def find_credential(self, credential_id: bytes) -> StoredPasskey | None: ...

    def list_credentials(self, user_id: uuid.UUID) -> list[StoredPasskey]:
        """The user's credentials, oldest first."""
        ...

    def delete_credential(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> bool:
        """Delete the passkey only if ``user_id`` owns it; ``False`` if nothing was deleted."""
        ...

    def record_use(
        self, passkey_id: uuid.UUID, *, sign_count: int, backup_state: bool, used_at: datetime
    ) -> bool:
        """Store a verified sign-in's counter, atomically: only if it still advances the stored
        one (greater, or both zero). ``False`` means a concurrent sign-in got there first."""
        ...

    # Users --------------------------------------------------------------------------------
    def find_user_by_id(self, user_id: uuid.UUID) -> PasskeyUser | None: ...

    def find_user_by_email(self, email: str) -> PasskeyUser | None:
        """Case-insensitive, as sign-in by email is everywhere else."""
        ...

    def find_user_by_handle(self, handle: bytes) -> PasskeyUser | None: ...
