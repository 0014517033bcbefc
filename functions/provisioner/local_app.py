"""The provisioner as a local HTTP service: what Lambda invocation is in the cloud."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(title="ChalkOps provisioner (local)")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
