"""A Neo4j driver for the installed-base integration tests, on an emptied graph per test.

The server comes from the session's `neo4j_uri` fixture when the suite provides one, else from
NEO4J_TEST_URI (user NEO4J_TEST_USER, password NEO4J_TEST_PASSWORD, database NEO4J_TEST_DATABASE).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from neo4j import AsyncDriver, AsyncGraphDatabase

from service.settings import Settings, load_settings

# The same constraints (and names) the service's migrations create; MERGE on id relies on them.
LABELS = (
    "Account", "Location", "Contract", "Entitlement", "ProductSpecification", "ServiceSpecification",
    "ProductInventory", "ServiceInventory",
)


def _test_uri(request: pytest.FixtureRequest) -> str:
    try:
        uri = request.getfixturevalue("neo4j_uri")
    except pytest.FixtureLookupError:
        uri = os.environ.get("NEO4J_TEST_URI")
    if not uri:
        pytest.fail("NEO4J_TEST_URI is not set: point it at a Neo4j 5 server whose data may be wiped, "
                    "e.g. NEO4J_TEST_URI=bolt://127.0.0.1:7711")
    return str(uri)


@pytest.fixture(scope="session")
def neo4j_settings(request: pytest.FixtureRequest) -> Settings:
    """Settings (as the CLI reads them) naming the test server."""
    return load_settings({
        "NEO4J_URI": _test_uri(request),
        "NEO4J_USER": os.environ.get("NEO4J_TEST_USER", "neo4j"),
        "NEO4J_PASSWORD": os.environ.get("NEO4J_TEST_PASSWORD", ""),
        "NEO4J_DATABASE": os.environ.get("NEO4J_TEST_DATABASE", "neo4j"),
    })


@pytest.fixture(scope="session")
def neo4j_database(neo4j_settings: Settings) -> str:
    return neo4j_settings.neo4j_database


@pytest.fixture(scope="session")
async def session_driver(neo4j_settings: Settings, neo4j_database: str) -> AsyncIterator[AsyncDriver]:
    password = neo4j_settings.neo4j_password
    auth = (neo4j_settings.neo4j_user, password) if password else None
    driver = AsyncGraphDatabase.driver(neo4j_settings.bolt_uri, auth=auth)
    for label in LABELS:
        # Labels come from the constant above; statement text built from them is safe.
        await driver.execute_query(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE",
            database_=neo4j_database,
        )
    yield driver
    await driver.close()


@pytest.fixture
async def neo4j_driver(session_driver: AsyncDriver, neo4j_database: str) -> AsyncDriver:
    """The session's driver, with every node of the test database deleted first."""
    await session_driver.execute_query("MATCH (n) DETACH DELETE n", database_=neo4j_database)
    return session_driver
