"""Reading model files: shipped models load; bad input names the YAML path, line and what was expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.accountability import MODELS_DIR, load_model, parse_model, source_registry
from opmodel.accountability.schema import Role
from opmodel.errors import InputError

GOOD = (MODELS_DIR / "nhs-2025.yaml").read_text()


def _problems(text: str) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as info:
        parse_model(text, "bad.yaml")
    assert all(p.file == "bad.yaml" for p in info.value.problems)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


@pytest.mark.parametrize("name", ["nhs-2022", "nhs-2025", "nhs-2027-proposed"])
def test_shipped_models_load_and_cover_the_issue_functions(name: str) -> None:
    m = load_model(MODELS_DIR / f"{name}.yaml")
    assert m.name == name
    assert set(m.tiers) == {"national", "region", "icb", "provider"}
    assert {"elective_care", "urgent_emergency_care", "cancer", "mental_health", "primary_care", "quality_safety",
            "finance", "workforce", "population_health", "primary_care_pod", "specialised_commissioning",
            } <= set(m.functions)
    assert m.origin.file.endswith(f"{name}.yaml")
    # every role statement is cited, or says why it cannot be
    for by_tier in m.roles.values():
        for entry in by_tier.values():
            assert entry.cite or (entry.role in (Role.NONE, Role.UNKNOWN) and entry.note)


def test_shipped_periods_are_the_issue_dates() -> None:
    """Methodology §6.5: NOF 2022/23 until NOF 2025/26 was issued on 26 June 2025; end state from April 2027."""
    m22, m25, m27 = (load_model(MODELS_DIR / f"{n}.yaml") for n in ("nhs-2022", "nhs-2025", "nhs-2027-proposed"))
    assert (str(m22.effective.from_), str(m22.effective.to)) == ("2022-07-01", "2025-06-25")
    assert (str(m25.effective.from_), str(m25.effective.to)) == ("2025-06-26", "2027-03-31")
    assert (str(m27.effective.from_), m27.effective.to) == ("2027-04-01", None)
    assert [m.status.value for m in (m22, m25, m27)] == ["in_force", "transition", "proposed"]
    assert m25.transition is not None and m25.transition.replaces == "nhs-2022"


def test_every_registered_source_is_in_the_methodology_list() -> None:
    """Addresses come from the methodology's source list (statutes: legislation.gov.uk by chapter), or the
    entry says it was read at its own address (issue 24)."""
    text = (Path(__file__).resolve().parents[3] / "shared/docs/oversight-methodology.md").read_text()
    for sid, src in source_registry().items():
        assert src.title and src.publisher and src.supports, sid
        if src.url is None or src.url.startswith("https://www.legislation.gov.uk/ukpga/"):
            continue
        if (src.note or "").startswith("Read at this address"):
            continue
        bare = src.url.removeprefix("https://").removeprefix("www.")
        assert bare in text, f"source {sid} ({src.url}) is not in the methodology list"


def test_wrong_role_names_path_line_and_allowed_values() -> None:
    bad = GOOD.replace("      role: commissions\n      capacity: payer", "      role: pays\n      capacity: payer")
    [(line, field, message)] = _problems(bad)
    assert field == "roles.finance.icb.role"
    assert line == _line_of(bad, "role: pays")
    assert "accountable" in message and "commissions" in message


def test_missing_field_points_at_its_parent() -> None:
    bad = GOOD.replace("    overseer: icb\n    subject: provider\n    functions: [primary_care, primary_care_pod]",
                       "    subject: provider\n    functions: [primary_care, primary_care_pod]")
    [(line, field, message)] = _problems(bad)
    assert field == "oversight.icb-oversees-primary-care.overseer"
    assert line == _line_of(bad, "icb-oversees-primary-care:")
    assert "required" in message


def test_unknown_field_and_bad_date_are_both_reported() -> None:
    bad = GOOD.replace("effective: {from: 2025-06-26, to: 2027-03-31}", "effective: {from: 2025-13-01}").replace(
        "version: \"2.1\"", "version: \"2.1\"\nverison: 2")
    problems = _problems(bad)
    fields = {f for _, f, _ in problems}
    assert fields == {"effective.from", "verison"}
    assert any("unknown field" in m for _, f, m in problems if f == "verison")
    assert all(line is not None for line, _, _ in problems)


def test_period_must_be_ordered() -> None:
    bad = GOOD.replace("effective: {from: 2025-06-26, to: 2027-03-31}", "effective: {from: 2025-06-26, to: 2024-01-01}")
    [(line, field, message)] = _problems(bad)
    assert field == "effective" and line == _line_of(bad, "effective:")
    assert "before" in message


def test_duplicate_keys_are_rejected_not_collapsed() -> None:
    bad = GOOD.replace("  icb-oversees-primary-care:\n", "  region-performance-manages-icbs:\n", 1)
    [(line, field, message)] = _problems(bad)
    assert field == "oversight.region-performance-manages-icbs"
    assert "duplicate key" in message and "first at line" in message
    where = [i for i, ln in enumerate(bad.splitlines(), 1) if ln == "  region-performance-manages-icbs:"]
    assert len(where) == 2 and line == where[1]
    assert f"first at line {where[0]}" in message


def test_yaml_syntax_error_gives_the_line() -> None:
    bad = GOOD.replace("title: \"NHS Oversight", "title: [\"NHS Oversight", 1)
    [(line, _field, message)] = _problems(bad)
    assert line is not None and line >= _line_of(bad, "title: [")
    assert "not valid YAML" in message


def test_role_unknown_needs_a_note() -> None:
    bad = GOOD.replace("      role: unknown\n      note: The Model ICB",
                       "      role: unknown\n      capacity: The Model ICB")
    [(line, field, message)] = _problems(bad)
    assert field == "roles.workforce.icb" and "note" in message
    assert line == _line_of(bad, "      role: unknown") - 1


def test_empty_file_missing_file_and_non_mapping(tmp_path: Path) -> None:
    assert "empty" in _problems("")[0][2]
    assert "mapping" in _problems("- a\n- b\n")[0][2]
    with pytest.raises(InputError, match="file not found"):
        load_model(tmp_path / "nope.yaml")


def test_a_bad_file_yields_no_model() -> None:
    """Validation is all or nothing: a file with one bad statement gives no model at all."""
    bad = GOOD.replace("role: supports", "role: helps", 1)
    with pytest.raises(InputError):
        parse_model(bad, "bad.yaml")
