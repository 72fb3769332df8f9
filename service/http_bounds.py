"""What every HTTP request passes before it reaches GraphQL: a request id, and for `/graphql` a
verified caller, a bounded body that is valid UTF-8, an execution timeout, and cancellation when
the client goes away.

Refusals are JSON in the GraphQL error shape with an `extensions.code`: 401 UNAUTHENTICATED,
413 REQUEST_TOO_LARGE (before the body is parsed), 400 INVALID_ENCODING, 504 EXECUTION_TIMEOUT.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs, unquote_to_bytes

from schema.errors import request_id_var
from service.auth import AuthenticationError, TokenVerifier
from service.settings import Limits

log = logging.getLogger("macd.http")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(send: Send, status: int, code: str, message: str, request_id: str,
                  headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"errors": [{"message": message, "extensions": {"code": code, "requestId": request_id}}]})
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                    *headers],
    })
    await send({"type": "http.response.body", "body": body.encode()})


class RequestBounds:
    """ASGI middleware around the whole app; only `graphql_path` is authenticated and bounded."""

    def __init__(self, app: ASGIApp, verifier: TokenVerifier, limits: Limits, graphql_path: str = "/graphql") -> None:
        self.app = app
        self.verifier = verifier
        self.limits = limits
        self.graphql_path = graphql_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, REQUEST_ID_HEADER)
        request_id = given if given and SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex
        request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        if scope.get("path") != self.graphql_path:
            await self.app(scope, receive, send_with_id)
            return
        await self.graphql(scope, receive, send_with_id, request_id)

    async def graphql(self, scope: Scope, receive: Receive, send: Send, request_id: str) -> None:
        method = scope.get("method", "GET")
        raw_query = bytes(scope.get("query_string", b""))
        try:
            query_string = unquote_to_bytes(raw_query.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            await _refuse(send, 400, "INVALID_ENCODING", "The query string is not valid UTF-8", request_id)
            return
        is_operation = method == "POST" or (method == "GET" and "query" in parse_qs(query_string))
        if is_operation:
            try:
                scope["state"]["caller"] = await self.verifier.verify_header(_header(scope, b"authorization"))
            except AuthenticationError as refused:
                await _refuse(send, 401, "UNAUTHENTICATED", str(refused), request_id,
                              [(b"www-authenticate", b'Bearer realm="macd-orders"')])
                return

        limit = self.limits.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, "REQUEST_TOO_LARGE", f"The request body is over {limit} bytes", request_id)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _refuse(send, 413, "REQUEST_TOO_LARGE", f"The request body is over {limit} bytes", request_id)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            await _refuse(send, 400, "INVALID_ENCODING", "The request body is not valid UTF-8", request_id)
            return
        await self.bounded(scope, body, receive, send, request_id)

    async def bounded(self, scope: Scope, body: bytes, receive: Receive, send: Send, request_id: str) -> None:
        """Run the app on the read body; stop it when the client disconnects or the timeout passes."""
        disconnected = asyncio.Event()
        delivered = False
        started = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await disconnected.wait()
            return {"type": "http.disconnect"}

        async def tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            disconnected.set()

        work = asyncio.ensure_future(self.app(scope, replay, tracked))
        watcher = asyncio.ensure_future(watch())
        try:
            done, _ = await asyncio.wait(
                {work, watcher}, timeout=self.limits.execution_timeout_seconds, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            watcher.cancel()
        if work in done:
            work.result()
            return
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)
        if watcher in done and disconnected.is_set():
            log.info("request %s: the client went away; its work was stopped", request_id)
            return
        log.warning("request %s: stopped after %s s", request_id, self.limits.execution_timeout_seconds)
        if not started:
            await _refuse(send, 504, "EXECUTION_TIMEOUT",
                          f"The request ran longer than {self.limits.execution_timeout_seconds:g} s and was stopped",
                          request_id)
