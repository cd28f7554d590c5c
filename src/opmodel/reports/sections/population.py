"""Population-health headline for an ICB or region. INTEGRATION POINT for issue 14.

When ``opmodel.population`` is installed, :func:`population_headline` should return a handful of
indicators (value, England comparison, Core20 share) from its ``show`` function for the ICB or
region. Until then the section says so plainly.
"""

from __future__ import annotations

import importlib.util

from opmodel.reports.model import PopulationHeadline
from opmodel.store import Store

__all__ = ["population_headline"]

UNAVAILABLE = "Population health indicators not available in this installation."


def population_headline(store: Store, org: str, level: str) -> PopulationHeadline | None:
    """None for a trust; for an ICB or region the headline (not yet wired: see module docstring)."""
    if level == "trust":
        return None
    if importlib.util.find_spec("opmodel.population") is None:
        return PopulationHeadline(available=False, note=UNAVAILABLE)
    # Wire here: opmodel.population.show(store, org) -> indicators, core20_share
    return PopulationHeadline(available=False, note=UNAVAILABLE + " (installed but not yet wired into the "
                                                                  "board pack)")
