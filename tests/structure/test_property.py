"""Property: loading snapshots in date order, then querying any date, gives that date's snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opmodel.store import open_store
from opmodel.structure import load_ods, load_reference, parent_on
from opmodel.structure.defaults import DATA_DIR

ICBS = ["QKK", "QMF", "QWE", "QYG"]  # open throughout 2022-07-01 .. 2030 in the shipped reference
TRUSTS = ["RA1", "RA2", "RA3", "RA4", "RA5"]

snapshot = st.fixed_dictionaries({t: st.sampled_from([*ICBS, None]) for t in TRUSTS})
plans = st.lists(
    st.tuples(st.integers(min_value=1, max_value=400), snapshot), min_size=1, max_size=4
)


def _write(path: Path, assignment: dict[str, str | None]) -> None:
    rows = []
    for code, icb in assignment.items():
        if icb is None:
            continue  # absent from this snapshot
        cols = [code, f"TEST {code} NHS TRUST", "Y56", icb] + [""] * 6 + ["20000101", ""] + [""] * 15
        rows.append(",".join(f'"{c}"' for c in cols))
    rows.append(",".join(f'"{c}"' for c in ["RZ9", "ANCHOR NHS TRUST", "Y56", "QKK"] + [""] * 6
                         + ["20000101", ""] + [""] * 15))
    path.write_text("\n".join(rows) + "\n")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans, probe=st.integers(min_value=0, max_value=1600))
def test_query_any_date_gives_the_snapshot_in_force(tmp_path: Path, plan: list[tuple[int, dict[str, str | None]]],
                                                     probe: int) -> None:
    store = open_store(":memory:", seed=False)
    load_reference(store, DATA_DIR / "regions.csv")
    load_reference(store, DATA_DIR / "icbs.csv")
    day = dt.date(2022, 7, 1)
    applied: list[tuple[dt.date, dict[str, str | None]]] = []
    for i, (gap, assignment) in enumerate(plan):
        day = day + dt.timedelta(days=gap)
        path = tmp_path / f"snap{i}.csv"
        _write(path, assignment)
        load_ods(store, path, day)
        applied.append((day, assignment))
    query = dt.date(2022, 7, 1) + dt.timedelta(days=probe)
    in_force = [a for d, a in applied if d <= query]
    for trust in TRUSTS:
        got = parent_on(store, trust, query)
        expected = in_force[-1][trust] if in_force else None
        assert (got.code if got else None) == expected, (trust, query, applied)
    store.close()
