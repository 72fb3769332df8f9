"""The installed-base integration tests use the suite's Neo4j (tests/conftest.py) through the
names they were written with: the CLI's settings, the database name and an emptied graph's driver."""

from __future__ import annotations

import pytest
from neo4j import AsyncDriver

from graph.driver import Graph
from service.settings import Settings, load_settings


@pytest.fixture(scope="session")
def neo4j_settings(test_env: dict[str, str]) -> Settings:
    """Settings (as the CLI reads them) naming the test server."""
    return load_settings(test_env)


@pytest.fixture(scope="session")
def neo4j_database(test_env: dict[str, str]) -> str:
    return test_env["NEO4J_DATABASE"]


@pytest.fixture
async def neo4j_driver(clean_graph: Graph) -> AsyncDriver:
    """The session's driver, with every node of the test database deleted first (schema kept)."""
    return clean_graph.driver
