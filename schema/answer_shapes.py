"""Answer objects from the positional rows of a planned read, at the cost of one dict display each.

A planned statement (`schema/planner.py`) returns every node as a list of column values in the
order of the selection. Turning 10,000 such rows into answer objects through generic loops and
per-column function calls cost more than Neo4j took to find them, so each node's shape is
compiled once per plan into a small Python function:

    def shape(v):
        if v[0] is None or v[3] is None:
            missing()
        return {k0: v[0], k1: m2.get(v[1]) or c2(v[1]), k2: s3(v[3]), k3: list(map(s4, v[4]))}

The generated text holds only the names `v`, `missing`, `k<n>`, `c<n>`, `m<n>`, `s<n>`, `t<n>`
and column numbers; every answer key, constant, converter and nested shape is passed in the
function's namespace, never written into the text. So a response alias or a stored value
cannot change the code, the same way they never reach the Cypher.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Convert = Callable[[Any], Any]
Shape = Callable[[list[Any]], dict[str, Any]]
ENUM_MEMO_SIZE = 256


class NotPlanned(Exception):
    """The query, or the data it meets, needs the resolvers."""


def missing() -> None:
    raise NotPlanned("null in a non-null field")


@dataclass(frozen=True)
class Column:
    """One key of an answer object and where its value comes from.

    - a constant (`index` -1), e.g. `__typename`;
    - column `index` of the row as it is (`non_null`: a null there means the resolvers answer);
    - column `index` through `convert` (decoding, serialization; it checks its own nulls), with
      `memo` holding the conversions already made when they only depend on the stored value;
    - the nested object (`link`) or objects (`many`) shaped from column `index`.
    """

    key: str
    index: int = -1
    constant: Any = None
    non_null: bool = False
    convert: Convert | None = None
    memo: dict[Any, Any] | None = None
    link: Shape | None = None
    many: bool = False


def compile_shape(columns: list[Column]) -> Shape:
    """The function turning one row into the answer object, keys in `columns` order."""
    namespace: dict[str, Any] = {"missing": missing}
    checks: list[str] = []
    items: list[str] = []
    for n, column in enumerate(columns):
        namespace[f"k{n}"] = column.key
        value = f"v[{column.index}]"
        if column.index < 0:
            namespace[f"t{n}"] = column.constant
            items.append(f"k{n}: t{n}")
        elif column.link is not None:
            namespace[f"s{n}"] = column.link
            if column.many:
                items.append(f"k{n}: list(map(s{n}, {value}))")
            elif column.non_null:
                checks.append(f"{value} is None")
                items.append(f"k{n}: s{n}({value})")
            else:
                items.append(f"k{n}: None if {value} is None else s{n}({value})")
        elif column.convert is not None:
            namespace[f"c{n}"] = column.convert
            if column.memo is not None:
                namespace[f"m{n}"] = column.memo
                items.append(f"k{n}: m{n}.get({value}) or c{n}({value})")
            else:
                items.append(f"k{n}: c{n}({value})")
        else:
            if column.non_null:
                checks.append(f"{value} is None")
            items.append(f"k{n}: {value}")
    lines = ["def shape(v):"]
    if checks:
        lines += ["    if " + " or ".join(checks) + ":", "        missing()"]
    lines.append("    return {" + ", ".join(items) + "}")
    exec("\n".join(lines), namespace)  # the text comes from the fixed templates above only
    shape: Shape = namespace["shape"]
    return shape


def memoized(convert: Convert) -> tuple[Convert, dict[Any, Any]]:
    """`convert` remembering its answers per stored value (an enum's few values), and its memory;
    only truthy answers are remembered, so `memo.get(raw) or convert(raw)` is always `convert(raw)`."""
    memo: dict[Any, Any] = {}

    def remembered(raw: Any) -> Any:
        value = convert(raw)
        if value and len(memo) < ENUM_MEMO_SIZE:
            memo[raw] = value
        return value

    return remembered, memo
