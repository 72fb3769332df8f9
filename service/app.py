"""The Starlette application: GraphQL (with GraphiQL), health probes and the web pages.

The app starts whether or not Neo4j is up: the driver is opened at once (it connects lazily), and
a background task reaches Neo4j and applies the migrations with back-off; `/readyz` says 503
until then and whenever Neo4j stops answering within `MACD_READY_TIMEOUT`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from graph.driver import Graph, open_graph
from graph.migrations import migrate
from resolvers.loaders import create_loaders
from schema.context import Caller, Context
from schema.errors import client_error
from schema.root import build_schema
from service.auth import TokenVerifier, persona_tokens
from service.clock import request_now
from service.http_bounds import RequestBounds
from service.local_neo4j import LocalNeo4j, bolt_answers
from service.settings import Settings, load_settings
from web.graphiql import graphiql_html
from web.routes import web_routes

log = logging.getLogger("macd.app")
# `X-Read-Plan: off` makes the resolvers answer every field (the planner's reference behaviour).
PLAN_HEADER = "x-read-plan"

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def response_media_type(accept: str | None) -> str | None:
    """The media type to answer with (GraphQL over HTTP): the new one when the client accepts it,
    JSON when it accepts that or anything; None when it accepts neither."""
    if not accept:
        return JSON
    ranges = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in ranges:
        return GRAPHQL_RESPONSE
    if JSON in ranges or "*/*" in ranges or "application/*" in ranges:
        return JSON
    return None


def is_request_error(result: ExecutionResult) -> bool:
    """No execution happened: the document did not parse, validate or pass the limits."""
    errors = result.errors or []
    return result.data is None and bool(errors) and all(e.path is None for e in errors)


class MacdGraphQL(GraphQL[Context, None]):
    """GraphQL over HTTP with a fresh context (caller, loaders, request id) per request.

    Answers `application/graphql-response+json` when the client accepts it (request errors then
    get 400 and no `data`), and `application/json` otherwise (always 200, as before).
    """

    def __init__(self, settings: Settings, graph_of: Any, ready: asyncio.Event) -> None:
        super().__init__(build_schema(settings.limits))
        self.settings = settings
        self.graph_of = graph_of
        self.ready = ready

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            media_type = response_media_type(request.headers.get("accept"))
            wants_page = request.method == "GET" and "text/html" in (request.headers.get("accept") or "")
            if media_type is None and not wants_page:
                response: Response = JSONResponse(
                    {"errors": [{"message": f"Accept {JSON} or {GRAPHQL_RESPONSE}",
                                 "extensions": {"code": "NOT_ACCEPTABLE"}}]},
                    status_code=406,
                )
                await response(scope, receive, send)
                return
            scope.setdefault("state", {})["media_type"] = media_type or JSON
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> Context:
        caller: Caller = getattr(request.state, "caller", None) or Caller()
        request_id: str = getattr(request.state, "request_id", "-")
        limits = self.settings.limits
        graph = self.graph_of().for_request(caller.id, caller.account_scope, limits.statements_per_request,
                                            self.ready)
        return Context(graph=graph, caller=caller, loaders=create_loaders(graph), request_id=request_id,
                       request=request, now=request_now(request.headers, self.settings.test_clock_token),
                       plan_reads=request.headers.get(PLAN_HEADER) != "off")

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:  # errors raised inside an extension's hook bypass ServiceErrors; code them here
            result.errors = [client_error(e) for e in result.errors]
        data = process_result(result)
        if request.state.media_type == GRAPHQL_RESPONSE and is_request_error(result):
            data.pop("data", None)
            request.state.request_error = True
        return data

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        response = await super().run(request, context, root_value)
        media_type = getattr(request.state, "media_type", JSON)
        if isinstance(response, Response) and response.media_type == JSON and media_type == GRAPHQL_RESPONSE:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if getattr(request.state, "request_error", False):
                response.status_code = 400
        return response

    async def render_graphql_ide(self, request: Any) -> HTMLResponse:
        """GraphiQL from the service's own static files, so it works with no internet access."""
        client = request.client.host if request.client else None
        return HTMLResponse(graphiql_html(personas=persona_tokens(self.settings.auth, client)))


async def connect_with_backoff(graph: Graph, ready: asyncio.Event, first_delay: float = 0.5,
                               max_delay: float = 10.0) -> None:
    """Reach Neo4j and apply the migrations, retrying with exponential back-off until it works."""
    delay = first_delay
    while True:
        try:
            await graph.driver.verify_connectivity()
            await migrate(graph)
        except Exception as exc:  # any failure here means "not yet": log it and try again
            log.warning("Neo4j not ready (%s: %s); retrying in %.1f s", type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(max_delay, delay * 2)
            continue
        ready.set()
        log.info("Neo4j reached and migrated")
        return


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app; the lifespan opens the driver (starting the local Neo4j when no URI is set)."""
    settings = settings or load_settings()
    verifier = TokenVerifier(settings.auth)
    state: dict[str, Any] = {}
    migrated = asyncio.Event()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        server: LocalNeo4j | None = None
        if settings.uses_local_neo4j and not bolt_answers(settings.local_bolt_port):
            server = LocalNeo4j(settings.local_neo4j_home, settings.local_bolt_port)
            server.start()
        t = settings.timeouts
        graph = open_graph(settings.bolt_uri, settings.neo4j_user, settings.neo4j_password,
                           settings.neo4j_database, settings.max_tree_depth, connect_seconds=t.connect_seconds,
                           acquire_seconds=t.acquire_seconds, retry_seconds=t.retry_seconds)
        state["graph"] = graph
        app.state.graph = graph
        connecting = asyncio.create_task(connect_with_backoff(graph, migrated))
        try:
            yield
        finally:
            connecting.cancel()
            await asyncio.gather(connecting, return_exceptions=True)
            await graph.close()
            if server is not None:
                server.stop()

    def graph_of() -> Graph:
        return state["graph"]  # type: ignore[no-any-return]

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        if not migrated.is_set():
            return JSONResponse({"status": "unavailable", "error": "not connected to Neo4j yet"}, status_code=503)
        try:
            await asyncio.wait_for(graph_of().ping(), timeout=settings.timeouts.ready_seconds)
        except Exception as exc:  # any failure to reach Neo4j in time means not ready
            return JSONResponse({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def personas(request: Request) -> Response:
        """The demo personas' tokens in the local default (none with an identity provider)."""
        client = request.client.host if request.client else None
        return JSONResponse({"local": settings.auth.local, "personas": persona_tokens(settings.auth, client)})

    graphql = MacdGraphQL(settings, graph_of, migrated)
    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/auth/personas", personas, methods=["GET"]),
        *web_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.add_middleware(RequestBounds, verifier=verifier, limits=settings.limits)  # type: ignore[arg-type]
    return app
