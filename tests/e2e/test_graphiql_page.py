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


def test_example_tabs_hold_one_named_operation_each_and_cite_only_docs_that_exist() -> None:
    from graphql import OperationDefinitionNode, parse

    project = Path(__file__).resolve().parents[2]
    for tab in EXAMPLE_TABS:
        operations = [d for d in parse(tab.query).definitions if isinstance(d, OperationDefinitionNode)]
        assert len(operations) == 1 and operations[0].name is not None, tab.query.splitlines()[0]
        for cited in re.findall(r"\b(docs/[\w./-]+\.md)", tab.query):
            assert (project / cited).is_file(), cited
        assert "DOMAIN.md" not in tab.query


def _run_tab(browser_page: Any, index: int, operation: str) -> dict[str, Any]:
    """Open tab `index`, run it with the play button, and return the answer GraphiQL received."""
    browser_page.locator(".graphiql-tab").nth(index).locator("button").first.click()
    browser_page.wait_for_function(
        "(name) => document.querySelector('.graphiql-tab-active')?.innerText.includes(name)"
        " && document.querySelector('.graphiql-query-editor')?.innerText.includes(name)",
        arg=operation,
    )
    browser_page.wait_for_timeout(200)  # let the editors settle on the tab's query and variables
    with browser_page.expect_response(
        lambda r: r.request.method == "POST"
        and re.search(rf'"operationName"\s*:\s*"{operation}"', r.request.post_data or "") is not None
    ) as answer:
        browser_page.click(".graphiql-execute-button")
    body: dict[str, Any] = answer.value.json()
    assert "errors" not in body, (operation, body["errors"])
    return body["data"]  # type: ignore[no-any-return]


def test_a_newcomer_completes_the_four_g_to_five_g_upgrade_from_the_tabs_alone(
    page: Any, live_server_url: str, app_env: dict[str, str], screenshot_dir: Path
) -> None:
    from tests.e2e.conftest import run_cli, wipe_database
    from web.graphiql import _operation_name

    # A newcomer starts from the demo data as imported: no earlier test's order holds its items (R6).
    wipe_database(app_env)
    run_cli(["demo"], app_env)

    names = [_operation_name(tab.query) for tab in EXAMPLE_TABS]
    browser_page = page.page
    browser_page.goto(f"{live_server_url}/graphql")
    browser_page.wait_for_selector(".graphiql-container", timeout=30_000)

    def run(name: str) -> dict[str, Any]:
        return _run_tab(browser_page, names.index(name), name)

    created = run("CreateOrder")["createOrder"]
    assert created["errors"] == [] and created["order"]["state"] == "DRAFT"
    order_id = created["order"]["id"]
    for step in ("DisconnectFourG", "AddFiveGConnectivity", "AddFiveGRouter"):
        answer = next(iter(run(step).values()))
        assert answer["errors"] == [] and answer["order"]["id"] == order_id, (step, answer)
    review = run("ReviewOrder")["order"]
    assert {ln["action"] for top in review["topLines"] for ln in top["childLines"]} == {"DISCONNECT", "ADD"}
    assert run("SubmitOrder")["submitOrder"]["order"]["state"] == "SUBMITTED"
    approved = run("ApproveOrder")["approveOrder"]["order"]
    assert approved["state"] == "IN_PROGRESS" and approved["returns"]

    for _ in range(60):
        queue = run("NextTask")
        if queue["openTasks"]["totalCount"] == 0:
            break
        ready = [e["node"] for e in queue["openTasks"]["edges"] if e["node"]["ready"]]
        if not ready:  # every task left waits for field work: do the next visit (steps 8 to 11)
            visits = run("FieldWork")["order"]["workOrders"]
            assert any(w["state"] == "OPEN" for w in visits), visits
            for step in ("ScheduleVisit", "StartVisit", "CompleteVisit"):
                answer = next(iter(run(step).values()))
                assert answer["errors"] == [], (step, answer)
            continue
        if ready[0]["state"] == "OPEN":
            assert run("StartTask")["startOrderTask"]["errors"] == []
        assert run("CloseTask")["closeOrderTask"]["errors"] == []
    assert queue["order"]["state"] == "COMPLETED"

    result = run("UpgradedBundle")
    assert result["order"]["state"] == "COMPLETED"
    states = {child["specification"]["name"]: child["state"] for child in result["inventoryItem"]["children"]}
    assert states["5G Connectivity"] == "ACTIVE" and states["5G Router"] == "ACTIVE"
    assert states["4G Connectivity"] == "INACTIVE" and states["4G Router"] == "INACTIVE"
    browser_page.screenshot(path=str(screenshot_dir / "graphiql-upgrade-completed.png"))
    assert not page.errors, page.errors
