"""Loading dated snapshots one after another builds history, and bad loads change nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.store import Store
from opmodel.structure import changes, list_organisations, load_ods, org_details, parent_on

from .conftest import ODS, table_contents

D2025 = dt.date(2022, 7, 1)
D2026 = dt.date(2026, 4, 1)


@pytest.fixture
def history(reference_store: Store) -> Store:
    load_ods(reference_store, ODS / "etr_snapshot_2025b.csv", D2025)
    load_ods(reference_store, ODS / "eccg_snapshot_2025b.csv", D2025)
    load_ods(reference_store, ODS / "etr_snapshot_2026-06.csv", D2026)
    return reference_store


def _parents(store: Store, code: str, day: dt.date) -> list[str]:
    return [p["code"] for p in org_details(store, code, day)["parents"]]


def test_rj1_before_and_after_the_mergers(history: Store) -> None:
    assert _parents(history, "RJ1", dt.date(2025, 6, 1)) == ["QKK", "Y56", "X24"]
    assert _parents(history, "RJ1", dt.date(2026, 6, 1)) == ["QKK", "Y56", "X24"]


def test_a_trust_moves_to_its_merged_icb_on_1_april_2026(history: Store) -> None:
    assert parent_on(history, "G6V2S", dt.date(2026, 3, 31)).code == "QMJ"  # type: ignore[union-attr]
    assert parent_on(history, "G6V2S", dt.date(2026, 4, 1)).code == "Z9B2Z"  # type: ignore[union-attr]


def test_icb_counts_by_date(history: Store) -> None:
    assert len(list_organisations(history, kind="icb", on=dt.date(2025, 6, 1))) == 42
    assert len(list_organisations(history, kind="icb", on=dt.date(2026, 6, 1))) == 36


def test_merged_icbs_have_their_member_trusts(history: Store) -> None:
    day = dt.date(2026, 6, 1)
    essex = {t["code"] for t in list_organisations(history, kind="trust", icb="D7T5G", on=day)}
    assert len(essex) == 4
    assert list_organisations(history, kind="trust", icb="Z9B2Z", on=dt.date(2026, 3, 31)) == []
    assert len(list_organisations(history, kind="trust", icb="Z9B2Z", on=day)) == 15


def test_a_trust_opening_later_is_only_there_from_its_open_date(history: Store) -> None:
    assert not org_details(history, "K0N6A", dt.date(2026, 5, 31))["active"]
    assert _parents(history, "K0N6A", dt.date(2026, 6, 1))[0] == "QKK"
    assert _parents(history, "K0N6A", dt.date(2026, 5, 31)) == []


def test_closed_trusts_keep_their_last_icb_until_they_close(history: Store) -> None:
    # RAP (North Middlesex) closed on 2024-12-31 (merged into the Royal Free)
    assert parent_on(history, "RAP", dt.date(2024, 12, 31)).code == "QMJ"  # type: ignore[union-attr]
    assert parent_on(history, "RAP", dt.date(2025, 1, 1)) is None


def test_changes_across_the_mergers(history: Store) -> None:
    found = changes(history, dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    moved = [c for c in found if c.change == "parent_changed" and c.kind == "trust"]
    assert len(moved) == 53
    g6 = next(c for c in moved if c.code == "G6V2S")
    assert (g6.old_parent, g6.new_parent, g6.date) == ("QMJ", "Z9B2Z", D2026)
    assert {c.code for c in found if c.change == "opened" and c.kind == "icb"} == {
        "Z9B2Z", "D7T5G", "S9B9J", "S1Y5D", "T6Y0W", "S0E4D"}
    assert sum(1 for c in found if c.change == "closed" and c.kind == "icb") == 12


def test_loading_the_same_snapshot_twice_changes_nothing(history: Store) -> None:
    before = table_contents(history)
    summary = load_ods(history, ODS / "etr_snapshot_2026-06.csv", D2026)
    assert summary.unchanged
    assert table_contents(history) == before


def test_an_older_snapshot_is_rejected_and_nothing_changes(history: Store) -> None:
    before = table_contents(history)
    with pytest.raises(InputError, match="older than the etr snapshot already loaded as of 2026-04-01"):
        load_ods(history, ODS / "etr_snapshot_2025a.csv", dt.date(2025, 1, 1))
    assert table_contents(history) == before


def test_unknown_parent_code_is_rejected_and_nothing_changes(history: Store, tmp_path: Path) -> None:
    lines = (ODS / "etr_snapshot_2026-06.csv").read_text().splitlines()
    lines[4] = lines[4].replace('"Y56","QMF"', '"Y56","QZZ"')
    bad = tmp_path / "etr.csv"
    bad.write_text("\n".join(lines) + "\n")
    before = table_contents(history)
    with pytest.raises(InputError) as err:
        load_ods(history, bad, dt.date(2026, 7, 1))
    p = err.value.problems[0]
    assert (p.line, p.field) == (5, "high_level_health_geography")
    assert "unknown parent code 'QZZ'" in p.message
    assert table_contents(history) == before


def test_a_relationship_cycle_is_rejected(reference_store: Store, tmp_path: Path) -> None:
    rows = []
    for code, parent in (("00A", "00B"), ("00B", "00A")):
        cols = [code, f"NHS TEST ICB - {code}", "Y56", parent] + [""] * 6 + ["20220701", ""] + [""] * 1
        cols += ["RO319"] + [""] * 13
        rows.append(",".join(f'"{c}"' for c in cols))
    bad = tmp_path / "eccg.csv"
    bad.write_text("\n".join(rows) + "\n")
    before = table_contents(reference_store)
    with pytest.raises(InputError, match="relationship cycle: 00A -> 00B -> 00A"):
        load_ods(reference_store, bad, D2025)
    assert table_contents(reference_store) == before


def test_an_organisation_missing_from_a_later_snapshot_loses_its_link(history: Store, tmp_path: Path) -> None:
    lines = [ln for ln in (ODS / "etr_snapshot_2026-06.csv").read_text().splitlines() if not ln.startswith('"RJ1"')]
    path = tmp_path / "etr.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = load_ods(history, path, dt.date(2026, 9, 1))
    assert any("RJ1" in n for n in summary.notes)
    assert parent_on(history, "RJ1", dt.date(2026, 8, 31)).code == "QKK"  # type: ignore[union-attr]
    assert parent_on(history, "RJ1", dt.date(2026, 9, 1)) is None


def test_a_code_registered_as_another_kind_is_rejected(history: Store, tmp_path: Path) -> None:
    cols = ["QKK", "AN NHS TRUST", "Y56", "QMF"] + [""] * 6 + ["20200101", ""] + [""] * 15
    lines = [*(ODS / "etr_snapshot_2026-06.csv").read_text().splitlines(), ",".join(f'"{c}"' for c in cols)]
    path = tmp_path / "etr.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match="QKK is already registered as a icb"):
        load_ods(history, path, dt.date(2026, 9, 1))


@pytest.mark.parametrize("window", [(dt.date(2026, 3, 1), dt.date(2026, 6, 1)),
                                    (dt.date(1990, 1, 1), dt.date(2100, 1, 1)),
                                    (dt.date(2025, 1, 1), dt.date(2024, 6, 1))])
def test_changes_name_each_parent_as_parent_on_does(history: Store, window: tuple[dt.date, dt.date]) -> None:
    """The parents are found for every organisation in one query (issue 25); each is the one :func:`parent_on`
    gives on the day that matters: the end of the window for an opening, the closing day for a closure."""
    found = changes(history, *window)
    end = max(window)
    opened = [c for c in found if c.change == "opened"]
    closed = [c for c in found if c.change == "closed"]
    assert closed and any(c.old_parent for c in closed)
    for c in opened:
        assert c.new_parent == (p.code if (p := parent_on(history, c.code, end)) else None), c
    for c in closed:
        assert c.old_parent == (p.code if (p := parent_on(history, c.code, c.date)) else None), c
    if window[0] < dt.date(2000, 1, 1):
        assert opened and any(c.new_parent for c in opened)
