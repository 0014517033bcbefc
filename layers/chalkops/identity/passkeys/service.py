"""Passkey (WebAuthn) ceremonies for one tenant: register, sign in, list and remove passkeys.

py_webauthn checks the cryptography, the challenge, origin, RP id and flags. What it leaves to
the relying party is done here: challenges live server-side and die on first use or expiry,
``crossOrigin`` is refused, the credential must belong to the user the ceremony is about (and to
the ``userHandle`` the authenticator returned), credential ids are unique, and a counter that
fails to advance is treated as a possible cloned key.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.authentication.verify_authentication_response import VerifiedAuthentication
from webauthn.helpers import (
    generate_challenge,
    parse_authentication_credential_json,
    parse_client_data_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticationCredential,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CollectedClientData,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    RegistrationCredential,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from chalkops.errors import ConfigurationError, ValidationFailed
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
from chalkops.identity.passkeys.types import (
    AuthenticatedUser,
    AuthenticationCeremony,
    ChallengePurpose,
    PasskeyUser,
    StoredChallenge,
    StoredPasskey,
)
from chalkops.ids import new_id
from chalkops.observability import get_logger

logger = get_logger("chalkops.passkeys")

CredentialJSON = str | dict[str, Any]
"""A RegistrationResponseJSON / AuthenticationResponseJSON, as the browser's ``toJSON()``."""

