"""Point types, the variation icon and the assurance icon (ecosystem notes §1.3).

The variation icon is the type of the *last* point (MDC, NHSRplotthedots). The assurance icon
compares a target with the limits of the latest segment: when higher is better, a target below
the lower limit is consistently passed and one above the upper limit consistently failed;
equality counts as hit and miss. A neutral metric gets no assurance icon, and asking for one
is an error rather than a silent blank.
"""

from __future__ import annotations

from typing import Literal

from opmodel.variation.spc import SpcError, XmrLimits

__all__ = [
    "COLOURS",
    "Direction",
    "assurance_icon",
    "improvement_sign",
    "point_type",
    "variation_icon",
]

Direction = Literal["higher", "lower", "neutral"]

#: MDC point and line colours (NHSRplotthedots ``ptd_spc_colours``, aligned with MDC Power BI).
COLOURS = {
    "common_cause": "#a6a6a6",
    "special_cause_improvement": "#00b0f0",
    "special_cause_concern": "#e46c0a",
    "special_cause_neutral_high": "#490092",
    "special_cause_neutral_low": "#490092",
    "mean": "#000000",
    "limits": "#a6a6a6",
    "target": "#de1b1b",
}


def improvement_sign(direction: str | None) -> int:
    """+1 when higher is better, −1 when lower is better, 0 when neutral; an error when unknown."""
    if direction in ("higher", "increase"):
        return 1
    if direction in ("lower", "decrease"):
        return -1
    if direction == "neutral":
        return 0
    raise SpcError(f"the metric has no improvement direction (got {direction!r}); "
                   "expected higher, lower or neutral: icons need it")


def point_type(sign: int, improvement: int) -> str:
    """The MDC type of a point from the sign of the rule it met and the improvement direction."""
    if sign == 0:
        return "common_cause"
    if improvement == 0:
        return "special_cause_neutral_high" if sign > 0 else "special_cause_neutral_low"
    return "special_cause_improvement" if sign * improvement > 0 else "special_cause_concern"


def variation_icon(last_sign: int, improvement: int) -> str:
    """Icon for the last point: common_cause, improvement_/concern_/neither_ high or low."""
    if last_sign == 0:
        return "common_cause"
    level = "high" if last_sign > 0 else "low"
    if improvement == 0:
        return f"neither_{level}"
    return f"{'improvement' if last_sign * improvement > 0 else 'concern'}_{level}"


AssuranceIcon = Literal["consistently_pass", "consistently_fail", "hit_and_miss"]


def assurance_icon(limits: XmrLimits, target: float, improvement: int) -> AssuranceIcon:
    """Whether the process as it stands will meet ``target`` (latest segment's limits)."""
    if improvement == 0:
        raise SpcError("an assurance icon needs a metric where higher or lower is better; this one is neutral")
    if improvement > 0:
        if target < limits.lower:
            return "consistently_pass"
        if target > limits.upper:
            return "consistently_fail"
    else:
        if target > limits.upper:
            return "consistently_pass"
        if target < limits.lower:
            return "consistently_fail"
    return "hit_and_miss"
