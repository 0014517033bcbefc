"""The forwarding credential: how a regional API knows a request came through the central API.

The central API resolves the tenant, then attaches a short-lived EdDSA (Ed25519) JWT naming the
tenant, the target region and the exact request (method + path, in the spirit of DPoP's
``htm``/``htu``). The regional API trusts tenant context from this credential only.

Signed locally with the private key the central API reads from kv, not in Vault transit: it is
minted on every forwarded request, and a transit round trip per request would roughly double the
forwarding latency. Ed25519 keeps sign and verify in the tens of microseconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from chalkops.errors import ConfigurationError
from chalkops.ids import new_id
from chalkops.tokens.exceptions import InvalidForwardingCredential
from chalkops.tokens.jose import MAX_TOKEN_LENGTH, checked_kid
from chalkops.tokens.types import (
    FORWARDING_ISSUER,
    FORWARDING_TYP,
    ForwardedTenant,
    forwarding_audience,
)

ALGORITHM = "EdDSA"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "tenant_name", "htm", "htu"]
# A forwarded request reaches its region within a second; a minute absorbs clock skew and
# retries while keeping a leaked credential (already bound to one method + path) short-lived.
MAX_FORWARDING_LIFETIME = 300


class ForwardingSigner:
    """Mints the credential for one forwarded request (central API side)."""

    def __init__(
        self,
        private_pem: str,
        kid: str,
        *,
        issuer: str = FORWARDING_ISSUER,
        lifetime_seconds: int = 60,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not 0 < lifetime_seconds <= MAX_FORWARDING_LIFETIME:
            raise ConfigurationError(
                f"forwarding lifetime must be between 1 and {MAX_FORWARDING_LIFETIME} seconds"
            )
        private = load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise ConfigurationError("the forwarding signing key is not an Ed25519 private key")
        self._key = private
        self._headers = {"typ": FORWARDING_TYP, "kid": kid}
        self._issuer = issuer
        self._lifetime = lifetime_seconds
        self._clock = clock

    def sign(self, *, tenant_id: str, tenant_name: str, region: str, method: str, path: str) -> str:
        issued_at = int(self._clock())
        claims = {
            "iss": self._issuer,
            "aud": forwarding_audience(region),
            "sub": tenant_id,
            "tenant_name": tenant_name,
            "htm": method.upper(),
            "htu": path,
            "iat": issued_at,
            "exp": issued_at + self._lifetime,
            "jti": str(new_id()),
        }
        return jwt.encode(claims, self._key, algorithm=ALGORITHM, headers=self._headers)


class ForwardingVerifier:
    """Checks the credential on a request arriving at one region (regional API side)."""

    def __init__(
        self,
        public_pem: str,
        kid: str,
        *,
        region: str,
        issuer: str = FORWARDING_ISSUER,
        leeway_seconds: int = 5,
    ) -> None:
        public = load_pem_public_key(public_pem.encode())
        if not isinstance(public, Ed25519PublicKey):
            raise ConfigurationError("the forwarding public key is not an Ed25519 public key")
        self._key = public
        self._kid = kid
        self._region = region
        self._audience = forwarding_audience(region)
        self._issuer = issuer
        self._leeway = leeway_seconds

    def verify(self, token: str, *, method: str, path: str) -> ForwardedTenant:
        # One key, one pinned algorithm: nothing in the header can steer the signature check,
        # so the header is inspected after it: the token is parsed once, not twice, on this
        # hot path.
        decoded = self._decode(token)
        kid = checked_kid(
            decoded["header"],
            algorithms=(ALGORITHM,),
            typ=FORWARDING_TYP,
            error=InvalidForwardingCredential,
        )
        if kid != self._kid:
            raise InvalidForwardingCredential("The credential is signed by an unknown key.")
        claims = decoded["payload"]
        # Binding to the request means a captured credential cannot be replayed against
        # another endpoint of the same tenant (say, a GET's credential on a DELETE).
        if claims["htm"] != method.upper() or claims["htu"] != path:
            raise InvalidForwardingCredential("The credential was issued for another request.")
        tenant_id, tenant_name = claims["sub"], claims["tenant_name"]
        if not isinstance(tenant_name, str) or not tenant_name:
            raise InvalidForwardingCredential("The credential's tenant is malformed.")
        return ForwardedTenant(
            tenant_id=str(tenant_id), tenant_name=tenant_name, region=self._region
        )

    def _decode(self, token: str) -> dict[str, Any]:
        if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
            raise InvalidForwardingCredential("The credential is malformed.")
        try:
            return jwt.decode_complete(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
        except jwt.ExpiredSignatureError as exc:
            raise InvalidForwardingCredential("The credential has expired.") from exc
        except jwt.PyJWTError as exc:
            raise InvalidForwardingCredential("The credential was rejected.") from exc
