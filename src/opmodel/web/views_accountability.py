"""View models for the operating model: who holds an organisation to account, the explorer, diff and checks.

Everything comes from :mod:`opmodel.accountability`'s public API (``who``,
``resolve_model``, ``diff_models``, ``check_models``, ``segment_support``), which
implements methodology §5–§6. Only shipped models can be named from the web:
``resolve_model`` also accepts file paths, which a server must never open on request.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from opmodel.accountability import (
    DiffEntry,
    Finding,
    WhoResult,
    check_models,
    diff_models,
    get_model,
    list_models,
    performance_manager,
    resolve_model,
    segment_support,
    shipped_models,
    support_body,
    who,
)
from opmodel.accountability.diagrams import chain_svg, models_svg
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.store import Store
from opmodel.web.views_oversight import Memo, no_memo

__all__ = [
    "ExplorerView",
    "ModelSummary",
    "OrgAccountability",
    "SupportOffer",
    "chain_diagram",
    "explorer_view",
    "model_checks",
    "model_diff",
    "model_names",
    "model_summaries",
    "models_diagram",
    "org_accountability",
    "shipped_model",
]


class ModelSummary(BaseModel):
    name: str
    title: str
    version: str
    status: str = Field("in_force", description="in_force, transition or proposed (announced, not enacted).")
    effective_from: str
    effective_to: str | None
    in_force: bool = Field(description="In force on the date asked about.")


def model_names() -> list[str]:
    return [str(m["name"]) for m in list_models()]


def shipped_model(name: str) -> Any:
    """A shipped model by name (never a file path); unknown names get suggestions."""
    if name not in model_names():
        raise UnknownCodeError("operating model", name, model_names())
    return get_model(name)


def model_summaries(on: dt.date) -> list[ModelSummary]:
    return [ModelSummary(name=m.name, title=m.title, version=str(m.version), status=m.status.value,
                         effective_from=str(m.effective.from_),
                         effective_to=None if m.effective.to is None else str(m.effective.to),
                         in_force=m.effective.covers(on)) for m in shipped_models()]


class SupportOffer(BaseModel):
    """What the organisation's oversight segment brings under the model in force, and who delivers it."""

    segment: int
    meaning: str
    support: str
    delivered_by_tier: str | None
    delivered_by: str | None
    programme: str | None


class OrgAccountability(BaseModel):
    on: dt.date
    who: WhoResult
    performance_manager: str | None = Field(description="Body that performance-manages it overall on the date.")
    support: SupportOffer | None = None


def org_accountability(store: Store, code: str, on: dt.date, segment: int | None = None,
                       function: str | None = None) -> OrgAccountability | None:
    """Who holds ``code`` to account on ``on`` (None when no model covers the date or the body is outside it)."""
    try:
        model = resolve_model(store, on)
        result = who(store, code, on, function=function, model=model)
    except UnknownCodeError:
        raise
    except OpmodelError:
        return None
    support = None
    if segment is not None:
        try:
            step = segment_support(model, segment)
            support = SupportOffer(segment=segment, meaning=step.meaning, support=step.support,
                                   delivered_by_tier=step.delivered_by, programme=step.programme,
                                   delivered_by=support_body(store, model, segment, code, on))
        except OpmodelError:
            support = None
    return OrgAccountability(on=on, who=result, support=support,
                             performance_manager=performance_manager(store, code, on, model=model))


class ExplorerView(BaseModel):
    on: dt.date
    org: str
    function: str
    functions: dict[str, str] = Field(description="Functions of the model in force: id -> name.")
    model: ModelSummary | None
    models: list[ModelSummary]
    who: WhoResult | None
    problem: str | None = Field(description="Why there is no chain (no model in force, organisation closed...).")


def explorer_view(store: Store, on: dt.date, function: str | None = None, org: str = "RJ1") -> ExplorerView:
    """The accountability chain for one function of one organisation, tier by tier, on a date."""
    models = model_summaries(on)
    current = next((m for m in models if m.in_force), None)
    if current is None:
        return ExplorerView(on=on, org=org.upper(), function=function or "", functions={}, model=None, models=models,
                            who=None, problem=f"No operating model covers {on.isoformat()}.")
    model = get_model(current.name)
    functions = {fid: f.name for fid, f in model.functions.items()}
    fid = function or next(iter(functions))
    if fid not in functions:
        raise UnknownCodeError("function", fid, list(functions))
    problem = None
    result = None
    try:
        result = who(store, org, on, function=fid, model=model)
    except UnknownCodeError:
        raise
    except OpmodelError as exc:
        problem = str(exc)
    return ExplorerView(on=on, org=org.upper(), function=fid, functions=functions, model=current, models=models,
                        who=result, problem=problem)


def chain_diagram(vm: ExplorerView) -> str | None:
    """The explorer's chain as inline SVG (None when there is no chain)."""
    return chain_svg(vm.who, vm.function) if vm.who is not None else None


def models_diagram(a: str, b: str, function: str, memo: Memo[Any] = no_memo) -> str | None:
    """Two shipped models side by side for one function (None when either lacks the function)."""
    first, second = shipped_model(a), shipped_model(b)
    if function not in first.functions or function not in second.functions:
        return None
    found: str = memo(("model-svg", a, b, function), lambda: models_svg(first, second, function))
    return found


def model_diff(a: str, b: str, memo: Memo[Any] = no_memo) -> list[DiffEntry]:
    """What changed between two shipped models."""
    first, second = shipped_model(a), shipped_model(b)
    found: list[DiffEntry] = memo(("model-diff", a, b), lambda: diff_models(first, second))
    return found


def model_checks(store: Store, memo: Memo[Any] = no_memo) -> list[Finding]:
    """The findings of every check on the shipped models against the registry (empty = clean)."""
    found: list[Finding] = memo(("model-checks",), lambda: check_models(shipped_models(), store))
    return found
