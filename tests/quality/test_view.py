"""`opmodel quality show`: the quality view of a trust, ICB, region or England (issue 22, item 3)."""

from __future__ import annotations

import datetime as dt

import pytest

from opmodel.errors import UnknownCodeError
from opmodel.quality import hcai_values, quality_show
from opmodel.store import Store
from tests.quality.conftest import profile_rows

DAY = dt.date(2026, 6, 1)


def test_rj1_matches_the_done_when_line(qstore: Store) -> None:
    v = quality_show(qstore, "rj1", DAY)
    assert v["org_code"] == "RJ1" and v["kind"] == "trust"
    assert {k: v["cqc"][k] for k in ("overall", "safe", "well_led")} == {
        "overall": "Good", "safe": "Requires improvement", "well_led": "Good"}
    assert v["cqc"]["published_on"] == "2019-07-23" and "third-party" in v["cqc"]["source"]
    s = v["shmi"]
    assert s["value"] == 0.9373 and (s["observed"], s["expected"]) == (1600, 1710)
    assert s["band"] == s["published_band"] == "As expected" and s["lower_limit"] < 0.9373 < s["upper_limit"]
    assert s["period"] == "2026-03" and s["trend"]["reading"].startswith("one period")
    f = v["fft"]
    assert round(f["positive_pct"], 1) == 95.6 and f["responses"] == 2432 and f["period"] == "2026-03"
    assert {h["metric"] for h in v["hcai"]} == {"OF0020", "OF0048", "OF0088"}
    assert v["england"]["shmi_trusts"] >= 110


def test_england_fft_is_pooled_from_the_file(qstore: Store) -> None:
    rows = [r for r in profile_rows().values()
            if r["fft_total_responses_latest"] and r["fft_pct_positive_latest"] and r["org_code"].startswith("R")]
    v = quality_show(qstore, "RJ1", DAY)
    assert 93 < v["england"]["fft_positive_pct"] < 96
    positive = sum(round(float(r["fft_pct_positive_latest"]) * float(r["fft_total_responses_latest"])) for r in rows)
    total = sum(float(r["fft_total_responses_latest"]) for r in rows)
    assert v["england"]["fft_positive_pct"] == pytest.approx(100 * positive / total, abs=0.3)


def test_a_region_shows_the_mix_across_its_trusts_against_england(qstore: Store) -> None:
    v = quality_show(qstore, "Y56", DAY)
    assert v["kind"] == "region" and v["trusts"] == len(v["trust_rows"])
    assert sum(v["cqc"]["mix"].values()) == v["cqc"]["rated"]
    assert v["shmi"]["trusts"] == sum(v["shmi"]["bands"].values())
    assert v["shmi"]["value"] == pytest.approx(v["shmi"]["observed"] / v["shmi"]["expected"])
    assert v["england"]["cqc"]["rated"] > v["cqc"]["rated"]
    assert "RJ1" in {r["org_code"] for r in v["trust_rows"]}
    england = quality_show(qstore, "X24", DAY)
    assert england["cqc"]["rated"] == v["england"]["cqc"]["rated"]


def test_an_icb_after_the_2026_mergers(qstore: Store) -> None:
    v = quality_show(qstore, "QKK", DAY)
    assert v["kind"] == "icb" and {"RJ1", "RJ2", "RJZ"} <= {r["org_code"] for r in v["trust_rows"]}


def test_a_trust_without_shmi_says_why_and_unknown_codes_are_refused(qstore: Store) -> None:
    v = quality_show(qstore, "RV9", DAY)  # a mental health trust
    assert v["shmi"] is None and "acute" in v["shmi_note"]
    with pytest.raises(UnknownCodeError):
        quality_show(qstore, "ZZZ9", DAY)


def test_hcai_carries_a_peer_median(qstore: Store) -> None:
    values = {h.metric: h for h in hcai_values(qstore, "RJ1", DAY)}
    assert values["OF0020"].value == 12 and values["OF0020"].peers > 100
    assert values["OF0020"].peer_median is not None and "third-party" in values["OF0020"].source
