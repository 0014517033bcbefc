"""The port services issue access tokens through (implemented by :class:`TokenIssuer`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from chalkops.tokens.types import IssuedToken


class AccessTokenIssuer(Protocol):
    def issue(
        self,
        *,
        subject: str,
        roles: Sequence[str],
        tenant_id: str | None = None,
        extra: Mapping[str, object] | None = None,
    ) -> IssuedToken: ...
