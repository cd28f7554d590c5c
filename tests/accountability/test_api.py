"""The package's public API: what other areas (oversight, web) rely on."""

from __future__ import annotations

import inspect

from opmodel import accountability


def test_all_lists_the_promised_api() -> None:
    names = set(accountability.__all__)
    assert {"resolve_model", "who", "performance_manager", "segment_support", "WhoResult", "OperatingModel",
            "check_model", "diff_models", "load_model", "tier_body", "support_body"} <= names
    assert len(names) == len(accountability.__all__)
    for name in accountability.__all__:
        assert getattr(accountability, name) is not None


def test_signatures_other_areas_call() -> None:
    assert list(inspect.signature(accountability.resolve_model).parameters) == ["store", "on", "name"]
    assert list(inspect.signature(accountability.who).parameters) == ["store", "org_code", "on", "function", "model"]
    # Backward compatible: new parameters only ever come after the old ones.
    assert list(inspect.signature(accountability.performance_manager).parameters)[:4] == [
        "store", "org_code", "on", "model"]
    assert list(inspect.signature(accountability.overseers).parameters) == [
        "store", "org_code", "on", "function", "model"]
    assert list(inspect.signature(accountability.segment_support).parameters) == ["model", "segment"]


def test_the_model_in_force_is_the_only_one_parsed_and_the_same_a_full_scan_finds() -> None:
    """Issue 25: ``who`` parses one model, picked by its effective line, checked against its parsed dates."""
    import datetime as dt

    from opmodel.accountability import library

    days = [dt.date(2022, 7, 1), dt.date(2025, 6, 25), dt.date(2025, 6, 26), dt.date(2027, 3, 31),
            dt.date(2027, 4, 1), dt.date(2031, 1, 1)]
    for day in days:
        library._load_cached.cache_clear()
        picked = library.resolve_model(None, day)
        assert library._load_cached.cache_info().currsize == 1, day
        assert picked.name == next(m.name for m in library.shipped_models() if m.effective.covers(day))
    assert [library.resolve_model(None, d).name for d in days[1:3]] == ["nhs-2022", "nhs-2025"]
