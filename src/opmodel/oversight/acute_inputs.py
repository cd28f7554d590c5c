"""Acute NOF metric values derived from loaded statistics, shipped with the package (issue 11, item 3).

``data/acute_inputs.csv`` is derived by ``scripts/derive_nof_acute_inputs.py`` from the third-party monthly
RTT/cancer JSON and the third-party Q3 extract (Open Government Licence v3.0 upstream; see
``data/ATTRIBUTION.md``): OF0023, OF0003 (latest month of the quarter held), OF0010, OF0011 (the quarter's
months pooled) per methodology §3.2, and the Q3 HCAI, staff-survey, finance and productivity values. The
engine reads them as *metric values* (never as answers); a value already in the store wins.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

__all__ = ["ACUTE_EVIDENCE", "acute_values"]

ACUTE_EVIDENCE = "third-party (derived: scripts/derive_nof_acute_inputs.py)"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, dict[str, float]]]:
    text = (resources.files("opmodel.oversight") / "data" / "acute_inputs.csv").read_text(encoding="utf-8")
    out: dict[str, dict[str, dict[str, float]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["period"], {}).setdefault(row["metric"], {})[row["org_code"]] = float(row["value"])
    return out


def acute_values(period: str) -> dict[str, dict[str, float]]:
    """metric -> acute trust -> value for a quarter label (``2025-26-Q3``); empty when none is shipped."""
    return {m: dict(v) for m, v in _table().get(period, {}).items()}
