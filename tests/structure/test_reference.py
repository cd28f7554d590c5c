"""Reference lists of regions and ICBs, including the ONS names file."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.store import Store
from opmodel.structure import list_organisations, load_reference, parent_on
from opmodel.structure.defaults import DATA_DIR
from opmodel.structure.reference import read_reference_file

from .conftest import ODS, table_contents


def test_shipped_reference_lists() -> None:
    regions = read_reference_file(DATA_DIR / "regions.csv").regions
    icbs = read_reference_file(DATA_DIR / "icbs.csv").icbs
    assert [r.code for r in regions] == ["Y56", "Y58", "Y59", "Y60", "Y61", "Y62", "Y63"]
    assert len(icbs) == 48  # 42 from July 2022 plus 6 created by the April 2026 mergers
    assert sum(1 for i in icbs if i.close_date is not None) == 12


def test_ons_names_file_updates_names(reference_store: Store) -> None:
    summary = load_reference(reference_store, ODS / "ons_icb_names_codes_dec_2024.csv")
    assert summary.organisations_updated == 42
    assert reference_store.scalar("SELECT ons_code FROM organisations WHERE code = 'QYG'") == "E54000008"


def test_icb_regions_are_dated(reference_store: Store) -> None:
    import datetime as dt

    assert parent_on(reference_store, "Z9B2Z", dt.date(2026, 6, 1)).code == "Y56"  # type: ignore[union-attr]
    assert parent_on(reference_store, "Z9B2Z", dt.date(2025, 6, 1)) is None
    assert len(list_organisations(reference_store, kind="icb", on=dt.date(2025, 6, 1))) == 42


def test_unknown_region_is_rejected_and_nothing_written(reference_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "icbs.csv"
    bad.write_text("code,name,ons_code,region,open_date,close_date\n"
                   "QAA,NHS Test ICB,,Y57,2022-07-01,\n")
    before = table_contents(reference_store)
    with pytest.raises(InputError) as err:
        load_reference(reference_store, bad)
    assert err.value.problems[0].line == 2 and err.value.problems[0].field == "region"
    assert "unknown parent code 'Y57'" in str(err.value)
    assert table_contents(reference_store) == before


def test_unrecognised_header(tmp_path: Path) -> None:
    bad = tmp_path / "x.csv"
    bad.write_text("foo,bar\n1,2\n")
    with pytest.raises(InputError, match="not a reference file"):
        read_reference_file(bad)


def test_bad_dates_in_reference(tmp_path: Path) -> None:
    bad = tmp_path / "icbs.csv"
    bad.write_text("code,name,ons_code,region,open_date,close_date\nQAA,NHS Test ICB,,Y56,01/07/2022,\n")
    with pytest.raises(InputError) as err:
        read_reference_file(bad)
    assert err.value.problems[0].field == "open_date"
    assert "YYYY-MM-DD" in err.value.problems[0].message


def test_trusts_missing_from_the_etr_file_get_their_icb(store: Store) -> None:
    import datetime as dt

    from opmodel.structure import org_details

    for code, icb in (("TAD", "QWO"), ("TAH", "QF7"), ("TAJ", "QUA")):
        d = org_details(store, code, dt.date(2025, 6, 1))
        assert d["kind"] == "trust" and d["subtype"] == "mental_health_community"
        assert d["parents"][0]["code"] == icb


def test_a_later_etr_snapshot_keeps_trusts_from_a_reference_list(store: Store) -> None:
    import datetime as dt

    from opmodel.structure import load_ods

    load_ods(store, DATA_DIR / "etr_2026-06.csv", dt.date(2026, 9, 1))  # restated later: TAD is not in it
    assert parent_on(store, "TAD", dt.date(2026, 10, 1)).code == "QWO"  # type: ignore[union-attr]


def test_trust_list_with_an_unknown_icb_is_rejected(reference_store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "trusts.csv"
    bad.write_text("code,name,icb,open_date,close_date,source\nTZZ,TEST NHS TRUST,QZZ,,,test\n")
    before = table_contents(reference_store)
    with pytest.raises(InputError) as err:
        load_reference(reference_store, bad)
    assert (err.value.problems[0].line, err.value.problems[0].field) == (2, "icb")
    assert table_contents(reference_store) == before
