"""A regional API: FastAPI, served by uvicorn locally, Mangum on Lambda.

Every route but ``/health`` is reachable only with the central API's forwarding credential
(checked by the gate before routing); the tenant comes from that credential alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from chalkops.config import RegionalSettings
from chalkops.http.guard import RequestGuard
from chalkops.http.problems import install_problem_handlers
from chalkops.regional.tenancy import forwarding_gate
from functions.regional_api.composition import RegionalServices, build_services
from functions.regional_api.routes import auth, health, jwks, passkeys, users


def create_app(
    settings: RegionalSettings | None = None, *, services: RegionalServices | None = None
) -> FastAPI:
    resolved = settings or (services.settings if services else RegionalSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "services", None) is None:
            app.state.services = build_services(resolved)
        yield
        app.state.services.close()

    app = FastAPI(
        title=f"ChalkOps regional API ({resolved.region})", version="1.0.0", lifespan=lifespan
    )
    app.state.services = services
    install_problem_handlers(app)
    for router in (health.router, auth.router, passkeys.router, users.router, jwks.router):
        app.include_router(router)

    def current() -> RegionalServices | None:
        value: RegionalServices | None = app.state.services
        return value

    gate = forwarding_gate(
        lambda: current().forwarding if current() else None,
        lambda: current().tenants if current() else None,
    )
    app.add_middleware(RequestGuard, gate=gate, max_body_bytes=resolved.max_body_bytes)
    return app
