"""Registers each area's shipped default data with the store, in dependency order.

A new store is seeded with these on first open so that every command works out
of the box, with no network and no ../shared at run time. Each seeder is named as
``"module:function"`` so opening an already seeded store imports none of them (issue 25).
"""

from __future__ import annotations

from opmodel.store.connection import register_seeder

__all__: list[str] = []

register_seeder("structure", "opmodel.structure.defaults:seed_structure")
register_seeder("metrics", "opmodel.metrics.defaults:seed_metrics")
register_seeder("population", "opmodel.population.defaults:seed_population")
register_seeder("quality", "opmodel.quality.defaults:seed_quality")  # issue 22: CQC, SHMI, FFT (third-party)
# Stores made before names had a house style: restyle them once (a new store is already styled).
register_seeder("structure-house-style-names", "opmodel.structure.names:restyle_stored_names")
