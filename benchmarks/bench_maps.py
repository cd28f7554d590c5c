#!/usr/bin/env python3
"""Speed of drawing a map against a bar chart of the same data, in one run.

On a fresh seeded store, for A&E 4-hour performance by ICB on 2026-06-01 (36 ICBs, July 2025's
figures summed to them from their trusts), times:

- ``bar``: the baseline, a Vega-Lite bar chart of the same 36 values rendered to SVG by vl-convert,
  as the dashboard draws its other charts (``opmodel.variation.render_chart``);
- ``map``: :func:`opmodel.maps.render_values`, the hand-written choropleth SVG (areas in force,
  scale, 37 titled paths, legend, London inset) from the same values;
- ``geoshape``: the alternative considered in docs/decisions.md (issue 26), the same shapes as a
  Vega-Lite ``geoshape`` choropleth rendered by vl-convert;
- ``values``: fetching the values themselves (:func:`opmodel.maps.resolve_measure`), which a page
  pays once whichever way it draws them.

    .venv/bin/python benchmarks/bench_maps.py [--repeat 5]

Target: a map costs no more than the bar chart it stands beside (ratio ≤ 1), well under 100 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

from timing import median_seconds

from opmodel.maps import MeasureRequest, boundaries, render_values, resolve_measure
from opmodel.store import open_store

DAY = dt.date(2026, 6, 1)


def bar_spec(rows: list[dict[str, Any]], title: str) -> dict[str, Any]:
    import altair as alt

    data = alt.Data(values=[{"name": r["name"], "value": r["value"]} for r in rows])
    chart = alt.Chart(data).mark_bar().encode(x=alt.X("value:Q", title="%"), y=alt.Y("name:N", sort="-x", title=None))
    spec: dict[str, Any] = chart.properties(title=title, width=400).to_dict()
    return spec


def geoshape_spec(rows: list[dict[str, Any]]) -> dict[str, Any]:
    b = boundaries()
    feats = []
    for r in rows:
        s = b.get("icb", r["code"])
        if s is None:
            continue
        coords = [[[list(p) for p in ring]] for ring in s.rings]
        feats.append({"type": "Feature", "properties": {"name": r["name"], "value": r["value"]},
                      "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "width": 600, "height": 690,
            "data": {"values": {"type": "FeatureCollection", "features": feats}, "format": {"property": "features"}},
            "projection": {"type": "identity"}, "mark": {"type": "geoshape", "stroke": "white"},
            "encoding": {"color": {"field": "properties.value", "type": "quantitative",
                                   "scale": {"scheme": "redblue"}},
                         "tooltip": [{"field": "properties.name"}, {"field": "properties.value"}]}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import vl_convert as vlc

    from opmodel.variation import render_chart

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.duckdb")
        request = MeasureRequest("ae_4hr", "icb", DAY)
        values = resolve_measure(store, request)
        first = render_values(store, values)  # decode the boundaries once, as a server does at its first map
        spec = bar_spec(first.rows, first.title)
        chart = Path(tmp) / "bar.svg"
        render_chart(spec, chart)  # start vl-convert's engine once
        geo = geoshape_spec(first.rows)
        vlc.vegalite_to_svg(geo)
        bar = median_seconds(lambda: render_chart(spec, chart), args.repeat)
        drawn = median_seconds(lambda: render_values(store, values), args.repeat)
        geoshape = median_seconds(lambda: vlc.vegalite_to_svg(geo), args.repeat)
        fetch = median_seconds(lambda: resolve_measure(store, request), args.repeat)
        bar_kib = chart.stat().st_size / 1024
        store.close()
    load = os.getloadavg()[0]
    print(f"load average {load:.1f}; {len(first.rows)} ICBs; map SVG {len(first.svg) / 1024:.0f} KiB, "
          f"bar chart SVG {bar_kib:.0f} KiB")
    print(f"bar chart (Vega-Lite, vl-convert): {bar * 1000:.1f} ms")
    print(f"map (hand-written SVG):            {drawn * 1000:.1f} ms ({drawn / bar:.2f}x the bar chart)")
    print(f"map as Vega-Lite geoshape:         {geoshape * 1000:.1f} ms ({geoshape / bar:.2f}x the bar chart)")
    print(f"fetching the values (either way):  {fetch * 1000:.1f} ms")


if __name__ == "__main__":
    main()
