"""Composition root of the central API (placeholder until the control-plane work lands)."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(title="ChalkOps central API")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
