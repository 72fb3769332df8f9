"""Starlette routes of the browser side: static files, the inventory explorer and tree exports.

The explorer reads everything through `/graphql`; `/explore/export/{format}` only reformats a
tree the browser already holds (see `exports.tree_formats`), so it needs no database.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from exports.tree_formats import ExportError, ExportFormat, ExportNode, export_tree

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAX_EXPORT_BYTES = 64 * 1024 * 1024
MAX_EXPORT_ITEMS = 200_000


class ExportRequestError(ValueError):
    """The posted tree is not the JSON shape `/explore/export/{format}` reads."""


async def explorer_page(request: Request) -> Response:
    """The inventory explorer (`static/explore.html`)."""
    return FileResponse(STATIC_DIR / "explore.html", media_type="text/html")


async def export_posted_tree(request: Request) -> Response:
    """Answer a posted `{"name", "nodes": [{id, name, specification, state}], "edges": [[parent, child]]}`
    with the tree in the format named by the path, as a file download."""
    try:
        fmt = ExportFormat(request.path_params["format"])
    except ValueError:
        known = ", ".join(f.value for f in ExportFormat)
        return JSONResponse({"error": f"unknown export format; use one of {known}"}, status_code=404)
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_EXPORT_BYTES:
        return JSONResponse({"error": "tree too large to export"}, status_code=413)
    try:
        name, nodes, edges = read_posted_tree(await request.body())
        text = export_tree(fmt, nodes, edges)
    except (ExportRequestError, ExportError) as error:
        return JSONResponse({"error": str(error)}, status_code=400)
    filename = f"{download_name(name)}.{fmt.file_extension}"
    return Response(
        text,
        media_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def read_posted_tree(body: bytes) -> tuple[str, list[ExportNode], list[tuple[str, str]]]:
    """Decode and check the posted tree."""
    if len(body) > MAX_EXPORT_BYTES:
        raise ExportRequestError("tree too large to export")
    try:
        document: Any = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ExportRequestError(f"body is not JSON: {error}") from None
    if not isinstance(document, dict):
        raise ExportRequestError("body must be a JSON object with nodes and edges")
    raw_nodes, raw_edges = document.get("nodes"), document.get("edges")
    if not isinstance(raw_nodes, list) or not isinstance(raw_edges, list):
        raise ExportRequestError("nodes and edges must be lists")
    if len(raw_nodes) > MAX_EXPORT_ITEMS:
        raise ExportRequestError(f"at most {MAX_EXPORT_ITEMS} items can be exported at once")
    nodes = []
    for index, raw in enumerate(raw_nodes):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise ExportRequestError(f"nodes[{index}] needs a string id")
        fields = {key: raw.get(key) for key in ("name", "specification", "state")}
        if any(value is not None and not isinstance(value, str) for value in fields.values()):
            raise ExportRequestError(f"nodes[{index}]: name, specification and state must be strings")
        nodes.append(
            ExportNode(raw["id"], fields["name"] or "", fields["specification"], fields["state"] or "")
        )
    edges = []
    for index, raw in enumerate(raw_edges):
        if not (isinstance(raw, list) and len(raw) == 2 and all(isinstance(i, str) for i in raw)):
            raise ExportRequestError(f"edges[{index}] must be [parentId, childId]")
        edges.append((raw[0], raw[1]))
    name = document.get("name")
    return (name if isinstance(name, str) else "inventory"), nodes, edges


def download_name(name: str) -> str:
    """A file name stem made of safe characters only."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem[:80] or "inventory"


def web_routes() -> list[BaseRoute]:
    """The routes the app mounts next to `/graphql`."""
    return [
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
        Route("/explore", explorer_page, methods=["GET"], name="explore"),
        Route("/explore/export/{format}", export_posted_tree, methods=["POST"], name="explore-export"),
    ]
