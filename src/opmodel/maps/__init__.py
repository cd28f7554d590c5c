"""Maps: England's ICBs and regions on any date, shaded by any measure held at that level.

Boundaries ship in the package (ONS, derived by ``scripts/build_boundaries.py``: the 42 ICBs of
2022-2026, the 36 of April 2026 dissolved from their predecessors, the 7 regions). A map shows the
areas the registry has in force on its date; values come from metrics, oversight segments,
population indicators or any source registered with :func:`register_source`. Output is a
self-contained SVG (one titled ``<path>`` per area, legend, attribution) with its data table.
"""

from opmodel.maps.api import (
    DEFAULT_MEASURE,
    MapResult,
    area_map,
    areas_on,
    choropleth,
    region_map,
    render_values,
    small_maps,
    svg_to_png,
)
from opmodel.maps.geometry import ATTRIBUTION, Boundaries, Shape, boundaries
from opmodel.maps.measures import (
    AreaValue,
    MeasureRequest,
    MeasureValues,
    format_value,
    register_source,
    registered_sources,
    resolve_measure,
    unregister_source,
)
from opmodel.maps.scales import ColourScale, scale_for
from opmodel.maps.sources import SEGMENT_MEASURE, headline_segment, place_trusts, segment_share

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_MEASURE",
    "SEGMENT_MEASURE",
    "AreaValue",
    "Boundaries",
    "ColourScale",
    "MapResult",
    "MeasureRequest",
    "MeasureValues",
    "Shape",
    "area_map",
    "areas_on",
    "boundaries",
    "choropleth",
    "format_value",
    "headline_segment",
    "place_trusts",
    "region_map",
    "register_source",
    "registered_sources",
    "render_values",
    "resolve_measure",
    "scale_for",
    "segment_share",
    "small_maps",
    "svg_to_png",
    "unregister_source",
]
