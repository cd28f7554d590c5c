"""Healthcare-associated infections already held: the NOF patient-safety inputs (MRSA, E. coli, C. difficile).

The oversight area holds the Q3 2025/26 HCAI values of acute trusts (from the third-party NOF extract,
shipped in ``oversight/data/nof_inputs.csv``) and any NOF dashboard values loaded into the store.
A value in the store wins; each comes with the median of the trusts holding one, for comparison.
"""

from __future__ import annotations

import datetime as dt

from opmodel.metrics import catalogue
from opmodel.quality.models import THIRD_PARTY, HcaiValue
from opmodel.quality.queries import latest_values, source_label
from opmodel.store import Store
from opmodel.variation import median_and_quartiles

__all__ = ["HCAI_METRICS", "hcai_values"]

#: NOF raw values for infections (methodology §3.2): MRSA cases, E. coli and C. difficile rates.
HCAI_METRICS = ("OF0020", "OF0048", "OF0088")


def _quarters_back(today: dt.date, n: int = 8) -> list[str]:
    """The last ``n`` NHS financial-year quarter labels, newest first (``2025-26-Q3``)."""
    year, q = (today.year, (today.month - 4) % 12 // 3 + 1)
    year = year if today.month >= 4 else year - 1
    out = []
    for _ in range(n):
        out.append(f"{year}-{(year + 1) % 100:02d}-Q{q}")
        q -= 1
        if q == 0:
            year, q = year - 1, 4
    return out


def hcai_values(store: Store, org: str, today: dt.date | None = None) -> list[HcaiValue]:
    """The trust's latest HCAI values with the median of every trust holding one."""
    from opmodel.oversight.derived_inputs import DERIVED_EVIDENCE, derived_values

    code = org.upper()
    cat = catalogue()
    held = latest_values(store, HCAI_METRICS)
    out: list[HcaiValue] = []
    shipped: dict[str, dict[str, float]] = {}
    shipped_period = None
    for label in _quarters_back(today or dt.date.today()):
        found = {m: {c: value for c, (value, _peers) in v.items()}
                 for m, v in derived_values(label).items() if m in HCAI_METRICS}
        if any(code in v for v in found.values()):
            shipped, shipped_period = found, label
            break
    for metric in HCAI_METRICS:
        defn = cat.get(metric)
        name, unit = (defn.name, defn.unit) if defn else (metric, "")
        row = held[metric].get(code)
        if row is not None and row["value"] is not None:
            newest = row["period_start"]
            peers = [float(r["value"]) for r in held[metric].values()
                     if r["period_start"] == newest and r["value"] is not None]
            out.append(HcaiValue(metric=metric, name=name, value=float(row["value"]), unit=unit,
                                 period=newest.isoformat(), source=source_label(row),
                                 peer_median=median_and_quartiles(peers)[0], peers=len(peers)))
        elif code in shipped.get(metric, {}):
            peers = list(shipped[metric].values())
            out.append(HcaiValue(metric=metric, name=name, value=shipped[metric][code], unit=unit,
                                 period=str(shipped_period), source=f"{DERIVED_EVIDENCE}; {THIRD_PARTY}",
                                 peer_median=median_and_quartiles(peers)[0], peers=len(peers)))
    return out
