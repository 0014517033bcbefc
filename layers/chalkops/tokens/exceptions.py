"""Errors of the tokens package.

Details are fixed sentences: a rejected token's contents are never echoed back, so an error
response cannot be used to read (or reflect) what an attacker put in a token.
"""

from __future__ import annotations

from chalkops.errors import ServiceUnavailable, Unauthorized


class InvalidToken(Unauthorized):
    """The token is malformed, of another kind, signed by a key we do not trust, or tampered."""

    code = "invalid_token"
    title = "Invalid token"


class TokenExpired(Unauthorized):
    """The token was valid but its lifetime is over; the client should refresh or log in."""

    code = "token_expired"
    title = "Token expired"


class InvalidForwardingCredential(InvalidToken):
    """The central API's forwarding credential is missing, expired or not for this request.

    Deliberately not :class:`TokenExpired`: a client cannot cure it by refreshing its own token.
    """

    code = "invalid_forwarding_credential"
    title = "Invalid forwarding credential"


class SigningUnavailable(ServiceUnavailable):
    """No token could be signed: the signing key has no usable version or kept changing."""

    code = "token_signing_unavailable"
    title = "Token signing unavailable"
