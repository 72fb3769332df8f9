"""The installed base: the file format customers' existing inventory is loaded from, its checks,
the packaged demo data and a synthetic generator for large trees.

`validate(document)` lists every problem in a decoded JSON document; `parse(document)` turns a
clean one into an `InstalledBase`; `graph.importer.import_installed_base` writes it.
"""

from installed_base.format import InstalledBase
from installed_base.validate import ImportProblem, InvalidInstalledBase, parse, validate

__all__ = ["ImportProblem", "InstalledBase", "InvalidInstalledBase", "parse", "validate"]
