"""Property: for any counts, ICB/region/England values are ratios of summed counts of members."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opmodel.metrics import load_files, metric_values
from opmodel.store import open_store
from opmodel.structure import ancestors_on
from tests.metrics.conftest import AE_MAY_2025, structure_only_store

HEADER = AE_MAY_2025.read_text(encoding="utf-8").splitlines()[0]
DAY = dt.date(2025, 5, 1)
TRUSTS = ("RJ1", "RJ2", "RJZ", "R1H", "RAL", "RRV", "RBT", "RWJ", "RM1", "RGN", "XX1")  # XX1: not in the registry


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("prop") / "template.duckdb"
    structure_only_store(path).close()
    return path


counts = st.tuples(st.integers(0, 5000), st.integers(0, 100), st.integers(0, 5000), st.integers(0, 60))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.dictionaries(st.sampled_from(TRUSTS), counts, min_size=1, max_size=len(TRUSTS)))
def test_aggregates_are_ratios_of_member_sums(rows: dict[str, tuple[int, int, int, int]], template: Path,
                                              tmp_path: Path) -> None:
    store_path = tmp_path / f"p{abs(hash(tuple(sorted(rows.items()))))}.duckdb"
    shutil.copy(template, store_path)
    lines, total = [HEADER], [0] * 18
    for code, (att1, booked, att3, dta12) in rows.items():
        over1, over3 = att1 // 3, att3 // 7
        vals = [att1, 0, att3, booked, 0, 0, over1, 0, over3, booked // 2, 0, 0, 0, dta12, 100, 0, 0, 0]
        total = [a + b for a, b in zip(total, vals, strict=True)]
        lines.append(",".join(["MSitAE-MAY-2025", code, "NHS ENGLAND LONDON", f"TRUST {code}", *map(str, vals)]))
    lines.append(",".join(["TOTAL"] * 4 + [str(v) for v in total]))
    f = tmp_path / "ae.csv"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = open_store(store_path, seed=False)
    try:
        load_files(store, [f])
        for level, kind in (("icb", "icb"), ("region", "region"), ("england", "national")):
            expect: dict[str, list[float]] = {}
            for code, (att1, booked, att3, _) in rows.items():
                den = att1 + att3 + booked
                if den == 0:
                    continue
                num = (den - (att1 // 3 + att3 // 7 + booked // 2))
                targets = ["X24"] if level == "england" else [
                    a.code for a in ancestors_on(store, code, DAY) if a.kind.value == kind]
                for t in targets:
                    acc = expect.setdefault(t, [0.0, 0.0])
                    acc[0] += num
                    acc[1] += den
            got = {r["org_code"]: r for r in metric_values(store, "ae_4hr", level=level, start=DAY, end=DAY)}
            assert set(got) == set(expect)
            for t, (n_sum, d_sum) in expect.items():
                assert (got[t]["numerator"], got[t]["denominator"]) == (n_sum, d_sum)
                assert got[t]["value"] == pytest.approx(100 * n_sum / d_sum)
    finally:
        store.close()
