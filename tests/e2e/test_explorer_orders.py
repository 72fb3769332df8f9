"""The explorer's order panel as a support agent reads it: a task in fallout with its reason and
category, an order on hold with the reason, tasks waiting on the tasks that block them, due dates and
jeopardy per task (R13); an order's versions with what each revision changed (R14), and its
follow-on orders, each a link to that order (R15). Every state is reached through the GraphQL API on
Fabrikam's inventory, which the other browser tests leave alone."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from service.clock import NOW_HEADER, TOKEN_HEADER
from tests.conftest import TEST_CLOCK_TOKEN
from tests.e2e.explorer_page import ExplorerPage

GraphQL = Callable[..., dict[str, Any]]
FABRIKAM = "acc-fabrikam"
CONNECTIVITY = "pi-fabrikam-4g-connectivity"  # dataAllowance 50 GB
BUNDLE = "pi-fabrikam-mbb"  # contractTerm 12 months
ROUTER = "pi-fabrikam-4g-router"  # model LR-200

ORDER = """id state version onHold holdReason fallout
  domainOrders { kind tasks { id name state ready plannedStartAt dueAt jeopardy failureReason failureCategory
                              blockedBy { id name } } }"""
PAYLOAD = f"order {{ {ORDER} }} errors {{ code message }}"


def ok(answer: dict[str, Any]) -> dict[str, Any]:
    """The payload's order, failing the test on any error."""
    payload = next(iter(answer.values()))
    assert payload["errors"] == [], payload["errors"]
    return payload["order"]  # type: ignore[no-any-return]


def tasks_of(order: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["id"]: {**t, "kind": d["kind"]} for d in order["domainOrders"] for t in d["tasks"]}


def task_named(order: dict[str, Any], kind: str, name: str) -> dict[str, Any]:
    return next(t for t in tasks_of(order).values() if (t["kind"], t["name"]) == (kind, name))


def create(graphql: GraphQL, action: str = "CHANGE", follows: str | None = None) -> str:
    answer = graphql(
        f"mutation($a: ID!, $act: OrderAction!, $f: ID) {{ createOrder(input: "
        f"{{accountId: $a, action: $act, followsOrderId: $f}}) {{ {PAYLOAD} }} }}",
        a=FABRIKAM, act=action, f=follows,
    )
    return str(ok(answer)["id"])


def add(graphql: GraphQL, order_id: str, item: str, name: str, value: str) -> dict[str, Any]:
    return ok(graphql(
        f"mutation($in: AddInventoryInput!) {{ addInventoryToOrder(input: $in) {{ {PAYLOAD} }} }}",
        **{"in": {"orderId": order_id, "inventoryIds": [item], "characteristics": [{"name": name, "value": value}]}},
    ))


def on_order(graphql: GraphQL, mutation: str, order_id: str, **extra: str) -> dict[str, Any]:
    """`mutation(orderId: …, <extra string arguments>)`, an OrderPayload mutation."""
    params = "".join(f", ${k}: String!" for k in extra)
    args = "".join(f", {k}: ${k}" for k in extra)
    return ok(graphql(f"mutation($o: ID!{params}) {{ {mutation}(orderId: $o{args}) {{ {PAYLOAD} }} }}",
                      o=order_id, **extra))


def running_change(graphql: GraphQL, item: str, name: str, value: str) -> str:
    order_id = create(graphql)
    add(graphql, order_id, item, name, value)
    on_order(graphql, "submitOrder", order_id)
    on_order(graphql, "approveOrder", order_id)
    return order_id


def read(graphql: GraphQL, order_id: str) -> dict[str, Any]:
    return graphql(f"query($id: ID!) {{ order(id: $id) {{ {ORDER} }} }}", id=order_id)["order"]  # type: ignore[no-any-return]


