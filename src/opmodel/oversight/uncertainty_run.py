"""Likely ranges on the computed path: from a segmentation's per-trust scores to league rows with ranges.

Adapts :mod:`opmodel.oversight.computed` (each trust's counted metric scores, weights, deficit and
segment-5 flags, the quarter's cut-offs) to the array core in :mod:`.uncertainty`, one league table
(peer group) at a time, and caches the answer per input hash so that the league command, page and
API can compute ranges on every call (issue 12, JSON contract). Published likely ranges, where a
league-table file was loaded, are put beside the computed ones (:func:`published_ranges`).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from opmodel.oversight.computed import ComputedInputs, TrustInputs
from opmodel.oversight.uncertainty import (
    DEFAULT_REPLICATES,
    DEFAULT_SEED,
    LeagueUncertainty,
    Method,
    TrustPool,
    league_uncertainty,
)
from opmodel.store import Store
from opmodel.store.results import cached

__all__ = ["TableRanges", "league_ranges", "pools_for", "published_ranges", "range_agreement",
           "ranges_for_inputs", "significant_change"]

_CACHE: OrderedDict[str, TableRanges] = OrderedDict()
_CACHE_SIZE = 32


@dataclass(slots=True)
class TableRanges:
    """Ranges for every league table (peer group) of one quarter, keyed by organisation."""

    framework: str
    period: str
    method: Method
    replicates: int
    seed: int
    inputs_sha256: str
    tables: dict[str, LeagueUncertainty] = field(default_factory=dict)
    fixed: set[str] = field(default_factory=set)  # no metric scores: the average is held fixed
    notes: list[str] = field(default_factory=list)

    def row_fields(self, org_code: str) -> dict[str, Any]:
        """What a league row gains: the contract fields, or nulls when the trust has no range."""
        for group, table in self.tables.items():
            t = table.by_org().get(org_code)
            if t is not None:
                return {**t.fields(), "range_source": "fixed" if org_code in self.fixed else self.method,
                        "rankability": round(table.rankability, 3), "range_peer_group": group}
        return {"likely_range_average": None, "likely_range_rank": None, "p_segment": None,
                "p_adjusted_segment": None, "p_final_segment": None, "range_source": None}

    def summary(self) -> dict[str, Any]:
        return {"framework": self.framework, "period": self.period, "method": self.method,
                "replicates": self.replicates, "seed": self.seed, "inputs_sha256": self.inputs_sha256,
                "rankability": {g: round(t.rankability, 3) for g, t in self.tables.items()},
                "fixed": sorted(self.fixed), "notes": self.notes,
                "reconstruction": "our reconstruction of the likely ranges, not NHS England's stated method"}


def pools_for(trusts: Iterable[TrustInputs]) -> tuple[list[TrustPool], set[str]]:
    """One pool per ranked trust. A trust with no metric scores (a published result) enters with its
    average as one fixed score, so the ranks of the others are among the same table; it gets no range
    of its own worth the name, and is returned in the second set."""
    pools: list[TrustPool] = []
    fixed: set[str] = set()
    for t in trusts:
        if t.adjusted_segment is None or t.rank is None:
            continue
        metrics = tuple(sorted(t.scores))
        if metrics:
            pools.append(TrustPool(t.org_code, tuple(t.scores[m] for m in metrics),
                                   tuple(t.weights.get(m, 1.0) for m in metrics), t.deficit, t.segment5, metrics))
        elif t.average is not None:
            fixed.add(t.org_code)
            pools.append(TrustPool(t.org_code, (t.average,), (1.0,), t.deficit, t.segment5))
    return pools, fixed


def _hash(ci: ComputedInputs, method: str, replicates: int, seed: int) -> str:
    h = hashlib.sha256(json.dumps([ci.framework, ci.period, ci.cutoffs, ci.financial_cap, method, replicates,
                                   seed], default=str).encode())
    for t in sorted(ci.trusts, key=lambda t: t.org_code):
        h.update(json.dumps([t.org_code, t.peer_group, sorted(t.scores.items()), sorted(t.weights.items()),
                             t.average, t.deficit, t.segment5, t.adjusted_segment, t.rank]).encode())
    return h.hexdigest()


@cached("oversight.ranges", depends=("metrics",), share=True)  # issue 25: kept in the store when given one
def ranges_for_inputs(ci: ComputedInputs, *, replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
                      method: Method = "metric-mix", store: Store | None = None) -> TableRanges:
    """Likely ranges for every peer group in ``ci`` (cached per input hash).

    ``method="metric-noise"`` needs ``store`` (numerators and denominators of the raw values).
    """
    key = _hash(ci, method, replicates, seed)
    if method == "metric-noise":
        from opmodel.oversight.uncertainty_noise import counts_signature

        if store is None:
            raise ValueError("the metric-noise method needs the store (numerators and denominators)")
        key = hashlib.sha256((key + counts_signature(store, ci.period)).encode()).hexdigest()
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    out = TableRanges(ci.framework, ci.period, method, replicates, seed, key)
    if not ci.cutoffs or len(ci.cutoffs) != 3:
        out.notes.append(f"no segment cut-offs for {ci.period} ({ci.cutoffs_source}): no likely ranges")
        return out
    groups = sorted({t.peer_group for t in ci.trusts})
    for g in groups:
        pools, fixed = pools_for(t for t in ci.trusts if t.peer_group == g)
        if not pools:
            continue
        out.fixed |= fixed
        if method == "metric-noise":
            from opmodel.oversight.uncertainty_noise import noise_means

            assert store is not None
            means, note = noise_means(store, ci, pools, replicates=replicates, seed=seed)
            out.notes.append(f"{g}: {note}")
            table = league_uncertainty(pools, ci.cutoffs, replicates=replicates, seed=seed,
                                       cap=ci.financial_cap, means=means, method=method)
        else:
            table = league_uncertainty(pools, ci.cutoffs, replicates=replicates, seed=seed, cap=ci.financial_cap)
        out.tables[g] = table
        if fixed:
            out.notes.append(f"{g}: {len(fixed)} trust(s) have no metric scores (published results): their "
                             "average is held fixed, so their ranges show only how the others move")
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def _parse_pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
        return float(value[0]), float(value[1])
    if isinstance(value, str):
        from opmodel.metrics.readers.league import parse_range

        try:
            return parse_range(value)
        except ValueError:
            return None
    return None


def published_ranges(store: Store, period_start: str, period_end: str) -> dict[str, dict[str, Any]]:
    """NHS England's published likely ranges held in the store for a quarter (league-table files), by trust."""
    from opmodel.metrics.readers.league import RANGE_METRIC

    # The ranges' own rows first (see RANGE_METRIC), then any on OF5002 (a league table loaded alone).
    rows = store.execute(
        "SELECT org_code, value, extra FROM metric_values WHERE metric IN (?, 'OF5002') AND period_start = ? "
        "AND period_end = ? AND extra IS NOT NULL ORDER BY metric = ? DESC",
        [RANGE_METRIC, period_start, period_end, RANGE_METRIC]).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for code, value, extra_text in rows:
        extra = json.loads(extra_text)
        avg = _parse_pair(extra.get("likely_range_average", extra.get("likely_range_of_average_score")))
        rank = _parse_pair(extra.get("likely_range_rank", extra.get("likely_range_of_rank")))
        if (avg is None and rank is None) or str(code) in out:
            continue
        out[str(code)] = {"published_average": value, "published_rank": extra.get("league_rank"),
                          "published_likely_range_average": None if avg is None else list(avg),
                          "published_likely_range_rank": None if rank is None else [int(r) for r in rank]}
    return out


