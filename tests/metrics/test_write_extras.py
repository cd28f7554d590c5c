"""Issue 20 item 3: a re-published file that changes only an attribute in ``extra`` (a rank) is a change."""

from __future__ import annotations

import csv
from pathlib import Path

from opmodel.metrics import load_files
from opmodel.store import Store

from ..conftest import SHARED_DATA

NOF_CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")


def test_a_changed_rank_alone_replaces_the_row_and_is_recorded(empty_store: Store, tmp_path: Path) -> None:
    with NOF_CSV.open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["Quarter"].startswith("Q3") and r["Metric_ID"] == "OF0084"]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path, data in ((first, rows), (second, [dict(r, Rank=str(62 - float(r["Rank"]))) for r in rows])):
        with path.open("w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(data)
    assert load_files(empty_store, [first]).files[0].inserted == 61
    f = load_files(empty_store, [second]).files[0]
    moved = sum(float(r["Rank"]) != 62 - float(r["Rank"]) for r in rows)  # the middle rank stays where it is
    assert (f.status, f.replaced, f.inserted, f.unchanged) == ("loaded", moved, 0, 61 - moved)
    assert empty_store.scalar("SELECT count(*) FROM metric_revisions WHERE old_value = new_value") == moved
    rank = empty_store.scalar("SELECT json_extract_string(extra, '$.rank') FROM metric_values WHERE org_code = 'RWR'")
    assert float(rank) == 62 - 11
