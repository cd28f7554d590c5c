"""NOF metric values derived from public statistics, shipped with the package (issue 11 item 3, issue 20 item 5).

``data/nof_inputs.csv`` is derived by ``scripts/derive_nof_acute_inputs.py`` from ../shared/data (Open Government
Licence v3.0 upstream; see ``data/ATTRIBUTION.md``), per methodology §3.2–§3.3: for acute trusts OF0023 and
OF0003 (latest month of the quarter), OF0010, OF0011 and OF0013 (the quarter's months pooled), the 2024 staff
survey sub-scores (Q1–Q3) and the Q3 extract's HCAI, finance and productivity values; for ambulance trusts
OF0017 (Category 2 mean, the quarter pooled). The engine reads them as *metric values* (never as answers); a
value already in the store wins.
"""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from importlib import resources

__all__ = ["DERIVED_EVIDENCE", "DERIVED_FILE", "derived_values"]

DERIVED_EVIDENCE = "third-party (derived: scripts/derive_nof_acute_inputs.py)"
DERIVED_FILE = "shipped:nof_inputs.csv"


@lru_cache(maxsize=1)
def _table() -> dict[str, dict[str, dict[str, tuple[float, str]]]]:
    text = (resources.files("opmodel.oversight") / "data" / "nof_inputs.csv").read_text(encoding="utf-8")
    out: dict[str, dict[str, dict[str, tuple[float, str]]]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out.setdefault(row["period"], {}).setdefault(row["metric"], {})[row["org_code"]] = (
            float(row["value"]), row["peer_group"])
    return out


def derived_values(period: str) -> dict[str, dict[str, tuple[float, str]]]:
    """metric -> trust -> (value, peer group) for a quarter label (``2025-26-Q3``); empty when none is shipped."""
    return {m: dict(v) for m, v in _table().get(period, {}).items()}
