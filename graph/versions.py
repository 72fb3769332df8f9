"""How specification versions sort: naturally, so "2" comes before "10"; the greatest is the newest."""

from __future__ import annotations


def version_order(version: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key for a specification version string."""
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in version.replace("-", ".").split("."))
