"""GraphQL calls of R13 (fail, retry, skip, hold, resume, the queues) the fulfillment tests share."""

from __future__ import annotations

from typing import Any

from tests.api.lifecycle_steps import PAYLOAD, Payload, order_mutation
from tests.conftest import Api

TASK = (
    "id name state attempt ready failureReason failureCategory skipReason dueAt plannedStartAt jeopardy "
    "dependsOn { id name } blockedBy { id name } order { id fallout } "
    "history { fromState toState reason category attempt by }"
)


async def fail(api: Api, task_id: str, reason: str = "Activation timed out", category: str = "PROVISIONING") -> Payload:
    data = await api(
        f"mutation ($t: ID!, $r: String!, $c: FailureCategory!) {{ failOrderTask(taskId: $t, reason: $r, "
        f"category: $c) {{ {PAYLOAD} }} }}",
        t=task_id,
        r=reason,
        c=category,
    )
    return data["failOrderTask"]  # type: ignore[no-any-return]


async def retry(api: Api, task_id: str) -> Payload:
    return await order_mutation(api, "retryOrderTask", "taskId", task_id)


async def skip(api: Api, task_id: str, reason: str = "Done by hand in the network console") -> Payload:
    data = await api(
        f"mutation ($t: ID!, $r: String!) {{ skipOrderTask(taskId: $t, reason: $r) {{ {PAYLOAD} }} }}",
        t=task_id,
        r=reason,
    )
    return data["skipOrderTask"]  # type: ignore[no-any-return]


async def hold(api: Api, order_id: str, reason: str = "Customer asked to wait") -> Payload:
    data = await api(
        f"mutation ($o: ID!, $r: String!) {{ holdOrder(orderId: $o, reason: $r) {{ {PAYLOAD} }} }}",
        o=order_id,
        r=reason,
    )
    return data["holdOrder"]  # type: ignore[no-any-return]


async def resume(api: Api, order_id: str) -> Payload:
    return await order_mutation(api, "resumeOrder", "orderId", order_id)


async def task(api: Api, order_id: str, kind: str, name: str) -> dict[str, Any]:
    """One task of the order, with its readiness, dependencies, failure and history."""
    data = await api(
        f"query ($o: ID!) {{ order(id: $o) {{ domainOrders {{ kind tasks {{ {TASK} }} }} }} }}", o=order_id
    )
    domain = next(d for d in data["order"]["domainOrders"] if d["kind"] == kind)
    return next(t for t in domain["tasks"] if t["name"] == name)  # type: ignore[no-any-return]


async def fallout_queue(api: Api, **arguments: Any) -> dict[str, Any]:
    data = await api(
        "query ($first: Int, $after: String, $c: FailureCategory) { falloutTasks(first: $first, after: $after, "
        "category: $c) { totalCount edges { cursor node { id name failureCategory order { id } } } "
        "pageInfo { hasNextPage endCursor } } }",
        first=arguments.get("first"),
        after=arguments.get("after"),
        c=arguments.get("category"),
    )
    return data["falloutTasks"]  # type: ignore[no-any-return]
