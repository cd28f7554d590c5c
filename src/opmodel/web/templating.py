"""Jinja set-up for the NHS.UK design system templates.

nhsuk-frontend-jinja's macros rely on chained attribute access to missing keys
(``params.search.action``), which needs :class:`jinja2.ChainableUndefined`.
Our templates live in ``opmodel/web/templates``; the design system's are found
through the package loader.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import ChainMap
from collections.abc import Callable, MutableMapping
from typing import Any
from urllib.parse import urlencode

from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup
from starlette.templating import Jinja2Templates

from opmodel.web.charts import Chart
from opmodel.web.page_bytes import PageTemplates, splice
from opmodel.web.views_structure import PEER_GROUP_LABELS

__all__ = ["make_templates"]


def _number(value: Any, digits: int = 1) -> str:
    """Numbers as people read them: thousands separators, fixed decimals, dash when missing."""
    if value is None:
        return "–"
    if isinstance(value, int):
        return f"{value:,}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer() and abs(number) >= 1000:
        return f"{int(number):,}"  # a count stored as a float: 17,951 rather than 17,951.0
    try:
        return f"{number:,.{digits}f}"
    except (TypeError, ValueError):
        return str(value)


#: What each kind of organisation is called on a page (never the internal ``sub_icb``).
KIND_LABELS = {"national": "National body", "region": "NHS England region", "icb": "Integrated care board",
               "sub_icb": "Sub-ICB location", "trust": "NHS trust", "other_provider": "Other provider"}

#: The publications behind the catalogue's ``source`` ids, named as NHS England names them.
PUBLICATIONS = {
    "ae_monthly": "A&E attendances and emergency admissions (NHS England, monthly)",
    "ambsys": "Ambulance quality indicators: systems indicators (NHS England, monthly)",
    "kh03_beds": "Bed availability and occupancy, KH03 (NHS England, quarterly)",
    "cancer_waiting_times": "Cancer waiting times (NHS England, monthly)",
    "dm01": "Diagnostic waiting times and activity, DM01 (NHS England, monthly)",
    "rtt_full_extract": "Referral to treatment waiting times, full extract (NHS England, monthly)",
    "nhs_staff_survey": "NHS Staff Survey (annual)",
    "nof_dashboard": "NHS Oversight Framework dashboard (NHS England, quarterly)",
    "cqc_ratings": "CQC ratings",
}


#: Tiers of the operating model as a page names them ("ICB", never "Icb").
TIER_LABELS = {"national": "National (NHS England)", "region": "Region", "icb": "ICB", "provider": "Provider",
               "trust": "Trust", "dhsc": "DHSC", "cqc": "CQC", "icp": "ICP", "hwb": "Health and wellbeing board",
               "local_authority": "Local authority", "provider_collaborative": "Provider collaborative"}


def _tier_label(tier: Any) -> str:
    key = str(getattr(tier, "value", tier) or "")
    return TIER_LABELS.get(key, key.replace("_", " ").capitalize())


def _kind_label(kind: Any) -> str:
    key = str(getattr(kind, "value", kind) or "")
    return KIND_LABELS.get(key, key.replace("_", " ").capitalize())


def _publication(source: Any) -> str:
    key = str(source or "")
    return PUBLICATIONS.get(key, key.replace("_", " ") or "–")


def _date(value: Any) -> str:
    """Dates in the NHS style (1 April 2026)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return str(value)


def _query(params: dict[str, Any], **changes: Any) -> str:
    """A query string from ``params`` with ``changes`` applied (None removes a key)."""
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v is not None and v != ""})


def _crumb(parent: dict[str, str]) -> dict[str, str]:
    """A breadcrumb item for a parent in an ``org_details`` chain."""
    base = {"region": "/regions/", "icb": "/icbs/"}.get(parent["kind"], "/organisations/")
    return {"href": base + parent["code"], "text": parent["name"]}


