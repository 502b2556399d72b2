"""The FastAPI application: the /v1 API and the pages in web/, served together.

``create_app`` is a factory (``uvicorn --factory api.app:create_app``): it opens the
services once, builds the demo knowledge base into an empty data dir when
``KMS_DEMO=1``, brings the indexes in line with the database, and mounts the routes.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from api.errors import install_error_handlers
from api.logs import configure_logging
from api.metrics import install_metrics
from api.middleware import BodyLimit, RequestContext
from api.pages import PAGES
from api.ratelimit import RateLimiter, SharedRateLimiter
from api.routes import mount_routes
from kms.core.config import Settings, get_settings
from kms.core.resources import resource_path
from kms.services.app import Services
from kms.services.gapdetect import detect_gaps_on_schedule
from kms.services.pgqueue import Deferrer, uses_procrastinate
from kms.services.queue import JobRunner
from kms.services.ratelimits import take_token

log = logging.getLogger("kms.api")
JSON_BODY_MAX = 1 << 20  # every request body but an upload
UPLOAD_PATH = "/v1/ingest"


def startup(services: Services, state: Any) -> None:
    """Demo data on first start, the dev key (and no stale one), this replica's indexes
    caught up with the database and the models warmed up (then ``state.ready``), the demo's
    sign-in printed, the job runner (unless workers run the jobs), and gap detection. Runs
    beside the server, so ``/health`` answers (with the replica's lag) while a large replica
    catches up."""
    from kms.services.warmup import warm_up

    try:
        _prepare(services)
        started = time.perf_counter()
        services.follower.start()
        log.info(
            "index replica %s caught up in %.1f s: %s",
            services.follower.replica,
            time.perf_counter() - started,
            services.follower.work(),
        )
        warm_up(services)  # before ready: the first search is as fast as any other
        if services.settings.demo:
            _print_demo_sign_in(services)
        state.ready = True
        log.info("index replica %s ready: %s", services.follower.replica, services.follower.lag())
        if services.settings.in_process_worker:
            JobRunner(services).start()  # queued uploads run here (and any a crash left)
        elif uses_procrastinate(services):
            services.job_listeners.append(Deferrer(services))  # kms worker processes run them
    except Exception as exc:  # stays not ready, and says why
        log.exception("startup failed")
        state.failure = f"{type(exc).__name__}: {exc}"
        return
    if services.settings.in_process_worker:  # else `kms worker` processes run it
        holder = f"{socket.gethostname()}:{os.getpid()}:{services.follower.replica}"
        detect_gaps_on_schedule(services, holder, state.stopping)


def _prepare(services: Services) -> None:
    settings = services.settings
    if settings.demo and _empty(services):
        from kms.services.demo import demo_sources
        from kms.services.ingest import ingest_paths

        for paths, meta in demo_sources():
            outcome = ingest_paths(services, paths, meta, created_by="demo")
            log.info("demo: %s results, %s errors", len(outcome.results), len(outcome.errors))
    from kms.services.keys import ensure_dev_key

    ensure_dev_key(services, settings.dev_admin_key or None)


def _print_demo_sign_in(services: Services) -> None:
    """The demo's sign-in, on the terminal that started the server (never in a log or a
    page): a new password at every start."""
    from kms.services.demo import DEMO_USER, reset_demo_user

    password = reset_demo_user(services)
    key = services.settings.dev_admin_key
    lines = [
        "KMS demo — sign in at /signin",
        f"  user: {DEMO_USER}    password: {password}    (new at every start)",
        *([f"  API key for curl: {key}"] if key else []),
    ]
    rule = "─" * max(len(line) for line in lines)
    print("\n".join([rule, *lines, rule]), flush=True)


def _empty(services: Services) -> bool:
    from sqlmodel import select

    from kms.core.models import Asset

    with services.db.session() as session:
        return session.exec(select(Asset.id).limit(1)).first() is None


def pages_dir() -> Path:
    """The installed pages (the ``web`` package); a missing page is a startup error."""
    web = resource_path("web")
    for page in PAGES:
        resource_path("web", page)
    return web


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = Services(settings, serving=True)
        services.follower  # noqa: B018 — take this replica's folder now: a taken one stops the start
        app.state.services = services
        # one budget per key across every replica on this database
        take = partial(take_token, services)
        app.state.limiter = SharedRateLimiter(settings.rate_limit_per_minute, take)
        boot = threading.Thread(target=startup, args=(services, app.state), name="startup")
        boot.start()
        yield
        app.state.stopping.set()
        boot.join()
        services.close()

    app = FastAPI(
        title="KMS — sales knowledge search",
        version="0.1.0",
        description="Stage-aware search over a company's sales knowledge. Machines "
        "authenticate with an API key in `X-API-Key` (or `Authorization: Bearer`); people "
        "sign in (`/v1/auth/login` or single sign-on) and their pages send the session "
        "cookie plus `X-CSRF-Token` with every change; the CRM widget sends a short-lived "
        "signed token as `Authorization: Bearer`. Every error has the shape "
        '`{"error": {"code", "message", "detail"}}`.',
        lifespan=lifespan,
    )
    app.state.ready = False
    app.state.stopping = threading.Event()  # set when the server shuts down
    app.state.failure = ""
    app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
    app.state.secure_cookies = settings.secure_cookies
    app.state.public_url = settings.public_url.rstrip("/")
    app.state.oidc = None  # the single sign-on client, made on first use
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=JSON_BODY_MAX, exempt=(UPLOAD_PATH,))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            # no credentials (cookies) cross-origin: another site's page never acts as a
            # signed-in person; it sends a key or a widget token
            allow_credentials=False,
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    install_metrics(app)  # inside RequestContext: routed requests carry their route template
    app.add_middleware(RequestContext)
    mount_routes(app, pages_dir())
    return app
