"""Reading quality values back from the metric store: the latest value per trust, with its extras.

Quality figures live in the one metric store (``metric_values``) like every other metric, so loads,
revisions and provenance work the same way; this module reads the latest row of each metric per
organisation together with the reader's ``extra`` attributes (rating labels, published bands) that
the generic metric queries leave out, and places trusts in their ICB and region.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from opmodel.quality.models import THIRD_PARTY
from opmodel.store import Store

__all__ = ["latest_values", "period_label", "source_label", "trusts_in"]


def latest_values(store: Store, metrics: Sequence[str], orgs: Iterable[str] | None = None,
                  on: dt.date | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """metric -> organisation -> its latest row (period starting on or before ``on``, when given)."""
    codes = None if orgs is None else sorted({o.upper() for o in orgs})
    rows = store.rows("""
        SELECT v.metric, v.org_code, v.period_start, v.period_end, v.value, v.numerator, v.denominator, v.extra,
               s.file_name, s.publication, o.name AS org_name
        FROM metric_values v JOIN metric_sources s USING (source_id)
        LEFT JOIN organisations o ON o.code = v.org_code
        WHERE v.metric IN (SELECT unnest(CAST($metrics AS VARCHAR[])))
          AND ($orgs IS NULL OR v.org_code IN (SELECT unnest(CAST($orgs AS VARCHAR[]))))
          AND ($on IS NULL OR v.period_start <= CAST($on AS DATE))
        QUALIFY row_number() OVER (PARTITION BY v.metric, v.org_code
                                   ORDER BY v.period_start DESC, v.period_end DESC) = 1
        ORDER BY v.metric, v.org_code""", {"metrics": list(metrics), "orgs": codes, "on": on})
    out: dict[str, dict[str, dict[str, Any]]] = {m: {} for m in metrics}
    for r in rows:
        r["extra"] = json.loads(r["extra"]) if r["extra"] else {}
        out[r["metric"]][r["org_code"]] = r
    return out


def source_label(row: dict[str, Any]) -> str:
    """The file a value came from, marked third-party when it is a processed copy."""
    third = row.get("extra", {}).get("evidence") == "third-party" or "thirdparty" in str(row.get("publication"))
    return f"{row['file_name']} ({THIRD_PARTY})" if third else str(row["file_name"])


def period_label(row: dict[str, Any]) -> str:
    """A month as YYYY-MM, a longer period as START to END."""
    start: dt.date = row["period_start"]
    end: dt.date = row["period_end"]
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1 and (start.year, start.month) == (end.year, end.month):
        return start.strftime("%Y-%m")
    return start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"


def trusts_in(store: Store, on: dt.date) -> dict[str, dict[str, Any]]:
    """Every NHS trust on ``on`` with its name, ICB and region (in force that day)."""
    from opmodel.structure import list_organisations

    return {str(t["code"]): {"name": t["name"], "icb": t.get("icb"), "region": t.get("region"),
                             "subtype": t.get("subtype")}
            for t in list_organisations(store, kind="trust", on=on)}
