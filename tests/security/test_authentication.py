"""Bearer tokens: no token or a bad one is HTTP 401 for every GraphQL operation; the pages and the
probes stay open; headers are not believed; the verified caller is recorded on every event."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from graph.driver import Graph
from service.auth import offers_personas
from service.live import LiveServer
from service.settings import LOCAL_ISSUER, load_auth
from tests.api.lifecycle_steps import approve, cancel, four_g_to_five_g, load_demo_data, ok, submit
from tests.conftest import Api, ApiFactory

QUERY = "{ accounts { totalCount } }"


def signed(key_file: Path, **overrides: object) -> str:
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    now = int(time.time())
    claims = {"iss": LOCAL_ISSUER, "aud": "macd-orders", "sub": "someone", "iat": now, "exp": now + 600,
              "roles": ["admin"], "accounts": []}
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="ES256")


def other_key_token() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    now = int(time.time())
    return jwt.encode({"iss": LOCAL_ISSUER, "aud": "macd-orders", "sub": "mallory", "exp": now + 600,
                       "roles": ["admin"]}, key, algorithm="ES256")


def test_no_token_is_401_for_post_and_get(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        posted = client.post("/graphql", json={"query": QUERY})
        got = client.get("/graphql", params={"query": QUERY})
        believed = client.post("/graphql", json={"query": QUERY}, headers={"X-Caller": "admin", "X-Roles": "admin"})
    for response in (posted, got, believed):
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        (error,) = response.json()["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert "Authorization: Bearer" in error["message"]


@pytest.mark.parametrize("case", ["garbage", "other key", "expired", "audience", "issuer", "not bearer"])
def test_a_bad_token_is_401_saying_why(live_server: LiveServer, auth_key: Path, case: str) -> None:
    header = {
        "garbage": "Bearer not.a.token",
        "other key": f"Bearer {other_key_token()}",
        "expired": f"Bearer {signed(auth_key, exp=int(time.time()) - 3600)}",
        "audience": f"Bearer {signed(auth_key, aud='someone-else')}",
        "issuer": f"Bearer {signed(auth_key, iss='https://elsewhere.example')}",
        "not bearer": f"Basic {signed(auth_key)}",
    }[case]
    response = httpx.post(f"{live_server.url}/graphql", json={"query": QUERY}, headers={"Authorization": header},
                          timeout=10)
    assert response.status_code == 401
    message = response.json()["errors"][0]["message"]
    expected = {"garbage": "Invalid bearer token", "other key": "Signature verification failed",
                "expired": "expired", "audience": "audience", "issuer": "issuer", "not bearer": "Bearer <token>"}
    assert expected[case].lower() in message.lower()


def test_a_good_token_is_accepted(live_server: LiveServer, auth_key: Path) -> None:
    response = httpx.post(f"{live_server.url}/graphql", json={"query": QUERY},
                          headers={"Authorization": f"Bearer {signed(auth_key)}"}, timeout=10)
    assert response.status_code == 200 and "errors" not in response.json()


def test_pages_assets_and_probes_need_no_token(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=10) as client:
        assert client.get("/graphql", headers={"Accept": "text/html"}).status_code == 200
        assert client.get("/explore").status_code == 200
        assert client.get("/static/explore.js").status_code == 200
        assert client.get("/static/auth.js").status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


@pytest.mark.parametrize(("exposure", "client", "offered"), [
    ("loopback", "127.0.0.1", True), ("loopback", "127.0.1.1", True), ("loopback", "::1", True),
    ("loopback", "192.0.2.7", False), ("loopback", "10.0.0.5", False), ("loopback", None, False),
    ("any", "192.0.2.7", True), ("off", "127.0.0.1", False),
])
def test_demo_personas_go_to_clients_on_this_machine_unless_configured(
    exposure: str, client: str | None, offered: bool
) -> None:
    local = load_auth({"MACD_AUTH_PERSONAS": exposure})
    assert offers_personas(local, client) is offered
    with_issuer = load_auth({"MACD_AUTH_PERSONAS": exposure, "MACD_AUTH_ISSUER": "https://id.example"})
    assert offers_personas(with_issuer, client) is False, "an identity provider's service never hands out tokens"


def test_an_unknown_persona_exposure_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="MACD_AUTH_PERSONAS must be one of loopback, any, off"):
        load_auth({"MACD_AUTH_PERSONAS": "everyone"})


def test_with_personas_off_the_local_default_hands_out_no_token(test_env: dict[str, str]) -> None:
    server = LiveServer({**test_env, "MACD_AUTH_PERSONAS": "off"})
    server.start()
    try:
        assert httpx.get(f"{server.url}/auth/personas", timeout=10).json() == {"local": True, "personas": []}
        page = httpx.get(f"{server.url}/graphql", headers={"Accept": "text/html"}, timeout=10).text
        assert '"personas": []' in page
        answer = httpx.post(f"{server.url}/graphql", json={"query": "{ accounts { totalCount } }"},
                            headers={"Authorization": f"Bearer {server.token('viewer')}"}, timeout=10)
        assert answer.status_code == 200 and "errors" not in answer.json(), "tokens still work, just not handed out"
    finally:
        server.stop()


def test_the_local_default_offers_the_demo_personas(live_server: LiveServer) -> None:
    answer = httpx.get(f"{live_server.url}/auth/personas", timeout=10).json()
    assert answer["local"] is True
    labels = [p["label"] for p in answer["personas"]]
    assert labels[0].startswith("Admin") and any("acc-northwind" in label for label in labels)
    customer = next(p for p in answer["personas"] if "acc-northwind" in p["label"])
    response = httpx.post(f"{live_server.url}/graphql", json={"query": "{ accounts { edges { node { id } } } }"},
                          headers={"Authorization": f"Bearer {customer['token']}"}, timeout=10)
    assert response.status_code == 200
    page = httpx.get(f"{live_server.url}/graphql", headers={"Accept": "text/html"}, timeout=10).text
    assert customer["token"].split(".")[0] in page and '"personas"' in page


async def test_the_verified_caller_is_recorded_on_every_event(
    clean_graph: Graph, api: Api, api_as: ApiFactory
) -> None:
    await load_demo_data(clean_graph)
    agent = api_as("agent", subject="alice")
    approver = api_as("approver", subject="bob")
    order_id, _ = await four_g_to_five_g(agent)
    ok(await approve(approver, order_id))
    data = await api(
        "query ($o: ID!) { order(id: $o) { history { toState callerId } } "
        'inventoryHistory(id: "pi-northwind-4g-router") { field toValue callerId } }',
        o=order_id,
    )
    assert data["order"]["history"] == [{"toState": "SUBMITTED", "callerId": "alice"},
                                        {"toState": "IN_PROGRESS", "callerId": "bob"}]
    assert data["inventoryHistory"] and {e["callerId"] for e in data["inventoryHistory"]} == {"bob"}
    assert (await clean_graph.fetch("MATCH (o:CustomerOrder {id: $id}) RETURN o.createdBy AS by",
                                    id=order_id))[0]["by"] == "alice"


async def test_who_may_cancel_depends_on_how_far_the_order_got(
    clean_graph: Graph, api: Api, api_as: ApiFactory
) -> None:
    await load_demo_data(clean_graph)
    customer = api_as("customer", accounts=["acc-northwind"])
    agent = api_as("agent")
    approver = api_as("approver")

    async def forbidden(client: Api, order_id: str) -> bool:
        body = await client.raw("mutation ($o: ID!) { cancelOrder(orderId: $o) { errors { code } } }", o=order_id)
        return any(e["extensions"]["code"] == "FORBIDDEN" for e in body.get("errors", []))

    draft = (await customer('mutation { createOrder(input: {accountId: "acc-northwind", action: CHANGE}) '
                            "{ order { id } } }"))["createOrder"]["order"]["id"]
    assert await forbidden(approver, draft)
    assert ok(await cancel(customer, draft))["state"] == "CANCELLED"

    submitted, _ = await four_g_to_five_g(customer)
    assert await forbidden(customer, submitted)
    ok(await approve(approver, submitted))
    assert await forbidden(agent, submitted)
    assert ok(await cancel(approver, submitted))["state"] == "CANCELLED"

    again, _ = await four_g_to_five_g(agent)
    assert ok(await cancel(agent, again))["state"] == "CANCELLED"
    assert submit  # submitting is the customer's and the agent's (see the role matrix)


def test_token_signing_helper_matches_the_server(token_for: Callable[..., str], live_server: LiveServer) -> None:
    token = token_for("viewer", subject="vera")
    body = httpx.post(f"{live_server.url}/graphql",
                      json={"query": 'mutation { createOrder(input: {accountId: "a", action: CHANGE}) { errors { code } } }'},
                      headers={"Authorization": f"Bearer {token}", "X-Caller": "admin", "X-Roles": "admin"},
                      timeout=10).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "viewer" in body["errors"][0]["message"]
