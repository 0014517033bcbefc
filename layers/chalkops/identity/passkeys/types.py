"""The values the passkey service and its repositories exchange (no SQL, no library types)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class ChallengePurpose(StrEnum):
    REGISTRATION = "registration"
    AUTHENTICATION = "authentication"


@dataclass(frozen=True)
class PasskeyUser:
    """The slice of a tenant user a passkey ceremony needs."""

    id: uuid.UUID
    email: str
    display_name: str | None
    webauthn_handle: bytes
    """The WebAuthn user handle (``user.id`` at registration, ``userHandle`` at sign-in)."""


@dataclass(frozen=True)
class StoredChallenge:
    """A server-side ceremony challenge; it is used once and dies at ``expires_at``."""

    id: uuid.UUID
    purpose: ChallengePurpose
    challenge: bytes
    expires_at: datetime
    user_id: uuid.UUID | None
    """Registration: the registering user. Sign-in: the user the email named, if any."""
    email_first: bool = False
    """Sign-in started from an email: only that user's credentials may answer, even when the
    email matched nobody (``user_id`` is then ``None`` and no credential can answer)."""


@dataclass(frozen=True)
class StoredPasskey:
    """A registered credential: what verification needs plus what the user sees in a list."""

    id: uuid.UUID
    user_id: uuid.UUID
    credential_id: bytes
    public_key: bytes
    """The COSE_Key exactly as the authenticator produced it."""
    sign_count: int
    transports: tuple[str, ...]
    aaguid: str | None
    backup_eligible: bool
    backup_state: bool
    nickname: str | None
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class AuthenticatedUser:
    """Who a verified passkey sign-in proved to be."""

    user_id: uuid.UUID
    passkey_id: uuid.UUID


class AuthenticationCeremony(NamedTuple):
    """Sign-in options for the browser and the id of the challenge behind them."""

    options_json: str
    ceremony_id: uuid.UUID
