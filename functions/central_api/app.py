"""The central API (global control plane): FastAPI, served by uvicorn locally, Mangum on Lambda."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from chalkops.config import CentralSettings
from chalkops.http.client_ip import source_ip
from chalkops.http.guard import Rejection, RequestGuard, Scope
from chalkops.http.problems import install_problem_handlers
from chalkops.observability import get_logger
from functions.central_api.composition import CentralServices, build_services
from functions.central_api.routes import admin, auth, health, tenants
from functions.central_api.routes.web import web_router

logger = get_logger("chalkops.central")
_AUDIT_EVERY_SECONDS = 60.0


def create_app(
    settings: CentralSettings | None = None, *, services: CentralServices | None = None
) -> FastAPI:
    resolved = _settings(settings, services)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "services", None) is None:
            app.state.services = build_services(resolved)
        yield
        await app.state.services.aclose()

    app = FastAPI(
        title="ChalkOps central API",
        version="1.0.0",
        lifespan=lifespan,
        description="Global control plane: tenant registration, region routing, global admins.",
    )
    app.state.services = services
    install_problem_handlers(app)
    for router in (health.router, auth.router, tenants.router, admin.router):
        app.include_router(router)
    if resolved.web_root is not None and (resolved.web_root / "index.html").is_file():
        app.include_router(web_router(resolved.web_root))  # last: API routes win
    app.add_middleware(
        RequestGuard, gate=_blacklist_gate(app), max_body_bytes=resolved.max_body_bytes
    )
    return app


def _blacklist_gate(app: FastAPI):  # type: ignore[no-untyped-def]
    audited: dict[str, float] = {}

    def gate(scope: Scope) -> Rejection | None:
        services: CentralServices | None = app.state.services
        if services is None:
            return None
        address = source_ip(scope)
        if not services.blacklist.is_blocked(address):
            return None
        logger.warning("request from a blacklisted address", extra={"source_ip": address})
        now = time.monotonic()
        if now - audited.get(address, -_AUDIT_EVERY_SECONDS) >= _AUDIT_EVERY_SECONDS:
            audited[address] = now  # at most one audit row per address a minute: floods stay cheap
            services.store.audit(
                "blacklist.hit",
                "blocked",
                source_ip=address,
                details={"path": str(scope.get("path", ""))[:200]},
            )
        return Rejection(403, "ip_blocked", "Blocked", "requests from this address are blocked")

    return gate


def _settings(
    settings: CentralSettings | None, services: CentralServices | None
) -> CentralSettings:
    if settings is not None:
        return settings
    if services is not None:
        return services.settings
    return CentralSettings()
