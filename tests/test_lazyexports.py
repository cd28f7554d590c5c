"""Lazily imported package attributes: found on first use, then ordinary attributes; unknown names refused."""

from __future__ import annotations

import pytest

from opmodel.lazyexports import lazy_getattr


def test_a_name_is_imported_once_and_kept() -> None:
    namespace: dict[str, object] = {}
    get = lazy_getattr("demo", {"dumps": "json", "missing": "json"}, namespace)
    import json

    assert get("dumps") is json.dumps and namespace == {"dumps": json.dumps}
    with pytest.raises(AttributeError, match="module 'demo' has no attribute 'nothing'"):
        get("nothing")
    with pytest.raises(AttributeError):  # listed, but its module has no such name
        get("missing")


def test_the_areas_resolve_every_lazy_name() -> None:
    from opmodel import accountability, metrics, structure

    for area in (accountability, metrics, structure):
        for name in area._LAZY:  # type: ignore[attr-defined]
            assert name in area.__all__ and getattr(area, name) is not None, (area.__name__, name)