def test_fallout_hold_blocked_tasks_due_dates_and_jeopardy_are_shown(
    page: Any, live_server_url: str, graphql: GraphQL, screenshot_dir: Path
) -> None:
    order_id = running_change(graphql, CONNECTIVITY, "dataAllowance", "Unlimited")
    validate = task_named(read(graphql, order_id), "PRODUCT", "Validate order")
    failed = ok(graphql(
        f"mutation($t: ID!) {{ failOrderTask(taskId: $t, reason: \"Credit check unavailable\", "
        f"category: PROVISIONING) {{ {PAYLOAD} }} }}", t=validate["id"]))
    assert failed["fallout"] is True
    waiting = [t for t in tasks_of(failed).values() if t["state"] == "OPEN" and t["blockedBy"]]
    assert waiting, "some tasks wait for others"

    explorer = ExplorerPage(page.page, live_server_url)
    summary = explorer.open_order(FABRIKAM, order_id)
    assert "in fallout" in summary.locator("[data-testid=order-flags]").inner_text()
    fallout = summary.locator("[data-testid=order-fallout]").inner_text()
    assert "Validate order failed (PROVISIONING): Credit check unavailable" in fallout
    failed_line = explorer.order_task(validate["id"])
    assert failed_line.get_attribute("data-state") == "FAILED"
    failure = failed_line.locator("[data-testid=task-failure]")
    assert failure.get_attribute("data-category") == "PROVISIONING"
    assert "Credit check unavailable" in failure.inner_text()
    for task in waiting:
        line = explorer.order_task(task["id"])
        assert line.get_attribute("data-ready") == "false"
        blocked = line.locator("[data-testid=task-blocked-by]")
        assert set(blocked.get_attribute("data-task-ids").split()) == {b["id"] for b in task["blockedBy"]}
        assert f"blocked by {', '.join(b['name'] for b in task['blockedBy'])}" in blocked.inner_text()
    summary.locator("[data-testid=order-fallout]").evaluate("e => e.scrollIntoView({ block: 'start' })")
    page.page.screenshot(path=str(screenshot_dir / "explorer-order-fallout.png"))

    ok(graphql(f"mutation($t: ID!) {{ retryOrderTask(taskId: $t) {{ {PAYLOAD} }} }}", t=validate["id"]))
    held = on_order(graphql, "holdOrder", order_id, reason="Customer asked to wait for the new office")
    assert held["onHold"] is True

    summary = explorer.open_order(FABRIKAM, order_id)
    assert "on hold" in summary.locator("[data-testid=order-flags]").inner_text()
    assert summary.locator("[data-testid=order-fallout]").count() == 0, "the retried task is no longer fallout"
    hold = summary.locator("[data-testid=order-hold]").inner_text()
    assert "On hold: Customer asked to wait for the new office" in hold
    line = explorer.order_task(validate["id"])
    assert line.get_attribute("data-ready") == "false" and "order on hold" in line.inner_text()
    summary.locator("[data-testid=order-hold]").evaluate("e => e.scrollIntoView({ block: 'start' })")
    page.page.screenshot(path=str(screenshot_dir / "explorer-order-hold.png"))

    # Resumed, and read as the API answers a fortnight later (the test clock): open work is overdue.
    resumed = on_order(graphql, "resumeOrder", order_id)
    later = datetime.now(UTC) + timedelta(days=14)
    page.page.set_extra_http_headers({TOKEN_HEADER: TEST_CLOCK_TOKEN, NOW_HEADER: later.isoformat()})
    summary = explorer.open_order(FABRIKAM, order_id)
    open_tasks = [t for t in tasks_of(resumed).values() if t["state"] in ("OPEN", "IN_PROGRESS")]
    assert open_tasks
    for task in open_tasks:
        line = explorer.order_task(task["id"])
        assert line.locator("[data-testid=task-due]").get_attribute("data-due-at") == task["dueAt"]
        assert datetime.fromisoformat(task["dueAt"]) < later
        assert line.get_attribute("data-jeopardy") == "CRITICAL"
        assert line.locator("[data-testid=task-jeopardy]").inner_text() == "jeopardy CRITICAL"
    assert "jeopardy CRITICAL" in summary.locator("[data-testid=order-flags]").inner_text()
    # Read now, the same tasks are not in jeopardy: the page shows what the API says at its instant.
    page.page.set_extra_http_headers({})
    summary = explorer.open_order(FABRIKAM, order_id)
    assert explorer.order_task(open_tasks[0]["id"]).get_attribute("data-jeopardy") == "NONE"
    assert summary.locator("[data-testid=task-jeopardy]").count() == 0
    assert not page.errors, page.errors


