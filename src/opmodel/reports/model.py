"""The board-pack report model: what every output (PDF, PPTX, web at-a-glance) shows, built once.

Each section is a small pydantic model filled by one builder in :mod:`opmodel.reports.sections`, so
the PDF, the slides and the profile page cannot disagree (issue 17, requirement 1). Sections whose
area is not installed carry ``available=False`` and a plain note instead of a guess.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "AccountabilityLine",
    "DataSource",
    "KpiRow",
    "MapSection",
    "OversightPosition",
    "PeerScore",
    "PopulationHeadline",
    "QualitySection",
    "Report",
    "SpcSection",
    "SupportStatus",
]

OrgLevel = Literal["trust", "icb", "region"]


class KpiRow(BaseModel):
    """One line of the summary matrix: latest value, target and the two MDC icons."""

    metric: str
    name: str
    unit: str
    direction: str
    latest_period: dt.date | None = None
    latest_value: float | None = None
    target: float | None = None
    target_source: str | None = None
    variation_icon: str | None = None
    assurance_icon: str | None = None
    sparkline: list[float] = Field(default_factory=list)
    note: str | None = None


class SpcSection(BaseModel):
    """One SPC chart: the series with its limits, the plain-sentence MDC reading and the chart's alt text."""

    metric: str
    name: str
    unit: str
    sentence: str
    alt_text: str
    rows: list[dict[str, object]] = Field(description="The chart's data table (period, value, mean, limits).")
    target: float | None = None
    svg: str | None = Field(default=None, description="Rendered vector chart, filled by the renderer.")


class OversightPosition(BaseModel):
    """Where the organisation stands under the oversight framework (methodology §1–§2)."""

    available: bool
    period: str
    note: str | None = None
    segment: int | None = None
    adjusted_segment: int | None = None
    unadjusted_segment: int | None = None
    average_score: float | None = None
    rank: int | None = None
    rank_of: int | None = None
    peer_group: str | None = None
    result_source: str | None = None
    likely_range_rank: list[int] | None = None
    likely_range_note: str = "likely range not computed"
    movement: str | None = None
    previous_segment: int | None = None
    boundary: str | None = None
    financial_override: bool = False
    override_text: str | None = None
    segment5: bool = False
    summary: str | None = None
    support: str | None = None
    segment_mix: dict[str, int] = Field(default_factory=dict, description="ICB/region: trusts per segment.")
    trust_segments: list[dict[str, object]] = Field(default_factory=list)
    # issue 20: the headline is NHS England's published result where held; the reconstruction sits beside it
    headline_source: str | None = Field(None, description="published or computed (provisional).")
    headline_label: str | None = Field(None, description="'published by NHS England (publication)' or provisional.")
    reconstruction: str | None = Field(None, description="opmodel's computed result beside the headline, with "
                                                         "its agreement and the reasons for any difference.")
    segment5_text: str | None = Field(None, description="Segment 5 in the words of the operating model in force.")


class PeerScore(BaseModel):
    metric: str
    name: str
    value: float | None
    score: float | None
    peer_q1: float | None
    peer_median: float | None
    peer_q3: float | None
    peers: int


class AccountabilityLine(BaseModel):
    function: str
    name: str
    held_by: str | None
    held_by_tier: str | None
    escalation: list[str] = Field(default_factory=list)


class SupportStatus(BaseModel):
    available: bool
    note: str
    cases: list[dict[str, object]] = Field(default_factory=list)


class PopulationHeadline(BaseModel):
    available: bool
    note: str
    indicators: list[dict[str, object]] = Field(default_factory=list)


class QualitySection(BaseModel):
    """Quality and safety (issue 22): CQC grid, SHMI with its funnel, FFT and infections, against England."""

    available: bool
    level: OrgLevel
    note: str
    cqc: dict[str, object] | None = None
    shmi: dict[str, object] | None = None
    fft: dict[str, object] | None = None
    hcai: list[dict[str, object]] = Field(default_factory=list)
    mix: dict[str, object] | None = Field(default=None, description="ICB/region: ratings, SHMI bands, FFT pooled.")
    trusts: list[dict[str, object]] = Field(default_factory=list, description="ICB/region: each trust's CQC grid.")
    england: dict[str, object] = Field(default_factory=dict)
    shmi_svg: str | None = Field(default=None, description="The SHMI funnel as vector SVG.")
    shmi_alt: str | None = None
    sources: list[str] = Field(default_factory=list)


class MapSection(BaseModel):
    """A map of the region's ICBs (issue 26): SVG, caption with the boundary attribution, data table."""

    available: bool
    measure: str
    note: str | None = None
    title: str = ""
    caption: str = ""
    svg: str | None = None
    period: str | None = None
    england: str | None = None
    rows: list[dict[str, object]] = Field(default_factory=list)
    attribution: str = ""


class DataSource(BaseModel):
    publication: str
    files: list[str]
    metrics: list[str]
    first_period: dt.date | None
    last_period: dt.date | None
    loaded_at: str | None
    licence: str
    title: str | None = None
    #: Release-calendar date of the latest period used (issue 21).
    published: dt.date | None = None
    #: Set when newer figures were due before the pack was produced: which, and when.
    overdue: str | None = None
    third_party: bool = False


class Report(BaseModel):
    """Everything a board pack shows for one organisation and quarter."""

    org_code: str
    org_name: str
    level: OrgLevel
    kind_label: str
    period: str
    period_end: dt.date
    generated_on: dt.date
    template: str
    parents: list[dict[str, str]] = Field(default_factory=list)
    oversight: OversightPosition
    kpis: list[KpiRow] = Field(default_factory=list)
    skipped_measures: list[str] = Field(default_factory=list)
    charts: list[SpcSection] = Field(default_factory=list)
    peer_scores: list[PeerScore] = Field(default_factory=list)
    peer_note: str | None = None
    accountability: list[AccountabilityLine] = Field(default_factory=list)
    accountability_model: str | None = None
    support: SupportStatus
    population: PopulationHeadline | None = None
    quality: QualitySection | None = None
    map: MapSection | None = None  # issue 26: a region's ICBs
    sources: list[DataSource] = Field(default_factory=list)
    #: What the pack's figures are as of, from the data: "data to December 2025; beds to June 2025".
    data_as_of: str = ""
    #: When the newest figures in the pack entered the store (the store's own load date).
    loaded_on: dt.date | None = None

    @property
    def title(self) -> str:
        return f"{self.org_name}: integrated performance report, {self.period}"
