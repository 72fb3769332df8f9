"""The inventory explorer as the browser tests drive it: search, pick, click items, read the drawing."""

from __future__ import annotations

from typing import Any

DRAWN_TIMEOUT_MS = 30_000


class ExplorerPage:
    """One /explore page; reads the Cytoscape drawing through `window.explorer.cy`."""

    def __init__(self, page: Any, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self, fragment: str = "") -> ExplorerPage:
        self.page.goto(f"{self.base_url}/explore{fragment}")
        self.page.wait_for_function("document.body.dataset.ready === 'true'", timeout=DRAWN_TIMEOUT_MS)
        return self

    def pick_account(self, search: str, account_id: str) -> None:
        self.page.fill("#account-search", search)
        result = self.page.locator(f"[data-testid=account-result][data-account-id='{account_id}']")
        result.wait_for(timeout=DRAWN_TIMEOUT_MS)
        result.click()
        self.wait_for_account(account_id)

    def wait_for_account(self, account_id: str) -> None:
        self.page.wait_for_function(
            "id => window.explorer.model.account && window.explorer.model.account.id === id"
            " && window.explorer.cy.nodes('[kind = \"item\"]').length > 0",
            arg=account_id,
            timeout=DRAWN_TIMEOUT_MS,
        )

    def drawn_items(self) -> dict[str, dict[str, Any]]:
        """Every drawn inventory item's Cytoscape data, by id."""
        return self.page.evaluate(  # type: ignore[no-any-return]
            "() => Object.fromEntries(window.explorer.cy.nodes('[kind = \"item\"]').map(n => [n.id(), n.data()]))"
        )

    def timings(self) -> dict[str, Any]:
        """What the page measured: `firstPaint` (ms), and `expand`, `collapse`, `listExpand` figures."""
        return self.page.evaluate("() => JSON.parse(JSON.stringify(window.explorer.timings))")  # type: ignore[no-any-return]

    def wait_until_collapsed(self, item_id: str) -> None:
        self.page.wait_for_function(
            "id => window.explorer.cy.getElementById(id).data('collapsed') === true", arg=item_id,
            timeout=DRAWN_TIMEOUT_MS,
        )

    def drawn_edges(self) -> set[tuple[str, str]]:
        pairs = self.page.evaluate(
            "() => window.explorer.cy.edges('[kind = \"child\"]').map(e => [e.source().id(), e.target().id()])"
        )
        return {(source, target) for source, target in pairs}

    def click_item(self, item_id: str) -> None:
        """Click the item where it is drawn on the canvas, as a user would."""
        point = self.page.evaluate(
            """id => {
                const cy = window.explorer.cy;
                const node = cy.getElementById(id);
                if (node.empty()) return null;
                cy.center(node);
                const at = node.renderedPosition();
                const box = cy.container().getBoundingClientRect();
                return { x: box.left + at.x, y: box.top + at.y };
            }""",
            item_id,
        )
        assert point is not None, f"{item_id} is not drawn"
        self.page.mouse.click(point["x"], point["y"])

    def wait_until_drawn(self, item_id: str, drawn: bool = True) -> None:
        self.page.wait_for_function(
            "([id, drawn]) => window.explorer.cy.getElementById(id).nonempty() === drawn",
            arg=[item_id, drawn],
            timeout=DRAWN_TIMEOUT_MS,
        )

    def show_impact(self, order_id: str) -> dict[str, int]:
        """Type an order id, ask for its impact and return the summary's count per action."""
        self.page.fill("#order-id", order_id)
        self.page.click("#show-impact")
        summary = self.page.locator(f"[data-testid=impact-summary][data-order-id='{order_id}']")
        summary.wait_for(timeout=DRAWN_TIMEOUT_MS)
        rows = summary.locator("li[data-action]")
        return {
            rows.nth(i).get_attribute("data-action"): int(rows.nth(i).get_attribute("data-count"))
            for i in range(rows.count())
        }

    def open_order(self, account_id: str, order_id: str) -> Any:
        """Load the explorer afresh at an order's impact (the same URL again would only move to its
        fragment); answers the order panel."""
        self.page.goto("about:blank")
        self.open(f"#account={account_id}&order={order_id}")
        return self.order_panel(order_id)

    def order_panel(self, order_id: str) -> Any:
        """The order panel once it shows `order_id`."""
        panel = self.page.locator(f"[data-testid=impact-summary][data-order-id='{order_id}']")
        panel.wait_for(timeout=DRAWN_TIMEOUT_MS)
        return panel

    def order_task(self, task_id: str) -> Any:
        """A task's line in the order panel."""
        return self.page.locator(f"[data-testid=impact-summary] [data-testid=order-task][data-task-id='{task_id}']")
