"""Population health and inequalities: indicators by ICB, Fingertips statistics, Core20PLUS5.

Readers recognise Fingertips downloads, the third-party ICB extract and the IMD 2025 ICB
summaries by content; ``stats`` holds the public-health interval methods and PHE's slope index;
``icb`` carries values across the April 2026 ICB mergers; ``profile`` assembles what an ICB page,
the CLI and the API show; ``local`` breaks an ICB down by its districts' deprivation; ``scenario``
gives a merged ICB's population and headline performance for a reorganisation scenario.
"""

from opmodel.population.catalogue import CATALOGUE, Indicator, get_indicator
from opmodel.population.compare import compare_indicator
from opmodel.population.defaults import seed_population
from opmodel.population.icb import (
    AreaValue,
    Predecessor,
    ValueCache,
    england_value,
    icb_series,
    icb_value,
    icbs_on,
    indicator_catalogue,
    predecessors,
    resolve_icb,
    sources_loaded,
    successions,
)
from opmodel.population.inequality import deprivation_gradient, sii_reading
from opmodel.population.load import LoadResult, load_population_files, population_files
from opmodel.population.local import LOCAL_MEASURES, icb_districts, icb_inequality, local_areas
from opmodel.population.profile import accountable_body, area_population, compare_row, core20plus5, icb_profile
from opmodel.population.readers import PopulationFile, PopulationRow, detect_layout, read_population_file
from opmodel.population.scenario import merged_population
from opmodel.population.stats import (
    ESP2013,
    Interval,
    SiiResult,
    byar_interval,
    compare_with_england,
    crude_rate,
    dsr_dobson,
    exact_poisson_interval,
    slope_index_of_inequality,
    wilson_interval,
)

__all__ = [
    "CATALOGUE",
    "ESP2013",
    "LOCAL_MEASURES",
    "AreaValue",
    "Indicator",
    "Interval",
    "LoadResult",
    "PopulationFile",
    "PopulationRow",
    "Predecessor",
    "SiiResult",
    "ValueCache",
    "accountable_body",
    "area_population",
    "byar_interval",
    "compare_indicator",
    "compare_row",
    "compare_with_england",
    "core20plus5",
    "crude_rate",
    "deprivation_gradient",
    "detect_layout",
    "dsr_dobson",
    "england_value",
    "exact_poisson_interval",
    "get_indicator",
    "icb_districts",
    "icb_inequality",
    "icb_profile",
    "icb_series",
    "icb_value",
    "icbs_on",
    "indicator_catalogue",
    "load_population_files",
    "local_areas",
    "merged_population",
    "population_files",
    "predecessors",
    "read_population_file",
    "resolve_icb",
    "seed_population",
    "sii_reading",
    "slope_index_of_inequality",
    "sources_loaded",
    "successions",
    "wilson_interval",
]
