"""Issue 21, item 1: readers for the newest publications, checked against figures in the files themselves."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import MetricRow, find_reader, load_files, metric_values
from opmodel.store import Store
from tests.conftest import SHARED_DATA

NEW = SHARED_DATA / "nhse-newer-2026-publications"
AE_NEW = SHARED_DATA / "nhse-ae-monthly-2025-26"
SERIES = SHARED_DATA / "nhse-rtt-cancer-monthly-2022-2026-thirdparty"
DM01_ZIP = NEW / "dm01_monthly__DM01-MARCH-2026-full-extract_32W3L.zip"
KH03_AVAILABLE = NEW / "kh03_quarterly_latest_quarter_KH03-Available-Overnight-only.csv"
KH03_OCCUPIED = NEW / "kh03_quarterly_latest_quarter_KH03-Occupied-Overnight-only.csv"
FFT = NEW / "fft_monthly__ftt-summary-apr-26.xlsx"
ERIC = NEW / "eric_annual_2024_25_ERIC_20-_202024_25_20-_20Trust_20data.csv"
CSDS = NEW / "csds_monthly_march-2026_csds_data.zip"
RTT_ZIP = SHARED_DATA / "nhse-rtt-2026-04" / "20260430-RTT-April-2026-full-extract.csv.zip"


def _rows(path: Path) -> list[MetricRow]:
    reader = find_reader(path)
    assert reader is not None, path
    return list(reader.read(path))


def _one(rows: list[MetricRow], metric: str, org: str, start: dt.date | None = None) -> MetricRow:
    found = [r for r in rows if r.metric == metric and r.org_code == org and (start is None or r.period_start == start)]
    assert len(found) == 1, (metric, org, start, len(found))
    return found[0]


@pytest.mark.parametrize(("name", "month", "four_hour", "type1"), [
    ("October-2025-CSV-hg6dl.csv", 10, 77.3, 64.2), ("November-2025-CSV-G9pr3.csv", 11, 80.1, 68.9),
    ("December-2025-CSV-K7F4Sp.csv", 12, 79.0, 67.2), ("March-2026-CSV-G49lw.csv", 3, 74.4, 60.0)])
def test_new_ae_months_match_provenance(name: str, month: int, four_hour: float, type1: float) -> None:
    rows = _rows(AE_NEW / name)
    year = 2026 if month == 3 else 2025
    assert round(_one(rows, "ae_4hr", "RJ1").value or 0, 1) == four_hour
    assert round(_one(rows, "ae_type1_4hr", "RJ1").value or 0, 1) == type1
    assert {r.period_start for r in rows} == {dt.date(year, month, 1)}


def test_dm01_full_extract_sums_total_rows_over_commissioners() -> None:
    rows = _rows(DM01_ZIP)
    rj1 = _one(rows, "dm01_6wk", "RJ1")
    assert (rj1.numerator, rj1.denominator, rj1.period_start) == (9927, 29040, dt.date(2026, 3, 1))
    assert _one(rows, "dm01_waiting_list", "RJ1").value == 29040
    assert len({r.org_code for r in rows if r.metric == "dm01_waiting_list"}) == 458


def test_dm01_full_extract_refuses_test_rows_that_disagree_with_the_total(tmp_path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(DM01_ZIP) as zf:
        name = zf.namelist()[0]
        lines = zf.read(name).decode("utf-8").splitlines()
    i = next(i for i, t in enumerate(lines) if '"RJ1"' in t and '"MRI"' in t and t.split('","')[25] != "0")
    cells = lines[i].split('","')
    cells[25] = str(int(cells[25]) + 7)  # Total WL of one test, not its TOTAL row
    lines[i] = '","'.join(cells)
    bad = tmp_path / "dm01.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="RJ1's test rows add up to"):
        _rows(bad)


def test_kh03_overnight_series_quarters_and_names() -> None:
    available = _rows(KH03_AVAILABLE)
    occupied = _rows(KH03_OCCUPIED)
    q = dt.date(2023, 1, 1)
    a, o = _one(available, "kh03_available_ga", "RJ1", q), _one(occupied, "kh03_occupied_ga", "RJ1", q)
    assert a.period_end == dt.date(2023, 3, 31) and 0 < (o.value or 0) <= (a.value or 0)
    assert max(r.period_end for r in available) == dt.date(2024, 6, 30)
    assert {(r.period_end.month - r.period_start.month) % 12 for r in available} == {2}  # quarters only (G&A)


def test_kh03_overnight_needs_its_name_to_say_available_or_occupied(tmp_path: Path) -> None:
    renamed = tmp_path / "kh03.csv"
    shutil.copy(KH03_OCCUPIED, renamed)
    with pytest.raises(InputError, match="cannot tell available from occupied"):
        _rows(renamed)


def test_fft_summary_shares_become_percentages_once_per_file() -> None:
    rows = _rows(FFT)
    ae = _one(rows, "fft_ae_positive", "X24", dt.date(2026, 4, 1))
    assert (ae.numerator, ae.denominator, round(ae.value or 0, 1)) == (98834, 123206, 80.2)
    assert round(_one(rows, "fft_ae_positive", "X24", dt.date(2026, 3, 1)).value or 0, 1) == 79.5
    assert len({r.metric for r in rows}) == 12


def test_eric_takes_its_year_from_nhs_englands_file_name(tmp_path: Path) -> None:
    rows = _rows(ERIC)
    sites = _one(rows, "eric_sites", "RJ1")
    assert (sites.value, sites.period_start, sites.period_end) == (44, dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    capital = _one(rows, "eric_capital_investment", "RJ1").value
    assert capital == 1830631 + 31618629 + 14657394 + 7262861
    nameless = tmp_path / "trust-data.csv"
    shutil.copy(ERIC, nameless)
    with pytest.raises(InputError, match="does not state its year"):
        _rows(nameless)


def test_csds_providers_and_england() -> None:
    rows = _rows(CSDS)
    assert _one(rows, "csds_referrals", "RJ1").value == 11370
    assert _one(rows, "csds_care_contacts", "RJ1").value == 67040
    assert _one(rows, "csds_referrals", "X24").value == 1865125
    assert {r.period_start for r in rows} == {dt.date(2026, 3, 1)}


def test_third_party_rtt_series_agrees_with_the_official_april_extract() -> None:
    official = {r.org_code: r for r in _rows(RTT_ZIP) if r.metric == "rtt_18wk"}
    series = _rows(SERIES / "rtt" / "org" / "RJ1.json")
    april = _one(series, "rtt_18wk", "RJ1", dt.date(2026, 4, 1))
    assert round(april.value or 0, 2) == round(official["RJ1"].value or 0, 2) == 68.37
    assert len([r for r in series if r.metric == "rtt_18wk"]) == 49


def test_third_party_cancer_reproduces_the_nof_q3_values() -> None:
    """PROVENANCE.md: Q3 2025/26 summed from the months gives RJ1's OF0011 (62-day) 56.38."""
    rows = [r for r in _rows(SERIES / "cancer" / "org" / "RJ1.json") if r.metric == "cancer_62d"
            and dt.date(2025, 10, 1) <= r.period_start <= dt.date(2025, 12, 1)]
    num = sum(r.numerator or 0 for r in rows)
    den = sum(r.denominator or 0 for r in rows)
    assert len(rows) == 3 and round(100 * num / den, 2) == 56.38


