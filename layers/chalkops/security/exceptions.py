"""Authentication errors shared by every API."""

from __future__ import annotations

from chalkops.errors import Throttled, Unauthorized


class InvalidCredentials(Unauthorized):
    """Wrong email or password: deliberately the same answer for both."""

    code = "invalid_credentials"
    title = "Invalid credentials"


class AccountLocked(Throttled):
    """Too many failed sign-ins for this account: refused for now; ``Retry-After`` says how long."""

    code = "account_locked"
    title = "Too many failed sign-ins"


class SourceThrottled(Throttled):
    """Too many failed sign-ins from this source address."""

    code = "too_many_requests"
    title = "Too many failed sign-ins from this address"
