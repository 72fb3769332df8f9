"""The request bounds around GraphQL: a request is stopped at the execution timeout (504) and as
soon as its client goes away, whatever the app was doing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from service.auth import TokenVerifier, issue_local_token
from service.http_bounds import RequestBounds
from service.settings import AuthSettings, Limits


class Sleeper:
    """An app whose work never ends on its own; it records that it was cancelled."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.cancelled = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await receive()
        self.started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled = True
            raise


def request(auth_key: Path) -> tuple[dict[str, Any], RequestBounds, Sleeper]:
    settings = AuthSettings(local_key_file=auth_key)
    token = issue_local_token(settings, ["admin"])
    scope = {"type": "http", "method": "POST", "path": "/graphql", "query_string": b"",
             "headers": [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")]}
    app = Sleeper()
    return scope, RequestBounds(app, TokenVerifier(settings), Limits(execution_timeout_seconds=0.5)), app


async def test_work_past_the_execution_timeout_is_stopped_with_504(auth_key: Path) -> None:
    scope, bounds, app = request(auth_key)
    sent: list[dict[str, Any]] = []
    client_gone = asyncio.Event()
    messages = [{"type": "http.request", "body": b'{"query": "{ accounts { totalCount } }"}', "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await asyncio.wait_for(bounds(scope, receive, send), timeout=10)
    assert app.cancelled
    assert sent[0]["status"] == 504
    assert json.loads(sent[1]["body"])["errors"][0]["extensions"]["code"] == "EXECUTION_TIMEOUT"


async def test_work_stops_when_the_client_disconnects(auth_key: Path) -> None:
    scope, bounds, app = request(auth_key)
    bounds.limits = Limits(execution_timeout_seconds=3600)
    sent: list[dict[str, Any]] = []
    client_gone = asyncio.Event()
    messages = [{"type": "http.request", "body": b'{"query": "{ accounts { totalCount } }"}', "more_body": False}]

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        await client_gone.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    running = asyncio.create_task(bounds(scope, receive, send))
    await asyncio.wait_for(app.started.wait(), timeout=10)
    client_gone.set()
    await asyncio.wait_for(running, timeout=10)
    assert app.cancelled and sent == []
