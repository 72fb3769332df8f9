"""The explorer as a support agent uses it all day: a readable Fit in both directions, find, state
filter, minimap, orders picked from the account with a before/after impact, move copies, tasks,
the URL with Back/Forward, keyboard navigation and the whole account's export."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx

from tests.e2e.explorer_page import DRAWN_TIMEOUT_MS, ExplorerPage

GraphQL = Callable[..., dict[str, Any]]
CONTOSO = "acc-contoso"
MIN_RENDERED_FONT = 8
FONT_SIZE = 12


def open_everything(explorer: ExplorerPage) -> None:
    """Press "Open one more level" until nothing drawn is closed."""
    for _ in range(6):
        if not any(d["collapsed"] for d in explorer.drawn_items().values()):
            return
        explorer.page.click("#expand-level")
        explorer.page.wait_for_function("() => !document.querySelector('#status').textContent.includes('Loading')")
    raise AssertionError("items stayed closed")


def viewport_report(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const cy = window.explorer.cy;
            const outside = cy.nodes().filter(n => {
                const b = n.renderedBoundingBox();
                return b.x1 < -1 || b.y1 < -1 || b.x2 > cy.width() + 1 || b.y2 > cy.height() + 1;
            }).map(n => n.id());
            return { zoom: cy.zoom(), outside, drawn: cy.nodes().length };
        }"""
    )


def test_fit_shows_every_drawn_node_with_readable_labels(page: Any, live_server_url: str, screenshot_dir: Path) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    open_everything(explorer)
    assert len(explorer.drawn_items()) == 25, "the demo's 25-item account, every item drawn"

    page.page.click("#fit")
    report = viewport_report(page.page)
    assert report["outside"] == [], f"Fit left {report['outside']} off-screen"
    assert report["zoom"] * FONT_SIZE >= MIN_RENDERED_FONT, f"labels drawn at {report['zoom'] * FONT_SIZE:.1f} px"
    page.page.screenshot(path=str(screenshot_dir / "explorer-tree.png"))

    # Top-down the same tree is too wide to fit readable: Fit zooms to the selection instead and says so.
    explorer.click_item("pi-contoso-site-glasgow")
    page.page.check("[data-testid=direction-tb]")
    page.page.click("#fit")
    report = viewport_report(page.page)
    assert report["zoom"] * FONT_SIZE >= MIN_RENDERED_FONT - 0.01
    if report["outside"]:
        notice = page.page.locator("[data-testid=notice]")
        assert f"{len(report['outside'])} of" in notice.inner_text()
        assert "pi-contoso-site-glasgow" not in report["outside"], "the selection stays in view"
    page.page.screenshot(path=str(screenshot_dir / "explorer-top-down.png"))
    assert not page.errors, page.errors


