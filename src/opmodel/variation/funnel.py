"""Funnel plots: exact binomial (proportions) and Poisson (rates, ratios) control limits.

Spiegelhalter (2005), ecosystem notes §2.1–2.2. The target is the pooled value Σ numerator /
Σ denominator. At precision ``n`` the limit for tail probability ``p`` is the exact quantile
``r_p`` of Binomial(n, θ0) (or Poisson(θ0·n)), smoothed by Spiegelhalter's interpolation
``r_p − (F(r_p) − p) / (F(r_p) − F(r_p − 1))`` and divided by ``n``, so the funnel is a curve
rather than a staircase. Limits are at 95% (p = 0.025, 0.975) and 99.8% (p = 0.001, 0.999).
With ``overdispersion=True`` the limits widen by the additive random-effects tau² estimated
from winsorised z-scores, when any is found. ``od_method="shmi"`` draws an indirectly standardised
ratio (observed / expected deaths) the way NHS Digital bands the SHMI: see :func:`funnel_analysis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from opmodel.errors import OpmodelError
from opmodel.variation.overdispersion import Overdispersion, estimate_overdispersion

__all__ = [
    "FunnelError",
    "FunnelKind",
    "FunnelPoint",
    "FunnelResult",
    "FunnelUnit",
    "OdMethod",
    "binomial_limit",
    "funnel_analysis",
    "poisson_limit",
]

Floats = npt.NDArray[np.float64]
FunnelKind = Literal["proportion", "rate"]
#: How limits widen for over-dispersion: ``spiegelhalter`` (square-root or arcsine scale, winsorised
#: z-scores, exact limits when none is found) or ``shmi`` (NHS Digital's SHMI banding: log scale,
#: 10 per cent of units trimmed from each end, normal limits ``exp(±z·sqrt(1/E + tau²))``).
OdMethod = Literal["spiegelhalter", "shmi"]
#: (name, lower tail p, upper tail p)
LEVELS = (("95", 0.025, 0.975), ("998", 0.001, 0.999))


class FunnelError(OpmodelError):
    """Units that cannot be placed on a funnel (zero denominators, impossible counts, ...)."""


def _interpolate(r: Floats, f_r: Floats, f_prev: Floats, p: float) -> Floats:
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_prev, (f_r - p) / (f_r - f_prev), 0.0)
    return np.maximum(r - alpha, 0.0)


def binomial_limit(target: float, n: Floats | Sequence[float], p: float) -> Floats:
    """Proportion at tail probability ``p`` of Binomial(n, target), interpolated (Spiegelhalter 2005)."""
    from scipy import stats  # imported when a funnel is drawn: it costs 0.8 s to import
    n_arr = np.rint(np.asarray(n, dtype=np.float64))
    if target <= 0 or target >= 1:
        return np.full(n_arr.shape, float(target))
    r = stats.binom.ppf(p, n_arr, target)
    counts = _interpolate(r, stats.binom.cdf(r, n_arr, target), stats.binom.cdf(r - 1, n_arr, target), p)
    return np.asarray(np.minimum(counts, n_arr) / n_arr, dtype=np.float64)


def poisson_limit(expected: Floats | Sequence[float], p: float) -> Floats:
    """Count at tail probability ``p`` of Poisson(expected), interpolated; divide by exposure for a rate."""
    from scipy import stats  # imported when a funnel is drawn: it costs 0.8 s to import
    e = np.asarray(expected, dtype=np.float64)
    r = stats.poisson.ppf(p, e)
    return _interpolate(r, stats.poisson.cdf(r, e), stats.poisson.cdf(r - 1, e), p)


@dataclass(frozen=True)
class FunnelUnit:
    """One organisation's counts for the funnel."""

    code: str
    numerator: float
    denominator: float
    name: str | None = None
    group: str | None = None  # e.g. the region, for reporting outliers by group
    #: The published value, when it is not exactly numerator / denominator (e.g. a SHMI computed from
    #: unrounded deaths while the counts are published rounded). Plotted and judged instead of the ratio.
    value: float | None = None


