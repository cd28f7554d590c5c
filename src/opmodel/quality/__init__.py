"""Quality, the third leg: CQC ratings, mortality (SHMI) banded as NHS Digital bands it, patient experience
(Friends and Family Test) and the infection measures already held (issue 22).

The figures live in the metric store (read by ``metrics/readers/quality_thirdparty.py``, catalogued in
``metrics/catalogue/quality.yaml``, shipped by ``scripts/build_quality_data.py``); this area reads them
back (``queries``), recomputes SHMI bands with the variation funnel's SHMI method (``shmi``) and builds
the quality view of a trust, ICB, region or England (``view``) and the quality measures maps shade
(``map_measures``: :func:`map_measure`, found by :mod:`opmodel.maps`). Everything from the third-party
files is labelled so.
"""

from opmodel.quality.charts import shmi_chart_spec, shmi_table
from opmodel.quality.defaults import seed_quality
from opmodel.quality.hcai import HCAI_METRICS, hcai_values
from opmodel.quality.map_measures import MAP_MEASURES, map_measure
from opmodel.quality.models import (
    KEY_QUESTIONS,
    RATINGS,
    SHMI_BAND_LABELS,
    THIRD_PARTY,
    CqcRatings,
    FftResult,
    HcaiValue,
    ShmiResult,
    rating_label,
)
from opmodel.quality.queries import latest_values, trusts_in
from opmodel.quality.shmi import ShmiBanding, shmi_banding
from opmodel.quality.view import (
    CQC_METRICS,
    FFT_METRICS,
    QUALITY_NOTE,
    cqc_ratings,
    fft_result,
    quality_mix,
    quality_show,
)

__all__ = [
    "CQC_METRICS",
    "FFT_METRICS",
    "HCAI_METRICS",
    "KEY_QUESTIONS",
    "MAP_MEASURES",
    "QUALITY_NOTE",
    "RATINGS",
    "SHMI_BAND_LABELS",
    "THIRD_PARTY",
    "CqcRatings",
    "FftResult",
    "HcaiValue",
    "ShmiBanding",
    "ShmiResult",
    "cqc_ratings",
    "fft_result",
    "hcai_values",
    "latest_values",
    "map_measure",
    "quality_mix",
    "quality_show",
    "rating_label",
    "seed_quality",
    "shmi_banding",
    "shmi_chart_spec",
    "shmi_table",
    "trusts_in",
]
