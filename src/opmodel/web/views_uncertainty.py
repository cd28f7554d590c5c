"""View models for league-table uncertainty (issue 12): range fields on league rows, the caterpillar chart,
the table's rankability, and the profile sentence ("likely rank 3 to 25 of 134; 62% chance of segment 2").

Built on :mod:`opmodel.oversight.uncertainty_run` (ranges cached per input hash), so every page view and
API call carries ranges without recomputing them. The oversight views call :func:`attach_ranges` and
:func:`profile_uncertainty`; the templates ``_uncertainty_*.jinja`` show them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from opmodel.oversight.computed import computed_inputs_from_run
from opmodel.oversight.results import SegmentationRun
from opmodel.oversight.uncertainty_run import TableRanges, ranges_for_inputs
from opmodel.store import Store

__all__ = ["RANGE_CSV_COLUMNS", "LeagueUncertaintyView", "ProfileUncertainty", "RangeFields", "attach_ranges",
           "profile_uncertainty", "run_ranges"]

T = TypeVar("T")
Memo = Callable[[Any, Callable[[], T]], T]
#: Columns the league CSV download adds (flat, so a spreadsheet can read them).
RANGE_CSV_COLUMNS = ("likely_average_low", "likely_average_high", "likely_rank_low", "likely_rank_high",
                     "p_own_segment", "published_likely_range_average", "published_likely_range_rank")


def _no_memo(_key: Any, compute: Callable[[], T]) -> T:
    return compute()


class RangeFields(BaseModel):
    """The likely ranges a league row carries (null where the trust has none)."""

    likely_range_average: list[float] | None = Field(None, description="[low, high] 2.5th-97.5th percentile of "
                                                     "resampled averages, 2 dp (our reconstruction).")
    likely_range_rank: list[int] | None = Field(None, description="[low, high] likely league rank.")
    p_segment: dict[str, float] | None = Field(None, description="Probability of each unadjusted segment 1-4.")
    p_adjusted_segment: dict[str, float] | None = Field(None, description="Probability of each adjusted segment.")
    likely_average_low: float | None = None
    likely_average_high: float | None = None
    likely_rank_low: int | None = None
    likely_rank_high: int | None = None
    p_own_segment: float | None = Field(None, description="Probability of the adjusted segment shown.")
    published_likely_range_average: list[float] | None = Field(None, description="NHS England's published range, "
                                                               "where its league-table CSV is loaded.")
    published_likely_range_rank: list[int] | None = None


class LeagueUncertaintyView(BaseModel):
    """What the league page shows about the table's uncertainty."""

    method: str
    replicates: int
    seed: int
    rankability: dict[str, float]
    notes: list[str]
    chart: Any = Field(None, description="Caterpillar chart (web.charts.Chart) of the rows shown.")
    published_agreement: dict[str, Any] | None = Field(None, description="Computed against published ranges.")


class ProfileUncertainty(BaseModel):
    """One trust's likely rank and segment for its profile."""

    sentence: str
    likely_range_average: list[float]
    likely_range_rank: list[int]
    rank_of: int
    p_adjusted_segment: dict[str, float]
    p_segment: dict[str, float]
    rankability: float
    method: str


def run_ranges(run: SegmentationRun, memo: Memo[Any] = _no_memo) -> TableRanges:
    """Likely ranges for every league table of ``run`` (memoised per run inputs and policy)."""

    def compute() -> TableRanges:
        return ranges_for_inputs(computed_inputs_from_run(run))

    found: TableRanges = memo(("uncertainty-ranges", run.period, run.inputs_sha256, run.policy_sha256), compute)
    return found


def _fields(ranges: TableRanges, code: str, adjusted: int | None) -> dict[str, Any]:
    f = ranges.row_fields(code)
    avg, rank = f["likely_range_average"], f["likely_range_rank"]
    p_adj = f["p_adjusted_segment"]
    return {"likely_range_average": avg, "likely_range_rank": rank, "p_segment": f["p_segment"],
            "p_adjusted_segment": p_adj,
            "likely_average_low": avg[0] if avg else None, "likely_average_high": avg[1] if avg else None,
            "likely_rank_low": rank[0] if rank else None, "likely_rank_high": rank[1] if rank else None,
            "p_own_segment": p_adj.get(str(adjusted)) if p_adj and adjusted is not None else None}


def attach_ranges(run: SegmentationRun, rows: Sequence[Any], title: str, memo: Memo[Any] = _no_memo,
                  render: bool = True, store: Store | None = None) -> LeagueUncertaintyView:
    """Set the range fields on league rows (models with :class:`RangeFields`' fields) and build the
    caterpillar chart of the rows shown, in their league order, when they are one peer group's table.
    With ``store``, NHS England's published ranges (a loaded league-table CSV) are set beside the
    computed ones, with the agreement."""
    from opmodel.oversight.periods import parse_period
    from opmodel.oversight.uncertainty_chart import caterpillar_spec, caterpillar_table
    from opmodel.oversight.uncertainty_run import published_ranges, range_agreement
    from opmodel.web.charts import make_chart

    ranges = run_ranges(run, memo)
    published: dict[str, dict[str, Any]] = {}
    if store is not None:
        per = parse_period(run.period)
        published = published_ranges(store, per.start.isoformat(), per.end.isoformat())
    for r in rows:
        for k, v in _fields(ranges, r.org_code, r.adjusted_segment).items():
            setattr(r, k, v)
        pub = published.get(r.org_code)
        if pub is not None:
            r.published_likely_range_average = pub["published_likely_range_average"]
            r.published_likely_range_rank = pub["published_likely_range_rank"]
    plain = [r.model_dump() for r in rows]
    chart = None
    # One table per chart: ranks of different peer groups are not one order.
    one_table = len({p.get("peer_group") for p in plain}) == 1
    if one_table and any(p.get("likely_range_average") for p in plain):
        spec = caterpillar_spec(plain, title, run.cutoffs.values)
        chart = make_chart(spec, caterpillar_table(plain), memo, render=render)
    return LeagueUncertaintyView(method=ranges.method, replicates=ranges.replicates, seed=ranges.seed,
                                 rankability={g: round(t.rankability, 3) for g, t in ranges.tables.items()},
                                 notes=ranges.notes, chart=chart,
                                 published_agreement=range_agreement(ranges, published) if published else None)


def profile_uncertainty(run: SegmentationRun, code: str, memo: Memo[Any] = _no_memo) -> ProfileUncertainty | None:
    """The trust's likely rank and segment probabilities, or None when it has no range."""
    ranges = run_ranges(run, memo)
    for table in ranges.tables.values():
        t = table.by_org().get(code)
        if t is None:
            continue
        result = run.by_org().get(code)
        rank_of = (result.rank_of if result and result.rank_of else t.rank_of)
        seg = str(result.adjusted_segment if result and result.adjusted_segment else t.adjusted_segment)
        p = t.p_adjusted_segment.get(seg, 0.0)
        lo, hi = t.likely_range_rank
        sentence = f"likely rank {lo} to {hi} of {rank_of}; {round(100 * p)}% chance of segment {seg}"
        return ProfileUncertainty(sentence=sentence, likely_range_average=list(t.likely_range_average),
                                  likely_range_rank=[lo, hi], rank_of=rank_of, p_adjusted_segment=t.p_adjusted_segment,
                                  p_segment=t.p_segment, rankability=round(table.rankability, 3),
                                  method=ranges.method)
    return None
