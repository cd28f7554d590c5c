"""The quality files are third-party snapshots: every figure read from them says so (issues 21 and 22)."""

from __future__ import annotations

from pathlib import Path

from opmodel.metrics import metric_freshness, metric_values, third_party_publications
from opmodel.store import open_store


def test_shmi_and_cqc_figures_are_labelled_third_party_with_a_readable_name(store_path: Path) -> None:
    assert {"trust_profiles_thirdparty", "cqc_ratings_thirdparty"} <= set(third_party_publications())
    with open_store(store_path) as store:
        shmi = metric_values(store, "shmi", org="RJ1")
        assert shmi and all(r["third_party"] for r in shmi)
        fresh = {f.publication: f for f in metric_freshness(store, "RJ1")}
    assert fresh["trust_profiles_thirdparty"].short == "SHMI and FFT (third-party)"
    assert fresh["trust_profiles_thirdparty"].third_party and not fresh["trust_profiles_thirdparty"].overdue
    assert fresh["cqc_ratings_thirdparty"].short == "CQC ratings (third-party)"
    assert fresh["ae_monthly"].short == "A&E" and not fresh["ae_monthly"].third_party
