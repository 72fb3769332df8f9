"""The packaged demo installed base (`demo.json`): five accounts over a realistic catalog.

Account `acc-northwind` holds the 4G-to-5G example of the domain reference: the Mobile
Broadband bundle `pi-northwind-mbb` with ACTIVE children `pi-northwind-4g-connectivity` and
`pi-northwind-4g-router`; the bundle's specification also allows 5G Connectivity and 5G Router.
"""

from __future__ import annotations

import json
from importlib.resources import files

from installed_base.format import InstalledBase
from installed_base.validate import parse

DEMO_FILE = "demo.json"


def demo_text() -> str:
    """The demo file as packaged."""
    return files("installed_base").joinpath(DEMO_FILE).read_text(encoding="utf-8")


def load_demo() -> InstalledBase:
    """The demo installed base, parsed (it is checked by the tests to have no problems)."""
    return parse(json.loads(demo_text()))
