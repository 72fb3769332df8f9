"""Settings read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from rules.model import MAX_TREE_DEPTH

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_ISSUER = "macd-local"


@dataclass(frozen=True)
class AuthSettings:
    """Where bearer tokens come from and how their claims are read (see docs/security.md).

    With no `issuer` the service runs in the local default: it signs tokens itself with a key kept
    in `local_key_file` (created on first use) and `macd token` hands them out.
    """

    issuer: str | None = None
    audience: str = "macd-orders"
    jwks_url: str | None = None
    jwks_file: Path | None = None
    public_key_file: Path | None = None
    algorithms: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
    local_key_file: Path = PROJECT_ROOT / ".local" / "auth" / "signing-key.pem"
    caller_claim: str = "sub"
    roles_claim: str = "roles"
    accounts_claim: str = "accounts"
    leeway_seconds: int = 30
    personas: str = "loopback"
    """`MACD_AUTH_PERSONAS`, in the local default only: who is handed the demo personas' tokens:
    `loopback` (clients on this machine), `any` (everyone who reaches the port, e.g. a container whose
    port is published on the host's loopback only) or `off`."""

    @property
    def local(self) -> bool:
        """True when the service signs its own tokens (no identity provider configured)."""
        return self.issuer is None

    @property
    def expected_issuer(self) -> str:
        return self.issuer or LOCAL_ISSUER


@dataclass(frozen=True)
class Limits:
    """What one request may ask for and use (see docs/security.md for how to change them)."""

    max_body_bytes: int = 1024 * 1024
    max_depth: int = 12
    max_aliases: int = 50
    max_tokens: int = 10_000
    max_cost: int = 100_000
    list_size: int = 20
    tree_size: int = 1_000
    max_id_length: int = 128
    max_text_length: int = 2_000
    statements_per_request: int = 4
    execution_timeout_seconds: float = 30.0
    introspection: bool = True
    suggestions: bool = True


@dataclass(frozen=True)
class Neo4jTimeouts:
    """How long the service waits for Neo4j before answering SERVICE_UNAVAILABLE."""

    connect_seconds: float = 2.0
    acquire_seconds: float = 3.0
    retry_seconds: float = 2.0
    ready_seconds: float = 1.5


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
    auth: AuthSettings = field(default_factory=AuthSettings)
    limits: Limits = field(default_factory=Limits)
    timeouts: Neo4jTimeouts = field(default_factory=Neo4jTimeouts)

    @property
    def uses_local_neo4j(self) -> bool:
        return self.neo4j_uri is None

    @property
    def bolt_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.local_bolt_port}"


PERSONA_EXPOSURE = ("loopback", "any", "off")


def _choice(env: dict[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_auth(env: dict[str, str]) -> AuthSettings:
    defaults = AuthSettings()
    algorithms = env.get("MACD_AUTH_ALGORITHMS")
    return AuthSettings(
        issuer=env.get("MACD_AUTH_ISSUER") or None,
        audience=env.get("MACD_AUTH_AUDIENCE") or defaults.audience,
        jwks_url=env.get("MACD_AUTH_JWKS_URL") or None,
        jwks_file=_path(env.get("MACD_AUTH_JWKS_FILE")),
        public_key_file=_path(env.get("MACD_AUTH_PUBLIC_KEY_FILE")),
        algorithms=tuple(a.strip() for a in algorithms.split(",") if a.strip()) if algorithms else defaults.algorithms,
        local_key_file=_path(env.get("MACD_AUTH_LOCAL_KEY")) or defaults.local_key_file,
        caller_claim=env.get("MACD_AUTH_CALLER_CLAIM") or defaults.caller_claim,
        roles_claim=env.get("MACD_AUTH_ROLES_CLAIM") or defaults.roles_claim,
        accounts_claim=env.get("MACD_AUTH_ACCOUNTS_CLAIM") or defaults.accounts_claim,
        leeway_seconds=int(env.get("MACD_AUTH_LEEWAY_SECONDS") or defaults.leeway_seconds),
        personas=_choice(env, "MACD_AUTH_PERSONAS", PERSONA_EXPOSURE, defaults.personas),
    )


def load_limits(env: dict[str, str], local_auth: bool) -> Limits:
    d = Limits()
    return Limits(
        max_body_bytes=int(env.get("MACD_MAX_BODY_BYTES") or d.max_body_bytes),
        max_depth=int(env.get("MACD_MAX_DEPTH") or d.max_depth),
        max_aliases=int(env.get("MACD_MAX_ALIASES") or d.max_aliases),
        max_tokens=int(env.get("MACD_MAX_TOKENS") or d.max_tokens),
        max_cost=int(env.get("MACD_MAX_COST") or d.max_cost),
        list_size=int(env.get("MACD_COST_LIST_SIZE") or d.list_size),
        tree_size=int(env.get("MACD_COST_TREE_SIZE") or d.tree_size),
        max_id_length=int(env.get("MACD_MAX_ID_LENGTH") or d.max_id_length),
        max_text_length=int(env.get("MACD_MAX_TEXT_LENGTH") or d.max_text_length),
        statements_per_request=int(env.get("MACD_STATEMENTS_PER_REQUEST") or d.statements_per_request),
        execution_timeout_seconds=float(env.get("MACD_EXECUTION_TIMEOUT") or d.execution_timeout_seconds),
        # Schema discovery helps at a developer's desk and helps an attacker in production.
        introspection=_flag(env.get("MACD_INTROSPECTION"), local_auth),
        suggestions=_flag(env.get("MACD_SUGGESTIONS"), local_auth),
    )


def load_timeouts(env: dict[str, str]) -> Neo4jTimeouts:
    d = Neo4jTimeouts()
    return Neo4jTimeouts(
        connect_seconds=float(env.get("MACD_NEO4J_CONNECT_TIMEOUT") or d.connect_seconds),
        acquire_seconds=float(env.get("MACD_NEO4J_ACQUIRE_TIMEOUT") or d.acquire_seconds),
        retry_seconds=float(env.get("MACD_NEO4J_RETRY_SECONDS") or d.retry_seconds),
        ready_seconds=float(env.get("MACD_READY_TIMEOUT") or d.ready_seconds),
    )


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from `env` (the process environment by default)."""
    env = dict(os.environ if env is None else env)
    home = env.get("MACD_NEO4J_HOME") or str(PROJECT_ROOT / ".local" / "neo4j")
    auth = load_auth(env)
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
        auth=auth,
        limits=load_limits(env, auth.local),
        timeouts=load_timeouts(env),
    )


def tree_depth_bound(raw: str | None) -> int:
    """The configured depth bound: an integer between 1 and MAX_TREE_DEPTH (what the reads walk)."""
    if raw is None or raw == "":
        return MAX_TREE_DEPTH
    value = int(raw)
    if not 1 <= value <= MAX_TREE_DEPTH:
        raise ValueError(f"MACD_MAX_TREE_DEPTH must be between 1 and {MAX_TREE_DEPTH}, not {value}")
    return value
