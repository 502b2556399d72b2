"""The /v1 routers, one per area; each route parses, calls one service, returns a model."""

from api.routers import analytics, assets, feedback, gaps, graph, ingest, keys, search

ROUTERS = [
    search.router,
    assets.router,
    ingest.router,
    graph.router,
    feedback.router,
    gaps.router,
    analytics.router,
    keys.router,
]
