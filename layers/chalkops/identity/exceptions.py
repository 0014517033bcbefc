"""Errors of tenant identity (users, sessions)."""

from __future__ import annotations

from chalkops.errors import Conflict, Forbidden, NotFound, Unauthorized


class UserNotFound(NotFound):
    code = "user_not_found"
    title = "User not found"


class EmailTaken(Conflict):
    code = "email_taken"
    title = "Email taken"


class LastAdmin(Conflict):
    """The change would leave the tenant without an admin."""

    code = "last_admin"
    title = "Last admin"


class AdminRequired(Forbidden):
    code = "forbidden"
    title = "Admin role required"


class RefreshTokenInvalid(Unauthorized):
    code = "invalid_token"
    title = "Invalid refresh token"


class RefreshTokenReused(Unauthorized):
    """A rotated refresh token came back: its whole family is revoked."""

    code = "refresh_token_reused"
    title = "Refresh token reused"


class SessionRevoked(Unauthorized):
    code = "session_revoked"
    title = "Session ended"
