"""The shipped quality data is what the readers give from ../shared, and every new store holds it."""

from __future__ import annotations

import duckdb

from opmodel.metrics.readers.quality_thirdparty import CqcRatingsExtractReader, TrustProfilesReader
from opmodel.quality.defaults import DATA_DIR
from opmodel.store import Store
from tests.quality.conftest import EXTRACT, PROFILES


def _key(metric: str, org: str, start: object, value: float | None) -> tuple[object, ...]:
    return metric, org, str(start), None if value is None else round(value, 6)


def test_shipped_values_equal_what_the_readers_read() -> None:
    read = {_key(r.metric, r.org_code, r.period_start, r.value)
            for reader, path in ((TrustProfilesReader(), PROFILES), (CqcRatingsExtractReader(), EXTRACT))
            for r in reader.read(path)}
    con = duckdb.connect()
    shipped = {_key(m, o, s, v) for m, o, s, v in con.execute(
        "SELECT metric, org_code, period_start, value FROM read_parquet(?)",
        [str(DATA_DIR / "metric_values.parquet")]).fetchall()}
    assert shipped == read and len(shipped) > 1900
    files = {r[0] for r in con.execute("SELECT file_name FROM read_parquet(?)",
                                       [str(DATA_DIR / "metric_sources.parquet")]).fetchall()}
    assert files == {PROFILES.name, EXTRACT.name}
    assert "THIRD-PARTY" in (DATA_DIR / "ATTRIBUTION.md").read_text(encoding="utf-8")


def test_a_new_store_holds_the_quality_values(store: Store) -> None:
    assert store.scalar("SELECT count(*) FROM metric_values WHERE metric = 'shmi'") == 118
    assert store.scalar("SELECT value FROM metric_values WHERE metric = 'cqc_safe' AND org_code = 'RJ1'") == 3.0
