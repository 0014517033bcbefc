"""Passkeys (WebAuthn): registration and sign-in ceremonies for tenant users.

:class:`PasskeyService` holds the ceremony rules; a :class:`PasskeyRepository` (for real:
:class:`~chalkops.identity.passkeys.postgres.PostgresPasskeyRepository`) stores one tenant's
challenges and credentials.
"""

from __future__ import annotations

from chalkops.identity.passkeys.base import PasskeyRepository
from chalkops.identity.passkeys.exceptions import (
    ChallengeExpired,
    CredentialExists,
    InvalidPasskeyAssertion,
    InvalidPasskeyRegistration,
    PasskeyNotFound,
    PasskeyUserNotFound,
    SignCountRegressed,
)
from chalkops.identity.passkeys.service import PasskeyService
from chalkops.identity.passkeys.types import (
    AuthenticatedUser,
    AuthenticationCeremony,
    ChallengePurpose,
    PasskeyUser,
    StoredChallenge,
    StoredPasskey,
)

__all__ = [
    "AuthenticatedUser",
    "AuthenticationCeremony",
    "ChallengeExpired",
    "ChallengePurpose",
    "CredentialExists",
    "InvalidPasskeyAssertion",
    "InvalidPasskeyRegistration",
    "PasskeyNotFound",
    "PasskeyRepository",
    "PasskeyService",
    "PasskeyUser",
    "PasskeyUserNotFound",
    "SignCountRegressed",
    "StoredChallenge",
    "StoredPasskey",
]
