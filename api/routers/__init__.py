"""The /v1 routers, one per area; each route parses, calls one service, returns a model."""

from api.routers import (
    analytics,
    assets,
    auth,
    demo,
    feedback,
    gaps,
    graph,
    ingest,
    keys,
    search,
    users,
)

ROUTERS = [
    auth.router,
    search.router,
    assets.router,
    ingest.router,
    graph.router,
    feedback.router,
    gaps.router,
    analytics.router,
    keys.router,
    users.router,
    demo.router,
]
