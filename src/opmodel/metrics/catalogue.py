"""The metric catalogue: what each metric id means, how it is computed and aggregated.

One YAML file per publication lives in ``metrics/catalogue/``; this module validates
every entry and merges the files, refusing an id defined twice, so that readers,
the loader and the aggregation all agree on units, direction and numerators, one
definition applied the same way to every organisation. NOF ids follow the metric catalogue
of oversight-methodology §3 (e.g. OF0013 A&E 4-hour, OF0023 RTT 18 weeks, §3.2).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from opmodel.errors import InputError, InputProblem, UnknownCodeError

__all__ = ["CATALOGUE_DIR", "UNIT_DOMAINS", "MetricDefinition", "catalogue", "get_metric", "load_catalogue"]

CATALOGUE_DIR = Path(str(resources.files("opmodel.metrics") / "catalogue"))

#: Value domain by unit, used when an entry does not declare its own ``minimum``/``maximum``:
#: percentages 0-100, counts, rates, times and money at least 0, NOF scores 1-4, segments 1-5.
UNIT_DOMAINS: dict[str, tuple[float | None, float | None]] = {
    "percent": (0.0, 100.0),
    "percentage points": (-100.0, 100.0),
    "count": (0.0, None),
    "rate": (0.0, None),
    "seconds": (0.0, None),
    "beds": (0.0, None),
    "pounds": (0.0, None),
    "score (1 best, 4 worst)": (1.0, 4.0),
    "segment": (1.0, 5.0),
    "score out of 10": (0.0, 10.0),
    "score": (0.0, 10.0),
    "flag": (0.0, 1.0),
}

OrgKindName = Literal["national", "region", "icb", "sub_icb", "trust", "other_provider"]


class MetricDefinition(BaseModel):
    """One catalogue entry.

    ``aggregate`` says how ICB, region and England values are formed: ``ratio`` sums
    numerators and denominators and takes ``scale * num / den`` (never an average of
    rates); ``sum`` adds the values (counts); ``none`` means the metric cannot be
    aggregated (percentiles, scores) and only published values are shown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$")
    name: str = Field(min_length=1)
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1, description="percent, count, seconds, score, ...")
    direction: Literal["higher", "lower"]
    numerator: str | None = None
    denominator: str | None = None
    org_kinds: tuple[OrgKindName, ...] = Field(min_length=1)
    source: str = Field(min_length=1, description="publication id of the reader, e.g. ae_monthly")
    frequency: Literal["weekly", "monthly", "quarterly", "annual"]
    nof_id: str | None = None
    aggregate: Literal["ratio", "sum", "none"] | None = None
    scale: float | None = None
    #: False where one provider serves many ICBs (ambulance trusts): summing it into its host
    #: ICB would show, say, London Ambulance Service's figures as South East London's.
    icb_aggregate: bool = True
    #: The value domain: a stored value outside [minimum, maximum] is refused by the loader
    #: (issue 21). Both default from ``unit`` (see :data:`UNIT_DOMAINS`); ``null`` in the YAML
    #: means "unbounded on that side" (a surplus/deficit percentage can be negative).
    minimum: float | None = None
    maximum: float | None = None

    @model_validator(mode="after")
    def _defaults(self) -> MetricDefinition:
        # Percentages aggregate as ratios of counts, counts as sums; anything else must say so.
        if self.aggregate is None:
            agg = "ratio" if self.unit == "percent" else "sum" if self.unit == "count" else "none"
            object.__setattr__(self, "aggregate", agg)
        if self.scale is None:
            object.__setattr__(self, "scale", 100.0 if self.unit == "percent" else 1.0)
        lo, hi = UNIT_DOMAINS.get(self.unit, (None, None))
        if "minimum" not in self.model_fields_set:
            object.__setattr__(self, "minimum", lo)
        if "maximum" not in self.model_fields_set:
            object.__setattr__(self, "maximum", hi)
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum:g} is above maximum {self.maximum:g}")
        if self.aggregate == "ratio" and (self.numerator is None or self.denominator is None):
            raise ValueError("a ratio metric needs both numerator and denominator definitions")
        return self


class _CatalogueFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    defaults: dict[str, Any] = Field(default_factory=dict)
    metrics: list[dict[str, Any]] = Field(min_length=1)


def _read_file(path: Path) -> list[MetricDefinition]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"),
                        Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml (issue 25)
        doc = _CatalogueFile.model_validate(raw)
    except (yaml.YAMLError, ValidationError) as exc:
        raise InputError.one(path, None, None, f"not a valid catalogue file: {exc}") from None
    out: list[MetricDefinition] = []
    problems: list[InputProblem] = []
    for i, entry in enumerate(doc.metrics, start=1):
        try:
            out.append(MetricDefinition.model_validate({**doc.defaults, **entry}))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or None
                problems.append(InputProblem(str(path), None, f"metrics[{i}] ({entry.get('id', '?')}).{loc}",
                                             err["msg"]))
    if problems:
        raise InputError(problems)
    return out


def load_catalogue(paths: Iterable[Path] | None = None) -> dict[str, MetricDefinition]:
    """Read and merge catalogue files (default: every YAML file shipped in the package).

    Raises InputError naming both files when a metric id is defined twice.
    """
    files = sorted(CATALOGUE_DIR.glob("*.yaml")) if paths is None else list(paths)
    merged: dict[str, MetricDefinition] = {}
    origin: dict[str, Path] = {}
    problems: list[InputProblem] = []
    for path in files:
        for metric in _read_file(path):
            if metric.id in merged:
                problems.append(InputProblem(str(path), None, "id",
                                             f"metric '{metric.id}' is already defined in {origin[metric.id].name}"))
                continue
            merged[metric.id] = metric
            origin[metric.id] = path
    if problems:
        raise InputError(problems)
    return merged


@functools.cache
def catalogue() -> dict[str, MetricDefinition]:
    """The shipped catalogue, read once per process."""
    return load_catalogue()


def get_metric(metric: str) -> MetricDefinition:
    """The definition of ``metric`` or UnknownCodeError with the closest ids."""
    cat = catalogue()
    if metric in cat:
        return cat[metric]
    from rapidfuzz import process

    near = [str(m[0]) for m in process.extract(metric, list(cat), limit=3)]
    raise UnknownCodeError("metric", metric, near)
