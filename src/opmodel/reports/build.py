"""Assemble a :class:`Report` for one organisation and quarter from the section builders.

The report is built once and rendered many ways (PDF, PPTX, the profile's at-a-glance), so every
output shows the same figures (issue 17). ``ctx`` lets a batch share one segmentation run.
"""

from __future__ import annotations

import datetime as dt

from opmodel.errors import NotFoundError, OpmodelError
from opmodel.oversight import parse_period
from opmodel.reports.formatting import display_name
from opmodel.reports.model import Report
from opmodel.reports.sections.accountability import accountability_lines
from opmodel.reports.sections.kpis import kpi_summary
from opmodel.reports.sections.maps import region_map_section
from opmodel.reports.sections.oversight import OversightContext, oversight_context, oversight_position, peer_scores
from opmodel.reports.sections.population import population_headline
from opmodel.reports.sections.quality import quality_section
from opmodel.reports.sections.sources import data_as_of, data_sources
from opmodel.reports.sections.support import support_status
from opmodel.reports.templates import ReportTemplate, default_template
from opmodel.store import Store
from opmodel.structure import org_details

__all__ = ["build_report", "report_level"]

_LEVELS = {"trust": "trust", "other_provider": "trust", "icb": "icb", "region": "region"}
_KIND_LABEL = {"trust": "NHS trust", "icb": "Integrated care board", "region": "NHS England region"}


def report_level(kind: str) -> str:
    """trust, icb or region for an organisation kind; an error for anything else."""
    level = _LEVELS.get(kind)
    if level is None:
        raise NotFoundError(f"board packs are made for trusts, ICBs and regions, not for a {kind.replace('_', ' ')}")
    return level


def build_report(store: Store, org: str, period: str, template: ReportTemplate | None = None,
                 ctx: OversightContext | None = None, today: dt.date | None = None) -> Report:
    """The board pack for ``org`` (trust, ICB or region) and the oversight quarter ``period``."""
    per = parse_period(period)
    details = org_details(store, org, per.end)
    level = report_level(details["kind"])
    tpl = template or default_template(level)
    if tpl.level != level:
        raise OpmodelError(f"template {tpl.name!r} is for a {tpl.level}, but {details['code']} is a {level}")
    code = details["code"]
    ctx = ctx if ctx is not None and ctx.period == per.label else oversight_context(store, per.label)
    kpis, charts, skipped = kpi_summary(store, code, level, per.end, tpl)
    peers, peer_note = peer_scores(code, ctx) if level == "trust" else ([], None)
    lines, model = accountability_lines(store, code, per.end)
    nof = [r["metric"] for r in store.rows("SELECT DISTINCT metric FROM metric_values WHERE metric LIKE 'OF%'")]
    produced = today or dt.date.today()
    # issue 21: the header's dates are the data's, not the quarter's end
    shown = [k.metric for k in kpis if k.latest_value is not None]
    as_of, loaded_on = data_as_of(store, code, shown, per.end, today=produced) if shown else ("", None)
    return Report(
        org_code=code, org_name=display_name(details["name"]), level=level,
        kind_label=_KIND_LABEL[level] if details["subtype"] is None else
        f"{_KIND_LABEL[level]} ({str(details['subtype']).replace('_', ' ')})",
        period=per.label, period_end=per.end, generated_on=produced, template=tpl.name,
        parents=[{"code": p["code"], "name": display_name(p["name"]), "kind": p["kind"]} for p in details["parents"]
                 if p["kind"] in ("icb", "region")],
        oversight=oversight_position(store, code, level, ctx), kpis=kpis, skipped_measures=skipped, charts=charts,
        peer_scores=peers, peer_note=peer_note, accountability=lines, accountability_model=model,
        support=support_status(store, code), population=population_headline(store, code, level, on=per.end),
        quality=quality_section(store, code, level, on=per.end) if tpl.quality else None,  # issue 22
        map=region_map_section(store, code, level, tpl.map, ctx),
        sources=data_sources(store, [k.metric for k in kpis] + (nof if level == "trust" else []), per.end,
                             today=produced, org=code if level == "trust" else None),
        data_as_of=as_of, loaded_on=loaded_on)
