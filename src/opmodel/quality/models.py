"""What the quality area returns: CQC ratings, SHMI with its recomputed band, FFT and HCAI values.

Plain dataclasses with ``to_json`` so the CLI, the API, the pages and the board pack show the same
fields (the JSON contract of issue 22). Every block names its source and says "third-party" where
the figures come from a processed copy rather than an original publication.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["KEY_QUESTIONS", "RATINGS", "SHMI_BAND_LABELS", "THIRD_PARTY", "CqcRatings", "FftResult", "HcaiValue",
           "ShmiResult", "rating_label"]

#: CQC's ratings, best first; the store codes them 1 to 4 in this order.
RATINGS = ("Outstanding", "Good", "Requires improvement", "Inadequate")
#: CQC's five key questions, as JSON fields.
KEY_QUESTIONS = ("safe", "effective", "caring", "responsive", "well_led")
#: NHS Digital's SHMI band codes.
SHMI_BAND_LABELS = {1: "Higher than expected", 2: "As expected", 3: "Lower than expected"}
#: Appended to every source that is a processed copy, not an original publication.
THIRD_PARTY = "third-party processed copy"


def rating_label(code: float | None, stored: str | None = None) -> str | None:
    """The rating for a stored code (1 Outstanding ... 4 Inadequate); the stored label wins ("Not rated")."""
    if stored:
        return stored
    if code is None:
        return None
    return RATINGS[int(code) - 1]


@dataclass(frozen=True)
class CqcRatings:
    """A provider's latest CQC ratings: overall and the five key questions (labels, None if not held)."""

    org_code: str
    overall: str | None
    safe: str | None = None
    effective: str | None = None
    caring: str | None = None
    responsive: str | None = None
    well_led: str | None = None
    published_on: dt.date | None = None
    inherited: bool = False
    source: str = ""

    @property
    def good_or_outstanding(self) -> bool | None:
        if self.overall not in RATINGS:
            return None
        return self.overall in RATINGS[:2]

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["published_on"] = self.published_on.isoformat() if self.published_on else None
        return out


@dataclass(frozen=True)
class ShmiResult:
    """One trust's SHMI, its band recomputed from observed and expected deaths, and the published band."""

    org_code: str
    org_name: str | None
    value: float
    observed: float
    expected: float
    band: str
    published_band: str | None
    lower_limit: float
    upper_limit: float
    lower_limit_998: float
    upper_limit_998: float
    z: float
    period: str
    source: str
    trend: dict[str, Any] | None = None

    @property
    def agrees(self) -> bool | None:
        return None if self.published_band is None else self.band == self.published_band

    @property
    def margin(self) -> float:
        """Distance from the SHMI to the nearer 95% limit (how close a call the band is)."""
        return min(abs(self.value - self.lower_limit), abs(self.value - self.upper_limit))

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out.update(agrees=self.agrees, margin=self.margin)
        return out


@dataclass(frozen=True)
class FftResult:
    """Inpatient Friends and Family Test for one month: shares positive and negative, and responses."""

    positive_pct: float | None
    negative_pct: float | None
    responses: float | None
    period: str
    source: str
    trend: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class HcaiValue:
    """A healthcare-associated infection measure held for the trust (the NOF's patient-safety inputs)."""

    metric: str
    name: str
    value: float
    unit: str
    period: str
    source: str
    peer_median: float | None = None
    peers: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
