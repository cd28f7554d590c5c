"""Over-dispersion for funnel plots: winsorised z-scores, phi and an additive tau² (Spiegelhalter 2005).

Ecosystem notes §2.2. On a variance-stabilising scale each unit has ``y_i`` with standard error
``s_i``; z-scores against the target are winsorised at the 10th and 90th percentiles, ``phi`` is
their mean square, and when ``k·phi > k − 1`` the between-unit variance is the DerSimonian–Laird
form ``tau² = (k·phi − (k − 1)) / (Σw − Σw²/Σw)`` with ``w = 1/s²``. Limits then widen to
``target ± z·sqrt(s² + tau²)`` on the transformed scale.

Scales used: proportions ``asin(sqrt(p))`` with ``s = 1/(2·sqrt(n))``; rates and ratios
``sqrt(O/E)`` with ``s = 1/(2·sqrt(E))`` and target 1 (the Spiegelhalter/CQC square-root scale,
squared back when limits return to the original scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Overdispersion", "estimate_overdispersion", "winsorise"]

Floats = npt.NDArray[np.float64]

#: Below this many units tau² is unstable; results say so (ecosystem notes §2.4).
SMALL_K = 20


def winsorise(z: Floats, trim: float = 0.1) -> Floats:
    """Clamp values below the ``trim`` and above the ``1 − trim`` quantile (linear interpolation)."""
    lo, hi = np.quantile(z, [trim, 1 - trim])
    return np.clip(z, lo, hi)


@dataclass(frozen=True)
class Overdispersion:
    """Estimated over-dispersion: ``phi`` (mean square winsorised z), ``tau2`` (additive, 0 if none)."""

    k: int
    phi: float
    tau2: float
    trim: float

    @property
    def detected(self) -> bool:
        return self.tau2 > 0

    @property
    def small_k(self) -> bool:
        return self.k < SMALL_K


def estimate_overdispersion(y: Floats, s: Floats, target: float, trim: float = 0.1) -> Overdispersion:
    """phi and tau² for values ``y`` with standard errors ``s`` around ``target`` (transformed scale)."""
    y = np.asarray(y, dtype=np.float64)
    s = np.asarray(s, dtype=np.float64)
    k = int(y.size)
    if k < 2:
        raise ValueError("over-dispersion needs at least two units")
    z = winsorise((y - target) / s, trim)
    phi = float(np.mean(z**2))
    if k * phi <= k - 1:
        return Overdispersion(k=k, phi=phi, tau2=0.0, trim=trim)
    w = 1 / s**2
    tau2 = (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return Overdispersion(k=k, phi=phi, tau2=float(tau2), trim=trim)
