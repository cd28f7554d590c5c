"""Questions about the registry on a date: show, list, tree, changes and lookups.

Everything here takes a date because NHS structures change under people's feet;
queries without one use today's date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import UnknownCodeError
from opmodel.store import Store
from opmodel.structure.models import Organisation, OrgKind, StructureChange

__all__ = [
    "ANCESTORS_SQL",
    "OrgNode",
    "ancestors_on",
    "changes",
    "children_on",
    "get_organisation",
    "list_organisations",
    "org_details",
    "parent_on",
    "suggest_codes",
    "tree",
]

_ORG_COLS = "code, name, kind, subtype, open_date, close_date, ons_code, postcode"

#: Every organisation's ancestors on the date bound twice as ``$1`` (code, ancestor, depth with 1 = parent).
#: Other areas join to it to aggregate "up the structure in force on the period's date".
ANCESTORS_SQL = """
WITH RECURSIVE rel AS (
    SELECT child, parent FROM relationships
    WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)
), anc(code, ancestor, depth) AS (
    SELECT child, parent, 1 FROM rel
    UNION ALL
    SELECT a.code, r.parent, a.depth + 1 FROM anc a JOIN rel r ON r.child = a.ancestor WHERE a.depth < 8
)
SELECT code, ancestor, depth FROM anc
"""


def _org(row: tuple[Any, ...]) -> Organisation:
    return Organisation(code=row[0], name=row[1], kind=OrgKind(row[2]), subtype=row[3], open_date=row[4],
                        close_date=row[5], ons_code=row[6], postcode=row[7])


_KIND_ORDER = {"trust": 0, "icb": 1, "region": 2, "national": 3, "sub_icb": 4, "other_provider": 5}


def _name_score(a: str, b: str, **_: object) -> float:
    """Typo-tolerant name match: whole-word overlap and best partial alignment, averaged."""
    from rapidfuzz import fuzz

    return (fuzz.token_set_ratio(a, b) + fuzz.partial_ratio(a, b)) / 2


def suggest_codes(store: Store, code: str, limit: int = 5) -> list[str]:
    """The known codes closest to ``code`` (by code, then by name), for 'did you mean'."""
    from rapidfuzz import fuzz, process, utils  # only on a miss: every lookup would pay ~11 ms (issue 25)
    from rapidfuzz.distance import Prefix

    rows = store.execute("SELECT code, name FROM organisations").fetchall()
    kinds = dict(store.execute("SELECT code, kind FROM organisations").fetchall())
    looks_like_code = " " not in code.strip() and len(code.strip()) <= 6
    scored: dict[str, float] = {}
    query = code.strip().upper()
    for _m, score, key in process.extract(query, {c: c for c, _ in rows}, scorer=fuzz.ratio, limit=limit * 4):
        prefix = Prefix.similarity(query, str(key))
        scored[str(key)] = score + (10 if looks_like_code else -20) + 5 * prefix / max(len(query), 1)
    for _m, score, key in process.extract(code, {c: n for c, n in rows}, scorer=_name_score,
                                          processor=utils.default_process, limit=limit * 2):
        scored[str(key)] = max(scored.get(str(key), 0.0), score)
    # Ties: the organisations people look up most first, then alphabetical, so the order is stable.
    out = sorted(scored, key=lambda k: (-round(scored[k], 6), _KIND_ORDER.get(kinds.get(k, ""), 9), k))
    return out[:limit]


def get_organisation(store: Store, code: str) -> Organisation:
    """The organisation with this ODS code, or :class:`UnknownCodeError` with suggestions."""
    row = store.execute(f"SELECT {_ORG_COLS} FROM organisations WHERE code = ?", [code.upper()]).fetchone()
    if row is None:
        raise UnknownCodeError("organisation code", code, suggest_codes(store, code))
    return _org(row)


def parent_on(store: Store, code: str, on: dt.date) -> Organisation | None:
    """The direct parent of ``code`` on ``on`` (None for the root or an unlinked organisation)."""
    row = store.execute(
        f"SELECT {', '.join('o.' + c.strip() for c in _ORG_COLS.split(','))} FROM relationships r "
        "JOIN organisations o ON o.code = r.parent "
        "WHERE r.child = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?) "
        "ORDER BY r.valid_from DESC LIMIT 1",
        [code.upper(), on, on],
    ).fetchone()
    return None if row is None else _org(row)


def ancestors_on(store: Store, code: str, on: dt.date) -> list[Organisation]:
    """The chain upward from ``code`` on ``on``, nearest first (e.g. ICB, region, NHS England)."""
    chain: list[Organisation] = []
    node = code.upper()
    while len(chain) < 8:
        parent = parent_on(store, node, on)
        if parent is None or any(p.code == parent.code for p in chain):
            break
        chain.append(parent)
        node = parent.code
    return chain


def org_details(store: Store, code: str, on: dt.date | None = None) -> dict[str, Any]:
    """What ``org show --json`` prints: the organisation and its parent chain on the date."""
    on = on or dt.date.today()
    org = get_organisation(store, code)
    parents = ancestors_on(store, org.code, on)
    return {
        "code": org.code,
        "name": org.name,
        "kind": org.kind.value,
        "subtype": org.subtype,
        "open_date": org.open_date.isoformat() if org.open_date else None,
        "close_date": org.close_date.isoformat() if org.close_date else None,
        "active": org.active_on(on),
        "on": on.isoformat(),
        "ons_code": org.ons_code,
        "postcode": org.postcode,
        "parents": [{"code": p.code, "name": p.name, "kind": p.kind.value} for p in parents],
    }


def list_organisations(
    store: Store,
    *,
    kind: OrgKind | str | None = None,
    region: str | None = None,
    icb: str | None = None,
    on: dt.date | None = None,
) -> list[dict[str, Any]]:
    """Organisations active on ``on``, optionally of one kind and under one region or ICB."""
    on = on or dt.date.today()
    for code in (region, icb):
        if code is not None:
            get_organisation(store, code)  # raises with suggestions when unknown
    sql = f"""
        WITH anc AS ({ANCESTORS_SQL})
        SELECT o.code, o.name, o.kind, o.subtype, o.open_date, o.close_date,
               (SELECT ancestor FROM anc a JOIN organisations p ON p.code = a.ancestor
                 WHERE a.code = o.code AND p.kind = 'icb') AS icb,
               (SELECT ancestor FROM anc a JOIN organisations p ON p.code = a.ancestor
                 WHERE a.code = o.code AND p.kind = 'region') AS region
        FROM organisations o
        WHERE (o.open_date IS NULL OR o.open_date <= $1) AND (o.close_date IS NULL OR o.close_date >= $1)
    """
    params: list[Any] = [on]
    if kind is not None:
        sql += " AND o.kind = $2"
        params.append(OrgKind(kind).value)
    sql = f"SELECT * FROM ({sql}) t WHERE 1 = 1"
    if region is not None:
        sql += f" AND (t.region = ${len(params) + 1} OR t.code = ${len(params) + 1})"
        params.append(region.upper())
    if icb is not None:
        sql += f" AND (t.icb = ${len(params) + 1} OR t.code = ${len(params) + 1})"
        params.append(icb.upper())
    sql += " ORDER BY t.kind, t.code"
    rows = store.rows(sql, params)
    for r in rows:
        for k in ("open_date", "close_date"):
            r[k] = r[k].isoformat() if r[k] else None
    return rows


def children_on(store: Store, code: str, on: dt.date) -> list[Organisation]:
    rows = store.execute(
        f"SELECT {', '.join('o.' + c.strip() for c in _ORG_COLS.split(','))} FROM relationships r "
        "JOIN organisations o ON o.code = r.child "
        "WHERE r.parent = ? AND r.valid_from <= ? AND (r.valid_to IS NULL OR r.valid_to >= ?) "
        "AND (o.open_date IS NULL OR o.open_date <= ?) AND (o.close_date IS NULL OR o.close_date >= ?) "
        "ORDER BY o.kind, o.code",
        [code.upper(), on, on, on, on],
    ).fetchall()
    return [_org(r) for r in rows]


class OrgNode(dict[str, Any]):
    """A node of :func:`tree`: code, name, kind and children (a JSON-ready dict)."""


def tree(store: Store, code: str | None = None, on: dt.date | None = None) -> OrgNode:
    """The hierarchy below ``code`` (default: NHS England) on ``on``."""
    from opmodel.structure.models import NATIONAL_CODE

    on = on or dt.date.today()
    root = get_organisation(store, code or NATIONAL_CODE)

    def build(org: Organisation, depth: int) -> OrgNode:
        kids = children_on(store, org.code, on) if depth < 6 else []
        return OrgNode(code=org.code, name=org.name, kind=org.kind.value,
                       children=[build(k, depth + 1) for k in kids])

    return build(root, 0)


def _with_parents(store: Store, day: str, where: str, parent_day: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """The organisations ``where`` selects (code, name, kind, ``day``), each with its direct parent on
    ``parent_day`` as :func:`parent_on` finds it, in one query (issue 25: a query per organisation took
    1.5 s for a wide range of dates on the API)."""
    return store.execute(f"""
        WITH o AS (SELECT code, name, kind, {day} AS day, {parent_day} AS parent_day FROM organisations
                   WHERE {where}),
             p AS (SELECT r.child, arg_max(r.parent, r.valid_from) AS parent
                   FROM o JOIN relationships r ON r.child = o.code JOIN organisations po ON po.code = r.parent
                   WHERE r.valid_from <= o.parent_day AND (r.valid_to IS NULL OR r.valid_to >= o.parent_day)
                   GROUP BY r.child)
        SELECT o.code, o.name, o.kind, o.day, p.parent FROM o LEFT JOIN p ON p.child = o.code
        ORDER BY o.day, o.code""", params).fetchall()


def changes(store: Store, start: dt.date, end: dt.date) -> list[StructureChange]:
    """Organisations opened or closed, and those whose parent changed, between two dates."""
    if end < start:
        start, end = end, start
    out: list[StructureChange] = []
    for code, name, kind, opened, parent in _with_parents(store, "open_date", "open_date > $1 AND open_date <= $2",
                                                          "$2", [start, end]):
        out.append(StructureChange(code=code, name=name, kind=OrgKind(kind), change="opened", date=opened,
                                   new_parent=parent))
    for code, name, kind, closed, parent in _with_parents(store, "close_date", "close_date >= $1 AND close_date < $2",
                                                          "close_date", [start, end]):
        out.append(StructureChange(code=code, name=name, kind=OrgKind(kind), change="closed", date=closed,
                                   old_parent=parent))
    moved = store.execute(
        """
        WITH a AS (SELECT child, parent FROM relationships
                   WHERE valid_from <= $1 AND (valid_to IS NULL OR valid_to >= $1)),
             b AS (SELECT child, parent, valid_from FROM relationships
                   WHERE valid_from <= $2 AND (valid_to IS NULL OR valid_to >= $2)),
             live AS (SELECT code, name, kind FROM organisations
                      WHERE (open_date IS NULL OR open_date <= $1) AND (close_date IS NULL OR close_date >= $2)),
             ended AS (SELECT child, max(valid_to) AS last FROM relationships WHERE valid_to < $2 GROUP BY child)
        SELECT l.code, l.name, l.kind, a.parent, b.parent, b.valid_from, e.last
        FROM live l LEFT JOIN a ON a.child = l.code LEFT JOIN b ON b.child = l.code
             LEFT JOIN ended e ON e.child = l.code
        WHERE a.parent IS DISTINCT FROM b.parent AND (a.parent IS NOT NULL OR b.parent IS NOT NULL)
        ORDER BY l.kind, l.code
        """,
        [start, end],
    ).fetchall()
    for code, name, kind, old, new, since, ended in moved:
        if new is None:
            since = (ended + dt.timedelta(days=1)) if ended else end
        out.append(StructureChange(code=code, name=name, kind=OrgKind(kind), change="parent_changed",
                                   date=since, old_parent=old, new_parent=new))
    return out