@dataclass(frozen=True)
class FunnelPoint:
    unit: FunnelUnit
    value: float
    z: float
    limits: dict[str, float]
    flag_95: str | None
    outlier: str | None  # beyond the 99.8% limits: high or low


@dataclass
class FunnelResult:
    kind: FunnelKind
    target: float
    scale: float
    points: list[FunnelPoint]
    curve: list[dict[str, float]]
    overdispersion: Overdispersion | None
    adjusted: bool
    warnings: list[str] = field(default_factory=list)
    #: What the centre line is: ``pooled`` (Σ numerators / Σ denominators of the units shown) or
    #: ``standard`` (a target the user gave). Named on every chart so it is never called a target
    #: when it is the pooled value of the organisations plotted.
    centre: Literal["pooled", "standard", "expected"] = "pooled"
    #: How many organisations the pooled value and the limits were computed from (a chart may
    #: show fewer, e.g. one ICB's trusts against the limits for England).
    pooled_n: int = 0
    od_method: OdMethod = "spiegelhalter"
    #: Which organisations are compared, in words (set by :func:`opmodel.variation.funnel_for`).
    peers: str | None = None

    @property
    def centre_label(self) -> str:
        value = f"{self.target * self.scale:.4g}"
        if self.centre == "expected":
            return f"{value} (observed equal to expected)"
        if self.centre == "standard":
            return f"standard {value}"
        return f"pooled value of the {self.pooled_n or len(self.points)} organisations {value}"

    @property
    def limits_note(self) -> str:
        """One short sentence on which limits were drawn, for chart subtitles and CLI output."""
        od = self.overdispersion
        if self.od_method == "shmi" and od is not None:
            return (f"SHMI method (NHS Digital): log scale, {od.k - od.used} of {od.k} trimmed, "
                    f"phi {od.phi:.3g}, tau² {od.tau2:.3g}.")
        if self.adjusted and od is not None:
            return f"Limits widened for over-dispersion (phi {od.phi:.3g}, tau² {od.tau2:.3g})."
        if od is not None:
            return "No over-dispersion found: exact limits."
        return "Exact binomial/Poisson limits (no over-dispersion adjustment)."

    @property
    def limits_reason(self) -> str:
        """Why the limits were widened, for chart descriptions and captions ("" when they were not)."""
        if not self.adjusted:
            return ""
        return ("The organisations vary more than chance alone would give, so exact limits would flag most "
                "of them; the widened limits flag the unusual ones.")

    def to_json(self) -> dict[str, Any]:
        od = None if self.overdispersion is None else {
            "k": self.overdispersion.k, "phi": self.overdispersion.phi, "tau2": self.overdispersion.tau2,
            "trim": self.overdispersion.trim, "applied": self.adjusted, "method": self.overdispersion.method,
            "used": self.overdispersion.used}
        return {
            "kind": self.kind, "target": self.target * self.scale, "scale": self.scale, "od_method": self.od_method,
            "centre": {"kind": self.centre, "value": self.target * self.scale, "label": self.centre_label},
            "limits_note": self.limits_note, "compared": self.peers,
            "outside_998": [{"org_code": p.unit.code, "org_name": p.unit.name, "value": p.value, "outlier": p.outlier}
                            for p in self.points if p.outlier is not None],
            "overdispersion": od,
            "limits": self.curve,
            "points": [{"org_code": p.unit.code, "org_name": p.unit.name, "group": p.unit.group,
                        "numerator": p.unit.numerator, "denominator": p.unit.denominator, "value": p.value,
                        "z": p.z, **p.limits, "flag_95": p.flag_95, "outlier": p.outlier} for p in self.points],
            "warnings": self.warnings,
        }


def _validate(units: Sequence[FunnelUnit], kind: FunnelKind) -> None:
    if not units:
        raise FunnelError("no organisations with values for this period")
    problems = []
    for u in units:
        if not u.denominator > 0:
            problems.append(f"{u.code}: denominator is {u.denominator}; a funnel needs a positive denominator")
        elif u.numerator < 0:
            problems.append(f"{u.code}: numerator is negative ({u.numerator})")
        elif kind == "proportion" and u.numerator > u.denominator:
            problems.append(f"{u.code}: numerator {u.numerator} exceeds denominator {u.denominator}; "
                            "not a proportion (use kind 'rate')")
    if problems:
        raise FunnelError("cannot place these organisations on a funnel:\n  " + "\n  ".join(problems))


