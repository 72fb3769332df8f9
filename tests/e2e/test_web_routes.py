"""The browser side's own routes serve files only; everything else goes through `/graphql`.

Synchronous on purpose: the browser tests' Playwright session keeps an event loop running.
"""

from __future__ import annotations

import re

import httpx
import pytest

from web.routes import STATIC_DIR


def test_the_explorer_page_and_its_assets_are_served(live_server_url: str) -> None:
    with httpx.Client(base_url=live_server_url, timeout=10) as client:
        page = client.get("/explore")
        assert page.status_code == 200 and 'id="tree"' in page.text
        assert client.get("/static/explore.js").status_code == 200
        assert client.get("/static/explore.css").status_code == 200
        for module in sorted((STATIC_DIR / "explore").glob("*.js")):
            served = client.get(f"/static/explore/{module.name}")
            assert served.status_code == 200, module.name
            # Browsers run an ES module only when it is served as JavaScript.
            assert "javascript" in served.headers["content-type"], module.name


@pytest.mark.parametrize("fmt", ["mermaid", "dot", "graphml", "cytoscape_json"])
def test_there_is_no_export_route_besides_graphql(live_server_url: str, fmt: str) -> None:
    response = httpx.post(
        f"{live_server_url}/explore/export/{fmt}", json={"nodes": [], "edges": []}, timeout=10
    )
    assert response.status_code in {404, 405}


def test_the_explorer_script_calls_no_endpoint_but_graphql() -> None:
    modules = [STATIC_DIR / "explore.js", *sorted((STATIC_DIR / "explore").glob("*.js"))]
    calls = {path.name: re.findall(r"fetch\(([^,)]+)", path.read_text(encoding="utf-8")) for path in modules}
    assert {name: found for name, found in calls.items() if found} == {"graphql.js": ["ENDPOINT"]}
    assert "const ENDPOINT = '/graphql';" in (STATIC_DIR / "explore" / "graphql.js").read_text(encoding="utf-8")
