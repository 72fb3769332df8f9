"""Validation of installed-base documents: every problem is found, each at its path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from installed_base.cli import main, read_document
from installed_base.demo import demo_text, load_demo
from installed_base.format import AgreementState, FulfillmentDomain, ServiceState
from installed_base.validate import ImportProblem, InvalidInstalledBase, parse, validate
from rules.model import InventoryState, LineAction
from tests.installed_base.documents import item, small_document


def problems_of(document: object) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in validate(document)]


def assert_problem(document: object, path: str, fragment: str) -> None:
    found = problems_of(document)
    assert any(p == path and fragment in m for p, m in found), f"no '{fragment}' at {path}; got {found}"


def test_small_document_is_valid() -> None:
    assert validate(small_document()) == []


def test_demo_file_is_valid_and_parses() -> None:
    document = json.loads(demo_text())
    assert validate(document) == []
    base = load_demo()
    assert [a.id for a in base.accounts] == [
        "acc-northwind", "acc-contoso", "acc-fabrikam", "acc-tailspin", "acc-adatum",
    ]
    assert max(p.depth for p in base.placements()) >= 3


def test_demo_has_the_four_g_bundle_that_can_take_five_g() -> None:
    base = parse(json.loads(demo_text()))
    specs = {s.id: s for s in base.catalog.product_specifications}
    mbb = specs["spec-mobile-broadband"]
    assert {b.specification_id: (b.min, b.max) for b in mbb.bundles} == {
        "spec-4g-connectivity": (0, 1), "spec-5g-connectivity": (0, 1),
        "spec-4g-router": (0, 1), "spec-5g-router": (0, 1),
    }
    assert specs["spec-4g-router"].physical and specs["spec-5g-router"].physical
    northwind = next(a for a in base.accounts if a.id == "acc-northwind")
    root = next(i for i in northwind.inventory if i.id == "pi-northwind-mbb")
    assert [(c.id, c.specification_id, c.state) for c in root.children] == [
        ("pi-northwind-4g-connectivity", "spec-4g-connectivity", InventoryState.ACTIVE),
        ("pi-northwind-4g-router", "spec-4g-router", InventoryState.ACTIVE),
    ]


def test_demo_has_suspended_subtree_and_inactive_history() -> None:
    states = {p.item.id: p.item.state for p in parse(json.loads(demo_text())).placements()}
    assert states["pi-fabrikam-internet"] is InventoryState.SUSPENDED
    assert states["pi-fabrikam-access-line"] is InventoryState.SUSPENDED
    assert states["pi-tailspin-4g-router"] is InventoryState.INACTIVE


def test_the_example_in_the_format_docs_is_valid() -> None:
    text = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text()
    example = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert validate(json.loads(example)) == []


def test_parse_builds_dataclasses() -> None:
    base = parse(small_document())
    [line_spec] = [s for s in base.catalog.product_specifications if s.id == "spec-line"]
    assert line_spec.characteristics[0].values == ("100 Mbps", "1 Gbps")
    assert line_spec.realized_as == ("svc-access",)
    [extra] = [s for s in base.catalog.product_specifications if s.id == "spec-extra"]
    assert extra.fulfillment[0].domain is FulfillmentDomain.RESOURCE
    assert extra.fulfillment[0].actions == (LineAction.ADD,)
    account = base.accounts[0]
    assert account.contracts[0].state is AgreementState.ACTIVE
    assert account.contracts[0].end_date is None
    assert account.inventory[0].children[0].services[0].state is ServiceState.ACTIVE
    assert [(p.item.id, p.parent_id, p.depth) for p in base.placements()] == [
        ("pi-a", None, 0), ("pi-a-line", "pi-a", 1), ("pi-a-extra", "pi-a", 1),
        ("pi-b", None, 0), ("pi-b-line", "pi-b", 1),
    ]


def test_parse_refuses_a_document_with_problems() -> None:
    doc = small_document()
    doc["accounts"][0]["name"] = 7
    with pytest.raises(InvalidInstalledBase) as raised:
        parse(doc)
    assert raised.value.problems == [ImportProblem("accounts[0].name", "must be a string, got a number")]


def test_not_an_object() -> None:
    assert problems_of([1, 2]) == [("$", "must be an object, got an array")]


def test_wrong_types() -> None:
    doc = small_document()
    doc["accounts"][0]["name"] = 7
    doc["accounts"][1]["inventory"] = {"id": "x"}
    doc["catalog"]["productSpecifications"][2]["physical"] = "yes"
    doc["catalog"]["productSpecifications"][0]["bundles"][0]["max"] = 1.5
    item(doc, 0, 0, 0)["characteristics"]["speed"] = 100
    assert_problem(doc, "accounts[0].name", "must be a string, got a number")
    assert_problem(doc, "accounts[1].inventory", "must be an array, got an object")
    assert_problem(doc, "catalog.productSpecifications[2].physical", "must be true or false")
    assert_problem(doc, "catalog.productSpecifications[0].bundles[0].max", "must be an integer")
    assert_problem(doc, "accounts[0].inventory[0].children[0].characteristics.speed", "must be a string")


def test_missing_required_fields_and_unknown_fields() -> None:
    doc = small_document()
    del item(doc, 0, 0, 1)["specificationId"]
    del doc["accounts"][0]["locations"][0]["city"]
    del doc["catalog"]
    doc["accounts"][1]["inventory"][0]["specId"] = "spec-bundle"
    assert_problem(doc, "accounts[0].inventory[0].children[1].specificationId", "is required")
    assert_problem(doc, "accounts[0].locations[0].city", "is required")
    assert_problem(doc, "catalog", "is required")
    assert_problem(doc, "accounts[1].inventory[0].specId", "unknown field")


def test_duplicate_ids_per_label_across_the_file() -> None:
    doc = small_document()
    doc["accounts"][1]["id"] = "acc-a"
    item(doc, 1, 0, 0)["id"] = "pi-a-line"
    doc["accounts"][1]["locations"][0]["id"] = "loc-a"
    item(doc, 1, 0)["id"] = "loc-b-is-fine-as-an-item-id"
    assert_problem(doc, "accounts[1].id", "duplicate Account id 'acc-a' (first used at accounts[0])")
    assert_problem(doc, "accounts[1].inventory[0].children[0].id",
                   "duplicate ProductInventory id 'pi-a-line' "
                   "(first used at accounts[0].inventory[0].children[0])")
    assert_problem(doc, "accounts[1].locations[0].id", "duplicate Location id 'loc-a'")


def test_the_same_id_under_two_labels_is_allowed() -> None:
    doc = small_document()
    doc["accounts"][0]["locations"][0]["id"] = "acc-a"
    for placed in (item(doc, 0, 0), item(doc, 0, 0, 0), item(doc, 0, 0, 1)):
        placed["locationId"] = "acc-a"
    assert validate(doc) == []


def test_unknown_references() -> None:
    doc = small_document()
    item(doc, 0, 0, 1)["specificationId"] = "spec-nope"
    item(doc, 0, 0)["locationId"] = "loc-nope"
    item(doc, 0, 0, 0)["services"][0]["specificationId"] = "svc-nope"
    doc["catalog"]["productSpecifications"][1]["realizedAs"].append("svc-missing")
    doc["catalog"]["productSpecifications"][0]["bundles"].append({"specificationId": "spec-gone", "max": 1})
    doc["accounts"][0]["contracts"][0]["entitlements"][0]["covers"] = "pi-nope"
    assert_problem(doc, "accounts[0].inventory[0].children[1].specificationId",
                   "unknown product specification 'spec-nope'")
    assert_problem(doc, "accounts[0].inventory[0].locationId", "unknown location 'loc-nope'")
    assert_problem(doc, "accounts[0].inventory[0].children[0].services[0].specificationId",
                   "unknown service specification 'svc-nope'")
    assert_problem(doc, "catalog.productSpecifications[1].realizedAs[1]", "unknown service specification")
    assert_problem(doc, "catalog.productSpecifications[0].bundles[2].specificationId",
                   "unknown product specification 'spec-gone'")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].covers",
                   "unknown product inventory 'pi-nope'")


def test_references_into_another_account() -> None:
    doc = small_document()
    item(doc, 0, 0, 1)["locationId"] = "loc-b"
    doc["accounts"][0]["contracts"][0]["entitlements"][0]["covers"] = "pi-b"
    assert_problem(doc, "accounts[0].inventory[0].children[1].locationId",
                   "location 'loc-b' belongs to account 'acc-b', not 'acc-a'")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].covers",
                   "'pi-b' belongs to account 'acc-b', not 'acc-a'")


def test_service_must_realize_the_product() -> None:
    doc = small_document()
    item(doc, 0, 0, 1)["services"] = [{"id": "si-x", "name": "X", "specificationId": "svc-access",
                                        "state": "ACTIVE"}]
    assert_problem(doc, "accounts[0].inventory[0].children[1].services[0].specificationId",
                   "service specification 'svc-access' does not realize 'spec-extra'")


def test_child_specification_not_bundled_by_parent() -> None:
    doc = small_document()
    item(doc, 0, 0, 0)["children"] = [{"id": "pi-a-nested", "name": "Extra", "specificationId": "spec-extra",
                                       "state": "ACTIVE", "locationId": "loc-a"}]
    assert_problem(doc, "accounts[0].inventory[0].children[0].children[0].specificationId",
                   "'spec-extra' is not bundled by the parent's specification 'spec-line'")


def test_cardinality_max_and_min_count_only_children_that_are_not_inactive() -> None:
    doc = small_document()
    extra = item(doc, 0, 0, 1)
    item(doc, 0, 0)["children"] += [dict(extra, id="pi-a-extra-2"), dict(extra, id="pi-a-extra-3")]
    item(doc, 1, 0)["children"] = []
    assert_problem(doc, "accounts[0].inventory[0].children",
                   "3 'spec-extra' children that are not INACTIVE; 'spec-bundle' allows at most 2")
    assert_problem(doc, "accounts[1].inventory[0].children",
                   "0 'spec-line' children that are not INACTIVE; 'spec-bundle' requires at least 1")

    doc = small_document()
    extra = item(doc, 0, 0, 1)
    item(doc, 0, 0)["children"] += [
        dict(extra, id="pi-a-extra-2"), dict(extra, id="pi-a-old", state="INACTIVE"),
    ]
    assert validate(doc) == []


def test_an_inactive_parent_needs_no_children() -> None:
    doc = small_document()
    item(doc, 1, 0)["state"] = "INACTIVE"
    item(doc, 1, 0, 0)["state"] = "INACTIVE"
    assert validate(doc) == []
    item(doc, 1, 0)["children"] = []
    assert validate(doc) == []


def test_characteristics_must_be_allowed_by_the_specification() -> None:
    doc = small_document()
    item(doc, 0, 0, 0)["characteristics"] = {"speed": "10 Gbps", "colour": "red", "label": "free text"}
    assert_problem(doc, "accounts[0].inventory[0].children[0].characteristics.speed",
                   "'10 Gbps' is not allowed; 'spec-line' allows 100 Mbps, 1 Gbps")
    assert_problem(doc, "accounts[0].inventory[0].children[0].characteristics.colour",
                   "'spec-line' has no characteristic 'colour'")
    assert len(validate(doc)) == 2


def test_specification_definitions_are_checked() -> None:
    doc = small_document()
    specs = doc["catalog"]["productSpecifications"]
    specs[1]["characteristics"][0]["default"] = "10 Gbps"
    specs[1]["characteristics"].append({"name": "speed"})
    specs[0]["bundles"][1]["min"] = 3
    specs[2]["fulfillment"][0]["domain"] = "BILLING"
    specs[2]["fulfillment"][0]["actions"] = ["NO_CHANGE"]
    assert_problem(doc, "catalog.productSpecifications[1].characteristics[0].default",
                   "'10 Gbps' is not one of")
    assert_problem(doc, "catalog.productSpecifications[1].characteristics[2].name", "defined twice")
    assert_problem(doc, "catalog.productSpecifications[0].bundles[1].max", "must not be less than min (3)")
    assert_problem(doc, "catalog.productSpecifications[2].fulfillment[0].domain", "'BILLING' is not one of")
    assert_problem(doc, "catalog.productSpecifications[2].fulfillment[0].actions[0]",
                   "'NO_CHANGE' is not one of")


def test_bundle_cycles_are_refused() -> None:
    doc = small_document()
    doc["catalog"]["productSpecifications"][2]["bundles"] = [{"specificationId": "spec-bundle", "max": 1}]
    assert_problem(doc, "catalog.productSpecifications[2].bundles[0].specificationId",
                   "bundling forms a cycle: spec-bundle -> spec-extra -> spec-bundle")


def test_invalid_states() -> None:
    doc = small_document()
    item(doc, 0, 0)["state"] = "RUNNING"
    item(doc, 0, 0, 1)["state"] = "CHANGE_PENDING"
    item(doc, 0, 0, 0)["services"][0]["state"] = "UP"
    doc["accounts"][0]["contracts"][0]["state"] = "SIGNED"
    doc["accounts"][0]["contracts"][0]["entitlements"][0]["state"] = "active"
    assert_problem(doc, "accounts[0].inventory[0].state", "'RUNNING' is not one of")
    assert_problem(doc, "accounts[0].inventory[0].children[1].state", "belongs to an open order")
    assert_problem(doc, "accounts[0].inventory[0].children[0].services[0].state", "'UP' is not one of")
    assert_problem(doc, "accounts[0].contracts[0].state", "'SIGNED' is not one of")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].state", "'active' is not one of")


def test_children_follow_a_suspended_or_inactive_parent() -> None:
    doc = small_document()
    item(doc, 1, 0, 0)["state"] = "ACTIVE"
    assert_problem(doc, "accounts[1].inventory[0].children[0].state", "under a SUSPENDED parent")
    doc = small_document()
    item(doc, 1, 0)["state"] = "INACTIVE"
    assert_problem(doc, "accounts[1].inventory[0].children[0].state", "under an INACTIVE parent")


def test_bad_dates() -> None:
    doc = small_document()
    contract = doc["accounts"][0]["contracts"][0]
    contract["startDate"] = "2024-02-30"
    contract["endDate"] = "01/02/2025"
    entitlement = contract["entitlements"][0]
    entitlement["startDate"] = "2024-05-01"
    entitlement["endDate"] = "2024-04-01"
    assert_problem(doc, "accounts[0].contracts[0].startDate", "'2024-02-30' is not a date (YYYY-MM-DD)")
    assert_problem(doc, "accounts[0].contracts[0].endDate", "'01/02/2025' is not a date")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].endDate",
                   "2024-04-01 is before startDate 2024-05-01")


def test_entitlement_within_its_contract() -> None:
    doc = small_document()
    contract = doc["accounts"][0]["contracts"][0]
    contract["endDate"] = "2024-12-31"
    contract["entitlements"][0].update(startDate="2023-12-01", endDate="2025-06-30")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].startDate", "before the contract starts")
    assert_problem(doc, "accounts[0].contracts[0].entitlements[0].endDate", "after the contract ends")


def test_every_problem_is_listed_in_path_order() -> None:
    doc = small_document()
    doc["accounts"][1]["name"] = None
    item(doc, 0, 0, 1)["specificationId"] = "spec-nope"
    item(doc, 0, 0, 0)["characteristics"]["speed"] = "fast"
    doc["accounts"][0]["contracts"][0]["startDate"] = "yesterday"
    doc["catalog"]["serviceSpecifications"][0]["name"] = ""
    doc["catalog"]["serviceSpecifications"].append({"id": "svc-access", "name": "Again"})
    paths = [p for p, _ in problems_of(doc)]
    assert paths == [
        "accounts[0].contracts[0].startDate",
        "accounts[0].inventory[0].children[0].characteristics.speed",
        "accounts[0].inventory[0].children[1].specificationId",
        "accounts[1].name",
        "catalog.serviceSpecifications[1].id",
    ]


def test_paths_sort_numerically() -> None:
    doc = small_document()
    line = item(doc, 0, 0, 0)
    doc["accounts"][0]["inventory"] = [
        dict(line, id=f"pi-root-{n}", name=None, services=[]) for n in range(12)
    ]
    paths = [p for p, _ in problems_of(doc) if p.endswith(".name")]
    assert paths[:3] == ["accounts[0].inventory[0].name", "accounts[0].inventory[1].name",
                         "accounts[0].inventory[2].name"]
    assert paths[-1] == "accounts[0].inventory[11].name"


def test_invalid_json_is_a_problem_with_its_position() -> None:
    document, problems = read_document('{"catalog": {}\n "accounts": []}')
    assert document is None
    assert problems == [ImportProblem("$", "not valid JSON: Expecting ',' delimiter (line 2, column 2)")]


def test_cli_prints_every_problem_and_exits_1_without_connecting(tmp_path: Path) -> None:
    doc = small_document()
    item(doc, 0, 0, 1)["specificationId"] = "spec-nope"
    doc["accounts"][1]["id"] = "acc-a"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    out = io.StringIO()
    # Refused before a connection is opened, so no server is needed here.
    status = main(["import", str(path)], out=out)
    assert status == 1
    text = out.getvalue()
    assert "2 problem(s); nothing was imported" in text
    assert "accounts[0].inventory[0].children[1].specificationId: unknown product specification" in text
    assert "accounts[1].id: duplicate Account id 'acc-a'" in text


def test_cli_check_only_validates(tmp_path: Path) -> None:
    path = tmp_path / "good.json"
    path.write_text(json.dumps(small_document()))
    out = io.StringIO()
    assert main(["import", "--check", str(path)], out=out) == 0
    assert out.getvalue().strip().endswith("0 problem(s)")


def test_task_dependencies_durations_and_field_work_are_read_and_checked() -> None:
    doc = small_document()
    task = doc["catalog"]["productSpecifications"][2]["fulfillment"][0]
    task.update({
        "after": [{"domain": "SERVICE", "name": "Activate service", "makeBeforeBreak": True}],
        "durationHours": 36, "workOrder": "SHIP_DEVICE", "activation": False,
    })
    assert validate(doc) == []
    parsed = parse(doc).catalog.product_specifications[2].fulfillment[0]
    assert [(d.domain, d.name, d.make_before_break) for d in parsed.after] == [
        (FulfillmentDomain.SERVICE, "Activate service", True)
    ]
    assert (parsed.duration_hours, parsed.work_order and parsed.work_order.value) == (36.0, "SHIP_DEVICE")

    task.update({
        "after": [{"domain": "BILLING", "name": 3, "when": "now"}, {"domain": task["domain"], "name": task["name"]}],
        "durationHours": 0, "workOrder": "VISIT", "activation": "yes",
    })
    path = "catalog.productSpecifications[2].fulfillment[0]"
    assert_problem(doc, f"{path}.after[0].domain", "'BILLING' is not one of")
    assert_problem(doc, f"{path}.after[0].name", "must be a string")
    assert_problem(doc, f"{path}.after[0].when", "")
    assert_problem(doc, f"{path}.after[1]", "cannot wait for itself")
    assert_problem(doc, f"{path}.durationHours", "above 0")
    assert_problem(doc, f"{path}.workOrder", "'VISIT' is not one of")
    assert_problem(doc, f"{path}.activation", "true or false")
