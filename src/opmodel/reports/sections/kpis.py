"""KPI summary matrix and SPC sections: latest value, target, MDC variation and assurance icons.

Series come from :func:`opmodel.variation.spc_for` with the Making Data Count preset (ecosystem
notes §1.3: the variation icon is the type of the last point, assurance compares the target with
the latest limits). A measure the organisation has too few points for keeps its row with a note.
"""

from __future__ import annotations

import datetime as dt

from opmodel.errors import OpmodelError
from opmodel.metrics import get_metric, metric_values
from opmodel.metrics.query import contiguous_run
from opmodel.reports.formatting import ASSURANCE_WORDS, VARIATION_WORDS, fmt_period, fmt_span, fmt_value
from opmodel.reports.model import KpiRow, SpcSection
from opmodel.reports.templates import Measure, ReportTemplate
from opmodel.store import Store
from opmodel.variation import SpcResult, get_preset, spc_for, spc_table

__all__ = ["kpi_summary", "mdc_sentence"]

_LEVEL = {"trust": "trust", "icb": "icb", "region": "region"}


def _months_back(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 - months
    return dt.date(total // 12, total % 12 + 1, 1)


def mdc_sentence(name: str, unit: str, result: SpcResult) -> str:
    """The chart's reading in one plain sentence: latest value, variation and (with a target) assurance."""
    last = result.points[-1]
    lim = result.limits[-1]
    when = fmt_span(last.period_start, last.period_end)
    text = (f"{name} was {fmt_value(last.value, unit)} in {when}, against a mean of "
            f"{fmt_value(lim.mean, unit)}: the latest point shows "
            f"{VARIATION_WORDS.get(result.variation_icon, result.variation_icon.replace('_', ' '))}")
    if result.target is not None and result.assurance_icon is not None:
        text += (f", and with the target of {fmt_value(result.target, unit)} the process as it stands "
                 f"{ASSURANCE_WORDS[result.assurance_icon]}")
    elif result.target is None:
        text += "; no target is set for it"
    return text + "."


def _one(store: Store, org: str, level: str, measure: Measure, start: dt.date,
         end: dt.date) -> tuple[KpiRow, SpcSection | None] | None:
    defn = get_metric(measure.metric)
    name = (measure.label or defn.name).strip()
    rows = [r for r in metric_values(store, measure.metric, org=org, level=level, start=start, end=end)
            if r["value"] is not None]
    if not rows:
        return None
    last = rows[-1]
    row = KpiRow(metric=defn.id, name=name, unit=defn.unit, direction=defn.direction,
                 latest_period=last["period_start"], latest_value=float(last["value"]), target=measure.target,
                 target_source=measure.target_source, sparkline=[float(r["value"]) for r in rows][-24:])
    # Months missing from the data break the series: chart the latest unbroken run and say so (issue 21).
    run, gap = contiguous_run(rows)
    try:
        result = spc_for(store, measure.metric, org, rules=get_preset("mdc"), start=run[0]["period_start"],
                         end=run[-1]["period_end"], target=measure.target)
    except OpmodelError as exc:
        row.note = f"no SPC chart: {str(exc).splitlines()[0]}"
        return row, None
    if gap:
        row.note = gap
    row.variation_icon, row.assurance_icon = result.variation_icon, result.assurance_icon
    sentence = mdc_sentence(name, defn.unit, result)
    lim = result.limits[-1]
    alt = (f"Statistical process control chart of {name} for {result.org_name or org}, {len(result.points)} "
           f"{defn.frequency} points from {fmt_period(result.points[0].period_start)} to "
           f"{fmt_period(result.points[-1].period_start)}, with mean {fmt_value(lim.mean, defn.unit)} and process "
           f"limits {fmt_value(lim.lower, defn.unit)} to {fmt_value(lim.upper, defn.unit)}. {sentence}")
    table = [{k: r[k] for k in ("period", "value", "mean", "lower_limit", "upper_limit", "point_type")}
             for r in spc_table(result)]
    return row, SpcSection(metric=defn.id, name=name, unit=defn.unit, sentence=sentence, alt_text=alt, rows=table,
                           target=measure.target)


def kpi_summary(store: Store, org: str, level: str, end: dt.date,
                template: ReportTemplate) -> tuple[list[KpiRow], list[SpcSection], list[str]]:
    """Rows of the matrix, one SPC section per charted measure, and the measures left out (no values)."""
    start = _months_back(end, template.history_months)
    kpis: list[KpiRow] = []
    charts: list[SpcSection] = []
    skipped: list[str] = []
    for measure in template.measures:
        try:
            found = _one(store, org, _LEVEL[level], measure, start, end)
        except OpmodelError:
            found = None
        if found is None:
            if template.skip_missing:
                skipped.append((measure.label or _name(measure.metric)).strip())
                continue
            kpis.append(KpiRow(metric=measure.metric, name=measure.label or _name(measure.metric), unit="",
                               direction="", target=measure.target, note="no values held"))
            continue
        kpis.append(found[0])
        if found[1] is not None:
            charts.append(found[1])
    return kpis, charts, skipped


def _name(metric: str) -> str:
    try:
        return get_metric(metric).name
    except OpmodelError:
        return metric
