"""Small installed-base documents for tests, and a way to reach into their trees."""

from __future__ import annotations

import copy
from typing import Any


def small_document() -> dict[str, Any]:
    """A valid file: a router bundle (1 line, 0..2 extras) for two accounts."""
    return copy.deepcopy(
        {
            "catalog": {
                "serviceSpecifications": [
                    {"id": "svc-access", "name": "Access", "fulfillment": [
                        {"name": "Activate service", "domain": "SERVICE", "pointOfNoReturn": True},
                    ]},
                ],
                "productSpecifications": [
                    {"id": "spec-bundle", "name": "Bundle", "bundles": [
                        {"specificationId": "spec-line", "min": 1, "max": 1},
                        {"specificationId": "spec-extra", "min": 0, "max": 2},
                    ]},
                    {"id": "spec-line", "name": "Line", "realizedAs": ["svc-access"], "characteristics": [
                        {"name": "speed", "values": ["100 Mbps", "1 Gbps"], "default": "100 Mbps"},
                        {"name": "label", "values": []},
                    ]},
                    {"id": "spec-extra", "name": "Extra", "physical": True, "fulfillment": [
                        {"name": "Ship device", "domain": "RESOURCE", "actions": ["ADD"]},
                    ]},
                ],
            },
            "accounts": [
                {
                    "id": "acc-a", "name": "A", "segment": "SMB",
                    "locations": [{"id": "loc-a", "name": "HQ", "address": "1 Road", "city": "X",
                                   "country": "GB"}],
                    "inventory": [
                        {"id": "pi-a", "name": "Bundle", "specificationId": "spec-bundle", "state": "ACTIVE",
                         "locationId": "loc-a", "children": [
                             {"id": "pi-a-line", "name": "Line", "specificationId": "spec-line",
                              "state": "ACTIVE", "locationId": "loc-a",
                              "characteristics": {"speed": "1 Gbps", "label": "anything"},
                              "services": [{"id": "si-a-line", "name": "Access",
                                            "specificationId": "svc-access", "state": "ACTIVE"}]},
                             {"id": "pi-a-extra", "name": "Extra", "specificationId": "spec-extra",
                              "state": "ACTIVE", "locationId": "loc-a"},
                         ]},
                    ],
                    "contracts": [
                        {"id": "ctr-a", "name": "Agreement", "state": "ACTIVE", "startDate": "2024-01-01",
                         "endDate": None, "entitlements": [
                             {"id": "ent-a", "name": "Bundle", "state": "ACTIVE", "startDate": "2024-01-01",
                              "covers": "pi-a"},
                         ]},
                    ],
                },
                {
                    "id": "acc-b", "name": "B",
                    "locations": [{"id": "loc-b", "name": "Shop", "address": "2 Road", "city": "Y",
                                   "country": "IE"}],
                    "inventory": [
                        {"id": "pi-b", "name": "Bundle", "specificationId": "spec-bundle",
                         "state": "SUSPENDED", "locationId": "loc-b", "children": [
                             {"id": "pi-b-line", "name": "Line", "specificationId": "spec-line",
                              "state": "SUSPENDED", "locationId": "loc-b"},
                         ]},
                    ],
                },
            ],
        }
    )


def item(doc: dict[str, Any], account: int, *indexes: int) -> dict[str, Any]:
    node: dict[str, Any] = doc["accounts"][account]["inventory"][indexes[0]]
    for i in indexes[1:]:
        node = node["children"][i]
    return node
