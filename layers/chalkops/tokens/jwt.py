"""ES256 JWTs whose private keys never leave Vault transit: issuing, verifying.

One :class:`TokenIssuer` / :class:`TokenVerifier` pair per token kind (tenant access, global
admin, agent): each is bound to one ``typ``, one audience and one issuer, which is what keeps
the kinds from standing in for each other.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jwt

from chalkops.errors import ConfigurationError
from chalkops.ids import new_id
from chalkops.secrets.base import SigningKeys
from chalkops.tokens.exceptions import InvalidToken, SigningUnavailable, TokenExpired
from chalkops.tokens.jose import trusted_kid
from chalkops.tokens.keys import PublicKeyCache
from chalkops.tokens.types import MAX_ACCESS_TOKEN_LIFETIME, Claims, IssuedToken

ALGORITHM = "ES256"
RESERVED_CLAIMS = frozenset({"iss", "aud", "sub", "tenant_id", "roles", "iat", "exp", "nbf", "jti"})
# PyJWT checks nothing it is not asked to (RFC 8725 §3.9): these must be present and valid.
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti"]
# A rotation between reading the latest kid and signing costs one extra signature; more than
# a couple in a row means the key is being rotated in a loop, which we refuse to chase.
_SIGN_ATTEMPTS = 3


class TokenIssuer:
    """Signs one kind of token with the latest version of a transit key."""

    def __init__(
        self,
        signer: SigningKeys,
        *,
        key: str,
        issuer: str,
        audience: str,
        typ: str,
        lifetime_seconds: int,
        clock: Callable[[], float] = time.time,
        max_lifetime_seconds: int = MAX_ACCESS_TOKEN_LIFETIME,
        on_new_kid: Callable[[str], None] | None = None,
    ) -> None:
        if not 0 < lifetime_seconds <= max_lifetime_seconds:
            raise ConfigurationError(
                f"token lifetime must be between 1 and {max_lifetime_seconds} seconds"
            )
        self._signer = signer
        self._key = key
        self._issuer = issuer
        self._audience = audience
        self._typ = typ
        self._lifetime = lifetime_seconds
        self._clock = clock
        self._kid: str | None = None
        # Told whenever this issuer starts signing with a version it had not used before, so a
        # verifier in the same process learns the new key before the token comes back to it.
        self._on_new_kid = on_new_kid

    def issue(
        self,
        *,
        subject: str,
        roles: Sequence[str],
        tenant_id: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> IssuedToken:
        jti = str(new_id())
        payload = _segment(self._claims(subject, roles, tenant_id, extra, jti))
        for _ in range(_SIGN_ATTEMPTS):
            kid = self._kid or self._latest_kid()
            signing_input = (
                _segment({"alg": ALGORITHM, "typ": self._typ, "kid": kid}) + b"." + payload
            )
            signed_by, signature = self._signer.sign(self._key, signing_input)
            # Transit signs with whatever version is latest *now*; the header was written
            # before. If a rotation slipped in between, the header would name the wrong key, so
            # sign again under the kid transit just told us.
            if signed_by != self._kid and self._on_new_kid is not None:
                self._on_new_kid(signed_by)
            self._kid = signed_by
            if signed_by == kid:
                token = (signing_input + b"." + jwt.utils.base64url_encode(signature)).decode()
                return IssuedToken(token=token, expires_in=self._lifetime, jti=jti, kid=kid)
        raise SigningUnavailable("the signing key changed during every signing attempt")

    def _claims(
        self,
        subject: str,
        roles: Sequence[str],
        tenant_id: str | None,
        extra: Mapping[str, object] | None,
        jti: str,
    ) -> dict[str, object]:
        if isinstance(roles, str):
            raise ValueError("roles must be a sequence of role names, not one string")
        clashing = RESERVED_CLAIMS.intersection(extra or {})
        if clashing:
            raise ValueError(f"extra claims may not replace {sorted(clashing)}")
        issued_at = int(self._clock())
        claims: dict[str, object] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "roles": list(roles),
            "iat": issued_at,
            "exp": issued_at + self._lifetime,
            "jti": jti,
        }
        if tenant_id is not None:
            claims["tenant_id"] = tenant_id
        claims.update(extra or {})
        return claims

    def _latest_kid(self) -> str:
        published = self._signer.public_keys(self._key)
        if not published:
            raise SigningUnavailable("the signing key has no published version")
        return max(published, key=lambda item: item.version).kid


class TokenVerifier:
    """Accepts one kind of token: pinned algorithms, our keys only, all core claims present."""

    def __init__(
        self,
        keys: PublicKeyCache,
        *,
        issuer: str,
        audience: str,
        typ: str,
        algorithms: tuple[str, ...] = (ALGORITHM,),
        leeway_seconds: int = 30,
    ) -> None:
        if not algorithms or any(not _asymmetric(name) for name in algorithms):
            # A symmetric or `none` algorithm next to public keys is the alg-confusion attack.
            raise ConfigurationError("token verifiers accept asymmetric algorithms only")
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._typ = typ
        self._algorithms = algorithms
        self._leeway = leeway_seconds

    def verify(self, token: str) -> Claims:
        kid = trusted_kid(token, algorithms=self._algorithms, typ=self._typ)
        key = self._keys.get(kid)
        if key is None:
            raise InvalidToken("The token is signed by a key this service does not trust.")
        try:
            payload = jwt.decode(
                token,
                key,
                algorithms=list(self._algorithms),
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                # strict_aud: a single-string audience only, so a token listing several
                # audiences cannot be accepted by more than one kind of verifier.
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise TokenExpired("The token has expired.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidToken("The token's signature or claims were rejected.") from exc
        return _claims_from(payload)


def _claims_from(payload: dict[str, Any]) -> Claims:
    roles = payload.get("roles")
    tenant_id = payload.get("tenant_id")
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise InvalidToken("The token's roles are malformed.")
    if tenant_id is not None and not isinstance(tenant_id, str):
        raise InvalidToken("The token's tenant is malformed.")
    return Claims(
        sub=str(payload["sub"]),
        tenant_id=tenant_id,
        roles=tuple(roles),
        jti=str(payload["jti"]),
        iat=int(payload["iat"]),
        exp=int(payload["exp"]),
        iss=str(payload["iss"]),
        aud=str(payload["aud"]),
        raw=dict(payload),
    )


def _asymmetric(algorithm: str) -> bool:
    return algorithm.startswith(("ES", "RS", "PS")) or algorithm == "EdDSA"


def _segment(part: Mapping[str, object]) -> bytes:
    return jwt.utils.base64url_encode(json.dumps(part, separators=(",", ":")).encode())
