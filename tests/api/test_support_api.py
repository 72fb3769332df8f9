"""What a support agent needs from the API: any object by id, search, new locations, named products,
what a moved item became, full page info, enums instead of strings, and coded GraphQL errors."""

from __future__ import annotations

from graph.driver import Graph
from tests.api.lifecycle_steps import (
    CONN_4G,
    MBB,
    NORTHWIND,
    ROUTER_4G,
    add_inventory,
    add_product,
    approve,
    close_all_tasks,
    create_order,
    load_demo_data,
    ok,
    submit,
)
from tests.conftest import Api

SEARCH = """query ($a: ID!, $t: String!, $n: Int) { searchInventory(accountId: $a, text: $t, first: $n) {
  totalCount hits { matchedField matchedValue item { id name ancestors { id } } } } }"""


async def test_node_fetches_every_kind_of_object_by_its_id(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    query = """query ($id: ID!) { node(id: $id) { __typename id
      ... on ProductInventory { name } ... on Account { name } ... on Location { city }
      ... on Contract { state } ... on ProductSpecification { name } } }"""
    expected = {
        MBB: ("ProductInventory", "Mobile Broadband"),
        NORTHWIND: ("Account", "Northwind Traders"),
        "loc-northwind-hq": ("Location", None),
        "ctr-northwind-2024": ("Contract", None),
        "spec-4g-router": ("ProductSpecification", "4G Router"),
    }
    for node_id, (typename, name) in expected.items():
        found = (await api(query, id=node_id))["node"]
        assert found["__typename"] == typename and found["id"] == node_id
        if name is not None:
            assert found["name"] == name
    assert (await api(query, id="loc-northwind-hq"))["node"]["city"] == "Bristol"
    assert (await api(query, id="ctr-northwind-2024"))["node"]["state"] == "ACTIVE"
    assert (await api(query, id="nothing-has-this-id"))["node"] is None

    order_id = await create_order(api, NORTHWIND, "CHANGE")
    found = (await api("query ($id: ID!) { node(id: $id) { __typename ... on CustomerOrder { state } } }",
                       id=order_id))["node"]
    assert found == {"__typename": "CustomerOrder", "state": "DRAFT"}


async def test_search_finds_items_by_name_id_and_characteristic_value(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)

    by_serial = (await api(SEARCH, a=NORTHWIND, t="lr-300"))["searchInventory"]
    assert [(h["item"]["id"], h["matchedField"], h["matchedValue"]) for h in by_serial["hits"]] == [
        (ROUTER_4G, "characteristics.model", "LR-300")
    ]
    assert by_serial["hits"][0]["item"]["ancestors"] == [{"id": MBB}]

    by_number = (await api(SEARCH, a=NORTHWIND, t="496 0101"))["searchInventory"]
    assert {h["item"]["id"] for h in by_number["hits"]} == {"pi-northwind-voice-line-2"}
    by_id = (await api(SEARCH, a=NORTHWIND, t="4g-connectivity"))["searchInventory"]
    assert [(h["item"]["id"], h["matchedField"]) for h in by_id["hits"]] == [(CONN_4G, "id")]
    by_name = (await api(SEARCH, a=NORTHWIND, t="BROADBAND"))["searchInventory"]
    assert [(h["item"]["id"], h["matchedField"]) for h in by_name["hits"]] == [(MBB, "name")]

    # A characteristic's name is not its value; other accounts' items are never found.
    assert (await api(SEARCH, a=NORTHWIND, t="dataAllowance"))["searchInventory"]["totalCount"] == 0
    assert (await api(SEARCH, a="acc-nobody", t="Broadband"))["searchInventory"]["hits"] == []

    many = (await api(SEARCH, a=NORTHWIND, t="voice", n=2))["searchInventory"]
    assert len(many["hits"]) == 2 and many["totalCount"] > 2


async def test_argument_errors_carry_a_code_and_the_argument(clean_graph: Graph, api: Api) -> None:
    body = await api.raw(SEARCH, a=NORTHWIND, t="  ")
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT" and error["extensions"]["field"] == "text"
    body = await api.raw("{ accounts(first: 0) { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT"
    body = await api.raw("{ accounts { noSuchField } }")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    body = await api.raw("{ accounts { ")
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_create_location_gives_a_move_somewhere_new_to_go(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    mutation = """mutation ($input: CreateLocationInput!) { createLocation(input: $input) {
      location { id name address city country } errors { code field ids } } }"""
    created = (await api(mutation, input={"accountId": NORTHWIND, "name": " Northwind depot ",
                                          "address": "1 Dock St", "city": "Cardiff", "country": "GB"}))
    location = created["createLocation"]["location"]
    assert created["createLocation"]["errors"] == []
    assert location["name"] == "Northwind depot" and location["city"] == "Cardiff"
    listed = await api('{ account(id: "acc-northwind") { locations { id } } }')
    assert location["id"] in {loc["id"] for loc in listed["account"]["locations"]}

    blank = (await api(mutation, input={"accountId": NORTHWIND, "name": "  "}))["createLocation"]
    assert blank["location"] is None and [(e["code"], e["field"]) for e in blank["errors"]] == [
        ("INVALID_INPUT", "name")
    ]
    unknown = (await api(mutation, input={"accountId": "acc-nobody", "name": "X"}))["createLocation"]
    assert [(e["code"], e["ids"]) for e in unknown["errors"]] == [("NOT_FOUND", ["acc-nobody"])]
    after = await api('{ account(id: "acc-northwind") { locations { id } } }')
    assert len(after["account"]["locations"]) == len(listed["account"]["locations"])

    # The new address is a valid move target at once.
    order_id = await create_order(api, NORTHWIND, "MOVE")
    moved = ok(await add_inventory(api, order_id, [MBB], targetLocationId=location["id"]))
    assert all(line["moveOperation"] for line in moved["lines"])


async def test_an_added_product_takes_the_name_given(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await create_order(api, NORTHWIND, "CHANGE")
    blank = await add_product(api, order_id, MBB, "spec-5g-connectivity", name=" ")
    assert [(e["code"], e["field"]) for e in blank["errors"]] == [("INVALID_INPUT", "name")]
    added = ok(await add_product(api, order_id, MBB, "spec-5g-connectivity", name="5G for the sales team"))
    new_ids = [ln["inventoryItem"]["id"] for ln in added["lines"] if ln["action"] == "ADD"]
    (item,) = (await api("query ($id: ID!) { inventoryItem(id: $id) { name } }", id=new_ids[0])).values()
    assert item["name"] == "5G for the sales team"


async def test_a_moved_item_points_to_its_copy_and_back(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    order_id = await create_order(api, NORTHWIND, "MOVE")
    ok(await add_inventory(api, order_id, [MBB], targetLocationId="loc-northwind-warehouse"))
    ok(await submit(api, order_id))
    ok(await approve(api, order_id))
    await close_all_tasks(api, order_id)
    query = """query ($id: ID!) { inventoryItem(id: $id) { state replaces { id } replacedBy { id state
      location { id } replaces { id } children { id replaces { id } } } } }"""
    old = (await api(query, id=MBB))["inventoryItem"]
    assert old["state"] == "INACTIVE" and old["replaces"] is None
    copy = old["replacedBy"]
    assert copy["state"] == "ACTIVE" and copy["location"]["id"] == "loc-northwind-warehouse"
    assert copy["replaces"] == {"id": MBB}
    assert {c["replaces"]["id"] for c in copy["children"]} == {CONN_4G, ROUTER_4G}
    untouched = (await api(query, id="pi-northwind-voice"))["inventoryItem"]
    assert untouched["replaces"] is None and untouched["replacedBy"] is None


async def test_page_info_is_complete_and_states_are_enums(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    first = (await api("{ accounts(first: 1) { edges { cursor } pageInfo { hasNextPage hasPreviousPage "
                       "startCursor endCursor } } }"))["accounts"]
    info = first["pageInfo"]
    assert info["hasNextPage"] and not info["hasPreviousPage"]
    assert info["startCursor"] == info["endCursor"] == first["edges"][0]["cursor"]
    second = (await api("query ($c: String) { accounts(first: 1, after: $c) { pageInfo { hasPreviousPage "
                        "startCursor } } }", c=info["endCursor"]))["accounts"]["pageInfo"]
    assert second["hasPreviousPage"] and second["startCursor"] != info["startCursor"]

    kinds = await api("""{ __schema { types { name fields { name type { kind name ofType { kind name } } } } } }""")
    fields = {t["name"]: {f["name"]: f["type"] for f in t["fields"] or []} for t in kinds["__schema"]["types"]}

    def named(t: dict) -> tuple[str, str]:  # type: ignore[type-arg]
        while t.get("ofType"):
            t = t["ofType"]
        return t["kind"], t["name"]

    assert named(fields["Contract"]["state"]) == ("ENUM", "ContractState")
    assert named(fields["Entitlement"]["state"]) == ("ENUM", "EntitlementState")
    assert named(fields["ServiceInventory"]["state"]) == ("ENUM", "ServiceState")
    assert named(fields["TaskTemplate"]["domain"]) == ("ENUM", "DomainOrderKind")
    assert named(fields["ProductInventory"]["id"]) == ("SCALAR", "ID")
    data = await api('{ inventoryItem(id: "pi-northwind-4g-connectivity") { services { state } '
                     "specification { fulfillmentTasks { domain } } entitlement { state contract { state } } } }")
    assert data["inventoryItem"]["services"] == [{"state": "ACTIVE"}]
    assert data["inventoryItem"]["entitlement"]["contract"]["state"] == "ACTIVE"


async def test_the_list_preview_is_deprecated_but_still_answers(clean_graph: Graph, api: Api) -> None:
    await load_demo_data(clean_graph)
    deprecated = await api('{ __type(name: "Query") { fields(includeDeprecated: true) { name isDeprecated '
                           "deprecationReason } } }")
    by_name = {f["name"]: f for f in deprecated["__type"]["fields"]}
    assert by_name["previewOrder"]["isDeprecated"] and "orderPreview" in by_name["previewOrder"]["deprecationReason"]
    assert not by_name["orderPreview"]["isDeprecated"]
    lines = await api('{ previewOrder(accountId: "acc-northwind", action: DISCONNECT, '
                      'inventoryIds: ["pi-northwind-mbb"]) { action } }')
    assert {ln["action"] for ln in lines["previewOrder"]} == {"DISCONNECT"}
