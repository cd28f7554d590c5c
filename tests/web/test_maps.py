"""The maps on the home, ICB and region pages (issue 26): inline SVG, one titled path per area, a data table."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from opmodel.maps import ATTRIBUTION
from opmodel.web.views_maps import overview_map

CODES = re.compile(r'role="img"><title>[^<]*\(([A-Z0-9]{3,5})\)')


def _figure(html: str, fig_id: str) -> str:
    start = html.index(f'<figure class="app-chart app-map nhsuk-u-margin-bottom-5" id="{fig_id}">')
    return html[start:html.index("</figure>", start)]


@pytest.mark.parametrize(("on", "count"), [("2026-06-01", 36), ("2025-06-01", 42)])
def test_home_page_opens_with_a_map_of_every_icb_in_force(client: TestClient, on: str, count: int) -> None:
    html = client.get(f"/?on={on}").text
    assert html.index('id="england-map"') < html.index('id="regions"')  # the map comes first
    fig = _figure(html, "england-map")
    svg = fig[fig.index("<svg"):fig.index("</svg>")]
    codes = set(CODES.findall(svg))
    if on >= "2026-04-01":
        assert "Part of the former NHS Frimley" in svg  # its undivided part, named as such
        codes.discard("QNQ")
    assert len(codes) == count
    table = fig[fig.index("<table"):]
    assert set(re.findall(r'<td class="nhsuk-table__cell">([A-Z0-9]{3,5})</td>', table)) == codes
    assert "Contains OS data © Crown copyright and database right;" in svg and "Licence v3.0." in svg
    assert "<script" not in fig


@pytest.mark.parametrize(("path", "code"), [("/icbs/QKK?on=2025-06-01", "QKK"), ("/regions/Y56?on=2026-06-01", "Y56"),
                                            ("/icbs/S1Y5D?on=2026-06-01", "S1Y5D")])
def test_area_pages_show_the_area_among_its_neighbours(client: TestClient, path: str, code: str) -> None:
    html = client.get(path).text
    fig = _figure(html, "area-map")
    codes = CODES.findall(fig)
    assert code in codes and len(codes) >= 3
    assert "among its neighbours" in html


def test_area_page_of_a_closed_icb_has_no_map(client: TestClient) -> None:
    html = client.get("/icbs/QMJ?on=2026-06-01").text
    assert 'id="area-map"' not in html


def test_overview_map_view_is_memoised() -> None:
    calls: list[object] = []

    def memo(key: object, compute: object) -> object:
        calls.append(key)
        return None

    assert overview_map(None, None, memo) is None  # type: ignore[arg-type]
    assert calls and calls[0][0] == "map-overview"  # type: ignore[index]
    assert ATTRIBUTION


AREA_VALUE = re.compile(r'role="img"><title>[^<]*\(([A-Z0-9]{3,5})\): (-?[\d.,]+%?)')


@pytest.mark.parametrize(("across", "count"), [("region", 7), ("icb", 36)])
def test_consistency_page_shows_one_map_per_measure(client: TestClient, across: str, count: int) -> None:
    """Issue 26 item 3: a small map per measure of the three legs, each area titled with its value, shaded by
    the figures of the page's own tables (the /api/v1/consistency report)."""
    html = client.get(f"/consistency?across={across}").text
    report = client.get(f"/api/v1/consistency?across={across}").json()
    key = "regions" if across == "region" else "icbs"
    assert html.index('id="maps"') < html.index('id="leg-performance"')
    measures = [(leg, m) for leg, dim in report["dimensions"].items() for m in dim["measures"]]
    assert {leg for leg, _ in measures} == {"performance", "quality", "access"}
    assert {"cqc_good_or_outstanding", "shmi_higher_than_expected", "fft_positive", "rtt_18wk",
            "cancer_62d"} <= {m["id"] for _, m in measures}
    for leg, m in measures:
        fig = _figure(html, f"map-{m['id']}")
        svg = fig[fig.index("<svg"):fig.index("</svg>")]
        titled = dict(AREA_VALUE.findall(svg))
        values = report["dimensions"][leg][key]
        assert len(titled) + svg.count(": no data</title>") == count, m["id"]
        for code, text in titled.items():
            value = values[code][m["id"]]
            shown = float(text.split("%")[0].replace(",", ""))
            assert shown == pytest.approx(value, abs=0.06 if "%" in text else 0.006), (m["id"], code, text)
        assert "Contains OS data © Crown copyright and database right;" in svg
        assert ("(third-party figures)" in svg) == bool(m["third_party"]), m["id"]
        table = fig[fig.index("<table"):]
        assert len(re.findall(r'<td class="nhsuk-table__cell">([A-Z0-9]{3,5})</td>', table)) == count
    assert html.count('<figure class="app-chart app-map') == len(measures)
