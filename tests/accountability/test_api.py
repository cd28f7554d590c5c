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
