"""Apply reference lists and dated ODS snapshots to the registry, building history.

ODS files describe the structure *as it is* on the day they are extracted. Loading
them one after another, each "as of" a date, turns them into history: a
relationship that is unchanged is carried on, one that changed is closed the day
before and a new one opened on that date. Each load is one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from opmodel.errors import InputError, InputProblem
from opmodel.store import Store
from opmodel.structure.models import NATIONAL_CODE, OrgKind, RelKind
from opmodel.structure.ods import OdsFileKind, OdsRecord, OdsSnapshot, read_ods_file
from opmodel.structure.reference import ReferenceFile, read_reference_file

__all__ = ["LoadSummary", "apply_ods_snapshot", "apply_reference", "load_ods", "load_reference"]

NATIONAL_NAME = "NHS England"
NATIONAL_OPEN = dt.date(2013, 4, 1)
_DAY = dt.timedelta(days=1)


@dataclass
class LoadSummary:
    """What one load did, for the CLI to print and tests to check."""

    source: str
    kind: str
    as_of: dt.date | None = None
    organisations_added: int = 0
    organisations_updated: int = 0
    relationships_opened: int = 0
    relationships_closed: int = 0
    unchanged: bool = False
    notes: list[str] = field(default_factory=list)


def _new_load(store: Store, kind: str, source: str, sha: str, as_of: dt.date | None, rows: int) -> int:
    load_id = int(store.scalar("SELECT nextval('load_id_seq')"))
    store.execute(
        "INSERT INTO loads(load_id, area, kind, source, sha256, as_of, row_count) "
        "VALUES (?, 'structure', ?, ?, ?, ?, ?)",
        [load_id, kind, source, sha, as_of, rows],
    )
    return load_id


def _ensure_national(store: Store) -> None:
    if store.scalar("SELECT count(*) FROM organisations WHERE code = ?", [NATIONAL_CODE]) == 0:
        store.execute(
            "INSERT INTO organisations(code, name, kind, open_date, source) VALUES (?, ?, 'national', ?, 'built-in')",
            [NATIONAL_CODE, NATIONAL_NAME, NATIONAL_OPEN],
        )


def _kinds(store: Store) -> dict[str, tuple[str, dt.date | None, dt.date | None]]:
    return {
        r[0]: (r[1], r[2], r[3])
        for r in store.execute("SELECT code, kind, open_date, close_date FROM organisations").fetchall()
    }


def _upsert_org(store: Store, code: str, name: str, kind: OrgKind, source: str, *,
                open_date: dt.date | None, close_date: dt.date | None,
                ons_code: str | None = None, postcode: str | None = None,
                summary: LoadSummary) -> None:
    exists = store.scalar("SELECT count(*) FROM organisations WHERE code = ?", [code])
    if exists:
        store.execute(
            "UPDATE organisations SET name = ?, kind = ?, open_date = ?, close_date = ?, "
            "ons_code = coalesce(?, ons_code), postcode = coalesce(?, postcode), source = ? WHERE code = ?",
            [name, kind.value, open_date, close_date, ons_code, postcode, source, code],
        )
        summary.organisations_updated += 1
    else:
        store.execute(
            "INSERT INTO organisations(code, name, kind, open_date, close_date, ons_code, postcode, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [code, name, kind.value, open_date, close_date, ons_code, postcode, source],
        )
        summary.organisations_added += 1


@dataclass
class _LinkPlan:
    """Set-based changes to ``relationships`` computed in Python, written in three statements."""

    deletes: list[int] = field(default_factory=list)
    ends: list[tuple[int, dt.date | None]] = field(default_factory=list)
    inserts: list[tuple[str, str, str, dt.date, dt.date | None, int]] = field(default_factory=list)

    def write(self, store: Store) -> None:
        import pyarrow as pa  # imported by loads only, so reading the registry stays light (issue 25)

        if self.deletes:
            store.execute("DELETE FROM relationships WHERE rowid IN (SELECT unnest(?::BIGINT[]))", [self.deletes])
        if self.ends:
            ends = pa.table({"rid": pa.array([r for r, _ in self.ends], pa.int64()),
                             "valid_to": pa.array([d for _, d in self.ends], pa.date32())})
            store.con.register("_link_ends", ends)
            store.execute("UPDATE relationships SET valid_to = e.valid_to FROM _link_ends e "
                          "WHERE relationships.rowid = e.rid")
            store.con.unregister("_link_ends")
        if self.inserts:
            cols = list(zip(*self.inserts, strict=True))
            new = pa.table({"child": pa.array(cols[0], pa.string()), "parent": pa.array(cols[1], pa.string()),
                            "rel": pa.array(cols[2], pa.string()), "valid_from": pa.array(cols[3], pa.date32()),
                            "valid_to": pa.array(cols[4], pa.date32()), "load_id": pa.array(cols[5], pa.int32())})
            store.con.register("_link_new", new)
            store.execute("INSERT INTO relationships(child, parent, rel, valid_from, valid_to, load_id) "
                          "SELECT child, parent, rel, valid_from, valid_to, load_id FROM _link_new")
            store.con.unregister("_link_new")


def _plan_parent(plan: _LinkPlan, current: list[tuple[int, str, dt.date]], child: str, parent: str | None,
                 rel: RelKind, as_of: dt.date, start: dt.date, end: dt.date | None, load_id: int,
                 summary: LoadSummary) -> None:
    """Make ``parent`` the parent of ``child`` from ``as_of``, carrying on an unchanged link.

    ``current`` holds the child's links of this kind still valid on or after ``as_of``.
    """
    carried = False
    for rowid, old_parent, vfrom in current:
        if vfrom >= as_of:
            plan.deletes.append(rowid)  # a restatement on or after this date is superseded
        elif old_parent == parent and not carried:
            plan.ends.append((rowid, end))
            carried = True
        else:
            plan.ends.append((rowid, as_of - _DAY))
            summary.relationships_closed += 1
    if parent is not None and not carried and (end is None or start <= end):
        plan.inserts.append((child, parent, rel.value, start, end, load_id))
        summary.relationships_opened += 1


def _latest(*dates: dt.date | None) -> dt.date:
    return max(d for d in dates if d is not None)


def _earliest(*dates: dt.date | None) -> dt.date | None:
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def _bulk_upsert_orgs(store: Store, records: tuple[OdsRecord, ...], kind: OrgKind, source: str,
                      known: dict[str, tuple[str, dt.date | None, dt.date | None]], summary: LoadSummary) -> None:
    """Insert or update every organisation of a snapshot in one statement (subtype is kept)."""
    import pyarrow as pa

    table = pa.table({
        "code": pa.array([r.code for r in records], pa.string()),
        "name": pa.array([r.name for r in records], pa.string()),
        "open_date": pa.array([r.open_date for r in records], pa.date32()),
        "close_date": pa.array([r.close_date for r in records], pa.date32()),
        "postcode": pa.array([r.postcode for r in records], pa.string()),
    })
    store.con.register("_orgs_in", table)
    store.execute(
        "INSERT INTO organisations(code, name, kind, open_date, close_date, postcode, source) "
        "SELECT code, name, ?, open_date, close_date, postcode, ? FROM _orgs_in "
        "ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind, "
        "open_date = excluded.open_date, close_date = excluded.close_date, "
        "postcode = coalesce(excluded.postcode, organisations.postcode), source = excluded.source",
        [kind.value, source],
    )
    store.con.unregister("_orgs_in")
    added = sum(1 for r in records if r.code not in known)
    summary.organisations_added += added
    summary.organisations_updated += len(records) - added


def apply_reference(store: Store, ref: ReferenceFile) -> LoadSummary:
    """Add or update regions, ICBs (with their region) or trusts (with their ICB) from a reference file."""
    summary = LoadSummary(str(ref.path), "reference")
    with store.transaction():
        _ensure_national(store)
        known = _kinds(store)
        problems: list[InputProblem] = []
        load_id = _new_load(store, "reference", str(ref.path), ref.sha256, None,
                            len(ref.regions) + len(ref.icbs) + len(ref.trusts))
        for r in ref.regions:
            if r.code in known and known[r.code][0] != OrgKind.REGION:
                problems.append(InputProblem(str(ref.path), r.line, "code",
                                             f"{r.code} is already registered as a {known[r.code][0]}"))
                continue
            _upsert_org(store, r.code, r.name, OrgKind.REGION, str(ref.path), open_date=r.open_date,
                        close_date=None, ons_code=r.ons_code, summary=summary)
            store.execute("DELETE FROM relationships WHERE child = ? AND rel = 'region_national'", [r.code])
            store.execute(
                "INSERT INTO relationships(child, parent, rel, valid_from, valid_to, load_id) "
                "VALUES (?, ?, 'region_national', ?, NULL, ?)",
                [r.code, NATIONAL_CODE, r.open_date or NATIONAL_OPEN, load_id],
            )
            summary.relationships_opened += 1
        known = _kinds(store)
        for icb in ref.icbs:
            if icb.code in known and known[icb.code][0] != OrgKind.ICB:
                problems.append(InputProblem(str(ref.path), icb.line, "code",
                                             f"{icb.code} is already registered as a {known[icb.code][0]}"))
                continue
            if ref.names_only:
                if icb.code not in known:
                    problems.append(InputProblem(str(ref.path), icb.line, "code",
                                                 f"unknown ICB {icb.code}: load an ICB reference file "
                                                 "(code,name,ons_code,region,open_date,close_date) first"))
                    continue
                store.execute("UPDATE organisations SET name = ?, ons_code = coalesce(?, ons_code) WHERE code = ?",
                              [icb.name, icb.ons_code, icb.code])
                summary.organisations_updated += 1
                continue
            if icb.region is None or known.get(icb.region, ("",))[0] != OrgKind.REGION:
                problems.append(InputProblem(str(ref.path), icb.line, "region",
                                             f"unknown parent code {icb.region!r}: expected one of the regions "
                                             f"{', '.join(sorted(c for c, k in known.items() if k[0] == 'region'))}"))
                continue
            _upsert_org(store, icb.code, icb.name, OrgKind.ICB, str(ref.path), open_date=icb.open_date,
                        close_date=icb.close_date, ons_code=icb.ons_code, summary=summary)
            store.execute("DELETE FROM relationships WHERE child = ? AND rel = 'icb_region'", [icb.code])
            store.execute(
                "INSERT INTO relationships(child, parent, rel, valid_from, valid_to, load_id) "
                "VALUES (?, ?, 'icb_region', ?, ?, ?)",
                [icb.code, icb.region, icb.open_date or NATIONAL_OPEN, icb.close_date, load_id],
            )
            summary.relationships_opened += 1
        known = _kinds(store)
        for t in ref.trusts:
            if t.code in known and known[t.code][0] not in (OrgKind.TRUST, OrgKind.OTHER_PROVIDER):
                problems.append(InputProblem(str(ref.path), t.line, "code",
                                             f"{t.code} is already registered as a {known[t.code][0]}"))
                continue
            if known.get(t.icb, ("",))[0] != OrgKind.ICB:
                problems.append(InputProblem(str(ref.path), t.line, "icb",
                                             f"unknown parent code {t.icb!r}: expected the ODS code of an ICB"))
                continue
            _upsert_org(store, t.code, t.name, OrgKind.TRUST, f"{ref.path} ({t.source})", open_date=t.open_date,
                        close_date=t.close_date, summary=summary)
            _, icb_open, icb_close = known[t.icb]
            store.execute("DELETE FROM relationships WHERE child = ? AND rel = 'trust_icb'", [t.code])
            start = _latest(t.open_date, icb_open, NATIONAL_OPEN)
            end = _earliest(t.close_date, icb_close)
            if end is None or start <= end:
                store.execute(
                    "INSERT INTO relationships(child, parent, rel, valid_from, valid_to, load_id) "
                    "VALUES (?, ?, 'trust_icb', ?, ?, ?)",
                    [t.code, t.icb, start, end, load_id],
                )
                summary.relationships_opened += 1
        if problems:
            raise InputError(problems)
        store.execute("INSERT INTO ods_snapshots VALUES ('reference', current_date, ?, ?, ?)",
                      [str(ref.path), ref.sha256, load_id])
    return summary


def _cycle(records: tuple[OdsRecord, ...]) -> list[str] | None:
    """A parent chain that returns to where it started, among codes in one file."""
    parent = {r.code: r.icb for r in records if r.icb}
    for start in parent:
        seen = [start]
        node = parent.get(start)
        while node is not None:
            if node == start:
                return [*seen, start]
            if node in seen:
                break
            seen.append(node)
            node = parent.get(node)
    return None


def apply_ods_snapshot(store: Store, snap: OdsSnapshot, as_of: dt.date) -> LoadSummary:
    """Apply an ODS etr/eccg snapshot as of ``as_of``; reject it whole on any problem."""
    summary = LoadSummary(str(snap.path), snap.kind.value, as_of)
    src = str(snap.path)
    cycle = _cycle(snap.records)
    if cycle:
        line = next(r.line for r in snap.records if r.code == cycle[0])
        raise InputError.one(src, line, "high_level_health_geography",
                             "relationship cycle: " + " -> ".join(cycle) + "; expected each row's parent to be an ICB")
    with store.transaction():
        latest = store.execute(
            "SELECT as_of, sha256 FROM ods_snapshots WHERE file_kind = ? ORDER BY as_of DESC LIMIT 1",
            [snap.kind.value],
        ).fetchone()
        if latest is not None:
            if latest[0] == as_of and latest[1] == snap.sha256:
                summary.unchanged = True
                return summary
            if as_of < latest[0]:
                raise InputError.one(src, None, None,
                                     f"snapshot as of {as_of} is older than the {snap.kind.value} snapshot "
                                     f"already loaded as of {latest[0]}; load snapshots in date order")
        known = _kinds(store)
        problems: list[InputProblem] = []
        child_kind = OrgKind.TRUST if snap.kind is OdsFileKind.ETR else OrgKind.SUB_ICB
        for r in snap.records:
            if r.code in known and known[r.code][0] not in (child_kind, OrgKind.OTHER_PROVIDER):
                problems.append(InputProblem(src, r.line, "organisation_code",
                                             f"{r.code} is already registered as a {known[r.code][0]}, "
                                             f"expected a {child_kind.value}"))
            if r.icb is not None and known.get(r.icb, ("",))[0] != OrgKind.ICB:
                problems.append(InputProblem(src, r.line, "high_level_health_geography",
                                             f"unknown parent code {r.icb!r}: expected the ODS code of an ICB "
                                             "in the registry (load the ICB reference first)"))
            if r.region is not None and known.get(r.region, ("",))[0] != OrgKind.REGION:
                problems.append(InputProblem(src, r.line, "national_grouping",
                                             f"unknown parent code {r.region!r}: expected an NHS England region "
                                             "code (Y56, Y58-Y63)"))
        if problems:
            raise InputError(problems)
        load_id = _new_load(store, snap.kind.value, src, snap.sha256, as_of, len(snap.records))
        rel = RelKind.TRUST_ICB if snap.kind is OdsFileKind.ETR else RelKind.SUB_ICB_ICB
        _bulk_upsert_orgs(store, snap.records, child_kind, src, known, summary)
        current: dict[str, list[tuple[int, str, dt.date]]] = {}
        from_snapshots: set[str] = set()  # children whose open link came from a file of this kind
        for rowid, child, parent, vfrom, load_kind in store.execute(
            "SELECT r.rowid, r.child, r.parent, r.valid_from, l.kind FROM relationships r "
            "LEFT JOIN loads l ON l.load_id = r.load_id WHERE r.rel = ? "
            "AND (r.valid_to IS NULL OR r.valid_to >= ?) ORDER BY r.child, r.valid_from",
            [rel.value, as_of],
        ).fetchall():
            current.setdefault(child, []).append((rowid, parent, vfrom))
            if load_kind == snap.kind.value:
                from_snapshots.add(child)
        plan = _LinkPlan()
        present = set()
        for r in snap.records:
            present.add(r.code)
            mine = current.get(r.code, [])
            if r.icb is None:
                _plan_parent(plan, mine, r.code, None, rel, as_of, as_of, None, load_id, summary)
                continue
            _, icb_open, icb_close = known[r.icb]
            start = _latest(as_of, r.open_date, icb_open)
            end = _earliest(r.close_date, icb_close)
            _plan_parent(plan, mine, r.code, r.icb, rel, as_of, start, end, load_id, summary)
        # Organisations the previous snapshot had but this one omits lose their open links.
        # (Links from a reference list, e.g. care trusts the etr file never lists, are kept.)
        for child in sorted(from_snapshots - present):
            _plan_parent(plan, current[child], child, None, rel, as_of, as_of, None, load_id, summary)
            summary.notes.append(f"{child} is not in this snapshot: its parent link ends on {as_of - _DAY}")
        plan.write(store)
        store.execute("INSERT INTO ods_snapshots VALUES (?, ?, ?, ?, ?)",
                      [snap.kind.value, as_of, src, snap.sha256, load_id])
    return summary


def load_ods(store: Store, path: Path | str, as_of: dt.date) -> LoadSummary:
    """Read and apply an ODS etr/eccg file as of ``as_of`` (atomic)."""
    return apply_ods_snapshot(store, read_ods_file(path), as_of)


def load_reference(store: Store, path: Path | str) -> LoadSummary:
    """Read and apply a regions, ICBs or ONS ICB-names reference file (atomic)."""
    return apply_reference(store, read_reference_file(path))
