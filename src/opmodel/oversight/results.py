"""What a segmentation produces: per-metric scores, per-organisation results and the run itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Cutoffs", "MetricScore", "OrgResult", "SegmentationRun"]

ScoreSource = Literal["computed", "published", "excluded"]


@dataclass(slots=True)
class MetricScore:
    metric: str
    domain: str
    score: float | None  # unrounded where computed; None or 0 = excluded (§1.3)
    source: ScoreSource
    weight: float = 1.0
    averaged: bool = True
    value: float | None = None  # the raw value scored, where there is one
    note: str = ""

    @property
    def counted(self) -> bool:
        return self.averaged and self.score is not None and self.score > 0 and self.weight > 0


@dataclass(slots=True)
class Cutoffs:
    """The three boundaries between segments and where they came from."""

    values: list[float] | None
    source: Literal["computed", "policy", "published", "computed_partial_pool", "thresholds", "none"]
    pool_size: int = 0
    note: str = ""
    # Published segments only: (last average seen in segment k, first seen in segment k+1), k = 1..3.
    observed: list[tuple[float | None, float | None]] = field(default_factory=list)


@dataclass(slots=True)
class OrgResult:
    org_code: str
    org_name: str
    peer_group: str
    period: str
    scores: dict[str, MetricScore]
    average_unrounded: float | None
    average_score: float | None
    metric_count: int
    status: Literal["segmented", "insufficient_data"]
    unadjusted_segment: int | None = None
    segment_source: str = "none"
    financial_override: bool = False
    override_source: str = "none"
    adjusted_segment: int | None = None
    final_segment: int | None = None
    segment5_source: str = "none"
    rank: int | None = None
    rank_of: int | None = None
    domain_scores: dict[str, float | None] = field(default_factory=dict)
    domain_segments: dict[str, int | None] = field(default_factory=dict)
    domain_segment_source: str = "none"
    published: dict[str, float | None] = field(default_factory=dict)
    average_source: Literal["computed", "published"] = "computed"
    # True when the result *is* a published one (average and adjusted segment, no metric scores):
    # the segment, deficit flag and rank are taken as published, never re-derived (decisions.md).
    published_result: bool = False
    rank_source: Literal["computed", "published", "none"] = "none"
    evidence: str | None = None  # "third-party" when the published figures come from a secondary extract
    operating_model: dict[str, Any] | None = None  # who acts on the result and the support it brings

    def as_row(self) -> dict[str, Any]:
        """The JSON contract row (issue 5): flat fields plus ``scores`` and per-metric detail."""
        return {
            "org_code": self.org_code, "org_name": self.org_name, "peer_group": self.peer_group,
            "period": self.period, "status": self.status, "average_score": self.average_score,
            "average_source": self.average_source, "published_average_score": self.published.get("average"),
            "metric_count": self.metric_count, "unadjusted_segment": self.unadjusted_segment,
            "segment_source": self.segment_source, "financial_override": self.financial_override,
            "override_source": self.override_source, "adjusted_segment": self.adjusted_segment,
            "final_segment": self.final_segment, "segment5_source": self.segment5_source,
            "rank": self.rank, "rank_of": self.rank_of, "rank_source": self.rank_source,
            "published_result": self.published_result, "evidence": self.evidence,
            "scores": {m: (None if s.score is None else round(s.score, 2)) for m, s in self.scores.items()},
            "score_sources": {m: s.source for m, s in self.scores.items()},
            "domain_scores": dict(self.domain_scores), "domain_segments": dict(self.domain_segments),
            "domain_segment_source": self.domain_segment_source,
            **({"operating_model": self.operating_model} if self.operating_model is not None else {}),
        }


@dataclass(slots=True)
class SegmentationRun:
    framework: str
    policy_version: str
    policy_sha256: str
    period: str
    inputs_sha256: str
    source_hashes: list[str]
    results: list[OrgResult]
    cutoffs: Cutoffs
    domain_cutoffs: dict[str, Cutoffs] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def by_org(self) -> dict[str, OrgResult]:
        return {r.org_code: r for r in self.results}

    def summary(self) -> dict[str, Any]:
        return {
            "framework": self.framework, "policy_version": self.policy_version,
            "policy_sha256": self.policy_sha256, "period": self.period, "inputs_sha256": self.inputs_sha256,
            "source_hashes": self.source_hashes, "cutoffs": asdict(self.cutoffs),
            "warnings": self.warnings, "organisations": len(self.results),
        }
