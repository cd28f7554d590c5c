"""Where people look (issue 12): likely ranges in the league JSON contract, page, CSV, API and profile."""

from __future__ import annotations

import csv
import io
import json
import re

from fastapi.testclient import TestClient

from tests.web.conftest import app, client, web_store_file  # noqa: F401  (fixtures)

MH = "mental_health_community"
Q3 = {"period": "2025-26-Q3", "peer_group": MH}


def test_league_json_contract(cli: object) -> None:
    res = cli("league", "--framework", "nof-2025-26", "--period", "2025-26-Q3", "--peer-group", MH,  # type: ignore[operator]
              "--format", "json", "--replicates", "500")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert len(rows) == 61
    for r in rows:
        assert {"org_code", "average_score", "adjusted_segment", "rank", "likely_range_average",
                "likely_range_rank", "p_segment"} <= set(r)
        lo, hi = r["likely_range_average"]
        assert lo <= r["average_score"] <= hi and lo == round(lo, 2)
        assert all(isinstance(x, int) for x in r["likely_range_rank"])
        assert set(r["p_segment"]) == {"1", "2", "3", "4"}
        assert sum(r["p_segment"].values()) == 1.0 or abs(sum(r["p_segment"].values()) - 1) < 1e-3


def test_league_page_shows_rank_intervals_and_the_caterpillar_chart(client: TestClient) -> None:  # noqa: F811
    html = client.get("/league", params=Q3).text
    assert 'id="league-caterpillar"' in html and "<svg" in html
    assert 'id="rankability"' in html
    likely = re.findall(r'app-likely-rank">likely (\d+)–(\d+)<', html)
    assert len(likely) == 61 and all(int(a) <= int(b) for a, b in likely)
    assert "not NHS England's stated method" in html


def test_league_csv_and_api_carry_the_ranges(client: TestClient) -> None:  # noqa: F811
    text = client.get("/league.csv", params=Q3).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 61
    assert all(float(r["likely_average_low"]) <= float(r["average_score"]) <= float(r["likely_average_high"])
               for r in rows)
    assert all(int(r["likely_rank_low"]) <= int(r["likely_rank_high"]) for r in rows)
    page = client.get("/api/v1/oversight/league", params={**Q3, "limit": 100}).json()
    item = page["items"][0]
    assert item["likely_range_rank"][0] <= item["rank"] <= item["likely_range_rank"][1]
    assert set(item["p_segment"]) == {"1", "2", "3", "4"}


def test_profile_says_likely_rank_and_segment_chance(client: TestClient) -> None:  # noqa: F811
    data = client.get("/api/v1/organisations/RW1/oversight", params={"period": "2025-26-Q3"}).json()
    sentence = data["uncertainty"]["sentence"]
    m = re.fullmatch(r"likely rank (\d+) to (\d+) of 61; (\d+)% chance of segment ([1-4])", sentence)
    assert m is not None, sentence
    assert int(m[4]) == data["explanation"]["adjusted_segment"]
    html = client.get("/organisations/RW1").text
    assert 'id="likely-rank"' in html and "chance of segment" in html
