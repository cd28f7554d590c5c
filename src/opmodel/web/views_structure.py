"""View models for the structure pages: England overview, organisation, region/ICB and search.

Each function returns a pydantic model that the page renders and the API returns
as JSON, so the two can never disagree. Everything is computed through
:mod:`opmodel.structure`'s public API except the parent history, read from the
registry's ``relationships`` table (the structure area has no per-organisation
history function yet).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from pydantic import BaseModel, Field
from rapidfuzz import fuzz, process, utils

from opmodel.errors import UnknownCodeError
from opmodel.store import Store
from opmodel.structure import (
    all_organisations,
    changes,
    children_on,
    get_organisation,
    list_organisations,
    org_details,
    parent_history,
    suggest_codes,
)

__all__ = [
    "PEER_GROUP_LABELS",
    "AreaView",
    "OrgDetails",
    "OrgRef",
    "OrgRow",
    "OrganisationView",
    "Overview",
    "ParentPeriod",
    "RegionSummary",
    "SearchView",
    "StructureChangeRow",
    "area_view",
    "org_href",
    "organisation_view",
    "overview",
    "search",
]

#: Trust subtypes as the NHS Oversight Framework names its peer groups.
PEER_GROUP_LABELS: dict[str, str] = {
    "acute": "Acute",
    "mental_health_community": "Mental health and community",
    "ambulance": "Ambulance",
    "wales": "Welsh provider",
}


def org_href(kind: str, code: str) -> str:
    """The page for an organisation: regions and ICBs have area pages, the rest a profile."""
    if kind == "region":
        return f"/regions/{code}"
    if kind == "icb":
        return f"/icbs/{code}"
    if kind == "national":
        return "/"
    return f"/organisations/{code}"


class OrgRef(BaseModel):
    code: str
    name: str
    kind: str
    href: str = ""
    closed_on: dt.date | None = Field(None, description="Set when the organisation has closed.")

    def model_post_init(self, _: Any) -> None:
        if not self.href:
            self.href = org_href(self.kind, self.code)


class OrgDetails(BaseModel):
    """Exactly what ``opmodel org show CODE --json`` prints."""

    code: str
    name: str
    kind: str
    subtype: str | None
    open_date: str | None
    close_date: str | None
    active: bool
    on: str
    ons_code: str | None
    postcode: str | None
    parents: list[dict[str, str]] = Field(description="Parent chain on the date, nearest first.")


class OrgRow(BaseModel):
    """One organisation in a list, with its ICB and region on the date."""

    code: str
    name: str
    kind: str
    subtype: str | None
    icb: str | None
    region: str | None
    open_date: str | None
    close_date: str | None


class ParentPeriod(BaseModel):
    parent: OrgRef
    rel: str
    valid_from: dt.date
    valid_to: dt.date | None


class OrganisationView(BaseModel):
    on: dt.date
    details: OrgDetails
    peer_group: str | None
    history: list[ParentPeriod] = Field(description="Every parent the organisation has had, oldest first.")
    children: list[OrgRef] = Field(description="Organisations directly under it on the date.")


def organisation_view(store: Store, code: str, on: dt.date) -> OrganisationView:
    details = OrgDetails(**org_details(store, code, on))
    rows = parent_history(store, details.code)
    history = [ParentPeriod(parent=OrgRef(code=r["parent"], name=r["name"], kind=r["kind"]), rel=r["rel"],
                            valid_from=r["valid_from"], valid_to=r["valid_to"]) for r in rows]
    kids = [OrgRef(code=k.code, name=k.name, kind=k.kind.value) for k in children_on(store, details.code, on)]
    return OrganisationView(on=on, details=details, peer_group=PEER_GROUP_LABELS.get(details.subtype or ""),
                            history=history, children=kids)


class RegionSummary(BaseModel):
    code: str
    name: str
    icbs: int
    trusts: int
    trusts_by_peer_group: dict[str, int]


class StructureChangeRow(BaseModel):
    code: str
    name: str
    kind: str
    change: str
    date: dt.date | None
    old_parent: str | None
    new_parent: str | None


class Overview(BaseModel):
    on: dt.date
    regions: list[RegionSummary]
    icb_count: int
    trust_count: int
    trusts_by_peer_group: dict[str, int]
    recent_changes: list[StructureChangeRow] = Field(
        description="ICBs and trusts opened, closed or moved in the year up to the date.")


def overview(store: Store, on: dt.date) -> Overview:
    regions = list_organisations(store, kind="region", on=on)
    icbs = list_organisations(store, kind="icb", on=on)
    trusts = [t for t in list_organisations(store, kind="trust", on=on) if t["region"]]
    summaries = []
    for region in regions:
        mine = [t for t in trusts if t["region"] == region["code"]]
        summaries.append(RegionSummary(
            code=region["code"], name=region["name"], icbs=sum(1 for i in icbs if i["region"] == region["code"]),
            trusts=len(mine), trusts_by_peer_group=_peer_mix(mine)))
    recent = [StructureChangeRow(**c.model_dump(mode="python"))
              for c in changes(store, _year_before(on), on) if c.kind.value in ("icb", "trust")]
    return Overview(on=on, regions=summaries, icb_count=len(icbs), trust_count=len(trusts),
                    trusts_by_peer_group=_peer_mix(trusts), recent_changes=recent)


def _year_before(on: dt.date) -> dt.date:
    return on - dt.timedelta(days=365) if on > dt.date(1, 12, 31) else dt.date.min


def _peer_mix(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = Counter(PEER_GROUP_LABELS.get(r["subtype"] or "", "Other") for r in rows)
    return {label: counts[label] for label in [*PEER_GROUP_LABELS.values(), "Other"] if counts[label]}


class AreaView(BaseModel):
    """A region or an ICB on a date: where it sits and who is in it."""

    on: dt.date
    details: OrgDetails
    icbs: list[OrgRow] = Field(description="ICBs in the region (empty for an ICB).")
    trusts: list[OrgRow]
    trusts_by_peer_group: dict[str, int]


def area_view(store: Store, code: str, on: dt.date, kind: str) -> AreaView:
    """The page of region or ICB ``code``; a code of another kind is an unknown region/ICB."""
    org = get_organisation(store, code)
    if org.kind.value != kind:
        raise UnknownCodeError("ICB code" if kind == "icb" else "region code", code,
                               [f"{org.code} is a {org.kind.value}, see {org_href(org.kind.value, org.code)}"])
    details = OrgDetails(**org_details(store, org.code, on))
    scope: dict[str, Any] = {"region": org.code} if kind == "region" else {"icb": org.code}
    icbs = list_organisations(store, kind="icb", on=on, **scope) if kind == "region" else []
    trusts = list_organisations(store, kind="trust", on=on, **scope)
    return AreaView(on=on, details=details, icbs=[OrgRow(**r) for r in icbs if r["code"] != org.code],
                    trusts=[OrgRow(**r) for r in trusts], trusts_by_peer_group=_peer_mix(trusts))


class SearchView(BaseModel):
    query: str
    exact: OrgRef | None = Field(description="The organisation whose code is exactly the query, if any.")
    results: list[OrgRef] = Field(description="Closest organisations by code or name, best first.")


_STOP_WORDS = frozenset({"nhs", "and", "the", "of", "trust", "foundation", "icb", "integrated", "care", "board"})


def _normalise(text: str) -> str:
    """Case-folded words without apostrophes or the words every NHS body name shares."""
    words = utils.default_process(text.replace("'", "").replace("’", "")).split()
    kept = [w for w in words if w not in _STOP_WORDS]
    return " ".join(kept or words)


def search(store: Store, query: str, limit: int = 10) -> SearchView:
    """Find organisations by code or name, tolerating typos.

    A code typed exactly wins; otherwise names are ranked with rapidfuzz's WRatio on
    case-folded text (so "guys and st thomas" or "Gusy" still find RJ1), merged with
    the registry's own code suggestions (:func:`opmodel.structure.suggest_codes`).
    """
    q = query.strip()
    if not q:
        return SearchView(query=query, exact=None, results=[])
    rows = {r["code"]: r for r in all_organisations(store)}
    today = dt.date.today()
    ref = {c: OrgRef(code=c, name=r["name"], kind=r["kind"],
                     closed_on=r["close_date"] if r["close_date"] and r["close_date"] < today else None)
           for c, r in rows.items()}
    exact = ref.get(q.upper())
    names = {c: r["name"] for c, r in rows.items()}
    by_name = process.extract(q, names, scorer=fuzz.WRatio, processor=_normalise, limit=limit * 2,
                              score_cutoff=60)
    scored: dict[str, float] = {}
    for _name, score, code in by_name:
        # prefer trusts, ICBs and regions over sub-ICB locations on equal scores
        scored[code] = max(scored.get(code, 0.0), score + (0 if rows[code]["kind"] == "sub_icb" else 1))
    for rank, code in enumerate(suggest_codes(store, q, limit=3)):
        if fuzz.ratio(code, q.upper()) >= 60:
            scored[code] = max(scored.get(code, 0.0), 90.0 - rank)
    ordered = sorted(scored, key=lambda c: (-scored[c], c))
    results = [ref[c] for c in ordered if c in ref]
    if exact is not None:
        results = [exact, *[r for r in results if r.code != exact.code]]
    return SearchView(query=q, exact=exact, results=results[:limit])
