"""The explorer's download route: a posted tree comes back as a file in the asked format."""

from __future__ import annotations

import json

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from web.routes import web_routes

TREE = {
    "name": "acc-northwind",
    "nodes": [
        {
            "id": "pi-mbb",
            "name": 'Mobile "Broadband"',
            "specification": "Mobile Broadband",
            "state": "ACTIVE",
        },
        {"id": "pi-4g", "name": "4G Router", "specification": None, "state": "SUSPENDED"},
    ],
    "edges": [["pi-mbb", "pi-4g"]],
}


@pytest.fixture
def client() -> TestClient:
    return TestClient(Starlette(routes=web_routes()))


def test_a_posted_tree_downloads_as_cytoscape_json(client: TestClient) -> None:
    response = client.post("/explore/export/cytoscape_json", json=TREE)

    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="acc-northwind.cyjs"'
    elements = json.loads(response.text)["elements"]
    assert [n["data"]["name"] for n in elements["nodes"]] == ['Mobile "Broadband"', "4G Router"]


def test_the_download_name_is_made_safe(client: TestClient) -> None:
    response = client.post("/explore/export/dot", json={**TREE, "name": '../a "b"\r\nc'})
    assert response.headers["content-disposition"] == 'attachment; filename="a-b-c.gv"'


def test_an_unknown_format_is_not_found(client: TestClient) -> None:
    assert client.post("/explore/export/png", json=TREE).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        json.dumps({"nodes": [{"name": "no id"}], "edges": []}).encode(),
        json.dumps({"nodes": [], "edges": [["a", "b"]]}).encode(),
        json.dumps({"nodes": [{"id": "a", "name": 5}], "edges": []}).encode(),
    ],
)
def test_a_body_that_is_not_a_tree_is_refused(client: TestClient, body: bytes) -> None:
    response = client.post("/explore/export/mermaid", content=body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_the_explorer_page_and_its_assets_are_served(client: TestClient) -> None:
    page = client.get("/explore")
    assert page.status_code == 200 and 'id="tree"' in page.text
    assert client.get("/static/explore.js").status_code == 200
    assert client.get("/static/explore.css").status_code == 200
