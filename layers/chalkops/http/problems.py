"""The one place errors become HTTP responses: RFC 9457 problem+json with a stable ``code``.

Every API installs :func:`install_problem_handlers`; handlers and services raise
:class:`chalkops.errors.ChalkOpsError` subclasses and never build error responses themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from chalkops.errors import ChalkOpsError
from chalkops.http.openapi import document_common_problems
from chalkops.http.problem_document import PROBLEM_JSON, problem_document
from chalkops.observability import get_logger

logger = get_logger("chalkops.http")

_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthorized", "Authentication required"),
    403: ("forbidden", "Forbidden"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    406: ("not_acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload_too_large", "Payload too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation failed"),
    429: ("too_many_requests", "Too many requests"),
}


def problem(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = problem_document(status, code, title, detail)
    if instance:
        body["instance"] = instance
    # Extras never overwrite the RFC 9457 members or the code.
    body.update({k: v for k, v in extra.items() if v is not None and k not in body})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def from_error(error: ChalkOpsError, *, instance: str | None = None) -> JSONResponse:
    headers: dict[str, str] = {}
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if error.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return problem(
        error.status,
        error.code,
        error.title,
        error.detail,
        instance=instance,
        headers=headers or None,
        **error.extra,
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for item in exc.errors():
        location = [str(part) for part in item.get("loc", ())]
        errors.append(
            {
                "field": ".".join(
                    part for part in location if part not in {"body", "query", "path"}
                )
                or ".".join(location),
                "location": location[0] if location else "body",
                "message": str(item.get("msg", "invalid value")),
                "type": str(item.get("type", "value_error")),
            }
        )
    return errors


_PROBED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _allowed_methods(request: Request) -> str | None:
    """Every method the API serves at this path.

    Starlette's 405 names only the methods of the first route whose path matched, so a path
    served by two routes (``GET`` and ``POST /admin/blacklist``) would advertise half of them.
    Each method is probed through the routes' own matching (nested routers included); routers
    left out of the schema (the web UI's catch-all ``GET /{path}``) are not part of the API.
    """
    routes = [
        route
        for route in request.app.router.routes
        if getattr(getattr(route, "original_router", route), "include_in_schema", True)
    ]
    allowed = [
        method
        for method in _PROBED_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed) or None


def _document_problems(app: FastAPI) -> None:
    generate = app.openapi
    documented: list[dict[str, Any]] = []

    def openapi() -> dict[str, Any]:
        schema = generate()  # cached by FastAPI until its routes change
        if not documented or documented[0] is not schema:
            documented[:] = [document_common_problems(schema)]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def install_problem_handlers(app: FastAPI) -> None:
    _document_problems(app)

    @app.exception_handler(ChalkOpsError)
    async def _chalkops_error(request: Request, exc: ChalkOpsError) -> JSONResponse:
        if exc.status >= 500:
            logger.error("request failed", extra={"code": exc.code, "path": request.url.path})
        return from_error(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({error["field"] for error in errors if error["field"]}))
        detail = f"invalid fields: {fields}" if fields else "the request is invalid"
        if any(error["type"] == "json_invalid" for error in errors):
            return problem(
                400,
                "malformed_json",
                "Malformed JSON",
                "the body is not valid JSON",
                instance=request.url.path,
            )
        return problem(
            422,
            "validation_error",
            "Validation failed",
            detail,
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, title = _STATUS_CODES.get(exc.status_code, ("http_error", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else title
        headers = dict(exc.headers) if exc.headers else {}
        if exc.status_code == 405:
            allowed = _allowed_methods(request)
            if allowed:
                headers["Allow"] = allowed
        return problem(
            exc.status_code,
            code,
            title,
            detail,
            instance=request.url.path,
            headers=headers or None,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error", extra={"path": request.url.path})
        return problem(
            500,
            "internal_error",
            "Internal error",
            "an unexpected error occurred; it has been logged",
            instance=request.url.path,
        )
