"""Composition root of the regional API (placeholder until the identity work lands)."""

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(title="ChalkOps regional API")

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
