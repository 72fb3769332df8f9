"""Bounded requests: depth, aliases, tokens and cost are refused in the validation step, before any
Cypher runs, each with a code naming the limit; bodies over 1 MiB are 413 before parsing; invalid
UTF-8 is 400; over-long ids and text are INVALID_INPUT naming the field; one request runs at most
`statements_per_request` statements at once; the request id comes back."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from graphql import GraphQLError

from graph.driver import Graph
from schema.errors import client_error, request_id_var
from service.live import LiveServer
from service.settings import Limits
from tests.builders import document, load, wide_and_deep
from tests.conftest import Api
from web.graphiql import EXAMPLE_TABS


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]


def nested(levels: int) -> str:
    """`parent { children { parent { children … } } }`, `levels` children deep."""
    inner = "id"
    for _ in range(levels):
        inner = f"parent {{ children {{ {inner} }} }}"
    return f'{{ inventoryItem(id: "r") {{ {inner} }} }}'


async def refused_before_cypher(live_server: LiveServer, api: Api, query: str) -> list[str]:
    before = live_server.round_trips
    body = await api.raw(query)
    assert body.get("data") is None
    assert live_server.round_trips == before, "no statement may run for a refused document"
    return codes(body)


async def test_a_deep_parent_children_chain_is_refused_as_too_deep(live_server: LiveServer, api: Api) -> None:
    assert "QUERY_TOO_DEEP" in await refused_before_cypher(live_server, api, nested(6))


async def test_wide_lists_are_refused_by_their_cost(live_server: LiveServer, api: Api) -> None:
    # Four levels of children stay within the depth limit but may return 20^4 items and more.
    found = await refused_before_cypher(live_server, api, nested(4))
    assert found == ["QUERY_TOO_COSTLY"]
    many_trees = "{ " + " ".join(
        f"t{i}: inventoryTree(rootId: \"r{i}\") {{ nodes {{ id specification {{ id }} }} edges {{ parentId }} }}"
        for i in range(40)) + " }"
    assert await refused_before_cypher(live_server, api, many_trees) == ["QUERY_TOO_COSTLY"]
    pages = "{ accounts(first: 100) { edges { node { roots { children { children { id } } } } } } }"
    assert await refused_before_cypher(live_server, api, pages) == ["QUERY_TOO_COSTLY"]


async def test_an_alias_bomb_is_refused(live_server: LiveServer, api: Api) -> None:
    bomb = "{ " + " ".join(f"a{i}: accounts {{ totalCount }}" for i in range(10_000)) + " }"
    found = await refused_before_cypher(live_server, api, bomb)
    assert "TOO_MANY_ALIASES" in found or "TOO_MANY_TOKENS" in found
    aliases = "{ " + " ".join(f"a{i}: accounts {{ totalCount }}" for i in range(60)) + " }"
    assert "TOO_MANY_ALIASES" in await refused_before_cypher(live_server, api, aliases)


async def test_a_document_with_too_many_tokens_is_refused(live_server: LiveServer, api: Api) -> None:
    long_list = "[" + ", ".join('"x"' for _ in range(Limits().max_tokens)) + "]"
    query = f"{{ orderPreview(accountId: \"a\", action: CHANGE, inventoryIds: {long_list}) {{ errors {{ code }} }} }}"
    assert await refused_before_cypher(live_server, api, query) == ["TOO_MANY_TOKENS"]


async def test_the_pages_own_queries_stay_within_the_limits(api: Api) -> None:
    limit_codes = {"QUERY_TOO_DEEP", "QUERY_TOO_COSTLY", "TOO_MANY_ALIASES", "TOO_MANY_TOKENS"}
    for tab in EXAMPLE_TABS:
        last = re.findall(r"^(?:query|mutation) (\w+)", tab.query, re.M)[-1]
        response = await api.client.post("/graphql", json={"query": tab.query, "operationName": last,
                                                           "variables": {"orderId": "ord-x"}})
        body = response.json()
        assert not set(codes(body)) & limit_codes, body
    trees = "query ExplorerTrees { " + " ".join(
        f"t{i}: inventoryTree(rootId: \"r{i}\") {{ nodes {{ id name state specification {{ id name }} }} "
        "edges { parentId childId } }" for i in range(25)) + " }"
    assert "errors" not in await api.raw(trees)


async def test_over_long_ids_and_text_are_invalid_input_naming_the_field(api: Api) -> None:
    key = "k" * 8_200
    body = await api.raw("mutation ($k: String) { createOrder(input: {accountId: \"acc-1\", action: CHANGE, "
                         "idempotencyKey: $k}) { errors { code } } }", k=key)
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT" and error["extensions"]["field"] == "idempotencyKey"
    assert "8200 characters" in error["message"]
    inline = await api.raw('{ order(id: "' + "o" * 500 + '") { id } }')
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in inline["errors"]] == [("INVALID_INPUT", "id")]
    planned = await api.raw('{ inventoryItem(id: "' + "p" * 500 + '") { id } }')  # a read the planner answers
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in planned["errors"]] == [("INVALID_INPUT", "id")]
    reason = await api.raw('mutation ($r: String!) { rejectOrder(orderId: "o", reason: $r) { errors { code } } }',
                           r="why " * 1000)
    assert [e["extensions"]["field"] for e in reason["errors"]] == ["reason"]
    fine = await api.raw('mutation ($k: String) { createOrder(input: {accountId: "acc-1", action: CHANGE, '
                         "idempotencyKey: $k}) { errors { code } } }", k="k" * 100)
    assert "errors" not in fine


def test_a_body_over_the_limit_is_413_before_parsing(live_server: LiveServer, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}", "Content-Type": "application/json"}
    big = b'{"query": "{ accounts { totalCount } }", "variables": {"pad": "' + b"x" * (1024 * 1024) + b'"}}'
    response = httpx.post(f"{live_server.url}/graphql", content=big, headers=headers, timeout=30)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"

    def chunks() -> Any:
        for _ in range(3):
            yield b"x" * (512 * 1024)

    streamed = httpx.post(f"{live_server.url}/graphql", content=chunks(), headers=headers, timeout=30)
    assert streamed.status_code == 413  # no Content-Length: counted while reading


def test_invalid_utf8_is_400(live_server: LiveServer, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}", "Content-Type": "application/json"}
    body = httpx.post(f"{live_server.url}/graphql", content=b'{"query": "{ accounts { totalCount } }\xff"}',
                      headers=headers, timeout=10)
    assert body.status_code == 400 and body.json()["errors"][0]["extensions"]["code"] == "INVALID_ENCODING"
    query = httpx.get(f"{live_server.url}/graphql?query=%7B%20accounts%20%7B%20totalCount%20%7D%20%7D%FF",
                      headers=headers, timeout=10)
    assert query.status_code == 400


def test_the_request_id_comes_back(live_server: LiveServer, token_for: Any) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}"}
    given = httpx.post(f"{live_server.url}/graphql", json={"query": "{ accounts { totalCount } }"},
                       headers={**headers, "X-Request-Id": "trace-42"}, timeout=10)
    assert given.headers["x-request-id"] == "trace-42"
    made = httpx.get(f"{live_server.url}/healthz", timeout=10)
    assert len(made.headers["x-request-id"]) == 32
    unsafe = httpx.get(f"{live_server.url}/healthz", headers={"X-Request-Id": "<script>"}, timeout=10)
    assert unsafe.headers["x-request-id"] != "<script>"


def test_unexpected_errors_are_masked_with_the_request_id() -> None:
    token = request_id_var.set("req-7")
    try:
        masked = client_error(GraphQLError("boom: secret detail", original_error=RuntimeError("secret detail")))
    finally:
        request_id_var.reset(token)
    assert masked.message == "Unexpected error."
    assert masked.extensions == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-7"}


async def test_introspection_and_suggestions_are_on_in_the_local_default(api: Api) -> None:
    assert (await api("{ __schema { queryType { name } } }"))["__schema"]["queryType"]["name"] == "Query"
    typo = await api.raw("{ acounts { totalCount } }")
    assert "Did you mean" in typo["errors"][0]["message"]


async def test_one_request_runs_a_bounded_number_of_statements_at_once(
    clean_graph: Graph, live_server: LiveServer, api: Api
) -> None:
    specs: list[Any] = []
    roots = []
    for i in range(12):
        tree_specs, root = wide_and_deep(f"t{i}", levels=2, width=3)
        specs += tree_specs
        roots.append(root)
    await load(clean_graph, document(specs, {"id": "acc-1", "name": "acc-1", "segment": "SMB",
                                              "locations": [{"id": "loc-a", "name": "a", "address": "1",
                                                             "city": "c", "country": "GB"}],
                                              "inventory": roots, "contracts": []}))
    query = "{ " + " ".join(f't{i}: inventoryTree(rootId: "{r["id"]}") {{ nodes {{ id }} }}'
                            for i, r in enumerate(roots)) + " }"
    counter = live_server.app.state.graph.round_trips
    counter.peak = 0
    data = await api(query)
    assert all(data[f"t{i}"]["nodes"] for i in range(len(roots)))
    assert 1 <= counter.peak <= Limits().statements_per_request


@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json"])
def test_both_response_media_types(live_server: LiveServer, token_for: Any, accept: str) -> None:
    headers = {"Authorization": f"Bearer {token_for('admin')}", "Accept": accept}
    ok = httpx.post(f"{live_server.url}/graphql", json={"query": "{ accounts { totalCount } }"}, headers=headers,
                    timeout=10)
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(accept)
    invalid = httpx.post(f"{live_server.url}/graphql", json={"query": "{ nothing }"}, headers=headers, timeout=10)
    if accept == "application/json":
        assert invalid.status_code == 200 and "data" in invalid.json()
    else:
        assert invalid.status_code == 400 and "data" not in invalid.json()
