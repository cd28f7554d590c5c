"""Oversight: score, segment and rank organisations as the NHS Oversight Framework does, and explain it.

The framework is data (``policies/<framework>.yaml``, validated by :mod:`.policy`); the engine
(:func:`run_segmentation`) turns one quarter's metric values and dated attributes into metric
scores, averages, segments, domain results and league ranks; :func:`explain` and :func:`whatif`
answer "why here?" and "what if the rules or values changed?". :func:`headline_results` gives, per
organisation, the result to quote: NHS England's published one where held, else the computed one labelled
provisional, with the agreement between them (issue 20). See ../shared/docs/oversight-methodology.md §1–§4.
"""

from opmodel.oversight.api import (
    attach_operating_model,
    explain,
    framework_for,
    league,
    operating_model_link,
    region_members,
    segment,
)
from opmodel.oversight.compare import compare_published
from opmodel.oversight.computed import ComputedInputs, TrustInputs, computed_inputs, computed_inputs_from_run
from opmodel.oversight.engine import OVERRIDE_SOURCES, run_segmentation

# issue 20: the headline result (published first), its agreement, movement like with like, what-if on values
from opmodel.oversight.headline import (
    Agreement,
    Headline,
    Movement,
    Reason,
    attach_headlines,
    computed_headline,
    cutoff_rule,
    headline_movement,
    headline_results,
)
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
from opmodel.oversight.whatif import whatif

__all__ = [
    "OVERRIDE_SOURCES",
    "Agreement",
    "ComputedInputs",
    "Cutoffs",
    "Headline",
    "InputValue",
    "LeagueUncertainty",  # issue 12 (and TrustPool, TrustUncertainty, league_ranges, league_uncertainty, ...)
    "MetricScore",
    "Movement",
    "OrgInfo",
    "OrgResult",
    "Period",
    "PeriodInputs",
    "Policy",
    "Reason",
    "SegmentationRun",
    "TrustInputs",
    "TrustPool",
    "TrustUncertainty",
    "apply_settings",
    "attach_headlines",
    "attach_operating_model",
    "available_policies",
    "compare_published",
    "competition_ranks",
    "computed_headline",
    "computed_inputs",
    "computed_inputs_from_run",
    "cutoff_rule",
    "explain",
    "framework_for",
    "headline_movement",
    "headline_results",
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
    "region_members",
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
