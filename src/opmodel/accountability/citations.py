"""The citation registry: every source the operating models cite, in one shipped file.

One registry means a source's title, publisher, date and address are written
once, and a citation naming no registered source is caught (issue 13; facts as
recorded in methodology §5-§6.5). A user's model file may still carry its own
``sources``; those win over the registry for that file.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from opmodel.accountability.schema import Citation, OperatingModel, Source
from opmodel.errors import InputError

__all__ = ["SOURCES_FILE", "all_citations", "attach_sources", "source_registry"]

#: The shipped citation registry.
SOURCES_FILE = Path(__file__).resolve().parent / "sources.yaml"


@functools.lru_cache(maxsize=1)
def source_registry() -> dict[str, Source]:
    """Every registered source by id (validated; a broken registry is an error naming the entry)."""
    data = yaml.load(SOURCES_FILE.read_text(encoding="utf-8"),
                     Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}  # libyaml (issue 25)
    out: dict[str, Source] = {}
    for sid, raw in data.items():
        try:
            out[str(sid)] = Source.model_validate(raw)
        except ValidationError as exc:
            raise InputError.one(SOURCES_FILE, None, str(sid), str(exc.errors()[0]["msg"])) from None
    return out


def all_citations(model: OperatingModel) -> Iterable[tuple[str, Citation]]:
    """Every citation in the model with its YAML path."""
    def each(path: str, cites: list[Citation]) -> Iterable[tuple[str, Citation]]:
        for i, c in enumerate(cites):
            yield f"{path}.cite[{i}]", c

    if model.transition is not None:
        yield from each("transition", model.transition.cite)
    for tid, tier in model.tiers.items():
        yield from each(f"tiers.{tid}", tier.cite)
    for fid, fn in model.functions.items():
        yield from each(f"functions.{fid}", fn.cite)
    for fid, by_tier in model.roles.items():
        for tid, entry in by_tier.items():
            yield from each(f"roles.{fid}.{tid}", entry.cite)
            if entry.undelegated is not None:
                yield from each(f"roles.{fid}.{tid}.undelegated", entry.undelegated.cite)
    for lid, ln in model.oversight.items():
        yield from each(f"oversight.{lid}", ln.cite)
    for did, dl in model.delegations.items():
        yield from each(f"delegations.{did}", dl.cite)
    for bid, body in model.bodies.items():
        for i, br in enumerate(body.roles):
            yield from each(f"bodies.{bid}.roles[{i}]", br.cite)
    for i, step in enumerate(model.support_ladder.segments):
        yield from each(f"support_ladder.segments[{i}]", step.cite)
    for i, fw in enumerate(model.frameworks):
        yield from each(f"frameworks[{i}]", fw.cite)
    for pid, rule in model.support_cases.items():
        yield from each(f"support_cases.{pid}", rule.cite)
    for i, unk in enumerate(model.unknowns):
        yield from each(f"unknowns[{i}]", unk.cite)


def attach_sources(model: OperatingModel) -> OperatingModel:
    """Fill the model's ``sources`` with the registry entry of every cited id it does not define itself."""
    registry = source_registry()
    for _, c in all_citations(model):
        if c.source not in model.sources and c.source in registry:
            model.sources[c.source] = registry[c.source]
    return model
