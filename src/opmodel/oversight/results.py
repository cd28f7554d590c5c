"""What a segmentation produces: per-metric scores, per-organisation results and the run itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from opmodel.oversight.headline import Headline

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
    population: str = ""  # the scoring population this score was ranked in (or how it was scored)
    provisional: bool = False  # ranked within an incomplete population (only the part held)

    @property
    def label(self) -> str:
        """computed, provisional, published or excluded: what this score is, in one word."""
        return "provisional" if self.provisional and self.source == "computed" else self.source

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
    # Who is in the quartile pool: {"computed": n, "published": n (entered by a published average), "missing": n}.
    pool: dict[str, int] = field(default_factory=dict)
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
    # computed (all inputs held), provisional (some populations or the cut-off pool incomplete: reasons say
    # which) or published (nothing could be computed: NHS England's figures as they stand). Issue 11, item 2.
    result_source: Literal["computed", "provisional", "published"] = "computed"
    provisional_reasons: list[str] = field(default_factory=list)
    metrics_used: list[str] = field(default_factory=list)
    metrics_expected: list[str] = field(default_factory=list)
    comparison: dict[str, Any] | None = None  # --compare published: the published figures beside these
    # The result to quote (issue 20): NHS England's published one where held, else this computed one.
    headline: Headline | None = None

    def as_row(self) -> dict[str, Any]:
        """The JSON contract row (issue 5): flat fields plus ``scores`` and per-metric detail, with the
        ``headline`` to quote and the computed result's ``agreement`` with it (issue 20)."""
        from opmodel.oversight.headline import computed_headline

        h = self.headline or computed_headline(self)
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
            "score_sources": {m: s.label for m, s in self.scores.items()},
            "domain_scores": dict(self.domain_scores), "domain_segments": dict(self.domain_segments),
            "domain_segment_source": self.domain_segment_source,
            "result_source": self.result_source, "provisional_reasons": list(self.provisional_reasons),
            "metrics_used": list(self.metrics_used), "metrics_expected": list(self.metrics_expected),
            "headline": h.as_dict(), "agreement": h.agreement.as_dict(),
            **(self.comparison or {}),
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
    comparison: dict[str, Any] | None = None  # the --compare published summary, when asked
    group_sizes: dict[str, int] = field(default_factory=dict)  # peer group -> expected size (§1.1)
    # peer group -> the trusts the register places in it on the quarter's last day (set by ``segment``), so
    # the coverage can name the trusts with no result (issue 16 item 15).
    group_members: dict[str, list[str]] = field(default_factory=dict)
    # The coverage of the whole quarter, kept when the results shown are cut to one region (issue 20).
    full_coverage: dict[str, Any] | None = None

    @property
    def coverage(self) -> dict[str, Any]:
        """How many results are computed, provisional or published, per peer group (issue 11, item 7)."""
        if self.full_coverage is not None:
            return self.full_coverage
        out: dict[str, Any] = {}
        for r in self.results:
            g = out.setdefault(r.peer_group, {"organisations": 0, "computed": 0, "provisional": 0, "published": 0,
                                              "metrics_used": 0, "metrics_expected": 0, "no_deficit_flag": 0})
            g["organisations"] += 1
            g["no_deficit_flag"] += r.status == "segmented" and r.override_source == "none"
            g[r.result_source] += 1
            g["metrics_used"] += len(r.metrics_used)
            g["metrics_expected"] += len(r.metrics_expected)
        held = {r.org_code for r in self.results}
        for g, c in out.items():
            size = self.group_sizes.get(g, 0)
            c["expected"], c["missing"] = size, max(size - c["organisations"], 0)
            c["missing_codes"] = sorted(set(self.group_members.get(g, ())) - held)
            scored = c["organisations"] - c["published"]
            c["metrics_used_mean"] = round(c["metrics_used"] / scored, 1) if scored else None
            c["metrics_expected_max"] = max((len(r.metrics_expected) for r in self.results if r.peer_group == g),
                                            default=0)
        return out

    def coverage_text(self) -> str:
        """One line of coverage per peer group, naming the trusts with no result, e.g.
        "acute: 129 provisional of 129 (5 missing of 134: REN, RGM, RP4, RPY, RRJ); 10.4 of 18 metrics held on
        average; ..."."""
        parts = []
        for g, c in sorted(self.coverage.items()):
            bits = [f"{c[k]} {k}" for k in ("computed", "provisional", "published") if c[k]]
            held = (f"; {c['metrics_used_mean']} of {c['metrics_expected_max']} metrics held on average"
                    if c["metrics_expected"] and c["metrics_used_mean"] is not None else "")
            names = f": {', '.join(c['missing_codes'])}" if c["missing_codes"] else ""
            missing = f" ({c['missing']} missing of {c['expected']}{names})" if c["missing"] else ""
            flags = (f"; no deficit flag held for {c['no_deficit_flag']} (financial override not applied)"
                     if c["no_deficit_flag"] else "")
            parts.append(f"{g}: {', '.join(bits) or 'none'} of {c['organisations']}{missing}{held}{flags}")
        return "; ".join(parts) or "no organisations"

    def by_org(self) -> dict[str, OrgResult]:
        return {r.org_code: r for r in self.results}

    def summary(self) -> dict[str, Any]:
        return {
            "framework": self.framework, "policy_version": self.policy_version,
            "policy_sha256": self.policy_sha256, "period": self.period, "inputs_sha256": self.inputs_sha256,
            "source_hashes": self.source_hashes, "cutoffs": asdict(self.cutoffs),
            "warnings": self.warnings, "organisations": len(self.results),
            "cutoff_pool": dict(self.cutoffs.pool), "coverage": self.coverage, "coverage_text": self.coverage_text(),
            **({"comparison": self.comparison} if self.comparison is not None else {}),
        }
