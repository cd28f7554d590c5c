"""The publication catalogue: every series opmodel loads, where it is published, and how current the store is.

``series.yaml`` (beside this module) names each series, its landing page, licence and the link
patterns :mod:`opmodel.publications.update` follows to find new files. :func:`data_sources` adds
what the store holds (``latest_held``, from :func:`opmodel.metrics.metric_freshness`) and when the
next figures are expected (``next_expected``, from NHS England's release calendar in
:mod:`opmodel.metrics.publishing`: monthly performance statistics on the second Thursday).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from opmodel.errors import InputError, OpmodelError
from opmodel.metrics import get_publication
from opmodel.metrics.publishing import period_label
from opmodel.store import Store

__all__ = ["ENV_VAR", "OGL", "SERIES_FILE", "Series", "data_sources", "get_series", "load_series"]

SERIES_FILE = Path(str(resources.files("opmodel.publications") / "series.yaml"))
OGL = "Open Government Licence v3.0"


class Series(BaseModel):
    """One statistical series: a publication and the landing page its files are listed on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str = Field(min_length=1)
    publication: str = Field(min_length=1, description="the metrics reader's publication id")
    url: str = Field(pattern=r"^https?://")
    publisher: str = "NHS England"
    licence: str = OGL
    #: Regular expression for links to the pages that list files (None: the landing page lists them).
    pages: str | None = None
    #: Regular expression a file link (its address or text) must match.
    files: str | None = None
    updatable: bool = True

    @field_validator("pages", "files")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            re.compile(value)
        return value

    @property
    def frequency(self) -> str:
        pub = get_publication(self.publication)
        return pub.frequency if pub is not None else "irregular"

    @property
    def third_party(self) -> bool:
        pub = get_publication(self.publication)
        return bool(pub and pub.third_party)


class _SeriesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    series: list[Series] = Field(min_length=1)


def load_series(path: Path | None = None) -> list[Series]:
    """The series in ``path`` (default: ``$OPMODEL_SERIES_FILE`` or the shipped ``series.yaml``).

    InputError names a bad entry.
    """
    own = os.environ.get(ENV_VAR)
    source = path or (Path(own) if own else SERIES_FILE)
    try:
        doc = _SeriesFile.model_validate(yaml.safe_load(source.read_text(encoding="utf-8")))
    except ValidationError as exc:
        err = exc.errors()[0]
        raise InputError.one(source, None, ".".join(str(p) for p in err["loc"]), err["msg"]) from None
    except yaml.YAMLError as exc:
        raise InputError.one(source, None, None, f"not valid YAML: {exc}") from None
    ids = [s.id for s in doc.series]
    dup = next((i for i in ids if ids.count(i) > 1), None)
    if dup:
        raise InputError.one(source, None, "id", f"series {dup!r} appears twice")
    unknown = [s.publication for s in doc.series if get_publication(s.publication) is None]
    if unknown:
        raise InputError.one(source, None, "publication", f"no reader publishes {', '.join(unknown)}")
    return doc.series


#: A series catalogue of one's own (a mirror of the landing pages, say) instead of the shipped one.
ENV_VAR = "OPMODEL_SERIES_FILE"


@functools.cache
def _read(path: Path) -> tuple[Series, ...]:
    return tuple(load_series(path))


def _shipped() -> tuple[Series, ...]:
    own = os.environ.get(ENV_VAR)
    return _read(Path(own) if own else SERIES_FILE)


def get_series(series_id: str) -> Series:
    """The shipped series ``series_id``; an error listing the known ids otherwise."""
    for s in _shipped():
        if s.id == series_id:
            return s
    raise OpmodelError(f"Unknown series {series_id!r}; expected one of: {', '.join(s.id for s in _shipped())}")


def data_sources(store: Store, series: list[Series] | None = None, today: dt.date | None = None
                 ) -> list[dict[str, Any]]:
    """Each series with publisher, url, frequency, licence, ``latest_held`` and ``next_expected``.

    ``latest_held`` is the last day of the newest period the store holds from the series'
    publication (None when nothing is held); ``next_expected`` is the next release date on or after
    ``today`` by the release calendar; ``overdue`` is true when figures after ``latest_held`` were
    due before today. This is the JSON contract of ``opmodel data sources --format json``.
    """
    today = today or dt.date.today()
    chosen = list(_shipped()) if series is None else series
    held = {str(r["publication"]): r for r in store.rows("""
        SELECT s.publication, max(v.period_end) AS latest, arg_max(v.period_start, v.period_end) AS start,
               count(*) AS n FROM metric_values v JOIN metric_sources s USING (source_id) GROUP BY 1""")}
    out: list[dict[str, Any]] = []
    for s in chosen:
        pub = get_publication(s.publication)
        row = held.get(s.publication)
        latest: dt.date | None = row["latest"] if row else None
        expected = due = None
        if pub is not None:
            expected = pub.next_release(latest or _last_period_before(pub.frequency, today), today)[1]
            due = pub.release_date(pub.next_period_end(latest)) if latest else None
        out.append({
            "series": s.id, "title": s.title, "publisher": s.publisher, "url": s.url, "frequency": s.frequency,
            "licence": s.licence, "third_party": s.third_party,
            "latest_held": latest.isoformat() if latest else None,
            "latest_label": period_label(row["start"], latest, pub.year if pub else "financial")
            if row and latest else None,
            "values_held": int(row["n"]) if row else 0,
            "next_expected": expected.isoformat() if expected else None,
            "overdue": bool(due and due < today), "updatable": s.updatable,
        })
    return out


def _last_period_before(frequency: str, today: dt.date) -> dt.date:
    """An anchor period end a year before today, so the calendar can find the next release."""
    return dt.date(today.year - 1, 12, 31) if frequency != "annual" else dt.date(today.year - 2, 3, 31)
