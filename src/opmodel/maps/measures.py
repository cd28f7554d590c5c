"""What a map can shade: any measure some area holds at ICB or region level, through one registry.

A *source* turns a measure id into :class:`MeasureValues` for the areas in force on a date, or
returns None when the id is not one of its measures. The built-in sources (metrics, oversight
segments, population indicators; :mod:`opmodel.maps.sources`) are tried in order, then any
registered with :func:`register_source`. ``SOURCE:ID`` (``population:qof_hypertension``) asks one
source only.

Quality measures (issue 22) plug in here: the quality area exposes ``map_measure(store, request)``
in ``opmodel.quality``, picked up when that area is installed (:data:`OPTIONAL_SOURCES`) and tried
before the generic metric source (:func:`registered_sources`).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.store import Store

__all__ = ["OPTIONAL_SOURCES", "AreaValue", "MeasureRequest", "MeasureSource", "MeasureValues", "Polarity",
           "check_level", "format_value", "register_source", "registered_sources", "resolve_measure",
           "unregister_source"]

Polarity = Literal["high_is_good", "low_is_good", "no_judgement"]


@dataclass(frozen=True)
class MeasureRequest:
    """What a map asks a source for: one measure, at one level, for the areas in force on ``on``."""

    measure: str
    level: Literal["icb", "region"]
    on: dt.date
    period: str | None = None


@dataclass(frozen=True)
class AreaValue:
    """One area's value (None: no data) and how it was obtained, when that needs saying."""

    code: str
    value: float | None
    note: str = ""


@dataclass
class MeasureValues:
    """A measure's values for the areas of one level, with what a reader needs to trust them.

    ``england_comparable`` is False where England's figure is a total, not a rate (a count summed
    over areas), so the legend does not mark it. ``source`` names the publication; third-party
    figures are labelled so (project standard).
    """

    measure: str
    name: str
    unit: str
    polarity: Polarity
    level: str
    on: dt.date
    period: str
    source: str
    values: dict[str, AreaValue]
    england: float | None = None
    england_comparable: bool = True
    third_party: bool = False
    decimals: int = 1
    notes: list[str] = field(default_factory=list)

    def format(self, value: float | None) -> str:
        return format_value(value, self.unit, self.decimals)


def format_value(value: float | None, unit: str, decimals: int = 1) -> str:
    """``76.4%``, ``123.4 per 100,000``, ``1,234``; an en dash for no value."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if unit in ("%", "percent"):
        return text + "%"
    return f"{text} {unit}" if unit else text


MeasureSource = Callable[[Store, MeasureRequest], "MeasureValues | None"]
KnownMeasures = Callable[[Store], list[str]]

_SOURCES: dict[str, tuple[MeasureSource, KnownMeasures | None]] = {}

#: Sources in other areas, used when that area is installed: ``name -> "module:function"``.
OPTIONAL_SOURCES: dict[str, str] = {"quality": "opmodel.quality:map_measure"}


def register_source(name: str, source: MeasureSource, known: KnownMeasures | None = None) -> None:
    """Add (or replace) a source of map measures; ``known`` lists its ids, for suggestions."""
    _SOURCES[name] = (source, known)


def unregister_source(name: str) -> None:
    _SOURCES.pop(name, None)


def _optional(name: str) -> MeasureSource | None:
    module, _, func = OPTIONAL_SOURCES[name].partition(":")
    try:
        found = getattr(importlib.import_module(module), func)
    except (ImportError, AttributeError):
        return None
    return found if callable(found) else None


def registered_sources() -> dict[str, tuple[MeasureSource, KnownMeasures | None]]:
    """Every source in the order tried: the specific ones first, the generic metric source last.

    Oversight's segments and the optional areas' sources answer only their own ids, so they come
    before the metric source, which answers any metric id: ``fft_positive`` is both a metric and a
    quality measure, and the quality area's (third-party, counted over trusts) must win. Sources
    registered with :func:`register_source` come after the areas' and before the generic ones.
    """
    from opmodel.maps.sources import BUILTIN_SOURCES, GENERIC_SOURCES

    out = {k: v for k, v in BUILTIN_SOURCES.items() if k not in GENERIC_SOURCES}
    for name in OPTIONAL_SOURCES:
        if name not in out and name not in _SOURCES and (src := _optional(name)) is not None:
            out[name] = (src, None)
    out.update(_SOURCES)
    for name in GENERIC_SOURCES:
        out.setdefault(name, BUILTIN_SOURCES[name])
    return out


def resolve_measure(store: Store, request: MeasureRequest) -> MeasureValues:
    """The first source that knows ``request.measure``; an error with the closest ids otherwise."""
    sources = registered_sources()
    name, sep, measure = request.measure.partition(":")
    if sep and name in sources:
        chosen = {name: sources[name]}
        request = MeasureRequest(measure, request.level, request.on, request.period)
    elif sep:
        raise UnknownCodeError("map measure source", name, list(sources))
    else:
        chosen = sources
    for source, _ in chosen.values():
        found = source(store, request)
        if found is not None:
            return found
    known: list[str] = []
    for _, lister in chosen.values():
        if lister is not None:
            known += lister(store)
    from rapidfuzz import process

    close = [str(m[0]) for m in process.extract(request.measure, sorted(set(known)), limit=3)] if known else []
    raise UnknownCodeError("map measure", request.measure, close)


def check_level(level: str) -> Literal["icb", "region"]:
    """``icb`` or ``region``; a clear error for any other level (maps shade areas, not trusts)."""
    if level not in ("icb", "region"):
        raise OpmodelError(f"Unknown map level '{level}'; expected icb or region.")
    return "icb" if level == "icb" else "region"
