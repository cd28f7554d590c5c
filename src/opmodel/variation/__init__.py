"""Variation: statistical process control (XmR, MDC rules and icons), funnel plots and a
consistency report of where variation lies between regions, ICBs and trusts.

The statistics are pure functions on small numpy series (``spc``, ``spc_rules``, ``icons``,
``funnel``, ``overdispersion``, ``consistency``); ``queries`` fetches the aggregated series from
the metric store; ``charts`` turns results into reusable Vega-Lite specs rendered to SVG or PNG.
"""

from opmodel.variation.charts import (
    NHS_COLOURS,
    consistency_chart_spec,
    funnel_chart_spec,
    render_chart,
    spc_chart_spec,
    warm_chart_builders,
)
from opmodel.variation.comparable import AE_METRICS, PeerChoice, Peers, comparable_peers, od_method_for
from opmodel.variation.consistency import TrustValue, consistency_trend, decompose_period
from opmodel.variation.funnel import (
    FunnelError,
    FunnelPoint,
    FunnelResult,
    FunnelUnit,
    OdMethod,
    binomial_limit,
    funnel_analysis,
    poisson_limit,
)
from opmodel.variation.icons import COLOURS, assurance_icon, point_type, variation_icon
from opmodel.variation.legs import LegMeasure, LegUnit, measure_across
from opmodel.variation.legs_charts import legs_chart_spec, legs_table
from opmodel.variation.legs_query import ACCESS_METRICS, consistency_across
from opmodel.variation.overdispersion import Overdispersion, TrimMethod, estimate_overdispersion, truncate, winsorise
from opmodel.variation.peers import median_and_quartiles
from opmodel.variation.presets import PRESETS, RuleSet, get_preset
from opmodel.variation.queries import (
    NoValuesError,
    VariationError,
    consistency_report,
    funnel_for,
    metric_info,
    spc_for,
    trust_placement,
    trust_placements,
)
from opmodel.variation.spc import SpcError, XmrLimits, xmr_limits
from opmodel.variation.spc_analysis import Observation, SpcPoint, SpcResult, spc_analysis
from opmodel.variation.spc_rules import astronomical, evaluate_rules, shift, trend, two_in_three
from opmodel.variation.tables import consistency_table, funnel_table, spc_table

__all__ = [
    "ACCESS_METRICS",
    "AE_METRICS",
    "COLOURS",
    "NHS_COLOURS",
    "PRESETS",
    "FunnelError",
    "FunnelPoint",
    "FunnelResult",
    "FunnelUnit",
    "LegMeasure",
    "LegUnit",
    "NoValuesError",
    "Observation",
    "OdMethod",
    "Overdispersion",
    "PeerChoice",
    "Peers",
    "RuleSet",
    "SpcError",
    "SpcPoint",
    "SpcResult",
    "TrimMethod",
    "TrustValue",
    "VariationError",
    "XmrLimits",
    "assurance_icon",
    "astronomical",
    "binomial_limit",
    "comparable_peers",
    "consistency_across",
    "consistency_chart_spec",
    "consistency_report",
    "consistency_table",
    "consistency_trend",
    "decompose_period",
    "estimate_overdispersion",
    "evaluate_rules",
    "funnel_analysis",
    "funnel_chart_spec",
    "funnel_for",
    "funnel_table",
    "get_preset",
    "legs_chart_spec",
    "legs_table",
    "measure_across",
    "median_and_quartiles",
    "metric_info",
    "od_method_for",
    "point_type",
    "poisson_limit",
    "render_chart",
    "shift",
    "spc_analysis",
    "spc_chart_spec",
    "spc_for",
    "spc_table",
    "trend",
    "truncate",
    "trust_placement",
    "trust_placements",
    "two_in_three",
    "variation_icon",
    "warm_chart_builders",
    "winsorise",
    "xmr_limits",
]
