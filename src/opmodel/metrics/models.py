"""What readers produce and the store holds: one metric value per organisation and period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MetricRow"]


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One value read from a publication (or derived from records).

    ``value`` is what the publication states (percentages as percentages, e.g. 79.1);
    ``numerator`` and ``denominator`` are kept where published so that ICB, region
    and England figures can be aggregated from counts, never by averaging rates.
    """

    metric: str
    org_code: str
    period_start: dt.date
    period_end: dt.date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    source_row: int | None = None
    org_name: str | None = None
    provisional: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
