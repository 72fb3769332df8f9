"""The installed base stays true through GraphQL: line edits cascade, submission and approval refuse
trees that leave live items under what an order ends, and bundle minimums hold across orders."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph.driver import Graph
from tests.api.lifecycle_steps import approve, close_all_tasks, items, ok, write
from tests.api.orders import (
    add_inventory,
    add_product,
    codes,
    get_order,
    lines_by_item,
    new_order,
    submit,
    update_line,
)
from tests.builders import account, document, item, load, spec
from tests.conftest import Api

SPECS = [
    spec("s-bundle", bundles=[("s-core", 1, 1), ("s-access", 0, 1), ("s-addon", 0, 2)]),
    spec("s-core"),
    spec("s-access", bundles=[("s-port", 0, 5)]),
    spec("s-port"),
    spec("s-addon"),
    spec("s-hub", bundles=[("s-link", 1, 2)]),
    spec("s-link"),
]


def bundle(prefix: str) -> dict:
    return item(
        prefix, "s-bundle",
        item(f"{prefix}-core", "s-core"),
        item(f"{prefix}-access", "s-access", item(f"{prefix}-port-1", "s-port"), item(f"{prefix}-port-2", "s-port")),
        item(f"{prefix}-addon", "s-addon"),
    )


@pytest.fixture
async def base(clean_graph: Graph) -> Graph:
    await load(clean_graph, document(
        SPECS,
        account("acc-1", bundle("r1"), item("hub", "s-hub", item("link-1", "s-link"), item("link-2", "s-link")),
                locations=("loc-a", "loc-b")),
    ))
    return clean_graph


class TestEditingToDisconnectCascades:
    async def test_in_a_change_order_the_subtree_follows_and_completion_leaves_nothing_live(
        self, base: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        access_line = lines_by_item(ok(await add_inventory(api, order_id, "r1-access")))["r1-access"]

        edited = ok(await update_line(api, access_line["id"], action="DISCONNECT"))

        lines = lines_by_item(edited)
        assert {i: ln["action"] for i, ln in lines.items()} == {
            "r1-access": "DISCONNECT", "r1-port-1": "DISCONNECT", "r1-port-2": "DISCONNECT",
        }
        assert lines["r1-port-1"]["parentLine"]["id"] == access_line["id"]
        ok(await submit(api, order_id))
        ok(await approve(api, order_id))
        await close_all_tasks(api, order_id)
        found = await items(api, "r1-access", "r1-port-1", "r1-port-2")
        assert {i: x["state"] for i, x in found.items()} == dict.fromkeys(found, "INACTIVE")

    async def test_in_a_move_order_the_subtree_gets_flagged_disconnect_lines(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "MOVE")
        moved = lines_by_item(ok(await add_inventory(api, order_id, "r1", target="loc-b")))

        edited = lines_by_item(ok(await update_line(api, moved["r1-access"]["id"], action="DISCONNECT")))

        for item_id in ("r1-access", "r1-port-1", "r1-port-2"):
            assert edited[item_id]["action"] == "DISCONNECT"
            assert edited[item_id]["moveOperation"] is True
            assert edited[item_id]["targetLocation"] == {"id": "loc-b"}
        ok(await submit(api, order_id))

    async def test_a_required_child_edited_to_disconnect_is_refused(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        line = lines_by_item(ok(await add_inventory(api, order_id, "r1-core")))["r1-core"]

        refused = await update_line(api, line["id"], action="DISCONNECT")

        assert codes(refused) == ["REQUIRED_CHILD"] and refused["errors"][0]["ids"] == ["r1-core", "r1"]

    async def test_a_line_covered_by_an_ancestors_disconnect_cannot_change_action(
        self, base: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        lines = lines_by_item(ok(await add_inventory(api, order_id, "r1-addon", line_action="DISCONNECT")))
        lines = lines_by_item(ok(await add_inventory(api, order_id, "r1-access")))
        # the access line is CHANGE; disconnecting the bundle covers it
        refused_parent = await add_inventory(api, order_id, "r1", line_action="DISCONNECT")
        lines = lines_by_item(ok(refused_parent))
        assert lines["r1-access"]["action"] == "DISCONNECT"

        refused = await update_line(api, lines["r1-port-1"]["id"], action="CHANGE")

        assert codes(refused) == ["COVERED_BY_ANCESTOR"]
        assert refused["errors"][0]["ids"] == [lines["r1-port-1"]["id"], lines["r1-access"]["id"]]
        refused = await update_line(api, lines["r1-access"]["id"], action="NO_CHANGE")
        assert codes(refused) == ["COVERED_BY_ANCESTOR"]
        assert refused["errors"][0]["ids"] == [lines["r1-access"]["id"], lines["r1"]["id"]]


class TestSubmissionAndApprovalGuardTheResultingTree:
    """Whatever path built the lines (here: lines removed behind the API), the last checks refuse."""

    async def test_submission_names_every_item_left_live_under_a_disconnect(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        ok(await add_inventory(api, order_id, "r1-access", line_action="DISCONNECT"))
        ok(await add_inventory(api, order_id, "r1-addon"))
        await write(base, "MATCH (l:OrderLine)-[:TARGETS]->(p) WHERE p.id STARTS WITH 'r1-port' "
                          "REMOVE p.openOrderId DETACH DELETE l")

        refused = await submit(api, order_id)

        assert codes(refused) == ["LIVE_UNDER_INACTIVE"]
        assert sorted(refused["errors"][0]["ids"]) == ["r1-port-1", "r1-port-2"]
        assert (await get_order(api, order_id))["state"] == "DRAFT"
        await write(base, "MATCH (o:CustomerOrder {id: $id})-[:HAS_LINE]->(l)-[:TARGETS]->(p) "
                          "REMOVE p.openOrderId DETACH DELETE l", id=order_id)

    async def test_approval_refuses_too(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        ok(await add_inventory(api, order_id, "r1-access", line_action="DISCONNECT"))
        ok(await add_inventory(api, order_id, "r1-addon"))
        ok(await submit(api, order_id))
        await write(base, "MATCH (l:OrderLine)-[:TARGETS]->(p) WHERE p.id = 'r1-port-2' "
                          "REMOVE p.openOrderId DETACH DELETE l")

        refused = await approve(api, order_id)

        assert codes(refused) == ["LIVE_UNDER_INACTIVE"] and refused["errors"][0]["ids"] == ["r1-port-2"]
        found = await items(api, "r1-access")
        assert found["r1-access"]["state"] == "ACTIVE"
        await write(base, "MATCH (o:CustomerOrder {id: $id})-[:HAS_LINE]->(l)-[:TARGETS]->(p) "
                          "REMOVE p.openOrderId DETACH DELETE l", id=order_id)


class TestMinimumCardinalityAcrossOrders:
    async def test_the_second_order_taking_the_last_required_child_is_refused(self, base: Graph, api: Api) -> None:
        first = await new_order(api, "acc-1", "DISCONNECT")
        ok(await add_inventory(api, first, "link-1"))
        second = await new_order(api, "acc-1", "DISCONNECT")

        refused = await add_inventory(api, second, "link-2")

        assert codes(refused) == ["REQUIRED_CHILD"] and refused["errors"][0]["ids"] == ["link-2", "hub"]

    async def test_two_concurrent_orders_exactly_one_wins(self, base: Graph, api: Api) -> None:
        first = await new_order(api, "acc-1", "DISCONNECT")
        second = await new_order(api, "acc-1", "DISCONNECT")

        results = await asyncio.gather(add_inventory(api, first, "link-1"), add_inventory(api, second, "link-2"))

        assert sorted(codes(r) for r in results) == [[], ["REQUIRED_CHILD"]]

    async def test_approval_rechecks_the_minimum(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "DISCONNECT")
        ok(await add_inventory(api, order_id, "link-1"))
        ok(await submit(api, order_id))
        await write(base, "MATCH (p:ProductInventory {id: 'link-2'}) SET p.state = 'INACTIVE'")

        refused = await approve(api, order_id)

        assert codes(refused) == ["REQUIRED_CHILD"] and refused["errors"][0]["ids"] == ["link-1", "hub"]
        await write(base, "MATCH (p:ProductInventory {id: 'link-2'}) SET p.state = 'ACTIVE'")

    async def test_a_new_bundle_without_its_required_children_is_refused_at_submission(
        self, base: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-1", "ADD")
        added = ok(await add_product(api, order_id, "s-bundle", location="loc-a"))
        bundle_line = added["lines"][0]["id"]

        refused = await submit(api, order_id)

        assert codes(refused) == ["REQUIRED_CHILD"]
        assert refused["errors"][0]["ids"] == [bundle_line, "s-core"]
        new_item = added["lines"][0]["inventoryItem"]["id"]
        ok(await add_product(api, order_id, "s-core", parent=new_item))
        ok(await submit(api, order_id))


class TestWhatAChangeLineSaysIsWhatCompletionDoes:
    async def test_a_change_with_a_target_location_relocates_the_item_with_history(
        self, base: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        ok(await add_inventory(api, order_id, "r1-addon", target="loc-b"))
        ok(await submit(api, order_id))
        ok(await approve(api, order_id))
        await close_all_tasks(api, order_id)

        assert (await items(api, "r1-addon"))["r1-addon"]["location"] == {"id": "loc-b"}
        data = await api('query { inventoryHistory(id: "r1-addon") { field fromValue toValue } }')
        assert {"field": "location", "fromValue": "loc-a", "toValue": "loc-b"} in data["inventoryHistory"]

    async def test_two_values_for_one_characteristic_are_invalid_input(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "CHANGE")
        twice = [{"name": "speed", "value": "1"}, {"name": "speed", "value": "2"}]

        refused = await add_inventory(api, order_id, "r1-addon", characteristics=twice)

        assert "INVALID_INPUT" in codes(refused)
        duplicate = next(e for e in refused["errors"] if e["ids"] == ["speed"])
        assert duplicate["field"] == "characteristics" and "more than once" in duplicate["message"]
        line = lines_by_item(ok(await add_inventory(api, order_id, "r1-addon")))["r1-addon"]
        refused = await update_line(api, line["id"], characteristics=twice)
        assert any(e["ids"] == ["speed"] for e in refused["errors"])


class TestMovesCanBringNewEquipment:
    async def test_a_product_added_to_a_move_arrives_at_the_target_under_the_moved_item(
        self, base: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-1", "MOVE")
        moved = lines_by_item(ok(await add_inventory(api, order_id, "r1", target="loc-b")))

        added = ok(await add_product(api, order_id, "s-addon", parent="r1"))

        add_line = next(ln for ln in added["lines"] if ln["action"] == "ADD")
        assert add_line["moveOperation"] is True and add_line["targetLocation"] == {"id": "loc-b"}
        assert add_line["parentLine"]["id"] == moved["r1"]["id"]
        new_item = add_line["inventoryItem"]["id"]
        assert (await items(api, new_item))[new_item]["location"] == {"id": "loc-b"}
        ok(await submit(api, order_id))
        ok(await approve(api, order_id))
        await close_all_tasks(api, order_id)
        found = (await items(api, new_item))[new_item]
        assert found["state"] == "ACTIVE" and found["location"] == {"id": "loc-b"}
        assert found["parent"]["id"] != "r1"  # under the copy of r1 at the new site
        copy = (await items(api, found["parent"]["id"]))[found["parent"]["id"]]
        assert copy["state"] == "ACTIVE" and copy["location"] == {"id": "loc-b"}

    async def test_only_under_a_moved_item(self, base: Graph, api: Api) -> None:
        order_id = await new_order(api, "acc-1", "MOVE")
        ok(await add_inventory(api, order_id, "r1", target="loc-b"))

        refused = await add_product(api, order_id, "s-link", parent="hub")
        assert any(e["code"] == "INVALID_INPUT" and e["ids"] == ["hub"] for e in refused["errors"])
        assert codes(await add_product(api, order_id, "s-addon", parent="r1", location="loc-a")) == ["INVALID_INPUT"]


class TestAddedProductsRespectTheDepthBound:
    async def test_at_the_bound_and_one_past_it(self, clean_graph: Graph, api: Api) -> None:
        depth = 64  # the default bound: an item sits at most 64 levels below its root
        specs = [spec(f"s-l{d}", bundles=[(f"s-l{d + 1}", 0, 2)]) for d in range(depth + 1)] + [spec(f"s-l{depth + 1}")]
        chain = item(f"deep-{depth - 1}", f"s-l{depth - 1}")
        for level in range(depth - 2, -1, -1):
            chain = item(f"deep-{level}", f"s-l{level}", chain)
        await load(clean_graph, document(specs, account("acc-deep", chain)))

        order_id = await new_order(api, "acc-deep", "CHANGE")
        at_bound = ok(await add_product(api, order_id, f"s-l{depth}", parent=f"deep-{depth - 1}"))
        new_item = next(ln for ln in at_bound["lines"] if ln["action"] == "ADD")["inventoryItem"]["id"]

        refused = await add_product(api, order_id, f"s-l{depth + 1}", parent=new_item)

        assert codes(refused) == ["DEPTH_EXCEEDED"] and refused["errors"][0]["ids"] == [new_item]


VERSIONED = [
    {**spec("v-bundle", bundles=[("v-leaf", 0, 2)]), "version": "1"},
    spec("v-leaf"),
    spec("v-extra"),
]
VERSION_2 = {**spec("v-bundle", bundles=[("v-leaf", 0, 1), ("v-extra", 0, 1)]), "version": "2"}


class TestSpecificationVersions:
    @pytest.fixture
    async def versioned(self, clean_graph: Graph) -> Graph:
        tree = item("v-root", "v-bundle", item("v-leaf-1", "v-leaf"), item("v-leaf-2", "v-leaf"))
        await load(clean_graph, document(VERSIONED, account("acc-v", tree)))
        await load(clean_graph, document([VERSION_2, spec("v-leaf"), spec("v-extra")], account("acc-v")))
        return clean_graph

    async def test_the_api_shows_versions_and_items_keep_the_rules_of_theirs(
        self, versioned: Graph, api: Api
    ) -> None:
        data = await api('query { inventoryItem(id: "v-root") { specificationVersion '
                         'specification { version versions } } }')
        assert data["inventoryItem"] == {
            "specificationVersion": "1", "specification": {"version": "2", "versions": ["1", "2"]},
        }
        order_id = await new_order(api, "acc-v", "CHANGE")
        # version 1 does not bundle v-extra (the newest does)
        assert codes(await add_product(api, order_id, "v-extra", parent="v-root")) == ["SPEC_NOT_ALLOWED"]

    async def test_a_change_line_moves_an_item_to_another_version_checked_against_its_bundles(
        self, versioned: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-v", "CHANGE")
        data = await api(
            "mutation ($in: AddInventoryInput!) { addInventoryToOrder(input: $in) { errors { code ids } } }",
            **{"in": {"orderId": order_id, "inventoryIds": ["v-root"], "specificationVersion": "2"}},
        )
        assert [e["code"] for e in data["addInventoryToOrder"]["errors"]] == ["CARDINALITY_EXCEEDED"]
        data = await api(
            "mutation ($in: AddInventoryInput!) { addInventoryToOrder(input: $in) { errors { code ids } } }",
            **{"in": {"orderId": order_id, "inventoryIds": ["v-root"], "specificationVersion": "9"}},
        )
        assert [e["code"] for e in data["addInventoryToOrder"]["errors"]] == ["NOT_FOUND"]

        ok(await add_inventory(api, order_id, "v-leaf-2", line_action="DISCONNECT"))
        root_line = lines_by_item(ok(await add_inventory(api, order_id, "v-root")))["v-root"]
        data = await api(
            "mutation ($in: UpdateOrderLineInput!) { updateOrderLine(input: $in) { errors { code } "
            "order { lines { id specificationVersion } } } }",
            **{"in": {"lineId": root_line["id"], "specificationVersion": "2"}},
        )
        payload = data["updateOrderLine"]
        assert payload["errors"] == []
        assert {"id": root_line["id"], "specificationVersion": "2"} in payload["order"]["lines"]
        ok(await submit(api, order_id))
        ok(await approve(api, order_id))
        await close_all_tasks(api, order_id)

        data = await api('query { inventoryItem(id: "v-root") { specificationVersion } '
                         'inventoryHistory(id: "v-root") { field fromValue toValue } }')
        assert data["inventoryItem"]["specificationVersion"] == "2"
        assert {"field": "specificationVersion", "fromValue": "1", "toValue": "2"} in data["inventoryHistory"]

    async def test_products_added_under_an_item_follow_the_version_its_line_moves_it_to(
        self, versioned: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-v", "CHANGE")
        ok(await add_inventory(api, order_id, "v-leaf-2", line_action="DISCONNECT"))
        root_line = lines_by_item(ok(await add_inventory(api, order_id, "v-root")))["v-root"]
        ok(await update_line(api, root_line["id"], specificationVersion="2"))

        ok(await add_product(api, order_id, "v-extra", parent="v-root"))  # version 2 bundles v-extra
        back = await api(
            "mutation ($in: UpdateOrderLineInput!) { updateOrderLine(input: $in) { errors { code ids } } }",
            **{"in": {"lineId": root_line["id"], "specificationVersion": "1"}},
        )
        assert [e["code"] for e in back["updateOrderLine"]["errors"]] == ["SPEC_NOT_ALLOWED"]


class TestCharacteristicsFollowTheVersionALineMovesTo:
    """A CHANGE line that moves an item to another specification version sets characteristics of
    that version, whichever mutation names the version and the values, in whichever order."""

    @pytest.fixture
    async def two_versions(self, clean_graph: Graph) -> Graph:
        old = {**spec("c-port", characteristics={"speed": ["100", "500"]}), "version": "1"}
        new = {**spec("c-port", characteristics={"speed": ["100", "500", "1000"], "colour": ["red", "blue"]}), "version": "2"}
        await load(clean_graph, document([old], account("acc-c", item("c-1", "c-port", speed="100"))))
        await load(clean_graph, document([new], account("acc-c")))
        return clean_graph

    async def test_values_only_the_new_version_has_are_allowed_with_it_and_refused_without(
        self, two_versions: Graph, api: Api
    ) -> None:
        def capture(order_id: str, **extra: object) -> Any:
            return api(
                "mutation ($in: AddInventoryInput!) { addInventoryToOrder(input: $in) { errors { code field ids } "
                "order { lines { specificationVersion characteristicChanges { name newValue } } } } }",
                **{"in": {"orderId": order_id, "inventoryIds": ["c-1"], **extra}},
            )

        gigabit = [{"name": "speed", "value": "1000"}]
        refused = (await capture(await new_order(api, "acc-c", "CHANGE"), characteristics=gigabit))
        assert [(e["code"], e["field"]) for e in refused["addInventoryToOrder"]["errors"]] == [
            ("INVALID_INPUT", "characteristics")
        ]
        upgraded = await capture(await new_order(api, "acc-c", "CHANGE"), characteristics=gigabit,
                                 specificationVersion="2")
        payload = upgraded["addInventoryToOrder"]
        assert payload["errors"] == []
        [line] = payload["order"]["lines"]
        assert line["specificationVersion"] == "2"
        assert line["characteristicChanges"] == [{"name": "speed", "newValue": "1000"}]

    async def test_moving_a_line_back_to_a_version_without_its_values_is_refused(
        self, two_versions: Graph, api: Api
    ) -> None:
        order_id = await new_order(api, "acc-c", "CHANGE")
        line = lines_by_item(ok(await add_inventory(api, order_id, "c-1")))["c-1"]
        to_two = await api(
            "mutation ($in: UpdateOrderLineInput!) { updateOrderLine(input: $in) { errors { code field } } }",
            **{"in": {"lineId": line["id"], "specificationVersion": "2",
                      "characteristics": [{"name": "colour", "value": "red"}]}},
        )
        assert to_two["updateOrderLine"]["errors"] == []
        back = await api(
            "mutation ($in: UpdateOrderLineInput!) { updateOrderLine(input: $in) { errors { code field ids } } }",
            **{"in": {"lineId": line["id"], "specificationVersion": "1"}},
        )
        assert [(e["code"], e["field"], e["ids"]) for e in back["updateOrderLine"]["errors"]] == [
            ("INVALID_INPUT", "characteristics", ["c-1"])
        ]
        ok(await submit(api, order_id))
        ok(await approve(api, order_id))
        await close_all_tasks(api, order_id)
        done = await api('query { inventoryItem(id: "c-1") { specificationVersion characteristics { name value } } }')
        assert done["inventoryItem"]["specificationVersion"] == "2"
        assert {"name": "colour", "value": "red"} in done["inventoryItem"]["characteristics"]
