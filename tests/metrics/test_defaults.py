"""The shipped default metric values: seeded fast into a new store and equal to a fresh load."""

from __future__ import annotations

import datetime as dt

from opmodel.metrics import load_files, metric_values
from opmodel.metrics.defaults import ORGS_FILE, SOURCES_FILE, VALUES_FILE, seed_metrics
from opmodel.store import Store
from tests.metrics.conftest import AE_DIR, DM01_DIR, RTT_DIR


def test_shipped_files_are_compact_and_attributed() -> None:
    size = sum(p.stat().st_size for p in (VALUES_FILE, SOURCES_FILE, ORGS_FILE))
    assert size < 5_000_000
    assert "Open Government Licence v3.0" in (VALUES_FILE.parent / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_seeded_store_has_real_figures(store: Store) -> None:
    rj1 = metric_values(store, "ae_4hr", org="RJ1", start=dt.date(2025, 5, 1), end=dt.date(2025, 5, 1))
    assert round(rj1[0]["value"], 1) == 79.1
    assert store.execute("SELECT count(*) FROM organisations WHERE code = '8J094'").fetchall()[0][0] == 1


def test_loading_the_published_files_into_a_seeded_store_changes_nothing(store: Store) -> None:
    report = load_files(store, [AE_DIR, RTT_DIR, DM01_DIR])
    assert report.count("loaded") == 0 and report.count("unchanged") == 18


def test_shipped_values_equal_a_fresh_load(loaded: Store, bare_store: Store) -> None:
    seed_metrics(bare_store)
    cols = "metric, org_code, period_start, period_end, numerator, denominator, value, provisional"
    q = f"SELECT {cols} FROM metric_values WHERE metric LIKE 'ae%' OR metric LIKE 'rtt%' OR metric LIKE 'dm01%' " \
        f"ORDER BY ALL"
    assert bare_store.execute(q).fetchall() == loaded.execute(q).fetchall()
