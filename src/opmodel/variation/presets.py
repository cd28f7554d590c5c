"""Rule sets for XmR charts: which special-cause rules fire, their lengths and their order.

Making Data Count (MDC) tools and NHSRplotthedots differ in small but visible ways
(ecosystem notes §1.2), so every SPC result records the preset it used and both are
offered: ``mdc`` (the MDC Excel/SQL tools as of Nov 2023) and ``nhsrplotthedots``
(NHSRplotthedots 0.2.2 defaults), for cross-checking against R output.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from opmodel.errors import UnknownCodeError
from opmodel.variation.spc import SpcError

__all__ = ["PRESETS", "RULE_NAMES", "RuleSet", "get_preset"]

#: Rule identifiers as they appear in results (``rule`` of a point).
RULE_NAMES = ("astronomical", "shift", "trend", "two_in_three")

TwoInThree = Literal["beyond_2sigma", "band_2to3sigma"]
Conflict = Literal["improvement_wins", "precedence"]


@dataclass(frozen=True)
class RuleSet:
    """Settings of the special-cause rules (ecosystem notes §1.1–1.2).

    ``two_in_three``: ``beyond_2sigma`` counts every point beyond the 2-sigma line, including
    those beyond the process limit (MDC since Nov 2023); ``band_2to3sigma`` counts only points
    between the 2-sigma line and the limit (NHSRplotthedots).
    ``precedence`` orders the rules when a point meets several; with ``conflict =
    improvement_wins`` a rule pointing to improvement beats one pointing to concern (the MDC
    Single Chart tool), otherwise the first rule in ``precedence`` wins and sets the direction.
    """

    name: str
    shift: int = 7
    trend: int = 7
    two_in_three: TwoInThree = "beyond_2sigma"
    screen_outliers: bool = False
    precedence: tuple[str, ...] = ("astronomical", "trend", "shift", "two_in_three")
    conflict: Conflict = "improvement_wins"
    trial_below: int = 12

    def __post_init__(self) -> None:
        if self.shift < 2 or self.trend < 3:
            raise SpcError(f"a shift needs at least 2 points and a trend at least 3; got {self.shift} and {self.trend}")
        if sorted(self.precedence) != sorted(RULE_NAMES):
            raise SpcError(f"precedence must order exactly the rules {RULE_NAMES}")

    def with_(self, **changes: object) -> RuleSet:
        """A copy with some settings changed (e.g. a 6-point trend), keeping the preset's name."""
        return replace(self, **changes)  # type: ignore[arg-type]


PRESETS: dict[str, RuleSet] = {
    "mdc": RuleSet(name="mdc"),
    "nhsrplotthedots": RuleSet(
        name="nhsrplotthedots",
        two_in_three="band_2to3sigma",
        screen_outliers=True,
        precedence=("astronomical", "trend", "two_in_three", "shift"),
        conflict="precedence",
    ),
}


def get_preset(name: str) -> RuleSet:
    """The named preset, or an error listing the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownCodeError("SPC preset", name, sorted(PRESETS)) from None
