"""The web UI's static build, served at the central API's origin (the WebAuthn origin locally).

Files are served from the build folder; any other GET that is not an API path answers
``index.html`` so the Angular router can handle deep links such as ``/sign-in``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from chalkops.errors import NotFound

API_PREFIXES = ("auth/", "tenants/", "admin/", "health", "regions", "openapi.json", "docs")


def web_router(root: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    resolved_root = root.resolve()
    index = resolved_root / "index.html"

    @router.get("/{path:path}")
    def static(path: str, request: Request) -> FileResponse:
        if path.startswith(API_PREFIXES):
            if _served_with_another_method(request):
                raise HTTPException(405)  # as if this catch-all were not here
            raise NotFound("no such resource")
        candidate = _file_under(resolved_root, path)
        if candidate is not None:
            return FileResponse(candidate, headers=_cache_headers(candidate))
        if "." in Path(path).name:  # a missing asset, not a client-side route
            raise NotFound("no such file")
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return router


def _file_under(root: Path, path: str) -> Path | None:
    """The build file a request path names, if any; never a file outside the build folder."""
    if not path:
        return None
    try:
        candidate = (root / path).resolve()
        # An over-long name raises ENAMETOOLONG (pathlib swallows only "not found" errors).
        return candidate if candidate.is_relative_to(root) and candidate.is_file() else None
    except OSError:
        return None


def _served_with_another_method(request: Request) -> bool:
    return any(
        route.matches(request.scope)[0] is Match.PARTIAL for route in request.app.router.routes
    )


def _cache_headers(path: Path) -> dict[str, str]:
    # Angular's build fingerprints file names (main-ABC123.js): those can be cached for good.
    if path.suffix in {".js", ".css", ".woff2"} and "-" in path.stem:
        return {"Cache-Control": "public, max-age=31536000, immutable"}
    return {"Cache-Control": "no-cache"}
