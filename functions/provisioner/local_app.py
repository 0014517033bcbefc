"""The provisioner as a local HTTP service: what a Lambda invocation is in the cloud.

``POST /invoke`` takes a ``ProvisionRequest`` and must carry the central API's credential for
exactly this method and path in this region (in the cloud, IAM decides who may invoke).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from starlette.concurrency import run_in_threadpool

from chalkops.config import RegionalSettings
from chalkops.http.guard import RequestGuard
from chalkops.http.problems import install_problem_handlers
from chalkops.provisioning.models import ProvisionRequest, ProvisionResult
from chalkops.regional.tenancy import forwarding_gate
from chalkops.secrets.vault import VaultKeyValue, VaultSession
from chalkops.tokens.forwarding import ForwardingVerifier
from chalkops.vault_config.plan import FORWARDING_PUBLIC_PATH
from functions.provisioner.composition import build_provisioner


class _AnyTenant:
    """The provisioner creates tenants: the one that is named need not exist yet."""

    def is_active(self, tenant_id: Any) -> bool:
        return True


def create_app(settings: RegionalSettings | None = None) -> FastAPI:
    resolved = settings or RegionalSettings()
    state: dict[str, Any] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        public = VaultKeyValue(VaultSession(resolved.vault)).read(FORWARDING_PUBLIC_PATH)
        state["verifier"] = ForwardingVerifier(
            public["public_pem"], public["kid"], region=resolved.region
        )
        state["provisioner"] = build_provisioner(resolved)
        yield

    app = FastAPI(title=f"ChalkOps provisioner ({resolved.region}, local)", lifespan=lifespan)
    install_problem_handlers(app)

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/invoke", response_model=ProvisionResult)
    async def invoke(body: ProvisionRequest, request: Request) -> ProvisionResult:
        result: ProvisionResult = await run_in_threadpool(state["provisioner"].handle, body)
        return result

    gate = forwarding_gate(lambda: state.get("verifier"), _AnyTenant)
    app.add_middleware(RequestGuard, gate=gate, max_body_bytes=64 * 1024)
    return app
