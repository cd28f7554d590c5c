"""Peer-group summaries shown next to an organisation's value: median and quartiles.

Library code (not the web layer) so the CLI, API, pages and board pack describe peers alike.
"""

from __future__ import annotations

import statistics

__all__ = ["median_and_quartiles"]


def median_and_quartiles(values: list[float]) -> tuple[float | None, float | None, float | None]:
    """(median, lower quartile, upper quartile), rounded to 4 dp for display; Nones when empty.

    Inclusive quantiles match how NHS England's NOF CSV describes a peer group (every trust
    counts), and a single value is its own median and quartiles.
    """
    if not values:
        return None, None, None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return round(med, 4), round(q1, 4), round(q3, 4)
