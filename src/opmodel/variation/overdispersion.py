"""Over-dispersion for funnel plots: phi and an additive tau² from trimmed z-scores (Spiegelhalter 2005).

Ecosystem notes §2.2. On a variance-stabilising scale each unit has ``y_i`` with standard error
``s_i``; z-scores against the target are trimmed at the 10th and 90th percentiles, ``phi`` is
their mean square, and when ``I·phi > I − 1`` the between-unit variance is the DerSimonian–Laird
form ``tau² = (I·phi − (I − 1)) / (Σw − Σw²/Σw)`` with ``w = 1/s²``. Limits then widen to
``target ± z·sqrt(s² + tau²)`` on the transformed scale.

Two ways to trim, because the two published methods differ:

* ``winsorise`` (Spiegelhalter; CQC): z-scores beyond the percentiles are set *to* them, so all
  ``k`` units count (``I = k``);
* ``truncate`` (NHS Digital's SHMI, "an additive random-effects model with a 10 per cent trim"):
  units beyond the percentiles are *left out* of phi and tau², and ``I`` and the weights are those
  of the units kept (ecosystem notes §2.2, table: "Truncates ... instead of winsorising").

Scales used: proportions ``asin(sqrt(p))`` with ``s = 1/(2·sqrt(n))``; rates and ratios
``sqrt(O/E)`` with ``s = 1/(2·sqrt(E))`` and target 1 (the Spiegelhalter/CQC square-root scale,
squared back when limits return to the original scale); the SHMI method ``log(O/E)`` with
``s = 1/sqrt(E)`` and target 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

__all__ = ["Overdispersion", "TrimMethod", "estimate_overdispersion", "truncate", "winsorise"]

Floats = npt.NDArray[np.float64]
TrimMethod = Literal["winsorise", "truncate"]

#: Below this many units tau² is unstable; results say so (ecosystem notes §2.4).
SMALL_K = 20


def winsorise(z: Floats, trim: float = 0.1) -> Floats:
    """Clamp values below the ``trim`` and above the ``1 − trim`` quantile (linear interpolation)."""
    lo, hi = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, lo, hi)


def truncate(z: Floats, trim: float = 0.1) -> npt.NDArray[np.bool_]:
    """Which values to keep: those from the ``trim`` to the ``1 − trim`` quantile (linear interpolation).

    With 118 trusts the 10th percentile falls between the 12th and 13th lowest z-score, so 12 are
    left out at each end: the number NHS Digital trims from its own pool of 120 (10 per cent).
    """
    lo, hi = np.quantile(z, [trim, 1 - trim])
    return np.asarray((z >= lo) & (z <= hi), dtype=np.bool_)


@dataclass(frozen=True)
class Overdispersion:
    """Estimated over-dispersion: ``phi`` (mean square trimmed z), ``tau2`` (additive, 0 if none).

    ``k`` counts every unit; ``used`` the units phi and tau² rest on (fewer than ``k`` when truncated).
    """

    k: int
    phi: float
    tau2: float
    trim: float
    method: TrimMethod = "winsorise"
    used: int = 0

    @property
    def detected(self) -> bool:
        return self.tau2 > 0

    @property
    def small_k(self) -> bool:
        return self.k < SMALL_K


def estimate_overdispersion(y: Floats, s: Floats, target: float, trim: float = 0.1,
                            method: TrimMethod = "winsorise") -> Overdispersion:
    """phi and tau² for values ``y`` with standard errors ``s`` around ``target`` (transformed scale)."""
    y = np.asarray(y, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    k = int(y.size)
    if k < 2:
        raise ValueError("over-dispersion needs at least two units")
    z = (y - target) / s
    w = 1 / s**2
    if method == "truncate":
        keep = truncate(z, trim)
        z, w = z[keep], w[keep]
    else:
        z = winsorise(z, trim)
    used = int(z.size)
    phi = float(np.mean(z**2))
    if used * phi <= used - 1:
        return Overdispersion(k=k, phi=phi, tau2=0.0, trim=trim, method=method, used=used)
    tau2 = (used * phi - (used - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return Overdispersion(k=k, phi=phi, tau2=float(tau2), trim=trim, method=method, used=used)