def range_agreement(ranges: TableRanges, published: dict[str, dict[str, Any]],
                    avg_tolerance: float = 0.05, rank_tolerance: int = 2) -> dict[str, Any]:
    """How closely the computed ranges match the published ones: ends within the tolerances, largest gaps."""
    pairs = []
    for code, pub in published.items():
        mine = ranges.row_fields(code)
        if mine["likely_range_average"] is None or pub["published_likely_range_average"] is None:
            continue
        d_avg = max(abs(a - b) for a, b in zip(mine["likely_range_average"], pub["published_likely_range_average"],
                                               strict=True))
        d_rank = (max(abs(a - b) for a, b in zip(mine["likely_range_rank"], pub["published_likely_range_rank"],
                                                 strict=True))
                  if pub["published_likely_range_rank"] is not None else None)
        pairs.append({"org_code": code, "average_gap": round(d_avg, 2), "rank_gap": d_rank})
    if not pairs:
        return {"compared": 0, "note": "no published likely ranges held for this quarter"}
    return {"compared": len(pairs),
            "average_within": sum(1 for p in pairs if p["average_gap"] <= avg_tolerance + 1e-9),
            "rank_within": sum(1 for p in pairs if p["rank_gap"] is not None and p["rank_gap"] <= rank_tolerance),
            "tolerances": {"average": avg_tolerance, "rank": rank_tolerance},
            "largest": sorted(pairs, key=lambda p: (-p["average_gap"], -(p["rank_gap"] or 0)))[:5]}


def league_ranges(store: Store, period: str, framework: str | None = None, peer_group: str | None = None, *,
                  replicates: int = DEFAULT_REPLICATES, seed: int = DEFAULT_SEED,
                  method: Method = "metric-mix") -> TableRanges:
    """Segment ``period`` on the computed path and give every league table's likely ranges."""
    from opmodel.oversight.computed import computed_inputs

    ci = computed_inputs(store, framework, period, peer_group)
    return ranges_for_inputs(ci, replicates=replicates, seed=seed, method=method, store=store)


def significant_change(store: Store, org_code: str, period_from: str, period_to: str,
                       framework: str | None = None, *, replicates: int = DEFAULT_REPLICATES,
                       seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """``opmodel change``: one trust's change in average between two quarters, with its interval."""
    from opmodel.errors import OpmodelError, UnknownCodeError
    from opmodel.oversight.computed import computed_inputs
    from opmodel.oversight.uncertainty_change import paired_change

    code = org_code.upper()
    found = []
    for per in (period_from, period_to):
        ci = computed_inputs(store, framework, per)
        by = {t.org_code: t for t in ci.trusts}
        if code not in by:
            raise UnknownCodeError(f"organisation segmented in {per}", code, sorted(by)[:5])
        found.append((ci, by[code]))
    (ci_b, before), (ci_a, after) = found
    try:
        result = paired_change(before, after, period_from, period_to, ci_b.cutoffs, ci_a.cutoffs,
                               cap=ci_a.financial_cap, replicates=replicates, seed=seed)
    except ValueError as exc:
        raise OpmodelError(str(exc)) from None
    return {**result.as_dict(), "org_name": after.org_name, "framework": ci_a.framework,
            "cutoffs_from": ci_b.cutoffs, "cutoffs_to": ci_a.cutoffs,
            "method": "paired resampling of the trust's metric scores (our reconstruction, docs/decisions.md)"}
