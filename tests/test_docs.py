"""Every page that cites a rule by number points to docs/domain.md, which explains each of R1–R12."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULE = re.compile(r"\bR(1[0-5]|[1-9])\b")


def pages() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "web" / "README.md"]


def test_domain_page_explains_every_rule() -> None:
    text = (ROOT / "docs" / "domain.md").read_text()
    for number in range(1, 16):
        assert re.search(rf"\*\*R{number} — ", text), f"R{number} is not explained"


def test_every_page_citing_a_rule_points_to_the_domain_page() -> None:
    citing = [p for p in pages() if p.is_file() and RULE.search(p.read_text()) and p.name != "domain.md"]
    assert citing, "no page cites a rule: the check would not notice a missing pointer"
    missing = [str(p.relative_to(ROOT)) for p in citing if "domain.md" not in p.read_text()]
    assert missing == [], f"pages citing rules without pointing to docs/domain.md: {missing}"


def test_the_graphql_schema_points_to_the_domain_page() -> None:
    from schema.root import schema

    assert "docs/domain.md" in (schema._schema.query_type.description or "")  # type: ignore[union-attr]
