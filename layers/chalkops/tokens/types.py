"""Token kinds, audiences and the values the token services hand out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# `typ` (RFC 8725 §3.11) and `aud` together keep token kinds apart: a verifier accepts exactly
# one typ and one audience, so no kind can be replayed as another.
TENANT_ACCESS_TYP = "at+jwt"  # RFC 9068's media type for access tokens
GLOBAL_ADMIN_TYP = "admin+jwt"
AGENT_TYP = "agent+jwt"
FORWARDING_TYP = "chalkops-forward+jwt"

TENANT_AUDIENCE = "chalkops-tenant"
GLOBAL_AUDIENCE = "chalkops-global"
FORWARDING_ISSUER = "chalkops-central"

# The contract caps access tokens at 15 minutes; refresh tokens are opaque, never JWTs.
MAX_ACCESS_TOKEN_LIFETIME = 900


def forwarding_audience(region: str) -> str:
    """The audience of forwarding credentials meant for ``region``'s API and nobody else."""
    return f"chalkops-region:{region}"


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int
    jti: str
    kid: str


@dataclass(frozen=True)
class Claims:
    """The verified claims of a token (``raw`` keeps every claim, including extras)."""

    sub: str
    tenant_id: str | None
    roles: tuple[str, ...]
    jti: str
    iat: int
    exp: int
    iss: str
    aud: str
    raw: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class ForwardedTenant:
    """Tenant context a regional API may trust: the central API resolved and signed it."""

    tenant_id: str
    tenant_name: str
    region: str
