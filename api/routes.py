"""Route registration: every router under /v1, health and readiness, plus the pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.errors import error_body
from api.metrics import router as metrics_router
from api.pages import mount_pages
from api.routers import ROUTERS


def mount_routes(app: FastAPI, web_dir: Path) -> None:
    @app.get("/health", tags=["ops"])
    def health() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/ready", tags=["ops"])
    def ready(request: Request) -> JSONResponse:
        """The knowledge base is loaded and the indexes match it."""
        if getattr(request.app.state, "ready", False):
            return JSONResponse({"status": "ready"})
        return JSONResponse(error_body("not_ready", "starting"), status_code=503)

    app.include_router(metrics_router)
    for router in ROUTERS:
        app.include_router(router)
    mount_pages(app, web_dir)