def _transform(kind: FunnelKind, num: Floats, den: Floats, target: float) -> tuple[Floats, Floats, float]:
    """Variance-stabilised values, their standard errors and the transformed target."""
    if kind == "proportion":
        return np.arcsin(np.sqrt(num / den)), 1 / (2 * np.sqrt(den)), float(np.arcsin(np.sqrt(target)))
    expected = target * den
    return np.sqrt(num / expected), 1 / (2 * np.sqrt(expected)), 1.0


def _od_limit(kind: FunnelKind, den: Floats, target: float, tau2: float, p: float) -> Floats:
    from scipy import stats  # imported when a funnel is drawn: it costs 0.8 s to import
    z = float(stats.norm.ppf(p))
    if kind == "proportion":
        t = float(np.arcsin(np.sqrt(target)))
        s = 1 / (2 * np.sqrt(den))
        return np.asarray(np.sin(np.clip(t + z * np.sqrt(s**2 + tau2), 0, np.pi / 2)) ** 2, dtype=np.float64)
    s = 1 / (2 * np.sqrt(target * den))
    return np.asarray(target * np.maximum(1 + z * np.sqrt(s**2 + tau2), 0) ** 2, dtype=np.float64)


def _limits(kind: FunnelKind, den: Floats, target: float, tau2: float) -> dict[str, Floats]:
    out: dict[str, Floats] = {}
    for name, lo, hi in LEVELS:
        for side, p in (("lower", lo), ("upper", hi)):
            if tau2 > 0:
                out[f"{side}_{name}"] = _od_limit(kind, den, target, tau2, p)
            elif kind == "proportion":
                out[f"{side}_{name}"] = binomial_limit(target, den, p)
            else:
                out[f"{side}_{name}"] = poisson_limit(target * den, p) / den
    return out


def _flag(value: float, lower: float, upper: float) -> str | None:
    return "high" if value > upper else "low" if value < lower else None


def _shmi_limits(den: Floats, target: float, tau2: float) -> dict[str, Floats]:
    """SHMI control limits: ``target · exp(±z·sqrt(1/E + tau²))`` at 95% and 99.8% (NHS Digital)."""
    from scipy import stats  # imported when a funnel is drawn: it costs 0.8 s to import
    out: dict[str, Floats] = {}
    for name, lo, hi in LEVELS:
        for side, p in (("lower", lo), ("upper", hi)):
            z = float(stats.norm.ppf(p))
            out[f"{side}_{name}"] = np.asarray(target * np.exp(z * np.sqrt(1 / den + tau2)), dtype=np.float64)
    return out


