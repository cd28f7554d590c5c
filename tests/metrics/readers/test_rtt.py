"""The RTT full-extract reader on the real April 2026 zip."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.rtt import RttFullExtractReader
from tests.metrics.conftest import RTT_DIR, RTT_ZIP

READER = RttFullExtractReader()


@pytest.fixture(scope="module")
def rows() -> list[MetricRow]:
    return list(READER.read(RTT_ZIP))


def test_england_totals_match_provenance(rows: list[MetricRow]) -> None:
    total: dict[str, float] = defaultdict(float)
    for r in rows:
        total[r.metric] += r.numerator or 0
    assert total["rtt_waiting_list"] == 7_123_980
    assert round(100 * total["rtt_18wk"] / total["rtt_waiting_list"], 1) == 64.9
    assert (total["rtt_52wk"], total["rtt_65wk"], total["rtt_78wk"]) == (100_665, 7_702, 2_421)
    assert {r.period_start for r in rows} == {dt.date(2026, 4, 1)}


def test_rj1_check_values(rows: list[MetricRow]) -> None:
    rj1 = {r.metric: r for r in rows if r.org_code == "RJ1"}
    assert rj1["rtt_waiting_list"].value == 109_898
    assert round(rj1["rtt_18wk"].value or 0, 2) == 68.37
    assert rj1["rtt_52wk"].value == 689


def test_every_provider_matches_the_derived_summary(rows: list[MetricRow]) -> None:
    """Independent check: the per-provider summary derived in shared/data (528 providers)."""
    ours = {(r.org_code, r.metric): r.value for r in rows}
    with (RTT_DIR / "rtt_2026-04_incomplete_by_provider.csv").open(encoding="utf-8") as fh:
        derived = list(csv.DictReader(fh))
    assert len(derived) == 528 == len({r.org_code for r in rows})
    for d in derived:
        code = d["Provider Org Code"]
        assert ours[(code, "rtt_waiting_list")] == float(d["incomplete_total"])
        assert ours[(code, "rtt_52wk")] == float(d["over_52_weeks"])
        assert ours[(code, "rtt_78wk")] == float(d["over_78_weeks"])


def test_recognises_the_zip_and_the_bare_csv_but_not_the_summary(tmp_path: Path) -> None:
    assert READER.recognises(RTT_ZIP)
    assert not READER.recognises(RTT_DIR / "rtt_2026-04_incomplete_by_provider.csv")
    assert not READER.recognises(RTT_DIR / "PROVENANCE.md")
    bare = tmp_path / "extract.dat"
    with zipfile.ZipFile(RTT_ZIP) as zf, zf.open("20260430-RTT-April-2026-full-extract.csv") as src:
        head = src.read(200_000)
    bare.write_bytes(head[: head.rfind(b"\n") + 1])
    assert READER.recognises(bare)
