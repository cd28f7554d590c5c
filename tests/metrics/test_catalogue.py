"""The catalogue: one YAML file per publication, validated, merged without duplicate ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.errors import InputError, UnknownCodeError
from opmodel.metrics import catalogue, get_metric, load_catalogue
from opmodel.metrics.catalogue import CATALOGUE_DIR

ISSUE_IDS = ("ae_4hr", "ae_type1_4hr", "ae_12hr_dta", "ae_attendances", "rtt_18wk", "rtt_52wk", "rtt_65wk",
             "rtt_78wk", "rtt_waiting_list", "dm01_6wk", "dm01_waiting_list")

ENTRY = """
  - id: {id}
    name: Test metric
    description: A metric for tests.
    unit: {unit}
    direction: {direction}
    numerator: things done
    {denominator}
    org_kinds: [trust]
    source: test
    frequency: monthly
"""


def _file(tmp_path: Path, name: str, *entries: str) -> Path:
    p = tmp_path / name
    p.write_text("metrics:\n" + "".join(entries), encoding="utf-8")
    return p


def test_shipped_catalogue_holds_the_issue_ids_with_sound_definitions() -> None:
    cat = catalogue()
    assert set(ISSUE_IDS) <= set(cat)
    assert len(list(CATALOGUE_DIR.glob("*.yaml"))) >= 3
    assert cat["ae_4hr"].nof_id == "OF0013" and cat["ae_4hr"].aggregate == "ratio" and cat["ae_4hr"].scale == 100
    assert cat["rtt_52wk"].aggregate == "sum" and cat["rtt_52wk"].direction == "lower"
    assert get_metric("dm01_6wk").source == "dm01"


def test_duplicate_ids_across_files_name_both(tmp_path: Path) -> None:
    e = ENTRY.format(id="x_rate", unit="percent", direction="higher", denominator="denominator: all things")
    a, b = _file(tmp_path, "a.yaml", e), _file(tmp_path, "b.yaml", e)
    with pytest.raises(InputError) as err:
        load_catalogue([a, b])
    assert err.value.problems[0].file == str(b) and "a.yaml" in err.value.problems[0].message


@pytest.mark.parametrize(("unit", "direction", "denominator", "field"), [
    ("percent", "up", "denominator: all", "direction"),
    ("percent", "higher", "", "metrics[1] (x_rate)"),  # a percentage needs a denominator
])
def test_invalid_entries_are_located(tmp_path: Path, unit: str, direction: str, denominator: str,
                                     field: str) -> None:
    f = _file(tmp_path, "bad.yaml", ENTRY.format(id="x_rate", unit=unit, direction=direction,
                                                 denominator=denominator))
    with pytest.raises(InputError) as err:
        load_catalogue([f])
    assert field in (err.value.problems[0].field or "")


def test_defaults_apply_and_unknown_ids_suggest(tmp_path: Path) -> None:
    f = tmp_path / "d.yaml"
    f.write_text("defaults: {source: s, frequency: annual, org_kinds: [icb]}\nmetrics:\n"
                 "  - {id: n_things, name: N, description: D, unit: count, direction: lower}\n", encoding="utf-8")
    m = load_catalogue([f])["n_things"]
    assert (m.source, m.frequency, m.org_kinds, m.aggregate, m.scale) == ("s", "annual", ("icb",), "sum", 1.0)
    with pytest.raises(UnknownCodeError) as err:
        get_metric("rtt_18wks")
    assert "rtt_18wk" in err.value.suggestions


def test_every_metric_has_its_own_name() -> None:
    """Issue 16 item 17: OF0005 (the value) and OF1005 (its score) were shown under one name."""
    from collections import Counter

    from opmodel.metrics import catalogue

    names = Counter(d.name for d in catalogue().values())
    assert [n for n, c in names.items() if c > 1] == []
    assert catalogue()["OF1005"].name.startswith("Metric score: ")
