"""GraphiQL runs from the app's own static files: no request leaves the machine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from web.graphiql import EXAMPLE_TABS, graphiql_html


def test_every_example_tab_is_valid_against_the_schema() -> None:
    from graphql import parse, validate

    from schema.root import schema

    for tab in EXAMPLE_TABS:
        problems = validate(schema._schema, parse(tab.query))
        assert not problems, f"{tab.query.splitlines()[0]}: {[p.message for p in problems]}"


def test_the_page_references_only_local_assets() -> None:
    html = graphiql_html("/graphql")
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert len(references) == 5
    assert all(ref.startswith(("/static/vendor/", "data:")) for ref in references), references


def test_the_endpoint_cannot_break_out_of_the_script() -> None:
    html = graphiql_html('/graphql"</script><script>alert(1)//')
    assert "<script>alert(1)" not in html


def test_graphiql_runs_the_account_tree_query_offline(
    page: Any, live_server_url: str, screenshot_dir: Path
) -> None:
    browser_page = page.page
    browser_page.goto(f"{live_server_url}/graphql")
    browser_page.wait_for_selector(".graphiql-container", timeout=30_000)
    tabs = browser_page.locator(".graphiql-tab")
    assert tabs.count() == len(EXAMPLE_TABS)

    with browser_page.expect_response(
        lambda r: r.request.method == "POST" and "AccountTree" in (r.request.post_data or "")
    ) as answer:
        browser_page.click(".graphiql-execute-button")
    body = answer.value.json()
    assert "errors" not in body, body["errors"]
    (bundle,) = [root for root in body["data"]["account"]["roots"] if root["name"] == "Mobile Broadband"]
    assert {"4G Connectivity", "4G Router"} <= {child["name"] for child in bundle["children"]}

    browser_page.wait_for_function(
        "() => (document.querySelector('.result-window') || {}).innerText?.includes('Mobile Broadband')",
        timeout=30_000,
    )
    browser_page.screenshot(path=str(screenshot_dir / "graphiql.png"))
    assert not page.errors, page.errors
    assert page.requests, "no request was recorded"
    assert page.foreign_requests() == [], "requests left localhost"


@pytest.mark.parametrize(
    "asset", ["graphiql/graphiql.min.js", "graphiql/graphiql.min.css", "react/react.production.min.js"]
)
def test_vendor_assets_are_served(live_server_url: str, asset: str) -> None:
    import httpx

    response = httpx.get(f"{live_server_url}/static/vendor/{asset}", timeout=10)
    assert response.status_code == 200
    assert len(response.content) > 1000
