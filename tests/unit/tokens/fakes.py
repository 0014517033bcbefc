"""An in-memory stand-in for Vault transit's signing keys, and helpers that forge tokens.

The fake behaves like a transit ``ecdsa-p256`` key: numbered versions, signing with the latest,
publishing every version at or above the minimum, rotation and retirement.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping

import jwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from chalkops.secrets.base import PublicKey
from chalkops.secrets.exceptions import SecretsUnavailable
from chalkops.tokens.jwt import TokenIssuer
from chalkops.tokens.types import TENANT_ACCESS_TYP, TENANT_AUDIENCE

KEY = "jwt-test"
REGION_ISSUER = "chalkops-region:local-1"


def public_pem(private: ec.EllipticCurvePrivateKey) -> str:
    return (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


class FakeTransit:
    """``SigningKeys`` over one or more in-memory P-256 keys."""

    def __init__(self, *names: str) -> None:
        self._versions: dict[str, dict[int, ec.EllipticCurvePrivateKey]] = {
            name: {1: ec.generate_private_key(ec.SECP256R1())} for name in names or ("jwt-test",)
        }
        self._minimum: dict[str, int] = dict.fromkeys(self._versions, 1)
        self.reads = 0
        self.signatures = 0
        self.down = False
        # Called just before each signature: lets a test rotate the key "between" two steps.
        self.before_sign: Callable[[], None] = lambda: None

    def sign(self, key: str, message: bytes) -> tuple[str, bytes]:
        self.before_sign()
        self.signatures += 1
        version = self.latest_version(key)
        der = self._versions[key][version].sign(message, ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{key}-v{version}", r.to_bytes(32, "big") + s.to_bytes(32, "big")

    def public_keys(self, key: str) -> list[PublicKey]:
        self.reads += 1
        if self.down:
            raise SecretsUnavailable("Vault is down (fake)")
        return [
            PublicKey(f"{key}-v{version}", version, public_pem(private))
            for version, private in sorted(self._versions[key].items())
            if version >= self._minimum[key]
        ]

    def rotate(self, key: str = "jwt-test") -> None:
        self._versions[key][self.latest_version(key) + 1] = ec.generate_private_key(ec.SECP256R1())

    def retire_below(self, key: str, version: int) -> None:
        self._minimum[key] = version

    def latest_version(self, key: str = "jwt-test") -> int:
        return max(self._versions[key])

    def private_key(self, key: str = "jwt-test", version: int = 1) -> ec.EllipticCurvePrivateKey:
        return self._versions[key][version]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(part: Mapping[str, object]) -> str:
    return b64url(json.dumps(part, separators=(",", ":")).encode())


def forge(claims: Mapping[str, object], header: Mapping[str, object], key: object) -> str:
    """A token signed by ``key`` with exactly ``header`` (nothing added, nothing checked)."""
    algorithm = jwt.get_algorithm_by_name(str(header["alg"]))
    signing_input = f"{segment(header)}.{segment(claims)}"
    signature = algorithm.sign(signing_input.encode(), algorithm.prepare_key(key))  # type: ignore[arg-type]
    return f"{signing_input}.{b64url(signature)}"


def forge_unsigned(claims: Mapping[str, object], header: Mapping[str, object]) -> str:
    """``alg: none``: header and claims, empty signature."""
    return f"{segment(header)}.{segment(claims)}."


def forge_hmac(claims: Mapping[str, object], header: Mapping[str, object], secret: bytes) -> str:
    """HS256 by hand: PyJWT refuses to use a PEM as an HMAC secret, an attacker does not."""
    signing_input = f"{segment(header)}.{segment(claims)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(mac)}"


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def tenant_issuer(transit: FakeTransit, **overrides: object) -> TokenIssuer:
    settings: dict[str, object] = {
        "key": KEY,
        "issuer": REGION_ISSUER,
        "audience": TENANT_AUDIENCE,
        "typ": TENANT_ACCESS_TYP,
        "lifetime_seconds": 900,
    }
    settings.update(overrides)
    return TokenIssuer(transit, **settings)  # type: ignore[arg-type]
