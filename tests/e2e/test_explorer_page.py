"""The inventory explorer over the demo data: the tree, opening items, details, order impact, exports."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.e2e.conftest import run_cli
from tests.e2e.explorer_page import ExplorerPage
from tests.exports.parsers import parse_export

GraphQL = Callable[..., dict[str, Any]]

NORTHWIND = "acc-northwind"
BUNDLE = "pi-northwind-mbb"
FOUR_G_CONNECTIVITY = "pi-northwind-4g-connectivity"
FOUR_G_ROUTER = "pi-northwind-4g-router"


def assert_stayed_local(page: Any) -> None:
    assert not page.errors, page.errors
    assert page.foreign_requests() == [], "requests left localhost"


def test_explorer_draws_the_demo_account_and_shows_item_details(
    page: Any, live_server_url: str, screenshot_dir: Path
) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open()
    explorer.pick_account("Northwind", NORTHWIND)

    items = explorer.drawn_items()
    assert {BUNDLE, FOUR_G_CONNECTIVITY, FOUR_G_ROUTER} <= items.keys()
    assert items[BUNDLE]["label"].startswith("Mobile Broadband\n")
    assert "ACTIVE" in items[FOUR_G_ROUTER]["label"]
    assert {(BUNDLE, FOUR_G_CONNECTIVITY), (BUNDLE, FOUR_G_ROUTER)} <= explorer.drawn_edges()
    assert page.page.inner_text("[data-testid=account-title]") == "Northwind Traders"

    explorer.click_item(FOUR_G_CONNECTIVITY)
    details = page.page.locator("#details")
    details.locator("[data-testid=details-services]").wait_for(timeout=15_000)
    text = details.inner_text()
    assert "4G Connectivity" in text
    assert "Northwind head office" in text
    assert "LTE Mobile Data Service" in text
    assert "entitlement" in text.lower() and "history" in text.lower()

    page.page.click("#fit")
    page.page.screenshot(path=str(screenshot_dir / "explorer-tree.png"))
    assert_stayed_local(page)


def test_clicking_an_item_opens_it_and_clicking_again_folds_it(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open()
    explorer.pick_account("Contoso", "acc-contoso")
    site, edge_device = "pi-contoso-site-manchester", "pi-contoso-edge-manchester"

    # Two levels are drawn at first: the SD-WAN root and its sites, not what is under a site.
    assert site in explorer.drawn_items()
    assert edge_device not in explorer.drawn_items()
    assert explorer.drawn_items()[site]["collapsed"] is True

    explorer.click_item(site)
    explorer.wait_until_drawn(edge_device)
    assert (site, edge_device) in explorer.drawn_edges()

    explorer.click_item(site)
    explorer.wait_until_drawn(edge_device, drawn=False)
    assert_stayed_local(page)


def capture_four_g_to_five_g(graphql: GraphQL) -> str:
    """The worked example as API calls: a CHANGE order disconnecting the 4G items and adding 5G ones."""
    mutations = {
        f["name"] for f in graphql('{ __type(name: "Mutation") { fields { name } } }')["__type"]["fields"]
    }
    missing = {"createOrder", "addInventoryToOrder"} - mutations
    if missing:
        pytest.fail(f"the API lacks the order capture mutations {sorted(missing)}")

    created = graphql(
        """mutation($account: ID!) {
             createOrder(input: {accountId: $account, action: CHANGE}) { order { id } errors { code message } }
           }""",
        account=NORTHWIND,
    )["createOrder"]
    assert not created["errors"], created["errors"]
    order_id = created["order"]["id"]

    added = graphql(
        """mutation($order: ID!, $items: [ID!]!) {
             addInventoryToOrder(input: {orderId: $order, inventoryIds: $items, lineAction: DISCONNECT}) {
               order { id } errors { code message }
             }
           }""",
        order=order_id,
        items=[FOUR_G_CONNECTIVITY, FOUR_G_ROUTER],
    )["addInventoryToOrder"]
    assert not added["errors"], added["errors"]

    if "addProductToOrder" in mutations:
        for spec in ("spec-5g-connectivity", "spec-5g-router"):
            product = graphql(
                """mutation($order: ID!, $parent: ID!, $spec: ID!) {
                     addProductToOrder(input: {orderId: $order, parentInventoryId: $parent, specificationId: $spec}) {
                       order { id } errors { code message }
                     }
                   }""",
                order=order_id,
                parent=BUNDLE,
                spec=spec,
            )["addProductToOrder"]
            assert not product["errors"], product["errors"]
    return order_id


def test_order_impact_highlights_every_line_of_the_order(
    page: Any, live_server_url: str, graphql: GraphQL, screenshot_dir: Path
) -> None:
    order_id = capture_four_g_to_five_g(graphql)
    lines = graphql(
        "query($id: ID!) { order(id: $id) { lines { action inventoryItem { id state } } } }", id=order_id
    )["order"]["lines"]
    expected = Counter(line["action"] for line in lines)
    assert expected["DISCONNECT"] == 2

    # No account picked first: the order's account opens by itself.
    explorer = ExplorerPage(page.page, live_server_url).open()
    counts = explorer.show_impact(order_id)
    assert counts == dict(expected)

    explorer.wait_for_account(NORTHWIND)
    items = explorer.drawn_items()
    for line in lines:
        item = line["inventoryItem"]
        if item is None:
            continue
        assert item["id"] in items, f"{item['id']} of a {line['action']} line is not drawn"
        assert items[item["id"]]["impact"] == line["action"]
    added = [
        line["inventoryItem"]["id"] for line in lines if line["action"] == "ADD" and line["inventoryItem"]
    ]
    for item_id in added:
        assert "INSTALLATION_PENDING" in items[item_id]["label"]
    untouched = [i for i, data in items.items() if data.get("impact") is None]
    assert untouched, "items outside the order should be drawn, dimmed"

    explorer.click_item(FOUR_G_ROUTER)
    page.page.locator("#details [data-testid=details-services]").wait_for(timeout=15_000)
    page.page.click("#fit")
    page.page.screenshot(path=str(screenshot_dir / "explorer.png"))
    assert_stayed_local(page)


EXPORT_EXTENSIONS = {"mermaid": "mmd", "dot": "gv", "graphml": "graphml", "cytoscape_json": "cyjs"}
VOICE = "pi-northwind-voice"


def subtree(graphql: GraphQL, root_id: str) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """The item's subtree as the API holds it now: names by id, and (parent, child) edges."""
    tree = graphql(
        "query($id: ID!) { inventoryTree(rootId: $id) { nodes { id name } edges { parentId childId } } }",
        id=root_id,
    )["inventoryTree"]
    return (
        {node["id"]: node["name"] for node in tree["nodes"]},
        {(edge["parentId"], edge["childId"]) for edge in tree["edges"]},
    )


