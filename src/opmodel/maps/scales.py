"""Colour scales for choropleths, chosen by a measure's polarity, safe for colour-blind readers.

- A measure with a good direction (``high_is_good`` / ``low_is_good``) is shown on a *diverging*
  scale centred on England's value: three blues for better than England, three reds for worse
  (each side in its own round steps)
  (ColorBrewer ``RdBu``, 6 classes; Brewer, Harrower and the Pennsylvania State University,
  https://colorbrewer2.org, Apache License 2.0; marked colour-blind safe there). Blue for better
  follows the Making Data Count convention the rest of opmodel uses (blue improvement).
- A measure without one (``no_judgement``: prevalence, deprivation share), or one whose England
  value is not comparable (a count summed over areas), is shown on a *sequential* scale
  (``viridis``, 5 classes; van der Walt and Smith, matplotlib, CC0), perceptually uniform and
  readable in greyscale.

Classes are equal steps of a "nice" width (1, 2, 2.5 or 5 × 10ⁿ) so the legend reads in round
numbers; values beyond the last step fall in the end classes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["DIVERGING", "SEQUENTIAL", "ColourScale", "diverging_scale", "nice_step", "scale_for",
           "sequential_scale"]

#: ColorBrewer RdBu, 6 classes, from red (worse) to blue (better).
DIVERGING = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")
#: viridis, 5 classes, dark to light.
SEQUENTIAL = ("#440154", "#3b528b", "#21918c", "#5ec962", "#fde725")


def nice_step(span: float, classes: int) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that covers ``span`` in ``classes`` steps."""
    if span <= 0 or not math.isfinite(span):
        return 1.0
    raw = span / classes
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if m * power >= raw * (1 - 1e-9):
            return float(m * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


@dataclass(frozen=True)
class ColourScale:
    """Class boundaries (``len(colours) - 1`` of them, ascending) and a colour per class.

    ``kind`` is ``diverging`` or ``sequential``; ``low_label``/``high_label`` say what each end
    means (e.g. "worse than England" / "better").
    """

    kind: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    low: float
    high: float
    low_label: str = ""
    high_label: str = ""

    def colour(self, value: float) -> str:
        for b, c in zip(self.breaks, self.colours, strict=False):
            if value < b:
                return c
        return self.colours[-1]

    def position(self, value: float) -> float:
        """Where ``value`` sits along the legend, 0 (left) to 1 (right), linear within its class."""
        edges = (self.low, *self.breaks, self.high)
        n = len(self.colours)
        if value <= edges[0]:
            return 0.0
        for i in range(n):
            lo, hi = edges[i], edges[i + 1]
            if value <= hi:
                return (i + (value - lo) / (hi - lo if hi > lo else 1.0)) / n
        return 1.0


def diverging_scale(values: list[float], centre: float, higher_is_better: bool) -> ColourScale:
    """Six classes, three each side of ``centre`` (England). Each side has its own round step, wide
    enough for the furthest value on that side, so the labels stay within the values' range (a
    share never reads past 100%)."""
    below = nice_step(max((centre - v for v in values), default=0.0), 3)
    above = nice_step(max((v - centre for v in values), default=0.0), 3)
    breaks = (centre - 2 * below, centre - below, centre, centre + above, centre + 2 * above)
    colours = DIVERGING if higher_is_better else tuple(reversed(DIVERGING))
    worse, better = "worse", "better"
    return ColourScale("diverging", breaks, colours, centre - 3 * below, centre + 3 * above,
                       low_label=worse if higher_is_better else better,
                       high_label=better if higher_is_better else worse)


def sequential_scale(values: list[float]) -> ColourScale:
    """Five equal classes from a round number at or below the smallest value to one above the largest."""
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    step = nice_step(hi - lo, len(SEQUENTIAL))
    start = math.floor(lo / step) * step
    while start + len(SEQUENTIAL) * step < hi:  # rounding down the start can push the top past the end
        step = nice_step(step * len(SEQUENTIAL) * 1.01, len(SEQUENTIAL))
        start = math.floor(lo / step) * step
    breaks = tuple(start + k * step for k in range(1, len(SEQUENTIAL)))
    return ColourScale("sequential", breaks, SEQUENTIAL, start, start + len(SEQUENTIAL) * step,
                       low_label="lower", high_label="higher")


def within(scale: ColourScale, floor: float | None, ceiling: float | None) -> ColourScale:
    """``scale`` with the classes that lie wholly beyond a value's possible range removed, so a legend never
    labels an impossible value (a share below 0% or above 100%) when the round steps overshoot."""
    breaks, colours = list(scale.breaks), list(scale.colours)
    low, high = scale.low, scale.high
    if floor is not None and low < floor:
        while breaks and breaks[0] <= floor:
            breaks.pop(0)
            colours.pop(0)
        low = floor
    if ceiling is not None and high > ceiling:
        while breaks and breaks[-1] >= ceiling:
            breaks.pop()
            colours.pop()
        high = ceiling
    return ColourScale(scale.kind, tuple(breaks), tuple(colours), low, high, scale.low_label, scale.high_label)


def scale_for(values: list[float], polarity: str, england: float | None,
              floor: float | None = None, ceiling: float | None = None) -> ColourScale:
    """Diverging around England for a measure with a good direction, sequential otherwise; classes kept
    within the measure's possible range (``floor``/``ceiling``, e.g. 0 and 100 for a percentage)."""
    if polarity in ("high_is_good", "low_is_good") and england is not None:
        scale = diverging_scale(values, england, polarity == "high_is_good")
    else:
        scale = sequential_scale(values)
    return within(scale, floor, ceiling)