def test_find_highlights_and_reveals_hits_by_name_id_or_value(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    deep = page.page.evaluate("() => [...window.explorer.model.nodes.values()].length")
    assert deep < 25, "only the first levels are loaded before anything is found"

    target = "pi-contoso-edge-license-glasgow"
    page.page.fill("#item-search", target)
    page.page.click("#find")
    page.page.wait_for_function("id => window.explorer.cy.getElementById(id).data('hit') === true", arg=target,
                                timeout=DRAWN_TIMEOUT_MS)
    hits = page.page.locator("[data-testid=find-result]")
    assert hits.first.get_attribute("data-item-id") == target
    report = viewport_report(page.page)
    assert target not in report["outside"], "the hit is brought into view"
    page.page.wait_for_function("id => location.hash.includes('item=' + id)", arg=target)
    assert not page.errors, page.errors


def test_hide_inactive_leaves_out_what_is_gone(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open("#account=acc-tailspin")
    explorer.wait_for_account("acc-tailspin")
    inactive = [i for i, d in explorer.drawn_items().items() if d["state"] == "INACTIVE"]
    assert inactive == ["pi-tailspin-4g-router"]
    page.page.check("[data-testid=hide-inactive]")
    explorer.wait_until_drawn("pi-tailspin-4g-router", drawn=False)
    assert "hide=INACTIVE" in page.page.evaluate("() => location.hash")
    page.page.uncheck("[data-testid=hide-inactive]")
    explorer.wait_until_drawn("pi-tailspin-4g-router")


def test_the_minimap_shows_the_view_and_moves_it(page: Any, live_server_url: str, screenshot_dir: Path) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    open_everything(explorer)
    page.page.check("[data-testid=direction-tb]")
    minimap = page.page.locator("[data-testid=minimap]")
    minimap.wait_for()
    before = page.page.evaluate("() => window.explorer.cy.pan()")
    box = minimap.bounding_box()
    assert box is not None
    page.page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
    after = page.page.evaluate("() => window.explorer.cy.pan()")
    assert after != before, "clicking the minimap moves the view"
    page.page.screenshot(path=str(screenshot_dir / "explorer-minimap.png"))


def capture_move(graphql: GraphQL, account: str) -> tuple[str, str, str]:
    """An approved MOVE of the account's first root to a new location made with createLocation."""
    roots = graphql("query($id: ID!) { account(id: $id) { roots { id } } }", id=account)["account"]["roots"]
    root = roots[0]["id"]
    location = graphql(
        """mutation($a: ID!) { createLocation(input: {accountId: $a, name: "New depot", city: "Cork"}) {
             location { id } errors { code } } }""", a=account)["createLocation"]["location"]["id"]
    order = graphql("""mutation($a: ID!) { createOrder(input: {accountId: $a, action: MOVE}) { order { id } } }""",
                    a=account)["createOrder"]["order"]["id"]
    for mutation, variables in (
        ("mutation($o: ID!, $r: ID!, $l: ID!) { addInventoryToOrder(input: {orderId: $o, inventoryIds: [$r], "
         "targetLocationId: $l}) { errors { code message } } }", {"o": order, "r": root, "l": location}),
        ("mutation($o: ID!) { submitOrder(orderId: $o) { errors { code message } } }", {"o": order}),
        ("mutation($o: ID!) { approveOrder(orderId: $o) { errors { code message } } }", {"o": order}),
    ):
        answer = next(iter(graphql(mutation, **variables).values()))
        assert answer["errors"] == [], answer["errors"]
    return order, root, location


def test_orders_are_picked_from_the_account_with_impact_before_and_after_and_move_copies(
    page: Any, live_server_url: str, graphql: GraphQL, screenshot_dir: Path
) -> None:
    order_id, root, _ = capture_move(graphql, "acc-adatum")
    explorer = ExplorerPage(page.page, live_server_url).open("#account=acc-adatum")
    explorer.wait_for_account("acc-adatum")
    pick = page.page.locator(f"[data-testid=order-pick][data-order-id='{order_id}']")
    pick.click()
    page.page.locator(f"[data-testid=impact-summary][data-order-id='{order_id}']").wait_for(timeout=DRAWN_TIMEOUT_MS)

    items = explorer.drawn_items()
    assert items[root]["impact"] == "CHANGE" and items[root]["move"] is True
    copies = page.page.evaluate(
        "() => window.explorer.cy.edges('[kind = \"replaces\"]').map(e => [e.source().id(), e.target().id()])"
    )
    copy_of = {old: copy for copy, old in copies}
    assert root in copy_of, "the root's copy at the new location is drawn, linked to the item it replaces"
    report = viewport_report(page.page)
    impacted = [i for i, d in items.items() if d.get("impact")]
    assert not set(impacted) & set(report["outside"]), "impacted items are brought into view"
    tasks = page.page.locator("[data-testid=order-task]")
    assert tasks.count() > 0
    assert {tasks.nth(i).get_attribute("data-state") for i in range(tasks.count())} <= {"OPEN", "IN_PROGRESS"}
    page.page.screenshot(path=str(screenshot_dir / "explorer-impact-before.png"))

    assert items[root]["state"] == "CHANGE_PENDING"
    page.page.check("[data-testid=impact-after]")
    page.page.wait_for_function("id => window.explorer.cy.getElementById(id).data('state') === 'ACTIVE'", arg=root)
    assert "phase=after" in page.page.evaluate("() => location.hash")
    page.page.screenshot(path=str(screenshot_dir / "explorer-impact-after.png"))
    assert not page.errors, page.errors


def test_the_url_says_what_is_shown_and_back_and_forward_work(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    explorer.click_item("pi-contoso-site-leeds")
    page.page.wait_for_function("() => location.hash.includes('item=pi-contoso-site-leeds')")
    explorer.pick_account("Tailspin", "acc-tailspin")
    page.page.wait_for_function("() => location.hash.includes('account=acc-tailspin')")

    page.page.go_back()
    explorer.wait_for_account(CONTOSO)
    page.page.wait_for_function("() => window.explorer.view.selected === 'pi-contoso-site-leeds'")
    page.page.go_forward()
    explorer.wait_for_account("acc-tailspin")

    # A pasted link opens the same view in a fresh page.
    explorer.open(f"#account={CONTOSO}&item=pi-contoso-edge-glasgow&view=list")
    page.page.wait_for_function("() => window.explorer.view.selected === 'pi-contoso-edge-glasgow'")
    assert page.page.is_visible("[data-testid=list]")
    page.page.locator("[data-testid=list-row][data-id='pi-contoso-edge-glasgow'][aria-selected=true]").wait_for()
    assert not page.errors, page.errors


def test_the_tree_is_navigated_with_the_keyboard(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    page.page.focus("#tree")
    selected = lambda: page.page.evaluate("() => window.explorer.view.selected")  # noqa: E731
    page.page.keyboard.press("Home")
    page.page.wait_for_function("() => window.explorer.view.selected !== null")
    assert selected() == page.page.evaluate("() => window.explorer.model.roots[0]")
    root = "pi-contoso-sdwan"
    explorer.click_item(root)
    page.page.wait_for_function("r => window.explorer.view.selected === r", arg=root)
    page.page.focus("#tree")
    page.page.keyboard.press("ArrowRight")  # the root is open: go to its first child
    page.page.wait_for_function("r => window.explorer.view.selected !== r", arg=root)
    first_child = selected()
    assert page.page.evaluate("id => window.explorer.model.parent.get(id)", first_child) == root
    page.page.keyboard.press("ArrowDown")
    page.page.wait_for_function("c => window.explorer.view.selected !== c", arg=first_child)
    second = selected()
    assert page.page.evaluate("id => window.explorer.model.parent.get(id)", second) == root
    page.page.keyboard.press("ArrowRight")  # open the site
    page.page.wait_for_function("id => window.explorer.view.expanded.has(id)", arg=second)
    page.page.keyboard.press("ArrowLeft")  # fold it again
    page.page.wait_for_function("id => !window.explorer.view.expanded.has(id)", arg=second)
    page.page.keyboard.press("ArrowLeft")  # then up to the parent
    page.page.wait_for_function("r => window.explorer.view.selected === r", arg=root)


def test_the_whole_account_is_exported(page: Any, live_server_url: str, graphql: GraphQL, tmp_path: Path) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={CONTOSO}")
    explorer.wait_for_account(CONTOSO)
    with page.page.expect_download() as download_info:
        page.page.click("[data-testid=export-account-graphml]")
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.name == f"{CONTOSO}.graphml"
    exported = nx.read_graphml(io.BytesIO(path.read_bytes()))
    roots = graphql("query($id: ID!) { account(id: $id) { roots { id } } }", id=CONTOSO)["account"]["roots"]
    expected: set[str] = set()
    for r in roots:
        tree = graphql("query($r: ID!) { inventoryTree(rootId: $r) { nodes { id } } }", r=r["id"])
        expected |= {n["id"] for n in tree["inventoryTree"]["nodes"]}
    assert set(exported.nodes) == expected
    assert all("label" in data for _, data in exported.nodes(data=True)), "yEd labels on every node"
