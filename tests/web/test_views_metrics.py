"""Unit tests for the metric and variation view models on the shipped published statistics."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from opmodel.metrics import metric_values
from opmodel.metrics.query import contiguous_run
from opmodel.store import Store
from opmodel.structure import get_organisation
from opmodel.web.views_metrics import area_consistency, metric_page, metrics_index, org_metrics, spc_chart


def test_org_metrics_compare_with_peers_of_the_same_subtype(store: Store) -> None:
    rows = {m.metric: m for m in org_metrics(store, "RJ1")}
    ae = rows["ae_4hr"]
    latest = metric_values(store, "ae_4hr", org="RJ1")[-1]
    assert ae.value == latest["value"]
    assert ae.period_start == latest["period_start"]
    assert ae.peer_group == "acute"
    assert ae.peer_q1 is not None and ae.peer_median is not None and ae.peer_q3 is not None
    assert ae.peer_q1 <= ae.peer_median <= ae.peer_q3
    assert 50 < ae.peers < 200


def test_icb_metrics_compare_with_all_icbs(store: Store) -> None:
    rows = org_metrics(store, "QKK")
    assert rows and all(m.peer_group == "ICBs" for m in rows)
    assert get_organisation(store, "QKK").kind.value == "icb"


def test_spc_chart_has_spec_svg_and_a_row_per_point(store: Store) -> None:
    chart = spc_chart(store, "RJ1", "ae_4hr")
    points, note = contiguous_run(metric_values(store, "ae_4hr", org="RJ1"))
    assert len(chart.table) == len(points) == 14  # June 2024 - July 2025: Aug-Sep 2025 and Jan-Feb 2026 not held
    assert note is not None and "August 2025 to September 2025" in note
    assert chart.svg.startswith("<svg") and "<title>" in chart.svg and 'role="img"' in chart.svg
    assert "$schema" in chart.spec
    assert chart.description


def test_metric_page_distribution_and_funnel(store: Store) -> None:
    page = metric_page(store, "ae_4hr", render=False)
    dist = page.distribution
    assert dist is not None
    assert dist.minimum is not None and dist.maximum is not None and dist.median is not None
    assert dist.minimum <= dist.median <= dist.maximum
    assert len(page.by_region) == 7
    assert page.funnel is not None and page.funnel.svg == ""
    assert page.trend is not None and page.trend.table
    assert any(m.metric == "ae_4hr" for m in metrics_index(store))


def test_area_consistency_lists_only_member_trusts(store: Store) -> None:
    found = area_consistency(store, "QKK", "icb", dt.date(2026, 6, 1), render=False)
    assert found is not None
    assert found.chart is not None
    assert [r["org_code"] for r in found.chart.table] == [m["org_code"] for m in found.members]
    codes = {m["org_code"] for m in found.members}
    assert "RJ1" in codes
    assert found.outside_998 <= len(found.members)


def test_ambulance_figures_belong_to_the_ambulance_trust_not_its_host_icb(private_client: TestClient) -> None:
    """Issue 16 item 17: South East London's ICB page showed London Ambulance Service's figures."""
    icb = {m["metric"] for m in private_client.get("/api/v1/organisations/QKK/metrics").json()}
    assert icb and not any(m.startswith("amb_") for m in icb)
    las = {m["metric"] for m in private_client.get("/api/v1/organisations/RRU/metrics").json()}
    assert "amb_c1_mean" in las
    r = private_client.get("/api/v1/metrics/amb_c1_mean/values", params={"level": "icb", "org": "QKK"})
    assert r.status_code == 404 and "ambulance trust" in r.json()["detail"]


def test_data_as_of_says_what_each_publication_is_held_to(store: Store) -> None:
    """Issue 21, item 2: RJ1 "data to March 2026; RTT to April 2026", with overdue measures marked."""
    from opmodel.web.views_metrics import data_as_of

    a = data_as_of(store, "RJ1")
    assert a is not None and a.summary.startswith("data to March 2026; RTT to April 2026")
    by = {m.publication: m for m in a.measures}
    assert by["A&E"].period == "March 2026" and by["A&E"].published == dt.date(2026, 4, 9)
    assert by["RTT"].period == "April 2026" and by["staff survey"].period == "2024"
    if dt.date.today() > dt.date(2026, 5, 14):  # April 2026's A&E figures were due on 14 May 2026
        assert by["A&E"].overdue == "April 2026 figures were due 14 May 2026" and a.overdue >= 1
    assert by["cancer"].third_party and not by["A&E"].third_party
    rows = {m.metric: m for m in org_metrics(store, "RJ1")}
    assert rows["rtt_18wk"].published == dt.date(2026, 6, 11) and not rows["rtt_18wk"].third_party
    assert rows["cancer_62d"].third_party  # April 2026 comes from the third-party series
    region = data_as_of(store, "Y56")
    assert region is not None and "RTT to April 2026" in region.summary
