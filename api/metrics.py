"""``/metrics`` in Prometheus' text format, and the middleware that times every request.

Who may read it: an **admin key** (``X-API-Key`` or ``Authorization: Bearer``, which is how
Prometheus' ``authorization`` scrape setting sends it). The figures name routes, index
sizes and queue depth — nothing a rep needs, and nothing to show the network.

- ``kms_request_seconds{method, route}``: latency per route template (unmatched paths
  are one ``route="unmatched"``, so a scan of random URLs cannot blow up the series);
- ``kms_requests_total{method, route, status}``;
- ``kms_search_seconds{route}``: search, answer and recommend, waiting for a search slot
  included (what the rep waits for);
- from the services (``kms.services.metrics``): files and chunks ingested, jobs queued and
  running, chunks and bytes per index part, ``kms_index_lag_seconds``.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import AdminDep, ServicesDep
from api.errors import error_responses
from kms.services.metrics import REGISTRY, StateCollector

SEARCH_ROUTES = {"/v1/search", "/v1/answer", "/v1/recommend"}
router = APIRouter(tags=["ops"], responses=error_responses(401, 403, 429))


class Metrics:
    """Per-app registry: request metrics, the services' counters, and state read at scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Histogram(
            "kms_request_seconds",
            "Request latency by route",
            ["method", "route"],
            registry=self.registry,
        )
        self.statuses = Counter(
            "kms_requests",
            "Requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.searches = Histogram(
            "kms_search_seconds",
            "Search, answer and recommend latency (queueing for a search slot included)",
            ["route"],
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=self.registry,
        )
        self.registry.register(REGISTRY)
        self.state: StateCollector | None = None

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route).observe(seconds)
        self.statuses.labels(method, route, str(status)).inc()
        if route in SEARCH_ROUTES:
            self.searches.labels(route).observe(seconds)


class MetricsMiddleware:
    """Times each HTTP request and labels it with the route template that served it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe(scope["method"], route, status, time.perf_counter() - start)


def install_metrics(app: FastAPI) -> Metrics:
    metrics = Metrics()
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return metrics


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}},
)
def metrics_route(request: Request, services: ServicesDep, caller: AdminDep) -> Response:
    """Prometheus metrics (admin key): request and search latency, queue depth, ingest
    throughput, index sizes, replica lag."""
    metrics: Metrics = request.app.state.metrics
    if metrics.state is None:
        metrics.state = StateCollector(services)
        metrics.registry.register(metrics.state)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
