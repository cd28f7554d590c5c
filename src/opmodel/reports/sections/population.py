"""Population-health headline for an ICB or region, from the population area (issue 14).

An ICB board reads its own population's headline indicators against England (value, interval
comparison, Core20 share); a region board reads the same few figures for each of its ICBs, since
population health is measured and owned at ICB level. Trusts get no section.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError
from opmodel.reports.model import PopulationHeadline
from opmodel.store import Store

__all__ = ["HEADLINE_INDICATORS", "population_headline"]

#: The indicators a board pack leads with, when held (catalogue ids of the population area).
HEADLINE_INDICATORS = ("qof_hypertension", "qof_diabetes", "qof_copd", "gpps_smoking", "qof_obesity",
                       "core20_share")
MAX_ROWS = 8


def _headline(profile: dict[str, Any]) -> list[dict[str, object]]:
    rows = profile.get("indicators", [])
    chosen = [r for r in rows if r.get("indicator_id") in HEADLINE_INDICATORS] or rows[:MAX_ROWS]
    return [{"org_code": profile["org_code"], "indicator_id": r.get("indicator_id"),
             "indicator": r.get("name"), "period": r.get("period"),
             "value": r.get("value"), "england": r.get("england_value"),
             "compared": r.get("compared_to_england"), "method": r.get("method"), "source": r.get("source")}
            for r in chosen[:MAX_ROWS]]


def population_headline(store: Store, org: str, level: str, on: dt.date | None = None) -> PopulationHeadline | None:
    """None for a trust; for an ICB its headline indicators, for a region each ICB's Core20 share
    and hypertension prevalence."""
    from opmodel.population import icb_profile, icbs_on

    if level == "trust":
        return None
    day = on or dt.date.today()
    try:
        if level == "icb":
            profile = icb_profile(store, org, on=day)
            rows = _headline(profile)
            share = profile.get("core20_share")
            note = (f"{profile['org_name']}: {len(profile.get('indicators', []))} population-health indicators held"
                    + (f"; {share:.1f}% of residents live in England's most deprived fifth of areas (Core20)."
                       if isinstance(share, int | float) else "."))
            return PopulationHeadline(available=True, note=note, indicators=rows)
        icbs = [i for i in icbs_on(store, day) if i.get("region") == org.upper()]
        rows = []
        for icb in icbs:
            profile = icb_profile(store, str(icb["code"]), on=day)
            rows += [r for r in _headline(profile) if r["indicator_id"] in ("qof_hypertension", "core20_share")]
        note = (f"Population health is measured for each of the region's {len(icbs)} ICBs; hypertension "
                "prevalence and the Core20 share for each are shown.")
        return PopulationHeadline(available=True, note=note, indicators=rows)
    except OpmodelError as exc:
        return PopulationHeadline(available=False, note=f"Population health indicators could not be shown: {exc}")
