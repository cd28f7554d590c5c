"""``opmodel spc | funnel | consistency`` on the A&E monthly files in a real store."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from opmodel.metrics import load_files
from opmodel.store import open_store
from tests.conftest import Cli
from tests.variation.conftest import AE_MONTHLY, ae_monthly_counts


@pytest.fixture(scope="module")
def ae_store_file(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded store with the 2024-25 A&E files loaded (a no-op if they ship as defaults)."""
    path = tmp_path_factory.mktemp("ae") / "ae.duckdb"
    shutil.copy(seeded_store_file, path)
    store = open_store(path)
    load_files(store, [AE_MONTHLY])
    custom_source = store.rows("SELECT coalesce(max(source_id), 0) + 1 AS id FROM metric_sources")[0]["id"]
    store.execute("INSERT INTO metric_sources (source_id, file, file_name, sha256, publication) "
                  "VALUES (?, 'test', 'test.csv', 'x', 'test')", [custom_source])
    for k in range(14):  # an uncatalogued metric (no direction), with a zero denominator in Mar 2025
        first = dt.date(2024 + (5 + k) // 12, (5 + k) % 12 + 1, 1)
        end = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        den = 0.0 if first == dt.date(2025, 3, 1) else 100.0
        store.execute("INSERT INTO metric_values (metric, org_code, period_start, period_end, numerator, "
                      "denominator, value, source_id) VALUES ('custom_x', 'RJ1', ?, ?, ?, ?, ?, ?)",
                      [first, end, 50.0 + k % 3, den, (50.0 + k % 3) if den else None, custom_source])
    store.execute("CHECKPOINT")
    store.close()
    return path


@pytest.fixture
def vcli(ae_store_file: Path, tmp_path: Path) -> Cli:
    target = tmp_path / "store.duckdb"
    shutil.copy(ae_store_file, target)
    return Cli(target)


def run_json(cli: Cli, *args: str) -> dict:  # type: ignore[type-arg]
    res = cli(*args, "--format", "json")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    return json.loads(res.stdout)  # type: ignore[attr-defined,no-any-return]


def test_spc_json_contract_for_rj1_matches_the_raw_files(vcli: Cli) -> None:
    d = run_json(vcli, "spc", "ae_4hr", "--org", "RJ1", "--preset", "mdc")
    counts = ae_monthly_counts("RJ1")
    raw = [100 * (1 - o / a) for _, (a, o) in sorted(counts.items())]
    assert [round(p["value"], 6) for p in d["points"]] == [round(v, 6) for v in raw]
    assert d["limits"]["mean"] == pytest.approx(sum(raw) / len(raw))
    assert d["metric"] == "ae_4hr" and d["org_code"] == "RJ1" and d["preset"] == "mdc"
    assert d["variation_icon"] == "improvement_high" and d["assurance_icon"] is None
    assert [p["rule"] for p in d["points"]][-7:] == ["shift"] * 7


def test_spc_rebase_target_and_chart_files(vcli: Cli, tmp_path: Path) -> None:
    svg = tmp_path / "rj1.svg"
    d = run_json(vcli, "spc", "ae_4hr", "--org", "RJ1", "--preset", "nhsrplotthedots", "--target", "76",
                 "--rebase", "2025-01", "--svg", str(svg))
    assert [lim["start"] for lim in d["limits"]] == ["2024-06-01", "2025-01-01"]
    assert all(lim["trial"] for lim in d["limits"])  # 7 points each
    assert d["assurance_icon"] in {"consistently_pass", "hit_and_miss"}
    assert d["preset"] == "nhsrplotthedots" and any("trial limits" in w for w in d["warnings"])
    text = svg.read_text()
    assert "<title>" in text and "<desc>Statistical process control chart of ae_4hr for RJ1" in text
    assert (tmp_path / "rj1-table.csv").read_text().startswith("period,value,mean,")


def test_spc_for_an_icb_aggregates_its_trusts(vcli: Cli) -> None:
    d = run_json(vcli, "spc", "ae_4hr", "--org", "QKK", "--from", "2024-06", "--to", "2025-05")
    assert d["org_code"] == "QKK" and len(d["points"]) == 12


@pytest.mark.parametrize(("args", "message"), [
    (["spc", "ae_4hr", "--org", "RJ1", "--from", "2026-03"], "at least 2 points"),  # the last month held
    (["spc", "ae_4hr", "--org", "RJX9"], "Unknown"),
    (["spc", "custom_x", "--org", "RJ1"], "no improvement direction"),
    (["spc", "custom_x", "--org", "RJ1", "--direction", "higher"], "zero denominator in period(s) 2025-03-01"),
    (["spc", "ae_4hr", "--org", "RJ1", "--target", "80", "--direction", "neutral"], "neutral"),
    (["funnel", "ae_4hr", "--period", "2019-01"], "no trust values"),
    (["consistency", "ae_attendances"], "no numerator and denominator"),
])
def test_bad_requests_exit_1_with_a_reason(vcli: Cli, args: list[str], message: str) -> None:
    res = vcli(*args)
    assert res.exit_code == 1  # type: ignore[attr-defined]
    assert message in " ".join(res.output.split())  # type: ignore[attr-defined]


def test_custom_metric_with_a_direction_charts_the_contiguous_part(vcli: Cli) -> None:
    d = run_json(vcli, "spc", "custom_x", "--org", "RJ1", "--direction", "lower", "--to", "2025-02")
    assert len(d["points"]) == 9 and d["direction"] == "lower"


def test_funnel_json_for_trusts_and_regions(vcli: Cli, tmp_path: Path) -> None:
    d = run_json(vcli, "funnel", "ae_4hr", "--period", "2025-05", "--peers", "all", "--svg", str(tmp_path / "f.svg"))
    points = {p["org_code"]: p for p in d["points"]}
    assert round(points["RJ1"]["value"], 1) == 79.1
    assert points["RJ1"]["denominator"] == 18092
    assert d["target"] == pytest.approx(100 * sum(p["numerator"] for p in d["points"])
                                        / sum(p["denominator"] for p in d["points"]))
    assert {"denominator", "lower_95", "upper_95", "lower_998", "upper_998"} <= set(d["limits"][0])
    assert all(p["outlier"] in (None, "high", "low") for p in d["points"])
    svg = (tmp_path / "f.svg").read_text()
    assert "<desc>Funnel plot of A&amp;E 4-hour performance (all types)" in svg  # named, not the metric id
    # The centre line is named for what it is, and over-dispersion is applied by default and said.
    assert "pooled value of the 141 organisations" in svg and "Target" not in svg
    assert d["centre"]["kind"] == "pooled" and d["overdispersion"]["applied"] is True
    outside = sum(1 for p in d["points"] if p["outlier"])
    assert 0 < outside < 40, outside  # exact limits flag well over 100 of 141 trusts
    regions = run_json(vcli, "funnel", "ae_4hr", "--period", "2025-05", "--level", "region", "--overdispersion")
    assert len(regions["points"]) == 7 and regions["overdispersion"]["k"] == 7
    assert any("unstable" in w for w in regions["warnings"])
    standard = run_json(vcli, "funnel", "ae_4hr", "--period", "2025-05", "--level", "icb", "--target", "95")
    assert standard["target"] == pytest.approx(95) and len(standard["points"]) == 42
    assert all(p["outlier"] == "low" for p in standard["points"])  # no ICB was near 95% in May 2025


def test_consistency_over_fourteen_months_writes_a_chart(vcli: Cli, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    res = vcli("consistency", "ae_4hr", "--from", "2024-06", "--to", "2025-07")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert "between_regions" in res.stdout and "Reading:" in res.stdout  # type: ignore[attr-defined]
    assert "pooled_trusts" in res.stdout and "england" not in res.stdout  # type: ignore[attr-defined]
    assert [p.name for p in tmp_path.iterdir() if p.suffix != ".duckdb"] == []  # nothing written unasked
    res = vcli("consistency", "ae_4hr", "--from", "2024-06", "--to", "2025-07", "--svg", str(tmp_path / "c.svg"))
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    assert (tmp_path / "c.svg").read_text().startswith("<svg")
    d = run_json(vcli, "consistency", "ae_4hr", "--from", "2024-06", "--to", "2025-07")
    assert len(d["periods"]) == 14 and d["from"] == "2024-06-01" and d["to"] == "2025-07-01"
    for p in d["periods"]:
        assert sum(p["decomposition"][lvl]["share"] for lvl in ("region", "icb", "trust")) == pytest.approx(1.0)
        assert p["regions"] == 7 and p["icbs"] == 42
        assert sum(r["trusts"] for r in p["outliers_by_region"]) == p["trusts"]
    assert d["trend"]["reading"] in {"converging", "diverging", "stable"}


def test_spc_baseline_shift_setting_and_csv_table(vcli: Cli) -> None:
    d = run_json(vcli, "spc", "ae_4hr", "--org", "RJ1", "--baseline", "12", "--shift", "6")
    counts = sorted(ae_monthly_counts("RJ1").items())[:12]
    base = [100 * (1 - o / a) for _, (a, o) in counts]
    assert d["limits"]["baseline_points"] == 12 and d["limits"]["mean"] == pytest.approx(sum(base) / 12)
    assert d["settings"]["shift"] == 6 and d["preset"] == "mdc"
    res = vcli("spc", "ae_4hr", "--org", "RJ1", "--format", "csv")
    lines = res.stdout.strip().splitlines()  # type: ignore[attr-defined]
    assert lines[0].startswith("period,value,mean,lower_limit,upper_limit") and len(lines) == 15


def test_trust_placement_follows_the_structure_in_force(ae_store_file: Path) -> None:
    from opmodel.variation import trust_placement, trust_placements

    store = open_store(ae_store_file)
    try:
        days = [dt.date(2024, 6, 1), dt.date(2026, 6, 1)]
        both = trust_placements(store, days)
        assert both[days[0]]["RJ1"] == {"name": both[days[0]]["RJ1"]["name"], "icb": "QKK", "region": "Y56"}
        assert trust_placement(store, days[1]) == both[days[1]]
        assert {p["region"] for p in both[days[0]].values() if p["region"]} == {f"Y{n}" for n in
                                                                            (56, 58, 59, 60, 61, 62, 63)}
        icbs_2024 = {p["icb"] for p in both[days[0]].values() if p["icb"]}
        icbs_2026 = {p["icb"] for p in both[days[1]].values() if p["icb"]}
        assert len(icbs_2024) == 42 and len(icbs_2026) == 36  # the April 2026 mergers
    finally:
        store.close()