def test_commissioner_and_national_series_are_not_read() -> None:
    assert find_reader(SERIES / "rtt" / "national.json") is None
    assert find_reader(SERIES / "rtt" / "meta.json") is None
    icb = next(p for p in sorted((SERIES / "rtt" / "org").glob("Q*.json"))
               if json.loads(p.read_text())["level"] == "icb")
    assert find_reader(icb) is None


def test_a_damaged_series_is_refused_by_field(tmp_path: Path) -> None:
    doc = json.loads((SERIES / "rtt" / "org" / "RJ1.json").read_text())
    doc["measures"]["pct18"]["performance"][3] = 0.99  # no longer within_target / total
    bad = tmp_path / "RJ1.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(InputError) as err:
        _rows(bad)
    assert (err.value.problems[0].line, err.value.problems[0].field) == (4, "measures.pct18.performance")


def test_official_figures_win_over_third_party_in_either_order(bare_store: Store, tmp_path: Path) -> None:
    series = tmp_path / "RJ1.json"
    doc = json.loads((SERIES / "rtt" / "org" / "RJ1.json").read_text())
    doc["measures"]["pct18"]["within_target"][-1] -= 1000  # April 2026 made to differ from the official extract
    doc["measures"]["pct18"]["performance"][-1] = round(doc["measures"]["pct18"]["within_target"][-1]
                                                        / doc["measures"]["pct18"]["total"][-1], 4)
    series.write_text(json.dumps(doc))
    april = dt.date(2026, 4, 1)

    def rj1_april() -> tuple[float, bool]:
        row = metric_values(bare_store, "rtt_18wk", org="RJ1", start=april, end=april)[0]
        return round(row["value"], 2), row["third_party"]

    third = load_files(bare_store, [series])
    assert rj1_april()[1] is True and third.files[0].third_party
    official = load_files(bare_store, [RTT_ZIP])
    assert official.replaced > 0 and rj1_april() == (68.37, False)  # the official file replaces the third party
    again = tmp_path / "again" / "RJ1.json"
    again.parent.mkdir()
    doc["measures"]["pct18"]["within_target"][-1] -= 1
    doc["measures"]["pct18"]["performance"][-1] = round(doc["measures"]["pct18"]["within_target"][-1]
                                                        / doc["measures"]["pct18"]["total"][-1], 4)
    again.write_text(json.dumps(doc))
    later = load_files(bare_store, [again])
    assert later.kept >= 1 and rj1_april() == (68.37, False)  # a later third-party file never replaces it
    assert "never replace official" in (later.files[0].message or "")


def test_every_new_file_in_shared_data_is_recognised() -> None:
    found: dict[str, set[str]] = defaultdict(set)
    for path in (DM01_ZIP, KH03_AVAILABLE, KH03_OCCUPIED, FFT, ERIC, CSDS, *sorted(AE_NEW.glob("*.csv"))):
        reader = find_reader(path)
        assert reader is not None, path
        found[reader.publication].add(path.name)
    assert set(found) == {"dm01", "kh03_overnight", "fft_summary", "eric_trust", "csds_monthly", "ae_monthly"}
    assert find_reader(NEW / "csds_monthly_march-2026_metadata.xlsx") is None