def _figure(env: Environment) -> Callable[..., Markup]:
    """``figure(chart, cols, labels, id)``: the ``chart_figure`` macro's HTML, kept on the chart (see
    :meth:`opmodel.web.charts.Chart.html`)."""
    macros: Any = None

    def figure(chart: Chart, cols: list[str], labels: list[str], id: str) -> Markup:
        nonlocal macros
        if macros is None:
            macros = env.get_template("_macros.jinja").module

        def render() -> str:
            return str(macros.chart_figure(chart, cols, labels, id))

        return Markup(chart.html((tuple(cols), tuple(labels), id), render) if isinstance(chart, Chart) else render())

    return figure


@pass_context
def _kept(ctx: Context, name: str, *key: Any) -> Markup:
    """``kept("_org_metrics.jinja", code, ...)``: the included template's HTML, rendered once per data
    version and ``key`` (issue 25). The caller names in ``key`` everything the section's HTML depends on
    beyond the store's data (the organisation, the page's date, today); the section sees the page's
    context, as an ``include`` would. Without a server (a page rendered on its own) it is rendered each time.
    """

    def render() -> str:
        return ctx.environment.get_template(name).render(ctx.get_all())

    request = ctx.get("request")
    hub = getattr(getattr(getattr(request, "app", None), "state", None), "hub", None)
    if hub is None:
        return Markup(render())
    return Markup(splice(lambda: hub.section_bytes((name, *key), render),
                         lambda: hub.section((name, *key), render)))


def _breadcrumbs(env: Environment) -> Callable[[list[dict[str, str]]], Markup]:
    """``breadcrumbs(items)``: the design system's breadcrumb, expanded once per distinct trail (its macro
    cost a profile about a fifth of its rendering; issue 25). Trails are page parents, so there are few."""

    @functools.lru_cache(maxsize=2048)
    def render(trail: tuple[tuple[tuple[str, str], ...], ...]) -> Markup:
        items = [dict(item) for item in trail]
        return Markup(env.get_template("_breadcrumb.jinja").render(items=items))

    def breadcrumbs(items: list[dict[str, str]]) -> Markup:
        return render(tuple(tuple(sorted((str(k), str(v)) for k, v in item.items())) for item in items))

    return breadcrumbs


class _Globals(ChainMap[str, Any]):
    """A template's globals. Every ``{% import %}`` and ``{% from ... import %}`` of every render asks which
    of the page's globals the imported template lacks (``set - keys()``); over a ChainMap's keys that took
    a Python call per global per import, a tenth of a profile (issue 25). A template with no globals of its
    own answers with its environment's dict keys, compared in C."""

    def keys(self) -> Any:
        if len(self.maps) == 2 and not self.maps[0] and isinstance(self.maps[1], dict):
            return self.maps[1].keys()
        return super().keys()


class _Environment(Environment):
    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return _Globals({} if d is None else d, self.globals)


def make_templates() -> Jinja2Templates:
    env = _Environment(
        loader=ChoiceLoader([PackageLoader("opmodel.web", "templates"), PackageLoader("nhsuk_frontend_jinja")]),
        autoescape=select_autoescape(("html", "jinja")),
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship in the package; skip a stat() per template per render
        # Every template kept in a plain dict: the default LRU cache takes a lock on every look-up (each
        # include and import), which 40 request threads rendering at once queued on (issue 25).
        cache_size=-1,
    )
    env.filters["number"] = _number
    env.filters["kind_label"] = _kind_label
    env.filters["tier_label"] = _tier_label
    env.filters["publication"] = _publication
    env.filters["nhsdate"] = _date
    env.filters["crumb"] = _crumb
    env.globals["query"] = _query
    env.globals["peer_labels"] = PEER_GROUP_LABELS
    env.globals["figure"] = _figure(env)
    env.globals["kept"] = _kept
    env.globals["breadcrumbs"] = _breadcrumbs(env)
    env.globals["today"] = dt.date.today  # for keys of sections that say what is overdue today
    # The header and footer are the same on every page and the design system's macros cost ~90 ms
    # per page to expand, so they are rendered once here.
    env.globals["site_skip_link"] = Markup(env.get_template("_skip_link.jinja").render().strip())
    env.globals["site_header"] = Markup(env.get_template("_header.jinja").render())
    env.globals["site_footer"] = Markup(env.get_template("_footer.jinja").render())
    return PageTemplates(env=env)
