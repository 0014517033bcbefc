"""Verification keys: a cache of a transit key's public versions, and their JWKS."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from chalkops.errors import ConfigurationError
from chalkops.observability import get_logger
from chalkops.secrets.base import PublicKey, SigningKeys
from chalkops.secrets.exceptions import SecretsUnavailable

logger = get_logger("chalkops.tokens")

JWK = dict[str, str]


class PublicKeyCache:
    """The published versions of one signing key, parsed once and refreshed sparingly.

    Refreshes when the cache is older than ``ttl_seconds`` (so retired versions drop out) or when
    a token names a ``kid`` we do not know (so a rotation is picked up at once). Either kind of
    refresh happens at most once per ``min_refresh_interval_seconds``: a flood of tokens with
    invented kids costs Vault one read per interval, not one per request. The price is that a
    token signed by a brand-new version can be refused for up to that interval.
    """

    def __init__(
        self,
        source: SigningKeys,
        key: str,
        *,
        ttl_seconds: float = 300,
        min_refresh_interval_seconds: float = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._key = key
        self._ttl = ttl_seconds
        self._min_interval = min_refresh_interval_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._published: list[PublicKey] = []
        self._parsed: dict[str, ec.EllipticCurvePublicKey] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None

    @property
    def key(self) -> str:
        return self._key

    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """The verification key named ``kid``, or None when Vault does not publish it."""
        with self._lock:
            self._ensure_fresh(self._clock(), wanted=kid)
            return self._parsed.get(kid)

    def published(self) -> list[PublicKey]:
        """Every version currently allowed to verify, oldest first (what the JWKS lists)."""
        with self._lock:
            self._ensure_fresh(self._clock(), wanted=None)
            return list(self._published)

    def expect(self, kid: str) -> None:
        """Our own issuer has just signed with ``kid``: learn it now, whatever the rate limit.

        The rate limit is for kids named by callers; this one comes from Vault itself, so a token
        issued right after a rotation is not refused for up to a refresh interval.
        """
        with self._lock:
            if kid not in self._parsed:
                self._refresh_keeping_stale(self._clock())

    def refresh(self) -> None:
        """Re-read the key now, e.g. right after an operator rotated or retired a version."""
        with self._lock:
            self._refresh(self._clock())

    def _ensure_fresh(self, now: float, *, wanted: str | None) -> None:
        if self._fetched_at is None:
            self._refresh(now)  # nothing to verify with yet: a Vault outage must surface (503)
            return
        if self._attempted_at is not None and now - self._attempted_at < self._min_interval:
            return
        expired = now - self._fetched_at >= self._ttl
        if expired or (wanted is not None and wanted not in self._parsed):
            self._refresh_keeping_stale(now)

    def _refresh_keeping_stale(self, now: float) -> None:
        # During a Vault outage, keys we already hold are better than refusing every token.
        try:
            self._refresh(now)
        except SecretsUnavailable:
            logger.warning("could not refresh signing keys; using cached ones", extra=self._log)

    def _refresh(self, now: float) -> None:
        self._attempted_at = now
        published = sorted(self._source.public_keys(self._key), key=lambda item: item.version)
        self._parsed = {item.kid: load_p256_public_key(item.pem) for item in published}
        self._published = published
        self._fetched_at = now

    @property
    def _log(self) -> dict[str, str]:
        return {"signing_key": self._key}


def load_p256_public_key(pem: str) -> ec.EllipticCurvePublicKey:
    """Parse one published version; anything but P-256 is a misconfigured key, not a token bug."""
    public = load_pem_public_key(pem.encode())
    if not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(
        public.curve, ec.SECP256R1
    ):
        raise ConfigurationError("a token signing key is not an ECDSA P-256 key")
    return public


def jwks(keys: Sequence[PublicKey]) -> dict[str, list[JWK]]:
    """RFC 7517 JWK Set of ES256 verification keys (as ``/.well-known/jwks.json`` serves)."""
    return {"keys": [jwk(key) for key in keys]}


def jwk(key: PublicKey) -> JWK:
    numbers = load_p256_public_key(key.pem).public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        # RFC 7518 §6.2.1.2: coordinates are the full 32 bytes, leading zeros included.
        "x": _b64url(numbers.x.to_bytes(32, "big")),
        "y": _b64url(numbers.y.to_bytes(32, "big")),
        "kid": key.kid,
        "use": "sig",
        "alg": "ES256",
    }


def _b64url(data: bytes) -> str:
    return jwt.utils.base64url_encode(data).decode()