NICKNAME_MAX_LENGTH = 64
_SIGN_IN_FAILED = "the passkey could not be verified"
# What parsing browser-supplied JSON and binary structures can raise besides the library's own
# errors (bad base64, bad UTF-8, values of the wrong JSON type).
_MALFORMED = (WebAuthnException, ValueError, TypeError, KeyError)
# Ids that mimic a real passkey's shape in the answer for an unknown email.
_DECOY_ID_BYTES = 32
_DECOY_TRANSPORTS = [AuthenticatorTransport.HYBRID, AuthenticatorTransport.INTERNAL]
_NOBODY = uuid.UUID(int=0)
# Fallback decoy key: stable for this process only. Production passes a configured one so every
# instance answers an unknown email with the same decoys (changing decoys would give it away).
_PROCESS_DECOY_KEY = secrets.token_bytes(32)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PasskeyService:
    """WebAuthn ceremonies against one tenant's :class:`PasskeyRepository`."""

    def __init__(
        self,
        repository: PasskeyRepository,
        *,
        rp_id: str,
        rp_name: str,
        origins: Sequence[str],
        challenge_ttl_seconds: int = 300,
        clock: Callable[[], datetime] = _utc_now,
        decoy_key: bytes | None = None,
    ) -> None:
        if not rp_id or not rp_name:
            raise ConfigurationError("a WebAuthn relying party needs an id and a name")
        if not origins or not all(isinstance(origin, str) and origin for origin in origins):
            raise ConfigurationError("WebAuthn needs at least one allowed origin")
        if challenge_ttl_seconds <= 0:
            raise ConfigurationError("the WebAuthn challenge lifetime must be positive")
        self._repository = repository
        self._rp_id = rp_id
        self._rp_name = rp_name
        self._origins = list(origins)
        self._ttl = timedelta(seconds=challenge_ttl_seconds)
        self._clock = clock
        self._decoy_key = decoy_key or _PROCESS_DECOY_KEY

    # Registration -------------------------------------------------------------------------
    def registration_options(self, user_id: uuid.UUID) -> str:
        """PublicKeyCredentialCreationOptions JSON for the signed-in user's next passkey."""
        user = self._user(user_id)
        existing = self._repository.list_credentials(user.id)
        challenge = self._issue(ChallengePurpose.REGISTRATION, user_id=user.id)
        options = generate_registration_options(
            rp_id=self._rp_id,
            rp_name=self._rp_name,
            user_id=user.webauthn_handle,
            user_name=user.email,
            user_display_name=user.display_name or user.email,
            challenge=challenge.challenge,
            timeout=self._timeout_ms,
            attestation=AttestationConveyancePreference.NONE,
            # Discoverable (resident) credentials are what make email-less sign-in possible.
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.REQUIRED,
                user_verification=UserVerificationRequirement.REQUIRED,
            ),
            # Lets the browser refuse to register an authenticator the user already has.
            exclude_credentials=[_descriptor(passkey) for passkey in existing],
        )
        return options_to_json(options)

    def verify_registration(
        self, user_id: uuid.UUID, credential_json: CredentialJSON, nickname: str | None = None
    ) -> StoredPasskey:
        """Verify the browser's RegistrationResponseJSON and store the new passkey."""
        user = self._user(user_id)
        nickname = _clean_nickname(nickname)
        credential = _parse_registration(credential_json)
        client_data = _client_data(credential.response.client_data_json, _refuse_registration)
        challenge = self._consume(ChallengePurpose.REGISTRATION, client_data.challenge)
        if challenge.user_id != user.id:
            _refuse_registration("the challenge was issued to another user")
        if client_data.cross_origin:
            _refuse_registration("crossOrigin registration")
        try:
            verified = verify_registration_response(
                credential=credential,
                expected_challenge=challenge.challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
                require_user_verification=True,
            )
        except _MALFORMED as exc:
            _refuse_registration(str(exc), exc)
        if verified.credential_id != credential.raw_id:
            _refuse_registration("rawId differs from the attested credential id")
        if self._repository.find_credential(verified.credential_id) is not None:
            raise CredentialExists("this passkey is already registered")
        now = self._clock()
        passkey = StoredPasskey(
            id=new_id(),
            user_id=user.id,
            credential_id=verified.credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=tuple(t.value for t in credential.response.transports or ()),
            aaguid=verified.aaguid,
            backup_eligible=verified.credential_device_type is CredentialDeviceType.MULTI_DEVICE,
            backup_state=verified.credential_backed_up,
            nickname=nickname,
            created_at=now,
            last_used_at=None,
        )
        self._repository.add_credential(passkey)
        logger.info("passkey registered", extra={"user_id": str(user.id), "passkey": passkey.id})
        return passkey

    # Sign-in ------------------------------------------------------------------------------
    def authentication_options(self, email: str | None = None) -> AuthenticationCeremony:
        """PublicKeyCredentialRequestOptions JSON: email-first, or discoverable without email.

        Every email gets the same shape of answer: an unknown one (or a user without passkeys)
        gets stable decoy credentials, so the options do not tell which accounts exist.
        """
        email = (email or "").strip()
        if not email:
            challenge = self._issue(ChallengePurpose.AUTHENTICATION, user_id=None)
            allowed: list[PublicKeyCredentialDescriptor] = []
        else:
            user = self._repository.find_user_by_email(email)
            # Listed for unknown emails too, so both answers cost the same database work.
            passkeys = self._repository.list_credentials(user.id if user else _NOBODY)
            allowed = [_descriptor(passkey) for passkey in passkeys] or self._decoys(email)
            challenge = self._issue(
                ChallengePurpose.AUTHENTICATION,
                user_id=user.id if user else None,
                email_first=True,
            )
        options = generate_authentication_options(
            rp_id=self._rp_id,
            challenge=challenge.challenge,
            timeout=self._timeout_ms,
            allow_credentials=allowed,
            user_verification=UserVerificationRequirement.REQUIRED,
        )
        return AuthenticationCeremony(options_to_json(options), challenge.id)

    def verify_authentication(
        self, credential_json: CredentialJSON, ceremony_id: uuid.UUID | str | None = None
    ) -> AuthenticatedUser:
        """Verify the browser's AuthenticationResponseJSON; return who signed in with what.

        ``ceremony_id`` is optional: the challenge is found by the value the authenticator
        signed. When given, it must name that same challenge.
        """
        credential = _parse_assertion(credential_json)
        client_data = _client_data(credential.response.client_data_json, _refuse_sign_in)
        ceremony = self._consume(ChallengePurpose.AUTHENTICATION, client_data.challenge)
        if ceremony_id is not None and not _same_id(ceremony.id, ceremony_id):
            _refuse_sign_in("the response answers another ceremony")
        if client_data.cross_origin:
            _refuse_sign_in("crossOrigin sign-in")
        passkey = self._repository.find_credential(credential.raw_id)
        if passkey is None:
            _refuse_sign_in("unknown credential")
        # An empty userHandle is how some clients say "none".
        user_handle = credential.response.user_handle or None
        user = self._signing_user(passkey, ceremony, user_handle)
        verified = self._verify_assertion(credential, ceremony, passkey)
        self._record_use(passkey, verified)
        return AuthenticatedUser(user_id=user.id, passkey_id=passkey.id)

    # Managing one's own passkeys ----------------------------------------------------------
    def list_passkeys(self, user_id: uuid.UUID) -> list[StoredPasskey]:
        return self._repository.list_credentials(user_id)

    def delete_passkey(self, user_id: uuid.UUID, passkey_id: uuid.UUID) -> None:
        """Delete one of the user's own passkeys; anyone else's id is simply not found."""
        if not self._repository.delete_credential(user_id, passkey_id):
            raise PasskeyNotFound("no such passkey")
        logger.info("passkey deleted", extra={"user_id": str(user_id), "passkey": passkey_id})

    # Ceremony rules -----------------------------------------------------------------------
    @property
    def _timeout_ms(self) -> int:
        return int(self._ttl.total_seconds() * 1000)

    def _user(self, user_id: uuid.UUID) -> PasskeyUser:
        user = self._repository.find_user_by_id(user_id)
        if user is None:
            raise PasskeyUserNotFound("the user does not exist")
        return user

    def _find_user(self, user_id: uuid.UUID | None) -> PasskeyUser | None:
        return None if user_id is None else self._repository.find_user_by_id(user_id)

    def _issue(
        self, purpose: ChallengePurpose, *, user_id: uuid.UUID | None, email_first: bool = False
    ) -> StoredChallenge:
        now = self._clock()
        # Abandoned ceremonies would otherwise pile up: every options call clears a few.
        self._repository.purge_expired_challenges(now)
        challenge = StoredChallenge(
            id=new_id(),
            purpose=purpose,
            challenge=generate_challenge(),
            expires_at=now + self._ttl,
            user_id=user_id,
            email_first=email_first,
        )
        self._repository.store_challenge(challenge)
        return challenge

    def _consume(self, purpose: ChallengePurpose, value: bytes) -> StoredChallenge:
        # Consumed before anything else is checked, so a response that fails verification has
        # still used up its challenge and cannot be retried with other tweaks.
        challenge = self._repository.consume_challenge(purpose, value)
        if challenge is None:
            logger.warning("passkey challenge unknown or already used", extra={"purpose": purpose})
            raise ChallengeExpired("the passkey challenge is no longer valid; start again")
        if challenge.expires_at <= self._clock():
            logger.warning("passkey challenge expired", extra={"purpose": purpose})
            raise ChallengeExpired("the passkey challenge is no longer valid; start again")
        return challenge

    def _signing_user(
        self, passkey: StoredPasskey, ceremony: StoredChallenge, user_handle: bytes | None
    ) -> PasskeyUser:
        """The user this assertion may sign in: the credential's owner, and only if the
        ceremony and the authenticator's ``userHandle`` agree on who that is."""
        if ceremony.email_first:
            # The user was named before the ceremony (nobody, if the email matched no one):
            # only their own credential may answer.
            user = self._find_user(ceremony.user_id)
        else:
            # Discoverable: the authenticator says who the user is, and must say it.
            if user_handle is None:
                _refuse_sign_in("discoverable sign-in without a userHandle")
            user = self._repository.find_user_by_handle(user_handle)
        if user is None or user.id != passkey.user_id:
            _refuse_sign_in("the credential does not belong to the user of this ceremony")
        if user_handle is not None and not hmac.compare_digest(user_handle, user.webauthn_handle):
            _refuse_sign_in("the userHandle does not identify the credential's owner")
        return user

    def _verify_assertion(
        self,
        credential: AuthenticationCredential,
        ceremony: StoredChallenge,
        passkey: StoredPasskey,
    ) -> VerifiedAuthentication:
        try:
            verified = verify_authentication_response(
                credential=credential,
                expected_challenge=ceremony.challenge,
                expected_rp_id=self._rp_id,
                expected_origin=self._origins,
                credential_public_key=passkey.public_key,
                # The library would compare counters before checking the signature, so an
                # unsigned forgery could raise the "cloned key" alarm; it is compared below,
                # once the signature is known to be good.
                credential_current_sign_count=0,
                require_user_verification=True,
            )
        except _MALFORMED as exc:
            _refuse_sign_in(str(exc), exc)
        if not _counter_advanced(passkey.sign_count, verified.new_sign_count):
            self._flag_regressed(passkey, verified.new_sign_count)
        return verified

    def _record_use(self, passkey: StoredPasskey, verified: VerifiedAuthentication) -> None:
        recorded = self._repository.record_use(
            passkey.id,
            sign_count=verified.new_sign_count,
            backup_state=verified.credential_backed_up,
            used_at=self._clock(),
        )
        if not recorded:
            # Another sign-in with this credential stored an equal or higher counter meanwhile.
            self._flag_regressed(passkey, verified.new_sign_count)

    def _flag_regressed(self, passkey: StoredPasskey, received: int) -> NoReturn:
        logger.warning(
            "passkey sign count did not advance: possible cloned authenticator",
            extra={
                "passkey": passkey.id,
                "user_id": str(passkey.user_id),
                "stored_count": passkey.sign_count,
                "received_count": received,
            },
        )
        raise SignCountRegressed(_SIGN_IN_FAILED)

    def _decoys(self, email: str) -> list[PublicKeyCredentialDescriptor]:
        # Keyed hash of the email: the same unknown email always gets the same "credential",
        # like a real account would, and nobody without the key can predict it.
        digest = hmac.new(self._decoy_key, email.lower().encode(), hashlib.sha256).digest()
        return [
            PublicKeyCredentialDescriptor(
                id=digest[:_DECOY_ID_BYTES], transports=list(_DECOY_TRANSPORTS)
            )
        ]


