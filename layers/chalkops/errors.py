"""One exception hierarchy for the whole product.

Every error a caller can act on carries a stable machine-readable ``code`` and the HTTP status
it maps to; :mod:`chalkops.http.problems` turns them into RFC 9457 problem+json in one place.
Adapters wrap SDK errors (``raise X(...) from exc``) so nothing backend-specific leaks upward.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ChalkOpsError(Exception):
    """Base of every error ChalkOps raises on purpose."""

    code: ClassVar[str] = "internal_error"
    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal error"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        self.detail = detail or self.title
        self.extra = extra
        super().__init__(self.detail)


class ValidationFailed(ChalkOpsError):
    """Input failed validation; ``errors`` lists the offending fields."""

    code = "validation_error"
    status = 422
    title = "Validation failed"


class BadRequest(ChalkOpsError):
    """The request is malformed in a way validation does not describe."""

    code = "bad_request"
    status = 400
    title = "Bad request"


class NotFound(ChalkOpsError):
    """The resource does not exist (or the caller may not know it does)."""

    code = "not_found"
    status = 404
    title = "Not found"


class Conflict(ChalkOpsError):
    """The request conflicts with the current state."""

    code = "conflict"
    status = 409
    title = "Conflict"


class Unauthorized(ChalkOpsError):
    """No valid credentials were presented."""

    code = "unauthorized"
    status = 401
    title = "Authentication required"


class Forbidden(ChalkOpsError):
    """Credentials are valid but do not allow this action."""

    code = "forbidden"
    status = 403
    title = "Forbidden"


class Throttled(ChalkOpsError):
    """Too many attempts; ``retry_after`` seconds until the next one is allowed."""

    code = "too_many_requests"
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str | None = None, *, retry_after: int, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.retry_after = max(1, int(retry_after))


class PayloadTooLarge(ChalkOpsError):
    """The request body exceeds the accepted size."""

    code = "payload_too_large"
    status = 413
    title = "Payload too large"


class UnsupportedMediaType(ChalkOpsError):
    """The request body is not in a content type the endpoint accepts."""

    code = "unsupported_media_type"
    status = 415
    title = "Unsupported media type"


class UpstreamUnavailable(ChalkOpsError):
    """A dependency (a region, Vault, a database) could not be reached."""

    code = "upstream_unavailable"
    status = 502
    title = "Upstream unavailable"


class UpstreamTimeout(ChalkOpsError):
    """A dependency did not answer in time."""

    code = "upstream_timeout"
    status = 504
    title = "Upstream timeout"


class ServiceUnavailable(ChalkOpsError):
    """This service cannot serve the request right now (starting, draining, degraded)."""

    code = "service_unavailable"
    status = 503
    title = "Service unavailable"


class ConfigurationError(ChalkOpsError):
    """The process was started with settings it cannot run with."""

    code = "configuration_error"
    status = 500
    title = "Configuration error"
