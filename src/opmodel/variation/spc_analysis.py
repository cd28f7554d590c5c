"""An XmR chart for one series: validation, limits per segment, rules, point types and icons.

The rule engines run in numpy on the small series (one organisation, one metric); the series
itself comes from the metric store already aggregated. Bad series are refused with a message
that names the period at fault (ecosystem notes §1.3 on missing values: a gap would create
false runs, so we never chart across one).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from opmodel.variation.icons import assurance_icon, improvement_sign, point_type, variation_icon
from opmodel.variation.presets import RuleSet
from opmodel.variation.spc import SpcError, XmrLimits, xmr_limits
from opmodel.variation.spc_rules import evaluate_rules

__all__ = ["Observation", "SpcPoint", "SpcResult", "spc_analysis"]


@dataclass(frozen=True)
class Observation:
    """One value of a series for the period ``period_start``..``period_end`` (inclusive)."""

    period_start: dt.date
    period_end: dt.date
    value: float | None


@dataclass(frozen=True)
class SpcPoint:
    period_start: dt.date
    period_end: dt.date
    value: float
    segment: int
    rule: str | None
    rules: list[str]
    sign: int
    point_type: str

    @property
    def special_cause(self) -> bool:
        return self.rule is not None


@dataclass
class SpcResult:
    """Everything an SPC chart shows, with the preset and warnings that qualify it."""

    metric: str
    org_code: str
    rules: RuleSet
    direction: str
    target: float | None
    limits: list[XmrLimits]
    points: list[SpcPoint]
    variation_icon: str
    assurance_icon: str | None
    rebased: bool
    warnings: list[str] = field(default_factory=list)
    org_name: str | None = None

    def segment_start(self, limits: XmrLimits) -> dt.date:
        return self.points[limits.start].period_start

    def limits_json(self, limits: XmrLimits) -> dict[str, Any]:
        return {
            "start": self.segment_start(limits).isoformat(),
            "mean": limits.mean, "upper": limits.upper, "lower": limits.lower,
            "upper_2sigma": limits.upper_2sigma, "lower_2sigma": limits.lower_2sigma,
            "mr_bar": limits.mr_bar, "mr_upper": limits.mr_upper,
            "baseline_points": limits.baseline_points, "screened_ranges": limits.screened_ranges,
            "trial": limits.trial,
        }

    def to_json(self) -> dict[str, Any]:
        """The ``opmodel spc --format json`` contract (issue 6)."""
        lims: Any = [self.limits_json(lim) for lim in self.limits]
        if not self.rebased:
            lims = lims[0]
        return {
            "metric": self.metric, "org_code": self.org_code, "org_name": self.org_name,
            "preset": self.rules.name, "direction": self.direction, "target": self.target,
            "settings": {"shift": self.rules.shift, "trend": self.rules.trend,
                         "two_in_three": self.rules.two_in_three, "screen_outliers": self.rules.screen_outliers,
                         "precedence": list(self.rules.precedence), "conflict": self.rules.conflict},
            "limits": lims,
            "points": [{"period": p.period_start.isoformat(), "period_end": p.period_end.isoformat(),
                        "value": p.value, "special_cause": p.special_cause, "rule": p.rule, "rules": p.rules,
                        "point_type": p.point_type} for p in self.points],
            "variation_icon": self.variation_icon,
            "assurance_icon": self.assurance_icon,
            "warnings": self.warnings,
        }


def _label(d: dt.date) -> str:
    return d.isoformat()


def _validated(series: Sequence[Observation], rebase_at: Sequence[dt.date] = ()) -> list[Observation]:
    """Sorted observations, or an error listing every missing value, duplicate and gap.

    A gap is allowed just before a rebase: rules never run across a rebase, so it cannot
    create false runs there.
    """
    if not series:
        raise SpcError("the series is empty: no values in the period asked for")
    obs = sorted(series, key=lambda o: o.period_start)
    problems: list[str] = []
    for o in obs:
        if o.value is None or not math.isfinite(o.value):
            problems.append(f"period {_label(o.period_start)}: no value (missing, or a zero denominator)")
    for a, b in itertools.pairwise(obs):
        if b.period_start == a.period_start:
            problems.append(f"period {_label(b.period_start)}: appears twice")
        elif b.period_start != a.period_end + dt.timedelta(days=1) and not any(
                b.period_start <= d <= b.period_end for d in rebase_at):
            problems.append(f"gap between period {_label(a.period_start)} (ends {_label(a.period_end)}) and "
                            f"period {_label(b.period_start)}: the series must be contiguous")
    if problems:
        raise SpcError("cannot chart this series:\n  " + "\n  ".join(problems)
                       + "\nChoose a contiguous range with --from/--to, or rebase after the gap.")
    return obs


def _break_indices(obs: Sequence[Observation], rebase_at: Sequence[dt.date]) -> list[int]:
    out: list[int] = []
    for day in rebase_at:
        idx = next((i for i, o in enumerate(obs) if o.period_start <= day <= o.period_end), None)
        if idx is None or idx == 0:
            raise SpcError(f"rebase date {day.isoformat()} must fall in a period after the first "
                           f"({_label(obs[0].period_start)} to {_label(obs[-1].period_end)})")
        out.append(idx)
    return out


def spc_analysis(series: Sequence[Observation], *, rules: RuleSet, direction: str | None,
                 target: float | None = None, rebase_at: Sequence[dt.date] = (), baseline: int | None = None,
                 metric: str = "", org_code: str = "", org_name: str | None = None) -> SpcResult:
    """XmR limits, special causes and icons for one contiguous series.

    ``direction`` is the metric's improvement direction (higher, lower or neutral); a missing one
    is an error, never a silent icon. ``rebase_at`` starts new limits at the periods holding those
    dates; ``baseline`` fixes each segment's limits on its first points.
    """
    improvement = improvement_sign(direction)
    obs = _validated(series, rebase_at)
    x = np.array([o.value for o in obs], dtype=np.float64)
    breaks = _break_indices(obs, rebase_at)
    limits = xmr_limits(x, screen=rules.screen_outliers, baseline=baseline, breaks=breaks,
                        trial_below=rules.trial_below)
    warnings: list[str] = []
    points: list[SpcPoint] = []
    for seg, lim in enumerate(limits):
        start = _label(obs[lim.start].period_start)
        if lim.trial:
            warnings.append(f"limits from {start} are trial limits: {lim.baseline_points} baseline point(s), "
                            f"fewer than {rules.trial_below}")
        outcome = evaluate_rules(x[lim.start:lim.end], lim, rules, improvement)
        for name in outcome.not_evaluated:
            warnings.append(f"segment from {start} has {lim.end - lim.start} point(s), too few for the "
                            f"{name} rule: it was not evaluated")
        for k in range(lim.end - lim.start):
            o = obs[lim.start + k]
            s = outcome.sign[k]
            points.append(SpcPoint(period_start=o.period_start, period_end=o.period_end, value=float(x[lim.start + k]),
                                   segment=seg, rule=outcome.rule[k], rules=outcome.fired[k], sign=s,
                                   point_type=point_type(s, improvement)))
    assurance = None if target is None else assurance_icon(limits[-1], target, improvement)
    return SpcResult(metric=metric, org_code=org_code, org_name=org_name, rules=rules,
                     direction=str(direction), target=target, limits=limits, points=points,
                     variation_icon=variation_icon(points[-1].sign, improvement),
                     assurance_icon=assurance, rebased=bool(breaks), warnings=warnings)
