"""Registers each area's shipped default data with the store, in dependency order.

A new store is seeded with these on first open so that every command works out
of the box, with no network and no ../shared at run time.
"""

from __future__ import annotations

from opmodel.metrics.defaults import seed_metrics
from opmodel.population.defaults import seed_population
from opmodel.quality.defaults import seed_quality
from opmodel.store.connection import Store, register_seeder
from opmodel.structure.defaults import seed_structure
from opmodel.structure.names import restyle_stored_names

__all__: list[str] = []


def _restyle_names(store: Store) -> None:
    restyle_stored_names(store)


register_seeder("structure", seed_structure)
register_seeder("metrics", seed_metrics)
register_seeder("population", seed_population)
register_seeder("quality", seed_quality)  # issue 22: CQC, SHMI, FFT (third-party)
# Stores made before names had a house style: restyle them once (a new store is already styled).
register_seeder("structure-house-style-names", _restyle_names)
