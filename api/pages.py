"""The pages in web/: rep search (/), the CRM widget (/widget, /widget.js), the curator
console (/console), signing in (/signin) and their static files (/static/...).

The pages are plain HTML + ES modules with no build step; they hold no data and no
secrets, so they are public. Every call they make goes to /v1 as the signed-in person
(the session cookie) or, in the CRM widget, with the token the CRM signed.
``/demo/crm.html`` (a mock CRM page embedding the widget) is served only in demo mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from api.errors import error_body
from kms.core.resources import resource_path

PAGES = ("search.html", "widget.html", "console.html", "signin.html", "widget.js", "static")

# Pages may load scripts, styles and images from this origin only, and be framed
# only where a framing page is expected (the widget).
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-src 'self' blob:"
)
_HEADERS = {
    "Content-Security-Policy": _CSP + "; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_WIDGET_HEADERS = {**_HEADERS, "Content-Security-Policy": _CSP + "; frame-ancestors *"}


def mount_pages(app: FastAPI, web_dir: Path) -> None:
    """Mount the pages and /static on ``app``; ``web_dir`` holds the installed pages."""

    def page(name: str, headers: dict[str, str] = _HEADERS) -> FileResponse:
        return FileResponse(web_dir / name, media_type="text/html", headers=headers)

    @app.get("/", include_in_schema=False)
    def rep_search() -> FileResponse:
        return page("search.html")

    @app.get("/widget", include_in_schema=False)
    def widget() -> FileResponse:
        return page("widget.html", _WIDGET_HEADERS)

    @app.get("/console", include_in_schema=False)
    def console() -> FileResponse:
        return page("console.html")

    @app.get("/signin", include_in_schema=False)
    def signin() -> FileResponse:
        return page("signin.html")

    @app.get("/widget.js", include_in_schema=False)
    def widget_js() -> FileResponse:
        # Loaded by other sites' pages; it only creates an iframe pointing back here.
        return FileResponse(
            web_dir / "widget.js",
            media_type="text/javascript",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "max-age=300"},
        )

    @app.get("/demo/crm.html", include_in_schema=False)
    def demo_crm(request: Request) -> Response:
        services = getattr(request.app.state, "services", None)
        if services is None or not services.settings.demo:
            return JSONResponse(error_body("not_found", "Not Found"), status_code=404)
        # A stand-in for a CRM on another origin: it loads the widget script and frames it.
        return FileResponse(
            resource_path("demo", "crm.html"),
            media_type="text/html",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
        )

    app.mount("/static", _Static(directory=web_dir / "static"), name="static")


class _Static(StaticFiles):
    """Static files that the browser revalidates (ETag → 304), so an update shows at once."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response