def graphql_or_blob(url: str) -> bool:
    parts = urlparse(url)
    return parts.scheme == "blob" or parts.path == "/graphql"


def download_export(page: Any, fmt: str, tmp_path: Path) -> tuple[str, str]:
    """Click the export button for `fmt`; return the saved file's name and text.

    Fails unless the file came from one `inventoryTree { export }` GraphQL call and nothing but
    `/graphql` and the page's own blob: URL was requested for it.
    """
    before = len(page.requests)
    with (
        page.page.expect_request(
            lambda r: urlparse(r.url).path == "/graphql" and "ExplorerExport" in (r.post_data or "")
        ) as request_info,
        page.page.expect_download() as download_info,
    ):
        page.page.click(f"[data-testid=export-{fmt}]")
    download = download_info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sent = json.loads(request_info.value.post_data)
    assert sent["variables"]["format"] == fmt.upper()
    other = [url for url in page.requests[before:] if not graphql_or_blob(url)]
    assert other == [], "the export must come from /graphql only"
    return download.suggested_filename, path.read_text(encoding="utf-8")


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize("fmt", list(EXPORT_EXTENSIONS))
def test_every_export_button_downloads_the_selected_subtree(
    page: Any, live_server_url: str, graphql: GraphQL, tmp_path: Path, fmt: str
) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={NORTHWIND}")
    explorer.wait_for_account(NORTHWIND)
    explorer.click_item(VOICE)
    target = page.page.locator(f"[data-testid=export-target][data-root-id='{VOICE}']")
    target.wait_for(timeout=15_000)
    assert target.get_attribute("data-selected") == "true"
    assert target.inner_text().startswith("Export: subtree of Business Voice")

    filename, text = download_export(page, fmt, tmp_path)

    assert filename == f"{VOICE}.{EXPORT_EXTENSIONS[fmt]}"
    names, edges = subtree(graphql, VOICE)
    assert len(names) == 4, "the voice service and its three lines"
    parsed = parse_export(fmt, text)
    assert parsed.shown.keys() == names.keys()
    assert set(parsed.edges) == edges
    for item_id, name in names.items():
        assert name in parsed.shown[item_id], (item_id, parsed.shown[item_id])
    assert BUNDLE not in parsed.shown, "items outside the selected subtree are not exported"
    assert_stayed_local(page)


