"""Issue 25: a chart's figure (SVG, caption and data table) is written out once per chart, not per request."""

from __future__ import annotations

from opmodel.web.charts import Chart
from opmodel.web.templating import make_templates


def _chart(rows: int) -> Chart:
    table = [{"period": f"2025-{m:02d}-01", "value": 70.0 + m / 3, "point_type": "special_cause_concern"}
             for m in range(1, rows + 1)]
    return Chart(title="ae_4hr: RJ1", description="An XmR chart.", spec={}, table=table, svg="<svg></svg>")


def test_figure_html_is_the_macro_output_kept_on_the_chart() -> None:
    env = make_templates().env
    figure = env.globals["figure"]
    macro = env.get_template("_macros.jinja").module.chart_figure  # type: ignore[attr-defined]
    chart = _chart(12)
    cols, labels = ["period", "value", "point_type"], ["Period", "Value", "Variation"]
    first = figure(chart, cols, labels, "spc-1")
    assert str(first) == str(macro(chart, cols, labels, "spc-1"))
    assert "special cause concern" in first and first.count("<tr") == 13 and 'id="spc-1"' in first
    chart.table.clear()  # kept: the second request does not write the table out again
    assert figure(chart, cols, labels, "spc-1") == first
    other = figure(chart, cols, labels, "spc-2")  # another place on a page is its own figure
    assert 'id="spc-2"' in other and other.count("<tr") == 1
    assert figure(_chart(3), cols, labels, "spc-1").count("<tr") == 4  # another chart, its own rows