REVISION = """pendingRevision { id version lines { id inventoryItem { id } } }
  revisions { id version state reason requestedBy linesAdded { lineId inventoryItemId }
              linesChanged { lineId inventoryItemId changes { field oldValue newValue } } }
  followOnOrders { id state } followsOrder { id }"""


def revisions_of(graphql: GraphQL, order_id: str) -> dict[str, Any]:
    return graphql(f"query($id: ID!) {{ order(id: $id) {{ id state {REVISION} }} }}", id=order_id)["order"]  # type: ignore[no-any-return]


def test_versions_revisions_and_follow_ons_are_shown_and_linked(
    page: Any, live_server_url: str, graphql: GraphQL, screenshot_dir: Path
) -> None:
    # A running change of the bundle's term, revised once (term changed again, router added) and
    # approved, then revised again and left open; a follow-on queued behind it for the router.
    order_id = running_change(graphql, BUNDLE, "contractTerm", "24 months")
    on_order(graphql, "reviseOrder", order_id, reason="36 months, and a newer router")
    pending = revisions_of(graphql, order_id)["pendingRevision"]
    bundle_line = next(ln["id"] for ln in pending["lines"] if ln["inventoryItem"]["id"] == BUNDLE)
    ok(graphql(f"mutation($in: UpdateOrderLineInput!) {{ updateOrderLine(input: $in) {{ {PAYLOAD} }} }}",
               **{"in": {"lineId": bundle_line, "characteristics": [{"name": "contractTerm", "value": "36 months"}]}}))
    add(graphql, order_id, ROUTER, "model", "LR-300")
    on_order(graphql, "submitOrder", order_id)
    assert on_order(graphql, "approveOrder", order_id)["version"] == 2
    follow_on = create(graphql, follows=order_id)
    add(graphql, follow_on, ROUTER, "model", "LR-200")
    assert on_order(graphql, "submitOrder", follow_on)["state"] == "QUEUED"
    on_order(graphql, "reviseOrder", order_id, reason="second thoughts on the router")
    answer = revisions_of(graphql, order_id)
    assert answer["state"] == "REVISION_IN_PROGRESS"
    first, second = answer["revisions"]
    assert [c["inventoryItemId"] for c in first["linesAdded"]] == [ROUTER]
    (changed,) = first["linesChanged"]

    # The account's order picker shows both, with their states and what the follow-on follows.
    explorer = ExplorerPage(page.page, live_server_url).open(f"#account={FABRIKAM}")
    explorer.wait_for_account(FABRIKAM)
    pick = page.page.locator(f"[data-testid=order-pick][data-order-id='{order_id}']")
    queued = page.page.locator(f"[data-testid=order-pick][data-order-id='{follow_on}']")
    assert pick.get_attribute("data-state") == "REVISION_IN_PROGRESS"
    assert "REVISION_IN_PROGRESS · v2" in pick.inner_text()
    assert queued.get_attribute("data-state") == "QUEUED"
    assert queued.get_attribute("data-follows") == order_id
    assert f"follows {order_id}" in queued.inner_text()

    pick.click()
    summary = explorer.order_panel(order_id)
    assert summary.locator("[data-testid=order-version]").get_attribute("data-version") == "2"
    shown = summary.locator("[data-testid=order-revision]")
    assert [(shown.nth(i).get_attribute("data-version"), shown.nth(i).get_attribute("data-state"))
            for i in range(shown.count())] == [("2", "APPROVED"), ("3", "DRAFT")]
    approved = shown.nth(0)
    assert "36 months, and a newer router" in approved.inner_text()
    assert f"asked by {first['requestedBy']}" in approved.inner_text()
    added = approved.locator("[data-testid=revision-change][data-kind=added]")
    assert added.get_attribute("data-item-id") == ROUTER
    assert "LR-300" in added.locator("[data-testid=revision-field][data-field='characteristics.model']").inner_text()
    change = approved.locator("[data-testid=revision-change][data-kind=changed]")
    assert change.get_attribute("data-line-id") == changed["lineId"]
    values = change.locator("[data-testid=revision-field]")
    assert [(values.nth(i).get_attribute("data-field"), values.nth(i).get_attribute("data-old"),
             values.nth(i).get_attribute("data-new")) for i in range(values.count())] == [
        (c["field"], c["oldValue"] or "", c["newValue"] or "") for c in changed["changes"]]
    assert ("characteristics.contractTerm", "24 months", "36 months") in [
        (c["field"], c["oldValue"], c["newValue"]) for c in changed["changes"]]
    assert "characteristics.contractTerm: 24 months → 36 months" in change.inner_text()
    assert "second thoughts on the router" in shown.nth(1).inner_text()
    link = summary.locator(f"[data-testid=order-follow-on][data-order-id='{follow_on}']")
    assert link.get_attribute("data-state") == "QUEUED"
    summary.locator("[data-testid=order-revisions]").evaluate("e => e.scrollIntoView({ block: 'start' })")
    page.page.screenshot(path=str(screenshot_dir / "explorer-order-revisions.png"))

    # The follow-on opens from the link and links back to the order it follows.
    link.click()
    summary = explorer.order_panel(follow_on)
    assert f"order={follow_on}" in page.page.evaluate("() => location.hash")
    back = summary.locator(f"[data-testid=order-follows-link][data-order-id='{order_id}']")
    assert "waits until that order completes" in summary.locator("[data-testid=order-follows]").inner_text()
    assert summary.locator("[data-testid=order-version]").get_attribute("data-version") == "1"
    back.click()
    explorer.order_panel(order_id)
    assert not page.errors, page.errors