def test_with_nothing_selected_the_first_tree_is_exported(
    page: Any, live_server_url: str, graphql: GraphQL, tmp_path: Path
) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={NORTHWIND}")
    explorer.wait_for_account(NORTHWIND)
    account = graphql("query($id: ID!) { account(id: $id) { roots { id } } }", id=NORTHWIND)["account"]
    roots = [root["id"] for root in account["roots"]]
    assert len(roots) > 1
    target = page.page.locator("[data-testid=export-target]")
    assert target.get_attribute("data-root-id") == roots[0]
    assert target.get_attribute("data-selected") == "false"
    assert "(no item selected)" in target.inner_text()

    filename, text = download_export(page, "cytoscape_json", tmp_path)

    assert filename == f"{roots[0]}.cyjs"
    names, edges = subtree(graphql, roots[0])
    parsed = parse_export("cytoscape_json", text)
    assert parsed.shown == names
    assert set(parsed.edges) == edges
    assert not set(parsed.shown) & set(roots[1:])
    assert_stayed_local(page)


def test_ten_thousand_items_stay_responsive(
    page: Any, live_server_url: str, app_env: dict[str, str], screenshot_dir: Path
) -> None:
    # acc-syn-00001: one root, 100 children, 100 grandchildren each (10,101 items).
    run_cli(["generate", "--accounts", "1", "--depth", "3", "--width", "100", "--quiet", "--prefix", "syn"], app_env)
    explorer = ExplorerPage(page.page, live_server_url)

    started = time.monotonic()
    explorer.open("#account=acc-syn-00001")
    explorer.wait_for_account("acc-syn-00001")
    opened_in = time.monotonic() - started
    assert page.page.get_attribute("[data-testid=status]", "data-items") == "10101"
    items = explorer.drawn_items()
    assert len(items) <= 1 + 50, "only the first page of children is drawn"

    child = next(i for i, data in items.items() if data["collapsed"])
    started = time.monotonic()
    explorer.click_item(child)
    page.page.wait_for_function(
        "id => window.explorer.cy.getElementById(id).outgoers('node').length > 0", arg=child, timeout=30_000
    )
    opened_child_in = time.monotonic() - started

    page.page.screenshot(path=str(screenshot_dir / "explorer-10k.png"))
    assert opened_in < 30, f"opening 10,101 items took {opened_in:.1f}s"
    assert opened_child_in < 5, f"opening one item took {opened_child_in:.1f}s"
    assert_stayed_local(page)