def funnel_analysis(units: Sequence[FunnelUnit], *, kind: FunnelKind = "proportion", scale: float = 1.0,
                    overdispersion: bool | Literal["auto"] = False, trim: float = 0.1,
                    target: float | None = None, grid_points: int = 80,
                    od_method: OdMethod = "spiegelhalter") -> FunnelResult:
    """Funnel limits, z-scores and outlier flags for ``units``; values and limits are × ``scale``.

    ``target`` (on the ``scale``) overrides the pooled value, e.g. a national standard.
    ``overdispersion="auto"`` estimates it and widens the limits only when the units are
    over-dispersed (Spiegelhalter 2005, ecosystem notes §2.2): with trust denominators in the
    tens of thousands exact limits flag nearly every trust, which reads as a national crisis
    of outliers when it is ordinary between-trust variation. Against a given standard (``target``)
    "auto" keeps exact limits: the question is then who misses the standard, not who is unusual.

    ``od_method="shmi"`` follows NHS Digital's SHMI specification (banding section) for a ratio of
    observed to expected counts (``kind="rate"``, numerator observed, denominator expected): the
    centre is 1 (``target`` defaults to it), ``y = ln(O/E)`` with ``s = 1/sqrt(E)``, z-scores
    ``y/s``; the ``trim`` share of units at each end is left out (truncated, not winsorised) before
    ``phi`` and the additive ``tau²`` are estimated from the rest; limits are
    ``exp(±z·sqrt(1/E + tau²))`` with z 1.959964 (95%) and 3.090232 (99.8%) whether or not
    over-dispersion is found.
    """
    _validate(units, kind)
    shmi = od_method == "shmi"
    if shmi and kind != "rate":
        raise FunnelError("the SHMI method is for ratios of observed to expected counts (kind 'rate')")
    if overdispersion == "auto" and target is not None and not shmi:
        overdispersion = False
    num = np.array([u.numerator for u in units], dtype=np.float64)
    den = np.array([u.denominator for u in units], dtype=np.float64)
    if shmi:
        theta = 1.0 if target is None else target / scale
    else:
        theta = float(num.sum() / den.sum()) if target is None else target / scale
    if kind == "proportion" and not 0 < theta < 1:
        raise FunnelError(f"the target proportion is {theta}; funnel limits need one strictly between 0 and 1")
    if kind == "rate" and theta <= 0:
        raise FunnelError("the target rate is 0; funnel limits need events")
    ratio = np.array([u.value / scale if u.value is not None else u.numerator / u.denominator for u in units],
                     dtype=np.float64)
    if shmi:
        if np.any(ratio <= 0):
            bad = ", ".join(u.code for u, r in zip(units, ratio, strict=True) if r <= 0)
            raise FunnelError(f"the SHMI method takes logarithms: no events for {bad}")
        y, s, t = np.log(ratio), 1 / np.sqrt(den), float(np.log(theta))
    else:
        y, s, t = _transform(kind, num, den, theta)
    od = (estimate_overdispersion(y, s, t, trim, method="truncate" if shmi else "winsorise")
          if overdispersion and len(units) >= 2 else None)
    tau2 = od.tau2 if od is not None else 0.0
    if overdispersion == "auto" and od is not None and od.small_k:
        tau2 = 0.0  # too few units to trust the estimate: keep exact limits, say so below
    warnings: list[str] = []
    if od is not None and od.small_k:
        warnings.append(f"only {od.k} units: the over-dispersion estimate (tau²) is unstable")
    if od is not None and not od.detected:
        warnings.append("no over-dispersion found (k·phi ≤ k − 1): "
                        + ("limits exp(±z/sqrt(E))" if shmi else "exact limits are used"))
    elif overdispersion == "auto" and od is not None and od.small_k:
        warnings.append("too few organisations to adjust for over-dispersion: exact limits are used")

    def limits_at(d: Floats) -> dict[str, Floats]:
        return _shmi_limits(d, theta, tau2) if shmi else _limits(kind, d, theta, tau2)

    at_units = limits_at(den)
    z = (y - t) / np.sqrt(s**2 + tau2)
    points = []
    for i, u in enumerate(units):
        lims = {k: float(v[i]) * scale for k, v in at_units.items()}
        value = float(ratio[i]) * scale
        points.append(FunnelPoint(unit=u, value=value, z=float(z[i]), limits=lims,
                                  flag_95=_flag(value, lims["lower_95"], lims["upper_95"]),
                                  outlier=_flag(value, lims["lower_998"], lims["upper_998"])))
    lo_den = max(1.0, float(den.min()) * 0.8)
    grid = np.unique(np.rint(np.geomspace(lo_den, float(den.max()) * 1.1, grid_points)))
    curve_lims = limits_at(grid)
    curve = [{"denominator": float(d), **{k: float(v[j]) * scale for k, v in curve_lims.items()}}
             for j, d in enumerate(grid)]
    centre: Literal["pooled", "standard", "expected"] = (
        "expected" if shmi and target is None else "pooled" if target is None else "standard")
    return FunnelResult(kind=kind, target=theta, scale=scale, points=points, curve=curve, overdispersion=od,
                        adjusted=tau2 > 0, warnings=warnings, centre=centre, pooled_n=len(units),
                        od_method=od_method)
