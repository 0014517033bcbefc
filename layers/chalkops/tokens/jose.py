"""Header checks shared by every verifier in this package.

The header is attacker-controlled until the signature is checked, so it may only *select* one
of our own keys (by ``kid``); it can never supply a key, a key URL or an algorithm we did not
pin (RFC 8725 §2.1, §3.1).
"""

from __future__ import annotations

from collections.abc import Mapping

import jwt

from chalkops.tokens.exceptions import InvalidToken

# Our issuers write exactly these. Anything else (jku, jwk, x5u, x5c, crit, b64, ...) is either
# an attempt to smuggle in a key or an extension we do not implement, so it is refused outright.
ALLOWED_HEADER_PARAMETERS = frozenset({"alg", "typ", "kid"})
# Far above any token we issue; bounds the work an unauthenticated caller can make us do.
MAX_TOKEN_LENGTH = 8 * 1024


def trusted_kid(
    token: object,
    *,
    algorithms: tuple[str, ...],
    typ: str,
    error: type[InvalidToken] = InvalidToken,
) -> str:
    """The ``kid`` of a token whose header is acceptable for this verifier; raises ``error``."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise error("The token is malformed.")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise error("The token is malformed.") from exc
    return checked_kid(header, algorithms=algorithms, typ=typ, error=error)


def checked_kid(
    header: Mapping[str, object],
    *,
    algorithms: tuple[str, ...],
    typ: str,
    error: type[InvalidToken] = InvalidToken,
) -> str:
    """The ``kid`` of an acceptable header; raises ``error`` for anything else in it."""
    if set(header) - ALLOWED_HEADER_PARAMETERS:
        raise error("The token header carries parameters this service does not accept.")
    if header.get("alg") not in algorithms:
        raise error("The token is signed with an algorithm this service does not accept.")
    if not same_typ(header.get("typ"), typ):
        raise error("The token is not of the kind this endpoint accepts.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise error("The token does not name its signing key.")
    return kid


def same_typ(value: object, expected: str) -> bool:
    """``typ`` compares case-insensitively and may omit ``application/`` (RFC 7515 §4.1.9)."""
    return isinstance(value, str) and value.lower().removeprefix("application/") == expected.lower()
