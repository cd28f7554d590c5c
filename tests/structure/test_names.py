"""House style for organisation names (ODS capitals beside mixed-case names, issue 16 item 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.store import open_store
from opmodel.structure import org_details
from opmodel.structure.names import house_style_name


@pytest.mark.parametrize(("published", "shown"), [
    ("GUY'S AND ST THOMAS' NHS FOUNDATION TRUST", "Guy's and St Thomas' NHS Foundation Trust"),
    ("UNIVERSITY HOSPITALS OF NORTH MIDLANDS NHS TRUST", "University Hospitals of North Midlands NHS Trust"),
    ("NHS STOKE-ON-TRENT ICB - 05W", "NHS Stoke-on-Trent ICB - 05W"),
    ("2GETHER NHS FOUNDATION TRUST", "2gether NHS Foundation Trust"),
    ("THE ROYAL MARSDEN NHS FOUNDATION TRUST", "The Royal Marsden NHS Foundation Trust"),
    ("NHS South East London Integrated Care Board", "NHS South East London Integrated Care Board"),
    ("  NHS  ENGLAND ", "NHS England"),
])
def test_house_style(published: str, shown: str) -> None:
    assert house_style_name(published) == shown


def test_mixed_case_names_are_kept_as_published() -> None:
    assert house_style_name("Moorfields Eye Hospital NHS Foundation Trust") == \
        "Moorfields Eye Hospital NHS Foundation Trust"


def test_registry_shows_one_house_style(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.duckdb") as store:
        trust = org_details(store, "RJ1", None)
        national = org_details(store, "X24", None)
        names = [r["name"] for r in store.rows("SELECT name FROM organisations WHERE kind IN ('trust', 'icb')")]
    assert trust["name"] == "Guy's and St Thomas' NHS Foundation Trust"
    assert national["name"] == "NHS England"
    shouting = [n for n in names if n.isupper()]
    assert shouting == []


def test_a_store_made_before_the_house_style_is_restyled_once(tmp_path: Path) -> None:
    from opmodel.store import open_store as reopen

    path = tmp_path / "old.duckdb"
    with open_store(path) as store:  # as an earlier version left it: ODS capitals, flag not yet set
        store.execute("UPDATE organisations SET name = upper(name) WHERE code = 'RJ1'")
        store.execute("DELETE FROM meta WHERE key = 'seeded:structure-house-style-names'")
    with reopen(path) as store:
        assert store.scalar("SELECT name FROM organisations WHERE code = 'RJ1'") == \
            "Guy's and St Thomas' NHS Foundation Trust"
