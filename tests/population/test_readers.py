"""Readers recognise each layout by content and reject bad cells with file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.population import detect_layout, load_population_files, read_population_file
from opmodel.store import Store
from tests.conftest import SHARED_DATA

FT = SHARED_DATA / "fingertips-sample-nw"
EXTRACT = SHARED_DATA / "icb-population-health-2012-2023-thirdparty" / "fpt_icb_full_data_2012-2023.csv"
IMD = SHARED_DATA / "imd-deprivation" / "imd2025_england_icb24.csv"


def test_layouts_recognised_by_content(tmp_path: Path) -> None:
    renamed = tmp_path / "whatever.csv"
    renamed.write_bytes(EXTRACT.read_bytes())
    assert detect_layout(renamed) == "icb_extract"
    assert detect_layout(FT / "fingertips_healthdata_sample_nw_2018-2024.csv") == "fingertips_data"
    assert detect_layout(FT / "fingertips_indicators.csv") == "fingertips_indicators"
    assert detect_layout(IMD) == "imd_icb"
    assert detect_layout(SHARED_DATA / "imd-deprivation" / "imd2019_england_ltla23.csv") is None


def test_fingertips_rows_and_check_value() -> None:
    f = read_population_file(FT / "fingertips_healthdata_sample_nw_2018-2024.csv")
    eng = [r for r in f.rows if r.indicator_id == "ft241" and r.area_code == "E92000001" and r.year == 2018
           and not r.category]
    assert len(eng) == 1 and round(eng[0].value, 2) == 6.93   # PROVENANCE.md check value
    assert {i.indicator_id for i in f.indicators} >= {"ft241", "ft93085"}


def test_extract_has_42_icbs_and_imd_population() -> None:
    f = read_population_file(EXTRACT)
    assert f.third_party
    hyp = {r.area_code for r in f.rows if r.indicator_id == "qof_hypertension" and r.year == 2023}
    assert len(hyp) == 42
    imd = read_population_file(IMD)
    pops = {r.area_code: r.value for r in imd.rows if r.indicator_id == "population_estimate"}
    assert len(pops) == 42 and 5e7 < sum(pops.values()) < 6e7   # England's population, about 57 million
    assert 2.4e6 < pops["E54000008"] < 2.8e6                    # Cheshire and Merseyside, about 2.6 million


def test_bad_cell_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "ft.csv"
    text = (FT / "fingertips_healthdata_sample_nw_2018-2024.csv").read_text(encoding="utf-8").splitlines()[:4]
    cells = text[3].split(",")
    cells[6] = "abc"
    bad.write_text("\n".join([*text[:3], ",".join(cells)]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        read_population_file(bad)
    assert "line 4" in str(e.value) and "field Value" in str(e.value)


def test_failed_load_writes_nothing(empty_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "imd.csv"
    lines = IMD.read_text(encoding="utf-8").splitlines()
    bad.write_text("\n".join([lines[0], lines[1], "X" + lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_population_files(empty_store, [IMD.parent / "nothing-here.csv", bad])
    assert empty_store.scalar("SELECT count(*) FROM population_values") == 0


def test_load_maps_ons_codes_and_is_idempotent(store: Store) -> None:
    res = load_population_files(store, [IMD])
    assert res[0].skipped   # the shipped data already holds this very file
    assert store.scalar("SELECT org_code FROM population_values WHERE area_code = 'E54000030' LIMIT 1") == "QKK"


def test_core20_unit_is_decided_once_per_file_not_per_value(tmp_path: Path) -> None:
    """Issue 21: Surrey Heartlands (QXU) holds 0.56% in the most deprived quintile, not 56%."""
    f = read_population_file(EXTRACT)
    qxu = {r.year: r.value for r in f.rows if r.indicator_id == "core20_share" and r.area_code == "QXU"}
    assert round(qxu[2022], 2) == 0.56 and all(v < 1 for v in qxu.values())
    knowsley = max(r.value for r in f.rows if r.indicator_id == "core20_share")
    assert 50 < knowsley < 52  # the same file's other ICBs are percentages too
    # a file whose shares are all fractions is scaled, as a whole, to percentages
    rows = EXTRACT.read_text(encoding="utf-8").splitlines()
    core = [ln for ln in rows if "national deprivation quintile (Most deprived)" in ln]
    fractions = [rows[0]]
    for line in core:  # year, "org", "metric", value, "domain" (no commas inside this metric's name)
        year, org, metric, value, domain = line.split(",")
        fractions.append(",".join((year, org, metric, repr(float(value) / 100), domain)))
    path = tmp_path / "fractions.csv"
    path.write_text("\n".join(fractions) + "\n", encoding="utf-8")
    scaled = {r.year: r.value for r in read_population_file(path).rows if r.area_code == "QXU"}
    assert scaled == pytest.approx(qxu)


def test_core20_share_of_qxu_in_a_new_store(store: Store) -> None:
    from opmodel.population import icb_profile

    assert round(icb_profile(store, "QXU", on=dt.date(2025, 6, 1))["core20_share"], 2) == 0.56
