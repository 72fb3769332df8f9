"""Session fixtures: a throwaway real Neo4j, the API on a real HTTP server, and a clean graph per test.

With NEO4J_TEST_URI set the tests use that server (its data is wiped); otherwise a local Neo4j
is started in a temporary folder on a free port and stopped at the end.

Every GraphQL call carries a bearer token signed with a key this session generates (`auth_key`)
and hands to the server through `MACD_AUTH_LOCAL_KEY`: `api` is an admin, `api_as(role, accounts=…)`
is anyone else, `token_for(...)` signs a token for raw HTTP calls.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph.consistency import check_graph
from graph.driver import Graph, open_graph
from graph.migrations import migrate
from service.auth import generate_signing_key, issue_local_token
from service.live import LiveServer, free_port
from service.local_neo4j import LocalNeo4j
from service.settings import AuthSettings

TEST_CLOCK_TOKEN = secrets.token_hex(16)


@pytest.fixture(scope="session")
def neo4j_uri() -> Iterator[str]:
    given = os.environ.get("NEO4J_TEST_URI")
    if given:
        yield given
        return
    home = Path(tempfile.mkdtemp(prefix="macd-neo4j-test-"))
    server = LocalNeo4j(home, free_port(), heap="1g", page_cache="256m")
    server.start()
    os.environ["NEO4J_TEST_URI"] = server.uri
    try:
        yield server.uri
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def auth_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A signing key generated for this session; the live servers verify tokens against it."""
    path = tmp_path_factory.mktemp("auth") / "signing-key.pem"
    generate_signing_key(path)
    return path


@pytest.fixture(scope="session")
def token_for(auth_key: Path) -> Callable[..., str]:
    """`token_for("agent")`, `token_for("customer", accounts=["acc-1"])`: a token the test servers accept."""
    settings = AuthSettings(local_key_file=auth_key)

    def sign(*roles: str, accounts: Sequence[str] = (), subject: str | None = None) -> str:
        return issue_local_token(settings, list(roles), list(accounts), subject or f"test-{'-'.join(roles)}")

    return sign


@pytest.fixture(scope="session")
def test_env(neo4j_uri: str, auth_key: Path) -> dict[str, str]:
    return {
        "NEO4J_URI": neo4j_uri,
        "NEO4J_USER": os.environ.get("NEO4J_TEST_USER", "neo4j"),
        "NEO4J_PASSWORD": os.environ.get("NEO4J_TEST_PASSWORD", ""),
        "NEO4J_DATABASE": os.environ.get("NEO4J_TEST_DATABASE", "neo4j"),
        "MACD_AUTH_LOCAL_KEY": str(auth_key),
        # Lets tests set the request clock (service/clock.py); production never sets it.
        "MACD_TEST_CLOCK_TOKEN": TEST_CLOCK_TOKEN,
    }


@pytest.fixture(scope="session")
async def graph(test_env: dict[str, str]) -> AsyncIterator[Graph]:
    g = open_graph(test_env["NEO4J_URI"], test_env["NEO4J_USER"], test_env["NEO4J_PASSWORD"],
                   test_env["NEO4J_DATABASE"])
    await migrate(g)
    yield g
    await g.close()


@pytest.fixture
async def clean_graph(graph: Graph) -> Graph:
    """The session graph, emptied before the test (schema kept)."""
    async with graph.driver.session(database=graph.database) as session:
        await (await session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS")).consume()
    return graph


@pytest.fixture(scope="session")
def live_server(test_env: dict[str, str]) -> Iterator[LiveServer]:
    server = LiveServer(test_env)
    server.start()
    yield server
    server.stop()


class Api:
    """A GraphQL client for tests: `await api(query, **variables)` returns `data`, failing on errors.

    The client's default headers carry the caller's bearer token.
    """

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def raw(self, query: str, headers: dict[str, str] | None = None, **variables: Any) -> dict[str, Any]:
        response = await self.client.post("/graphql", json={"query": query, "variables": variables},
                                          headers=headers or {})
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.raw(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]  # type: ignore[no-any-return]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
async def api(live_server: LiveServer, token_for: Callable[..., str]) -> AsyncIterator[Api]:
    """An admin: may do everything."""
    async with httpx.AsyncClient(base_url=live_server.url, timeout=120,
                                 headers=bearer(token_for("admin", subject="test-admin"))) as client:
        yield Api(client)


ApiFactory = Callable[..., Api]


@pytest.fixture
async def api_as(live_server: LiveServer, token_for: Callable[..., str]) -> AsyncIterator[ApiFactory]:
    """`api_as("customer", accounts=["acc-1"])`: a client for any role(s) and accounts."""
    clients: list[httpx.AsyncClient] = []

    def make(*roles: str, accounts: Sequence[str] = (), subject: str | None = None) -> Api:
        client = httpx.AsyncClient(base_url=live_server.url, timeout=120,
                                   headers=bearer(token_for(*roles, accounts=accounts, subject=subject)))
        clients.append(client)
        return Api(client)

    yield make
    for client in clients:
        await client.aclose()


async def _check_test_database() -> list[str]:
    g = open_graph(os.environ["NEO4J_TEST_URI"], os.environ.get("NEO4J_TEST_USER", "neo4j"),
                   os.environ.get("NEO4J_TEST_PASSWORD", ""), os.environ.get("NEO4J_TEST_DATABASE", "neo4j"))
    try:
        report = await check_graph(g)
    finally:
        await g.close()
    return [str(v) for v in report.violations]


@pytest.fixture(scope="module", autouse=True)
def graph_invariants_hold(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every module that used the database, the graph's invariants hold (`macd check`)."""
    yield
    used_database = any(
        "neo4j_uri" in item.fixturenames  # type: ignore[attr-defined]
        for item in request.session.items
        if getattr(item, "module", None) is request.module
    )
    if not used_database or "NEO4J_TEST_URI" not in os.environ:
        return
    # in a thread of its own: the browser tests keep an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        violations = pool.submit(asyncio.run, _check_test_database()).result()
    if violations:
        pytest.fail(f"{request.module.__name__} left the graph inconsistent:\n  " + "\n  ".join(violations))