def _counter_advanced(stored: int, received: int) -> bool:
    # WebAuthn §6.1.1: a zero counter on both sides means the authenticator has none (synced
    # passkeys); otherwise every use must report more than the last one.
    if stored == 0 and received == 0:
        return True
    return received > stored


def _same_id(ceremony_id: uuid.UUID, claimed: uuid.UUID | str) -> bool:
    try:
        return ceremony_id == (claimed if isinstance(claimed, uuid.UUID) else uuid.UUID(claimed))
    except (ValueError, TypeError, AttributeError):
        return False


def _descriptor(passkey: StoredPasskey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports if _known_transport(t)]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def _known_transport(value: str) -> bool:
    return value in {transport.value for transport in AuthenticatorTransport}


def _clean_nickname(nickname: str | None) -> str | None:
    if nickname is None:
        return None
    if not isinstance(nickname, str):
        raise ValidationFailed("nickname must be text", errors=[_nickname_error("not text")])
    cleaned = " ".join(nickname.split())
    if len(cleaned) > NICKNAME_MAX_LENGTH:
        raise ValidationFailed(
            "nickname is too long",
            errors=[_nickname_error(f"at most {NICKNAME_MAX_LENGTH} characters")],
        )
    return cleaned or None


def _nickname_error(message: str) -> dict[str, str]:
    return {"field": "nickname", "location": "body", "message": message, "type": "value_error"}


