"""Registers each area's shipped default data with the store, in dependency order.

A new store is seeded with these on first open so that every command works out
of the box, with no network and no ../shared at run time.
"""

from __future__ import annotations

from opmodel.metrics.defaults import seed_metrics
from opmodel.population.defaults import seed_population
from opmodel.store.connection import register_seeder
from opmodel.structure.defaults import seed_structure

__all__: list[str] = []

register_seeder("structure", seed_structure)
register_seeder("metrics", seed_metrics)
register_seeder("population", seed_population)
