"""One small builder per board-pack section; each is an integration point the lead can re-point.

``oversight.oversight_position`` (oversight API), ``kpis.kpi_summary`` (metrics + variation),
``peers.peer_scores``, ``accountability.accountability_lines`` (operating model in force),
``support.support_status`` (support register, issue 15), ``population.population_headline``
(population health, issue 14) and ``sources.data_sources``.
"""

__all__: list[str] = []
