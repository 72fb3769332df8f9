"""With an identity provider configured the service only verifies: tokens from its JWKS (URL or
file) are accepted with the configured claims, `macd token` refuses, the pages offer no persona,
and introspection and suggestions are off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from service.live import LiveServer
from service.settings import PROJECT_ROOT

ISSUER = "https://sso.example.test/realms/telco"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KID = "idp-key-1"


def jwks() -> str:
    public = jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key(), as_dict=True)
    public.update({"kid": KID, "use": "sig", "alg": "RS256"})
    return json.dumps({"keys": [public]})


def keycloak_token(roles: list[str], accounts: list[str] = (), **overrides: Any) -> str:  # type: ignore[assignment]
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "macd-orders", "sub": "kc-user-1", "exp": now + 600, "iat": now,
              "realm_access": {"roles": roles}, "accounts": list(accounts)}
    claims.update(overrides)
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": KID})


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = jwks().encode()

    class Keys(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Keys)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/certs"
    server.shutdown()


@pytest.fixture(scope="module")
def idp_server(test_env: dict[str, str], jwks_url: str) -> Iterator[LiveServer]:
    server = LiveServer({**test_env, "MACD_AUTH_ISSUER": ISSUER, "MACD_AUTH_JWKS_URL": jwks_url,
                         "MACD_AUTH_ROLES_CLAIM": "realm_access.roles"})
    server.start()
    yield server
    server.stop()


def post(server: LiveServer, query: str, token: str) -> httpx.Response:
    return httpx.post(f"{server.url}/graphql", json={"query": query},
                      headers={"Authorization": f"Bearer {token}"}, timeout=20)


def test_tokens_from_the_providers_key_set_are_verified(idp_server: LiveServer) -> None:
    viewer = post(idp_server, "{ accounts { totalCount } }", keycloak_token(["viewer"]))
    assert viewer.status_code == 200 and "errors" not in viewer.json()
    refused = post(idp_server, 'mutation { approveOrder(orderId: "o") { errors { code } } }',
                   keycloak_token(["viewer"]))
    assert refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = post(idp_server, 'mutation { approveOrder(orderId: "o") { errors { code } } }',
                   keycloak_token(["approver"]))
    assert allowed.json()["data"]["approveOrder"]["errors"] == [{"code": "NOT_FOUND"}]
    assert post(idp_server, "{ accounts { totalCount } }",
                keycloak_token(["admin"], iss="macd-local")).status_code == 401
    local_style = jwt.encode({"iss": ISSUER, "aud": "macd-orders", "sub": "x", "exp": int(time.time()) + 60,
                              "realm_access": {"roles": ["admin"]}}, "a-shared-secret-that-is-long-enough-for-hs256", algorithm="HS256")
    assert post(idp_server, "{ accounts { totalCount } }", local_style).status_code == 401


def test_no_personas_no_introspection_no_suggestions(idp_server: LiveServer) -> None:
    assert httpx.get(f"{idp_server.url}/auth/personas", timeout=10).json() == {"local": False, "personas": []}
    page = httpx.get(f"{idp_server.url}/graphql", headers={"Accept": "text/html"}, timeout=10).text
    assert '"personas": []' in page and "paste-your-token-here" in page
    token = keycloak_token(["admin"])
    introspection = post(idp_server, "{ __schema { queryType { name } } }", token).json()
    assert introspection["errors"][0]["extensions"]["code"] == "INTROSPECTION_DISABLED"
    typo = post(idp_server, "{ acounts { totalCount } }", token).json()
    assert typo["errors"] and all("Did you mean" not in e["message"] for e in typo["errors"])


def test_a_jwks_file_works_as_well(test_env: dict[str, str], tmp_path: Path) -> None:
    keys = tmp_path / "jwks.json"
    keys.write_text(jwks())
    server = LiveServer({**test_env, "MACD_AUTH_ISSUER": ISSUER, "MACD_AUTH_JWKS_FILE": str(keys),
                         "MACD_AUTH_ROLES_CLAIM": "realm_access.roles", "MACD_INTROSPECTION": "on"})
    server.start()
    try:
        ok = post(server, "{ __schema { queryType { name } } }", keycloak_token(["viewer"]))
        assert ok.status_code == 200 and ok.json()["data"]["__schema"]["queryType"]["name"] == "Query"
    finally:
        server.stop()


def macd(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service.cli", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **env},
                          check=False)


def test_macd_token_prints_a_token_the_local_default_accepts(live_server: LiveServer, auth_key: Path) -> None:
    done = macd("token", "--role", "customer", "--account", "acc-northwind", "--subject", "carol",
                env={"MACD_AUTH_LOCAL_KEY": str(auth_key)})
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip().splitlines()[-1]
    body = post(live_server, "{ accounts { totalCount } }", token)
    assert body.status_code == 200 and "errors" not in body.json()
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["roles"], claims["accounts"]) == ("carol", ["customer"], ["acc-northwind"])


def test_macd_token_refuses_with_an_issuer_configured(tmp_path: Path) -> None:
    done = macd("token", "--role", "admin", env={"MACD_AUTH_ISSUER": ISSUER,
                                                  "MACD_AUTH_LOCAL_KEY": str(tmp_path / "unused.pem")})
    assert done.returncode != 0
    assert "identity provider" in done.stderr and done.stdout == ""
    assert not (tmp_path / "unused.pem").exists()
    unknown = macd("token", "--role", "superuser", env={"MACD_AUTH_LOCAL_KEY": str(tmp_path / "k.pem")})
    assert unknown.returncode != 0 and "unknown role" in unknown.stderr
