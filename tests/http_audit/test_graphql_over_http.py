"""The GraphQL over HTTP audit (npm `graphql-http`, its `serverAudits`) against the live server:
every audit passes, none only warns. `make setup` installs the package from this folder's lock file."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from service.live import LiveServer

HERE = Path(__file__).resolve().parent


def test_every_graphql_over_http_audit_passes(live_server: LiveServer, token_for: Callable[..., str]) -> None:
    node = shutil.which("node")
    assert node, "Node.js is needed for the GraphQL over HTTP audit"
    assert (HERE / "node_modules" / "graphql-http").is_dir(), "run `make setup` (npm ci in tests/http_audit)"
    run = subprocess.run(
        [node, str(HERE / "audit.mjs"), f"{live_server.url}/graphql", token_for("admin")],
        cwd=HERE, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 0, run.stderr
    results = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    assert len(results) > 20
    failing = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"]
    assert failing == [], "\n".join(failing)
