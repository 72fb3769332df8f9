"""Browser tests: the real app served by uvicorn in a subprocess over the demo data, driven by Chromium.

Needs a Neo4j (NEO4J_TEST_URI, or the local one `tests/conftest.py` starts; its data is wiped),
Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium; Playwright never downloads a browser)
and the browser assets (`python web/build_assets.py`). When Chromium, Playwright or the assets are
missing the browser tests skip with the reason, or fail with it when `CI` is set (`tests.exports.tooling`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from service.live import free_port
from tests.exports.tooling import need_module, unavailable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
STARTUP_SECONDS = 90


def run_cli(args: list[str], env: dict[str, str]) -> None:
    """Run `python -m installed_base.cli ...` against the test database; fail with its output."""
    result = subprocess.run(
        [sys.executable, "-m", "installed_base.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, (
        f"installed_base.cli {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    )


def wipe_database(env: dict[str, str]) -> None:
    """Empty the test database so orders from earlier runs do not hold the demo items (rule R6)."""
    from neo4j import GraphDatabase

    auth = (env["NEO4J_USER"], env["NEO4J_PASSWORD"]) if env["NEO4J_PASSWORD"] else None
    with (
        GraphDatabase.driver(env["NEO4J_URI"], auth=auth) as driver,
        driver.session(database=env["NEO4J_DATABASE"]) as session,
    ):
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@pytest.fixture(scope="session")
def app_env(test_env: dict[str, str]) -> dict[str, str]:
    """The process environment for the CLI and the server: the test database, nothing else changed."""
    return {**os.environ, **test_env, "PYTHONPATH": str(PROJECT_ROOT)}


@pytest.fixture(scope="session")
def live_server_url(app_env: dict[str, str]) -> Iterator[str]:
    """`uvicorn service.app:create_app --factory` on a free loopback port, over freshly imported demo data."""
    wipe_database(app_env)
    run_cli(["demo"], app_env)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "service.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
    ]
    log_path = Path(os.environ.get("E2E_SERVER_LOG", PROJECT_ROOT / ".pytest_cache" / "e2e-server.log"))
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=app_env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until_healthy(url, server, log_path)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"the app exited with {server.returncode}:\n{log_path.read_text(errors='replace')[-4000:]}"
            )
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail(f"the app did not answer /readyz within {STARTUP_SECONDS}s")


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (no Playwright-managed browser download).

    Package-scoped: the sync API keeps an event loop running in this thread until it stops, and
    the async tests that follow need the thread free of it.
    """
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH")
    sync_api = need_module("playwright.sync_api", "pip install -e .[dev]")
    if not (PROJECT_ROOT / "web" / "static" / "vendor").is_dir():
        unavailable("browser assets are not built: run `python web/build_assets.py`")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class RecordedPage:
    """A fresh browser page that records every request URL and every script error."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def foreign_requests(self) -> list[str]:
        """Requests to anything but this machine (data: and blob: URLs never leave it)."""
        return [
            url
            for url in self.requests
            if urlparse(url).scheme not in {"data", "blob"} and urlparse(url).hostname not in LOCAL_HOSTS
        ]


@pytest.fixture
def page(browser: Any) -> Iterator[RecordedPage]:
    context = browser.new_context(viewport={"width": 1440, "height": 900}, accept_downloads=True)
    recorded = RecordedPage(context.new_page())
    try:
        yield recorded
    finally:
        context.close()


@pytest.fixture(scope="session")
def graphql(live_server_url: str, token_for: Callable[..., str]) -> Iterator[Callable[..., dict[str, Any]]]:
    """`graphql(query, **variables)` against the live server as an admin; fails the test on GraphQL errors."""
    headers = {"Authorization": f"Bearer {token_for('admin', subject='test-admin')}"}
    with httpx.Client(base_url=live_server_url, timeout=60, headers=headers) as client:

        def call(query: str, **variables: Any) -> dict[str, Any]:
            response = client.post("/graphql", json={"query": query, "variables": variables})
            assert response.status_code == 200, response.text
            body = response.json()
            assert not body.get("errors"), body["errors"]
            return body["data"]  # type: ignore[no-any-return]

        yield call


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
