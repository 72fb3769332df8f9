"""The app served by uvicorn in a background thread on a free loopback port (tests, benchmarks)."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import uvicorn

from service.app import create_app
from service.auth import issue_local_token
from service.settings import load_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """A real HTTP server around the app, talking to the Neo4j named in `env`."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        settings = load_settings({**env, "HOST": "127.0.0.1", "PORT": str(self.port)})
        self.settings = settings
        self.app = create_app(settings)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self, wait_for: str = "/readyz") -> None:
        """Serve, and wait until `wait_for` answers 200 (`/healthz`: up, whether or not Neo4j is)."""
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}{wait_for}", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the API did not answer {wait_for}")

    def token(self, *roles: str, accounts: tuple[str, ...] = ()) -> str:
        """A bearer token for this server, signed with its local key (no identity provider configured)."""
        return issue_local_token(self.settings.auth, list(roles), list(accounts))

    @property
    def round_trips(self) -> int:
        """Statements the server has sent to Neo4j so far."""
        return int(self.app.state.graph.round_trips.count)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
