"""Report templates: shipped defaults, editing, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.errors import InputError, OpmodelError
from opmodel.reports import build_report, default_template, load_template
from opmodel.store import Store
from tests.reports.conftest import PERIOD


@pytest.mark.parametrize("level", ["trust", "icb", "region"])
def test_default_templates_validate(level: str) -> None:
    tpl = default_template(level)
    assert tpl.level == level and tpl.measures
    assert all(m.target_source for m in tpl.measures if m.target is not None)


def test_bad_template_names_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("name: x\nlevel: trust\nmeasures:\n  - metric: ae_4hr\n    target: lots\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_template(bad)
    text = str(err.value)
    assert "t.yaml" in text and "line 5" in text and "measures.0.target" in text


def test_unknown_level_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "t.yaml"
    bad.write_text("name: x\nlevel: practice\nmeasures: [{metric: ae_4hr}]\n", encoding="utf-8")
    with pytest.raises(InputError, match="level"):
        load_template(bad)


def test_edited_template_changes_the_pack(report_store: Store, tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("name: two-measures\nlevel: trust\nmeasures:\n  - metric: ae_4hr\n    label: Four-hour A&E\n"
                    "    target: 95\n    target_source: constitutional standard\n  - metric: cancer_62d\n",
                    encoding="utf-8")
    rep = build_report(report_store, "RJ1", PERIOD, template=load_template(mine))
    assert [k.name for k in rep.kpis] == ["Four-hour A&E", "Cancer 62-day referral to first treatment (combined)"]
    assert rep.kpis[0].target == 95 and rep.kpis[0].assurance_icon is not None
    assert rep.charts[0].sentence.startswith("Four-hour A&E was ")
    assert rep.template == "two-measures"


def test_template_for_another_level_is_refused(report_store: Store) -> None:
    with pytest.raises(OpmodelError, match="is for a icb"):
        build_report(report_store, "RJ1", PERIOD, template=default_template("icb"))


def test_missing_measures_are_listed_not_invented(report_store: Store) -> None:
    """A mental health trust holds no A&E or cancer values: they are listed as not shown, never zero."""
    rep = build_report(report_store, "RWR", PERIOD)
    assert "A&E 4-hour performance (all types)" in rep.skipped_measures
    assert all(k.latest_value is not None for k in rep.kpis)
    sickness = next(c for c in rep.charts if c.metric == "OF0082")  # quarterly NOF value, held for MH trusts
    assert sickness.sentence.startswith("Sickness absence rate was ")
    assert "October to December 2025" in sickness.sentence
    assert rep.peer_scores, "RWR has computed metric scores"
    assert rep.oversight.financial_override and rep.oversight.boundary is not None
    assert "financial override" in rep.oversight.boundary
