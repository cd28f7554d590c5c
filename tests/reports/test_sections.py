"""Section builders: the MDC sentence, sparkline and chart drawing, and the oversight position for areas."""

from __future__ import annotations

import datetime as dt

from opmodel.reports.charts import chart_svg, sparkline_svg
from opmodel.reports.formatting import display_name, fmt_span, fmt_value
from opmodel.reports.model import SpcSection
from opmodel.reports.sections.kpis import mdc_sentence
from opmodel.variation import Observation, get_preset, spc_analysis


def _series(values: list[float]) -> list[Observation]:
    out = []
    for i, v in enumerate(values):
        start = dt.date(2024 + i // 12, i % 12 + 1, 1)
        end = dt.date(2024 + (i + 1) // 12, (i + 1) % 12 + 1, 1) - dt.timedelta(days=1)
        out.append(Observation(start, end, v))
    return out


def test_sentence_names_value_icon_and_assurance() -> None:
    values = [70.0, 71.0, 69.5, 70.5, 70.0, 71.0, 69.0, 70.0, 70.5, 69.5, 70.0, 71.0, 80.0]
    result = spc_analysis(_series(values), rules=get_preset("mdc"), direction="higher", target=95.0,
                          metric="ae_4hr", org_code="X")
    text = mdc_sentence("A&E", "percent", result)
    assert text.startswith("A&E was 80.0% in January 2025")
    assert "special cause improvement (unusually high)" in text
    assert "will consistently miss the target" in text and text.endswith(".")


def test_sentence_without_target() -> None:
    result = spc_analysis(_series([5.0, 6.0, 5.5, 6.5, 5.0, 6.0]), rules=get_preset("mdc"), direction="lower",
                          metric="m", org_code="X")
    assert "no target is set for it" in mdc_sentence("Waits", "count", result)


def test_chart_svg_is_accessible_vector() -> None:
    rows = [{"period": f"2025-0{i + 1}-01", "value": 70.0 + i, "mean": 72.0, "lower_limit": 65.0,
             "upper_limit": 79.0, "point_type": "common_cause"} for i in range(6)]
    sec = SpcSection(metric="m", name="Measure & co", unit="percent", sentence="s.", alt_text="Alt <text>",
                     rows=rows, target=78.0)  # type: ignore[arg-type]
    svg = chart_svg(sec)
    assert svg.startswith("<svg") and "<title>Measure &amp; co</title>" in svg and "Alt &lt;text&gt;" in svg
    assert svg.count("<circle") == 6 and "#de1b1b" in svg  # six points, red target line
    assert "polyline" in sparkline_svg([1.0, 2.0, 3.0]) and "polyline" not in sparkline_svg([1.0])


def test_formatting() -> None:
    assert fmt_value(76.24, "percent") == "76.2%" and fmt_value(1925, "seconds") == "32:05 min"
    assert fmt_value(None, "count") == "–" and fmt_value(12345, "count") == "12,345"
    assert display_name("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST") == "Guy's and St Thomas' NHS Foundation Trust"
    assert display_name("North London NHS Foundation Trust") == "North London NHS Foundation Trust"
    assert fmt_span(dt.date(2025, 7, 1), dt.date(2025, 7, 31)) == "July 2025"
    assert fmt_span(dt.date(2025, 10, 1), dt.date(2025, 12, 31)) == "October to December 2025"
    assert fmt_span(dt.date(2024, 12, 1), dt.date(2025, 2, 28)) == "December 2024 to February 2025"
