"""Charts for the pages: Vega-Lite specs from :mod:`opmodel.variation` rendered to accessible SVG.

``render_chart`` (vl-convert, no browser, no network) writes the SVG with a ``<title>``
and ``<desc>`` and ``role="img"``; each chart on a page also gets its data table. The
SVG is memoised per spec, since rendering costs ~150 ms and pages reuse charts.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from opmodel.variation import render_chart
from opmodel.web.views_oversight import Memo, no_memo

__all__ = ["Chart", "make_chart"]


class Chart(BaseModel):
    """One chart: its Vega-Lite spec, the rendered SVG and the table that carries the same data."""

    title: str
    description: str
    spec: dict[str, Any] = Field(description="Vega-Lite specification (render it with vega-embed or vl-convert).")
    table: list[dict[str, Any]] = Field(description="The chart's data as rows: the accessible alternative.")
    svg: str = Field("", exclude=True)
    #: The figure's HTML as each page asked for it (columns, labels, id): a chart is kept per data version,
    #: and writing its data table out again for every request cost most of an uncached profile (issue 25).
    _html: dict[tuple[Any, ...], str] = PrivateAttr(default_factory=dict)

    def html(self, key: tuple[Any, ...], render: Callable[[], str]) -> str:
        """The figure's HTML for ``key``, rendered once per chart."""
        found = self._html.get(key)
        if found is None:
            found = self._html[key] = render()
        return found


def _svg(spec: dict[str, Any]) -> str:
    with tempfile.TemporaryDirectory(prefix="opmodel-chart-") as tmp:
        return render_chart(spec, Path(tmp) / "chart.svg").read_text(encoding="utf-8")


def make_chart(spec: dict[str, Any], table: list[dict[str, Any]], memo: Memo[Any] = no_memo,
               render: bool = True) -> Chart:
    title = spec.get("title", "")
    text = title.get("text", "") if isinstance(title, dict) else str(title)
    if isinstance(text, list):
        text = " ".join(str(t) for t in text)
    key = hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()

    def compute() -> str:
        return _svg(spec)

    svg: str = memo(("chart-svg", key), compute) if render else ""
    return Chart(title=str(text), description=str(spec.get("description", "")), spec=spec, table=table, svg=svg)