def test_a_task_waiting_for_the_requested_start_says_from_when_it_may_start(
    page: Any, live_server_url: str, graphql: GraphQL
) -> None:
    start = (datetime.now(UTC) + timedelta(days=30)).date()
    answer = graphql(
        f"mutation($a: ID!, $s: Date!) {{ createOrder(input: {{accountId: $a, action: RESUME, "
        f"requestedStartDate: $s}}) {{ {PAYLOAD} }} }}", a=FABRIKAM, s=start.isoformat())
    order_id = str(ok(answer)["id"])
    ok(graphql(f"mutation($in: AddInventoryInput!) {{ addInventoryToOrder(input: $in) {{ {PAYLOAD} }} }}",
               **{"in": {"orderId": order_id, "inventoryIds": ["pi-fabrikam-internet"]}}))
    on_order(graphql, "submitOrder", order_id)
    approved = on_order(graphql, "approveOrder", order_id)
    first = next(t for t in tasks_of(approved).values() if t["state"] == "OPEN" and not t["blockedBy"])
    assert first["ready"] is False

    line = ExplorerPage(page.page, live_server_url).open_order(FABRIKAM, order_id)
    shown = line.locator(f"[data-testid=order-task][data-task-id='{first['id']}']")
    assert shown.get_attribute("data-ready") == "false"
    waits = shown.locator("[data-testid=task-start]")
    assert waits.get_attribute("data-planned-start-at") == first["plannedStartAt"]
    assert datetime.fromisoformat(first["plannedStartAt"]).date() >= start
    assert waits.inner_text().startswith("may start from ")
    assert shown.locator("[data-testid=task-blocked-by]").count() == 0
    assert not page.errors, page.errors
