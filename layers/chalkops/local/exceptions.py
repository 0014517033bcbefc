"""Errors the local platform reports as one line naming the problem and the fix."""

from __future__ import annotations

from chalkops.errors import ChalkOpsError


class LocalPlatformError(ChalkOpsError):
    """The local platform cannot start; ``detail`` says why and what to do."""

    code = "local_platform_error"
    title = "Local platform error"