def _parse_registration(credential_json: CredentialJSON) -> RegistrationCredential:
    try:
        return parse_registration_credential_json(credential_json)
    except _MALFORMED as exc:
        _refuse_registration(f"malformed RegistrationResponseJSON: {exc}", exc)


def _parse_assertion(credential_json: CredentialJSON) -> AuthenticationCredential:
    try:
        return parse_authentication_credential_json(credential_json)
    except _MALFORMED as exc:
        _refuse_sign_in(f"malformed AuthenticationResponseJSON: {exc}", exc)


def _client_data(raw: bytes, refuse: Callable[[str], NoReturn]) -> CollectedClientData:
    # Read ahead of the library: the challenge in it is how the stored ceremony is found, and
    # ``crossOrigin`` is a rule the library does not enforce.
    try:
        return parse_client_data_json(raw)
    except _MALFORMED:
        refuse("malformed clientDataJSON")


def _refuse_registration(reason: str, cause: BaseException | None = None) -> NoReturn:
    logger.warning("passkey registration refused", extra={"reason": reason})
    raise InvalidPasskeyRegistration("the passkey registration could not be verified") from cause


def _refuse_sign_in(reason: str, cause: BaseException | None = None) -> NoReturn:
    logger.warning("passkey sign-in refused", extra={"reason": reason})
    raise InvalidPasskeyAssertion(_SIGN_IN_FAILED) from cause
