"""Route registration: every router under /v1, health and readiness, plus the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.errors import error_body
from api.metrics import router as metrics_router
from api.pages import mount_pages
from api.routers import ROUTERS


def mount_routes(app: FastAPI, web_dir: Path) -> None:
    @app.get("/health", tags=["ops"])
    def health(request: Request) -> dict[str, Any]:
        """The process is up; how far this replica's indexes are behind the database."""
        state = request.app.state
        services = getattr(state, "services", None)
        body: dict[str, Any] = {"status": "ok", "ready": bool(getattr(state, "ready", False))}
        if getattr(state, "failure", ""):
            body["failure"] = state.failure
        if services is not None and "follower" in services.__dict__:
            follower = services.follower
            body["replica"] = follower.replica
            try:
                body["index"] = {**follower.lag(), **follower.work()}
            except Exception:  # the database is away: say so, stay up
                body["index"] = {"error": "database unavailable"}
        return body

    @app.get("/ready", tags=["ops"])
    def ready(request: Request) -> JSONResponse:
        """The knowledge base is loaded and this replica's indexes have caught up with it."""
        state = request.app.state
        if getattr(state, "ready", False):
            return JSONResponse({"status": "ready"})
        reason = getattr(state, "failure", "") or "starting"
        return JSONResponse(error_body("not_ready", reason), status_code=503)

    app.include_router(metrics_router)
    for router in ROUTERS:
        app.include_router(router)
    mount_pages(app, web_dir)
