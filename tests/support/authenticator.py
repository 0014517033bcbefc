"""A software WebAuthn authenticator plus the browser around it, for tests.

:class:`SoftAuthenticator` takes the options JSON a relying party sends and answers with the
RegistrationResponseJSON / AuthenticationResponseJSON a browser's ``PublicKeyCredential.toJSON()``
would produce: ES256 keys, "none" attestation, resident credentials carrying the user handle,
UP and UV flags (BE/BS on request) and a sign counter. Keyword knobs bend one rule at a time so
each negative test breaks exactly one property: wrong origin, wrong RP id, ``crossOrigin``, no
UV, a tampered signature, another user handle, a counter that stands still or goes backwards.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fido2 import cbor

_UP, _UV, _BE, _BS, _AT = 0x01, 0x04, 0x08, 0x10, 0x40
_ES256 = -7


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def from_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Counter(StrEnum):
    """How the authenticator's signature counter behaves."""

    INCREMENTING = "incrementing"
    """Every assertion reports one more than the last (security keys)."""
    ZERO = "zero"
    """Always 0: the authenticator has no counter (synced passkeys)."""


class NoCredentialError(Exception):
    """What a browser reports as ``NotAllowedError``: no credential fits the request."""


class CredentialExcludedError(Exception):
    """What a browser reports as ``InvalidStateError``: an excluded credential is present."""


@dataclass
class SoftCredential:
    """A resident credential held by the authenticator."""

    credential_id: bytes
    private_key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    @property
    def cose_public_key(self) -> bytes:
        # COSE_Key for ES256 (RFC 9053): kty EC2, alg -7, crv P-256, x, y.
        numbers = self.private_key.public_key().public_numbers()
        return cbor.encode(
            {
                1: 2,
                3: _ES256,
                -1: 1,
                -2: numbers.x.to_bytes(32, "big"),
                -3: numbers.y.to_bytes(32, "big"),
            }
        )


