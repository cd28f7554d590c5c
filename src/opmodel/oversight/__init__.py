"""Oversight: score, segment and rank organisations as the NHS Oversight Framework does, and explain it.

The framework is data (``policies/<framework>.yaml``, validated by :mod:`.policy`); the engine
(:func:`run_segmentation`) turns one quarter's metric values and dated attributes into metric
scores, averages, segments, domain results and league ranks; :func:`explain` and :func:`whatif`
answer "why here?" and "what if the rules changed?". See ../shared/docs/oversight-methodology.md §1–§4.
"""

from opmodel.oversight.api import (
    attach_operating_model,
    explain,
    framework_for,
    league,
    operating_model_link,
    segment,
    whatif,
)
from opmodel.oversight.compare import compare_published
from opmodel.oversight.computed import ComputedInputs, TrustInputs, computed_inputs, computed_inputs_from_run
from opmodel.oversight.engine import run_segmentation
from opmodel.oversight.inputs import InputValue, OrgInfo, PeriodInputs, inputs_from_rows, load_inputs
from opmodel.oversight.periods import Period, parse_period
from opmodel.oversight.policy import Policy, apply_settings, available_policies, load_policy, parse_policy
from opmodel.oversight.results import Cutoffs, MetricScore, OrgResult, SegmentationRun
from opmodel.oversight.scoring import (
    competition_ranks,
    quartile_cutoffs,
    round_half_up,
    segment_for,
    spread_score,
    weighted_average,
)
from opmodel.oversight.storage import list_runs, save_run

# issue 12: league tables with their uncertainty
from opmodel.oversight.uncertainty import LeagueUncertainty, TrustPool, TrustUncertainty, league_uncertainty
from opmodel.oversight.uncertainty_run import league_ranges, significant_change

__all__ = [
    "ComputedInputs",
    "Cutoffs",
    "InputValue",
    "LeagueUncertainty",  # issue 12 (and TrustPool, TrustUncertainty, league_ranges, league_uncertainty, ...)
    "MetricScore",
    "OrgInfo",
    "OrgResult",
    "Period",
    "PeriodInputs",
    "Policy",
    "SegmentationRun",
    "TrustInputs",
    "TrustPool",
    "TrustUncertainty",
    "apply_settings",
    "attach_operating_model",
    "available_policies",
    "compare_published",
    "competition_ranks",
    "computed_inputs",
    "computed_inputs_from_run",
    "explain",
    "framework_for",
    "inputs_from_rows",
    "league",
    "league_ranges",
    "league_uncertainty",
    "list_runs",
    "load_inputs",
    "load_policy",
    "operating_model_link",
    "parse_period",
    "parse_policy",
    "quartile_cutoffs",
    "round_half_up",
    "run_segmentation",
    "save_run",
    "segment",
    "segment_for",
    "significant_change",
    "spread_score",
    "weighted_average",
    "whatif",
]
