#!/usr/bin/env python3
"""Write the chart shapes Altair builds to ``src/opmodel/variation/data/chart_skeletons.json``.

Serving a chart then needs no Altair: each SPC chart and funnel plot is its shipped shape filled with
its own data, titles and colours (``opmodel.variation.charts``). Run this after changing
``build_spc_skeleton`` or ``build_funnel_skeleton``; ``tests/variation/test_charts.py`` fails until
the shipped file matches what they build.

    .venv/bin/python scripts/build_chart_skeletons.py
"""

from __future__ import annotations

import json

from opmodel.variation.charts import SKELETONS_FILE, built_skeletons


def main() -> None:
    shapes = built_skeletons()
    SKELETONS_FILE.parent.mkdir(parents=True, exist_ok=True)
    SKELETONS_FILE.write_text(json.dumps(shapes, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(shapes)} chart shapes to {SKELETONS_FILE} ({SKELETONS_FILE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
