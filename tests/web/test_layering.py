"""The web layer is a thin adapter: no SQL of its own (docs/architecture.md, issue 16 item 17)."""

from __future__ import annotations

import re
from pathlib import Path

import opmodel.web

SQL = re.compile(r"\b(SELECT|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b")


def test_no_view_or_route_writes_sql() -> None:
    web = Path(opmodel.web.__file__).parent
    offenders = [f"{p.name}:{i}" for p in sorted(web.glob("*.py"))
                 for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if (SQL.search(line) and "store." in line) or "store.rows(" in line or "store.scalar(" in line]
    assert offenders == []
