"""The Starlette application: GraphQL (with GraphiQL), health probes and the web pages."""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from strawberry.asgi import GraphQL

from graph.driver import Graph, open_graph
from graph.migrations import migrate
from resolvers.loaders import create_loaders
from schema.context import Caller, Context
from schema.errors import request_id_var
from schema.root import schema
from service.clock import request_now
from service.local_neo4j import LocalNeo4j, bolt_answers
from service.settings import Settings, load_settings
from web.graphiql import graphiql_html
from web.routes import web_routes

log = logging.getLogger("macd.app")
# `X-Read-Plan: off` makes the resolvers answer every field (the planner's reference behaviour).
PLAN_HEADER = "x-read-plan"


class MacdGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP with a fresh context (caller, loaders, request id) per request."""

    def __init__(self, graph_of: Any, test_clock_token: str | None = None) -> None:
        super().__init__(schema)
        self.graph_of = graph_of
        self.test_clock_token = test_clock_token

    async def get_context(self, request: Any, response: Any) -> Context:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        request_id_var.set(request_id)
        caller = Caller(
            id=request.headers.get("x-caller") or "anonymous",
            roles=frozenset(r.strip() for r in (request.headers.get("x-roles") or "").split(",") if r.strip()),
        )
        graph: Graph = self.graph_of()
        return Context(graph=graph, caller=caller, loaders=create_loaders(graph), request_id=request_id,
                       request=request, now=request_now(request.headers, self.test_clock_token),
                       plan_reads=request.headers.get(PLAN_HEADER) != "off")

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        """GraphiQL from the service's own static files, so it works with no internet access."""
        return HTMLResponse(graphiql_html())


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the lifespan opens the driver (starting the local Neo4j when no URI is set)."""
    settings = settings or load_settings()
    state: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        server: LocalNeo4j | None = None
        if settings.uses_local_neo4j and not bolt_answers(settings.local_bolt_port):
            server = LocalNeo4j(settings.local_neo4j_home, settings.local_bolt_port)
            server.start()
        graph = open_graph(settings.bolt_uri, settings.neo4j_user, settings.neo4j_password,
                           settings.neo4j_database, settings.max_tree_depth)
        await graph.driver.verify_connectivity()
        await migrate(graph)
        state["graph"] = graph
        app.state.graph = graph
        try:
            yield
        finally:
            await graph.close()
            if server is not None:
                server.stop()

    def graph_of() -> Graph:
        return state["graph"]  # type: ignore[no-any-return]

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await graph_of().ping()
        except Exception as exc:  # any failure to reach Neo4j means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    graphql = MacdGraphQL(graph_of, settings.test_clock_token)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *web_routes(),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
