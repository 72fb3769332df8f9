"""Both pages call the API as the caller the user picks (a demo persona) or pastes (a token)."""

from __future__ import annotations

from typing import Any

from tests.e2e.explorer_page import DRAWN_TIMEOUT_MS, ExplorerPage


def result_ids(page: Any) -> list[str]:
    return page.eval_on_selector_all("[data-testid=account-result]", "els => els.map(e => e.dataset.accountId)")


def test_the_explorer_searches_as_the_picked_persona(page: Any, live_server_url: str) -> None:
    explorer = ExplorerPage(page.page, live_server_url).open()
    browser_page = page.page
    labels = browser_page.eval_on_selector_all("#persona option", "els => els.map(e => e.textContent)")
    assert labels[0].startswith("Admin") and any("acc-northwind" in label for label in labels)

    browser_page.fill("#account-search", "acc")
    browser_page.wait_for_function("document.querySelectorAll('[data-testid=account-result]').length > 1",
                                   timeout=DRAWN_TIMEOUT_MS)
    customer = next(label for label in labels if "acc-northwind" in label)
    browser_page.select_option("#persona", label=customer)
    browser_page.wait_for_function("document.querySelectorAll('[data-testid=account-result]').length === 1",
                                   timeout=DRAWN_TIMEOUT_MS)
    assert result_ids(browser_page) == ["acc-northwind"]
    explorer.pick_account("northwind", "acc-northwind")
    assert explorer.drawn_items()

    browser_page.fill("#token", "not-a-token")
    browser_page.dispatch_event("#token", "change")
    browser_page.wait_for_selector("[data-testid=error]:not([hidden])", timeout=DRAWN_TIMEOUT_MS)
    assert "Invalid bearer token" in browser_page.inner_text("[data-testid=error]")
    assert not page.errors, page.errors


def test_graphiql_runs_queries_as_the_picked_persona(page: Any, live_server_url: str) -> None:
    browser_page = page.page
    browser_page.goto(f"{live_server_url}/graphql")
    browser_page.wait_for_selector(".graphiql-container", timeout=30_000)
    labels = browser_page.eval_on_selector_all("[data-testid=persona] option", "els => els.map(e => e.textContent)")
    contoso = next(label for label in labels if "acc-contoso" in label)
    browser_page.select_option("[data-testid=persona]", label=contoso)
    with browser_page.expect_response(
        lambda r: r.request.method == "POST" and "AccountTree" in (r.request.post_data or "")
    ) as answer:
        browser_page.click(".graphiql-execute-button")
    assert answer.value.request.headers["authorization"].startswith("Bearer ")
    assert answer.value.json()["data"]["account"] is None  # Northwind is not Contoso's
    assert not page.errors, page.errors
