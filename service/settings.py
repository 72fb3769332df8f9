"""Settings read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from rules.model import MAX_TREE_DEPTH

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything configurable, with the defaults a fresh clone runs with.

    With `neo4j_uri` unset the project starts its own local Neo4j (see `service.local_neo4j`).
    """

    neo4j_uri: str | None
    neo4j_user: str
    neo4j_password: str
    neo4j_database: str
    local_neo4j_home: Path
    local_bolt_port: int
    host: str
    port: int
    workers: int = 1
    max_tree_depth: int = MAX_TREE_DEPTH
    """`MACD_MAX_TREE_DEPTH` (1..64): how many levels below its root an item may sit; every write
    (import, generator, added products) enforces it, and every read walks that deep."""
    test_clock_token: str | None = None

    @property
    def uses_local_neo4j(self) -> bool:
        return self.neo4j_uri is None

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_bolt_port}"


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (the process environment by default)."""
    env = dict(os.environ if env is None else env)
    home = env.get("MACD_NEO4J_HOME") or str(PROJECT_ROOT / ".local" / "neo4j")
    return Settings(
        neo4j_uri=env.get("NEO4J_URI") or None,
        neo4j_user=env.get("NEO4J_USER", "neo4j"),
        neo4j_password=env.get("NEO4J_PASSWORD", ""),
        neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
        local_neo4j_home=Path(home),
        local_bolt_port=int(env.get("MACD_NEO4J_BOLT_PORT", "7687")),
        host=env.get("HOST", "127.0.0.1"),
        port=int(env.get("PORT", "8000")),
        workers=max(1, int(env.get("MACD_WORKERS") or os.cpu_count() or 1)),
        max_tree_depth=tree_depth_bound(env.get("MACD_MAX_TREE_DEPTH")),
        test_clock_token=env.get("MACD_TEST_CLOCK_TOKEN") or None,
    )


def tree_depth_bound(raw: str | None) -> int:
    """The configured depth bound: an integer between 1 and MAX_TREE_DEPTH (what the reads walk)."""
    if raw is None or raw == "":
        return MAX_TREE_DEPTH
    value = int(raw)
    if not 1 <= value <= MAX_TREE_DEPTH:
        raise ValueError(f"MACD_MAX_TREE_DEPTH must be between 1 and {MAX_TREE_DEPTH}, not {value}")
    return value
