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
    """Every value the shipped defaults hold from the A&E 2024-25, RTT and DM01 files equals a fresh load."""
    seed_metrics(bare_store)
    names = [r[0] for r in loaded.execute("SELECT file_name FROM metric_sources").fetchall()]
    cols = "metric, org_code, period_start, period_end, numerator, denominator, value, provisional"
    q = (f"SELECT {cols} FROM metric_values v JOIN metric_sources s USING (source_id) "
         f"WHERE s.file_name IN ({', '.join('?' for _ in names)}) ORDER BY ALL")
    shipped = bare_store.execute(q, names).fetchall()
    assert len(shipped) > 20_000 and shipped == loaded.execute(q, names).fetchall()


def test_a_new_store_is_current_to_the_newest_files(store: Store) -> None:
    """Issue 21: A&E to March 2026, RJ1's RTT monthly from 2022 to April 2026 (third-party before April)."""
    ae = metric_values(store, "ae_4hr", org="RJ1")
    assert ae[-1]["period_start"] == dt.date(2026, 3, 1) and round(ae[-1]["value"], 1) == 74.4
    rtt = metric_values(store, "rtt_18wk", org="RJ1")
    assert len(rtt) >= 12 and rtt[-1]["period_start"] == dt.date(2026, 4, 1) and rtt[0]["period_start"].year == 2022
    assert rtt[-1]["third_party"] is False and rtt[-2]["third_party"] is True
    assert round(rtt[-1]["value"], 2) == 68.37  # the official April 2026 extract
    cancer = metric_values(store, "cancer_62d", org="RJ1")
    assert cancer[-1]["period_start"] == dt.date(2026, 4, 1) and len(cancer) >= 40
    versions = dict(store.execute("SELECT publication, min(version) FROM metric_sources GROUP BY 1").fetchall())
    assert versions["waiting_times_thirdparty"] < 0 <= versions["rtt_full_extract"]
    loaded = store.scalar("SELECT min(loaded_at) FROM metric_sources")
    assert loaded.date() >= dt.date.today() - dt.timedelta(days=1)  # the store's own load date, not the build's
