"""The PostgreSQL passkey repository: one tenant's ``users``, ``passkeys`` and challenges.

Every method runs in its own :meth:`Database.tenant_transaction`, so unqualified table names
resolve in that tenant's schema only, and a consumed challenge is committed before the caller
goes on to verify (and possibly reject) the response it was issued for.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import psycopg

from chalkops.db.postgres import Database
from chalkops.identity.passkeys.exceptions import CredentialExists
from chalkops.identity.passkeys.types import (
    ChallengePurpose,
    PasskeyUser,
    StoredChallenge,
    StoredPasskey,
)

_PASSKEY_COLUMNS = (
    "id, user_id, credential_id, public_key, sign_count, transports, aaguid, "
    "backup_eligible, backup_state, nickname, created_at, last_used_at"
)
_USER_COLUMNS = "id, email, display_name, webauthn_handle"


class PostgresPasskeyRepository:
    """:class:`~chalkops.identity.passkeys.base.PasskeyRepository` for one tenant."""

    def __init__(self, db: Database, tenant_id: uuid.UUID | str) -> None:
        self._db = db
        self._tenant_id = tenant_id

    # Challenges ---------------------------------------------------------------------------
    def store_challenge(self, challenge: StoredChallenge) -> None:
        with self._db.tenant_transaction(self._tenant_id) as conn:
            conn.execute(
                "INSERT INTO webauthn_challenges "
                "(id, purpose, user_id, challenge, expires_at, email_first) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    challenge.id,
                    challenge.purpose.value,
                    challenge.user_id,
                    challenge.challenge,
                    challenge.expires_at,
                    challenge.email_first,
                ),
            )

    def consume_challenge(
        self, purpose: ChallengePurpose, challenge: bytes
    ) -> StoredChallenge | None:
        # DELETE ... RETURNING is the single-use guarantee: of two concurrent verifications of
        # one response, exactly one gets the row back.
        with self._db.tenant_transaction(self._tenant_id) as conn:
            row = conn.execute(
                "DELETE FROM webauthn_challenges WHERE purpose = %s AND challenge = %s "
                "RETURNING id, purpose, user_id, challenge, expires_at, email_first",
                (purpose.value, challenge),
            ).fetchone()
        return None if row is None else _challenge(row)

    def purge_expired_challenges(self, now: datetime, *, limit: int = 100) -> int:
        # Bounded, and SKIP LOCKED so concurrent purges never queue behind each other.
        with self._db.tenant_transaction(self._tenant_id) as conn:
            cursor = conn.execute(
                "DELETE FROM webauthn_challenges WHERE id IN ("
                " SELECT id FROM webauthn_challenges WHERE expires_at < %s"
                " ORDER BY expires_at LIMIT %s FOR UPDATE SKIP LOCKED)",
                (now, limit),
            )
            return cursor.rowcount

    # Credentials --------------------------------------------------------------------------
    def add_credential(self, passkey: StoredPasskey) -> None:
        try:
            with self._db.tenant_transaction(self._tenant_id) as conn:
                conn.execute(
                    f"INSERT INTO passkeys ({_PASSKEY_COLUMNS}) "  # noqa: S608 (constant columns)
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        passkey.id,
                        passkey.user_id,
                        passkey.credential_id,
                        passkey.public_key,
                        passkey.sign_count,
                        list(passkey.transports),
                        passkey.aaguid,
                        passkey.backup_eligible,
                        passkey.backup_state,
                        passkey.nickname,
                        passkey.created_at,
                        passkey.last_used_at,
                    ),
                )
        except psycopg.errors.UniqueViolation as exc:
            # Two registrations of one credential id racing past the service's own check.
            raise CredentialExists("this passkey is already registered") from exc

    def find_credential(self, credential_id: bytes) -> StoredPasskey | None:
        with self._db.tenant_transaction(self._tenant_id) as conn:
            row = conn.execute(
                f"SELECT {_PASSKEY_COLUMNS} FROM passkeys WHERE credential_id = %s",  # noqa: S608
                (credential_id,),
            ).fetchone()
        return None if row is None else _passkey(row)

    def list_credentials(self, user_id: uuid.UUID) -> list[StoredPasskey]:
        with self._db.tenant_transaction(self._tenant_id) as conn:
            rows = conn.execute(
                f"SELECT {_PASSKEY_COLUMNS} FROM passkeys WHERE user_id = %s "  # noqa: S608
                "ORDER BY created_at, id",
                (user_id,),
            ).fetchall()
        return [_passkey(row) for row in rows]

    def delete_credential(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> bool:
        with self._db.tenant_transaction(self._tenant_id) as conn:
            cursor = conn.execute(
                "DELETE FROM passkeys WHERE id = %s AND user_id = %s", (passkey_id, user_id)
            )
            return cursor.rowcount == 1

    def record_use(
        self, passkey_id: uuid.UUID, *, sign_count: int, backup_state: bool, used_at: datetime
    ) -> bool:
        # The counter condition is re-checked here, in the row update itself, so two sign-ins
        # replaying one counter value cannot both pass.
        with self._db.tenant_transaction(self._tenant_id) as conn:
            cursor = conn.execute(
                "UPDATE passkeys SET sign_count = %(count)s, backup_state = %(backed_up)s, "
                "last_used_at = %(used_at)s WHERE id = %(id)s "
                "AND (sign_count < %(count)s OR (sign_count = 0 AND %(count)s = 0))",
                {
                    "id": passkey_id,
                    "count": sign_count,
                    "backed_up": backup_state,
                    "used_at": used_at,
                },
            )
            return cursor.rowcount == 1

    # Users --------------------------------------------------------------------------------
    def find_user_by_id(self, user_id: uuid.UUID) -> PasskeyUser | None:
        return self._one_user("id = %s", user_id)

    def find_user_by_email(self, email: str) -> PasskeyUser | None:
        return self._one_user("email_lower = %s", email.lower())

    def find_user_by_handle(self, handle: bytes) -> PasskeyUser | None:
        return self._one_user("webauthn_handle = %s", handle)

    def _one_user(self, condition: str, value: object) -> PasskeyUser | None:
        # ``condition`` is one of the constant predicates above, never caller input.
        with self._db.tenant_transaction(self._tenant_id) as conn:
            row = conn.execute(
                f"SELECT {_USER_COLUMNS} FROM users WHERE {condition}",  # noqa: S608
                (value,),
            ).fetchone()
        return None if row is None else _user(row)


def _challenge(row: dict[str, Any]) -> StoredChallenge:
    return StoredChallenge(
        id=row["id"],
        purpose=ChallengePurpose(row["purpose"]),
        challenge=bytes(row["challenge"]),
        expires_at=row["expires_at"],
        user_id=row["user_id"],
        email_first=row["email_first"],
    )


def _passkey(row: dict[str, Any]) -> StoredPasskey:
    return StoredPasskey(
        id=row["id"],
        user_id=row["user_id"],
        credential_id=bytes(row["credential_id"]),
        public_key=bytes(row["public_key"]),
        sign_count=int(row["sign_count"]),
        transports=tuple(row["transports"] or ()),
        aaguid=row["aaguid"],
        backup_eligible=row["backup_eligible"],
        backup_state=row["backup_state"],
        nickname=row["nickname"],
        created_at=row["created_at"],
        last_used_at=row["last_used_at"],
    )


def _user(row: dict[str, Any]) -> PasskeyUser:
    return PasskeyUser(
        id=row["id"],
        email=row["email"],
        display_name=row["display_name"],
        webauthn_handle=bytes(row["webauthn_handle"]),
    )
