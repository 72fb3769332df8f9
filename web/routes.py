"""Starlette routes of the browser side: static files and the inventory explorer page.

The explorer reads everything, exports included, through the public `/graphql` API; these routes
only serve files.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"


async def explorer_page(request: Request) -> Response:
    """The inventory explorer (`static/explore.html`)."""
    return FileResponse(STATIC_DIR / "explore.html", media_type="text/html")


def web_routes() -> list[BaseRoute]:
    """The routes the app mounts next to `/graphql`."""
    return [
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/explore", explorer_page, methods=["GET"], name="explore"),
    ]