@dataclass
class SoftAuthenticator:
    """A platform authenticator in a browser tab at ``origin``."""

    origin: str
    counter: Counter = Counter.INCREMENTING
    backup_eligible: bool = False
    backed_up: bool = False
    aaguid: bytes = bytes(16)
    transports: tuple[str, ...] = ("hybrid", "internal")
    credentials: list[SoftCredential] = field(default_factory=list)

    # Registration -------------------------------------------------------------------------
    def create(
        self,
        options_json: str | dict[str, Any],
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        cross_origin: bool = False,
        user_verified: bool = True,
        credential_id: bytes | None = None,
        ignore_exclude_list: bool = False,
    ) -> dict[str, Any]:
        """``navigator.credentials.create()``: a new resident credential, as the browser's JSON.

        ``rp_id`` overrides the RP id hashed into authenticatorData (the options' one otherwise);
        ``credential_id`` forces the new credential's id (to re-register an existing one).
        """
        options = _options(options_json)
        options_rp_id = str(options["rp"]["id"])
        excluded = {from_b64url(item["id"]) for item in options.get("excludeCredentials", [])}
        if not ignore_exclude_list and any(c.credential_id in excluded for c in self.credentials):
            raise CredentialExcludedError("this authenticator already holds an excluded credential")
        if _ES256 not in [param["alg"] for param in options["pubKeyCredParams"]]:
            raise NoCredentialError("the relying party does not accept ES256")
        credential = SoftCredential(
            credential_id=credential_id or secrets.token_bytes(16),
            private_key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=options_rp_id,
            user_handle=from_b64url(options["user"]["id"]),
        )
        self.credentials.append(credential)
        client_data = _client_data_json(
            "webauthn.create", options["challenge"], origin or self.origin, cross_origin
        )
        auth_data = self._authenticator_data(
            rp_id or options_rp_id,
            user_verified=user_verified,
            sign_count=0 if self.counter is Counter.ZERO else credential.sign_count,
            attested=credential,
        )
        attestation = cbor.encode({"fmt": "none", "attStmt": {}, "authData": auth_data})
        public_key_der = credential.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return {
            "id": b64url(credential.credential_id),
            "rawId": b64url(credential.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {"credProps": {"rk": True}},
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "authenticatorData": b64url(auth_data),
                "transports": list(self.transports),
                "publicKey": b64url(public_key_der),
                "publicKeyAlgorithm": _ES256,
            },
        }

    # Sign-in ------------------------------------------------------------------------------
    def get(
        self,
        options_json: str | dict[str, Any],
        *,
        credential: SoftCredential | None = None,
        origin: str | None = None,
        rp_id: str | None = None,
        cross_origin: bool = False,
        user_verified: bool = True,
        sign_count: int | None = None,
        user_handle: bytes | None = None,
        omit_user_handle: bool = False,
        tamper_signature: bool = False,
    ) -> dict[str, Any]:
        """``navigator.credentials.get()``: an assertion, as the browser's JSON.

        ``credential`` answers with that credential even if the options do not allow it (a
        hostile client); ``sign_count`` reports that counter value (e.g. one that went back);
        ``user_handle`` / ``omit_user_handle`` replace or drop the resident user handle.
        """
        options = _options(options_json)
        chosen = credential or self._pick(options)
        if sign_count is None:
            sign_count = self._next_count(chosen)
        client_data = _client_data_json(
            "webauthn.get", options["challenge"], origin or self.origin, cross_origin
        )
        auth_data = self._authenticator_data(
            rp_id or str(options.get("rpId") or chosen.rp_id),
            user_verified=user_verified,
            sign_count=sign_count,
        )
        signature = chosen.private_key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        if tamper_signature:
            signature = _tampered(signature)
        handle = None if omit_user_handle else (user_handle or chosen.user_handle)
        response = {
            "clientDataJSON": b64url(client_data),
            "authenticatorData": b64url(auth_data),
            "signature": b64url(signature),
        }
        if handle is not None:  # toJSON() leaves the member out when there is no handle
            response["userHandle"] = b64url(handle)
        return {
            "id": b64url(chosen.credential_id),
            "rawId": b64url(chosen.credential_id),
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {},
            "response": response,
        }

    # Internals ----------------------------------------------------------------------------
    def _pick(self, options: dict[str, Any]) -> SoftCredential:
        rp_id = options.get("rpId")
        allowed = {from_b64url(item["id"]) for item in options.get("allowCredentials", [])}
        for candidate in reversed(self.credentials):
            if rp_id and candidate.rp_id != rp_id:
                continue
            if not allowed or candidate.credential_id in allowed:
                return candidate
        raise NoCredentialError("no credential on this authenticator fits the request")

    def _next_count(self, credential: SoftCredential) -> int:
        if self.counter is Counter.ZERO:
            return 0
        credential.sign_count += 1
        return credential.sign_count

    def _authenticator_data(
        self,
        rp_id: str,
        *,
        user_verified: bool,
        sign_count: int,
        attested: SoftCredential | None = None,
    ) -> bytes:
        flags = _UP | (_UV if user_verified else 0)
        flags |= (_BE if self.backup_eligible else 0) | (_BS if self.backed_up else 0)
        data = hashlib.sha256(rp_id.encode()).digest()
        if attested is None:
            return data + struct.pack(">BI", flags, sign_count)
        credential_data = (
            self.aaguid
            + struct.pack(">H", len(attested.credential_id))
            + attested.credential_id
            + attested.cose_public_key
        )
        return data + struct.pack(">BI", flags | _AT, sign_count) + credential_data


def _options(options_json: str | dict[str, Any]) -> dict[str, Any]:
    options = json.loads(options_json) if isinstance(options_json, str) else options_json
    assert isinstance(options, dict)
    return options


def _client_data_json(kind: str, challenge: str, origin: str, cross_origin: bool) -> bytes:
    # Key order and compact separators as browsers serialize it; the challenge is echoed as the
    # options carried it (base64url without padding).
    body = {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": cross_origin}
    return json.dumps(body, separators=(",", ":")).encode()


def _tampered(signature: bytes) -> bytes:
    # Flip one bit of the last byte of the DER signature: still well-formed, no longer valid.
    return signature[:-1] + bytes([signature[-1] ^ 0x01])
