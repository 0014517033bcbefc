"""Passkey errors, each with the stable code and status the HTTP layer answers with.

Sign-in failures deliberately share one generic ``detail``: which check failed is logged, never
told to the caller, so a failed assertion reveals nothing about accounts or credentials.
"""

from __future__ import annotations

from chalkops.errors import BadRequest, Conflict, NotFound, Unauthorized


class InvalidPasskeyRegistration(BadRequest):
    """The browser's registration response did not verify (origin, RP id, UV, attestation...)."""

    code = "passkey_invalid"
    title = "Passkey registration failed"


class InvalidPasskeyAssertion(Unauthorized):
    """A sign-in assertion did not verify; the reason is in the log, not the response."""

    code = "passkey_invalid"
    title = "Passkey sign-in failed"


class SignCountRegressed(InvalidPasskeyAssertion):
    """A correctly signed assertion whose counter did not advance: the key may be cloned."""


class ChallengeExpired(BadRequest):
    """The ceremony's challenge is unknown, already used or past its expiry: start again."""

    code = "challenge_expired"
    title = "Passkey challenge expired"


class CredentialExists(Conflict):
    """The credential id is already registered (to this user or another one)."""

    code = "credential_exists"
    title = "Passkey already registered"


class PasskeyNotFound(NotFound):
    """No such passkey among the caller's own."""

    code = "passkey_not_found"
    title = "Passkey not found"


class PasskeyUserNotFound(NotFound):
    """The signed-in user no longer exists in this tenant."""

    code = "user_not_found"
    title = "User not found"
