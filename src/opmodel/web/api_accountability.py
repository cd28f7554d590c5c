"""``/api/v1`` for the operating model: who holds an organisation to account, models, diff, checks."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from opmodel.accountability import DiffEntry, Finding, Relation, overseers
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.web.deps import Hub, OnQuery, ReadStore
from opmodel.web.schemas import COMMON_RESPONSES
from opmodel.web.views_accountability import (
    ExplorerView,
    ModelSummary,
    OrgAccountability,
    explorer_view,
    model_checks,
    model_diff,
    model_summaries,
    org_accountability,
    shipped_model,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["accountability"], responses=COMMON_RESPONSES)
FunctionQ = Annotated[str | None, Query(pattern=r"^[a-z_]{1,60}$", description="Function id, e.g. cancer.")]
NameQ = Annotated[str, Query(pattern=r"^[a-z0-9_.-]{1,60}$", description="Shipped model name, e.g. nhs-2022.")]


@router.get("/organisations/{code}/accountability", response_model=OrgAccountability,
            summary="Who holds an organisation to account for each function on a date, and who performance-"
                    "manages it")
def organisation_accountability(store: ReadStore, code: str, on: OnQuery = None,
                                function: FunctionQ = None) -> OrgAccountability:
    found = org_accountability(store, code, on or dt.date.today(), function=function)
    if found is None:
        raise UnknownCodeError("organisation in the operating model on that date", code, [])
    return found


@router.get("/organisations/{code}/overseers", response_model=list[Relation],
            summary="Every body that performance-manages, escalates for, commissions or is delegated a function "
                    "for an organisation on a date")
def organisation_overseers(store: ReadStore, code: str, on: OnQuery = None,
                           function: FunctionQ = None) -> list[Relation]:
    try:
        return overseers(store, code, on or dt.date.today(), function)
    except UnknownCodeError:
        raise
    except OpmodelError as exc:  # no model covers the date: the organisation is not in a model then
        raise UnknownCodeError("organisation in the operating model on that date", code, []) from exc


@router.get("/operating-models", response_model=list[ModelSummary], summary="The shipped operating models")
def models(on: OnQuery = None) -> list[ModelSummary]:
    return model_summaries(on or dt.date.today())


@router.get("/operating-models/diff", response_model=list[DiffEntry], summary="What changed between two models")
def diff(h: Hub, a: NameQ = "nhs-2022", b: NameQ = "nhs-2025") -> list[DiffEntry]:
    return model_diff(a, b, h.memo)


@router.get("/operating-models/checks", response_model=list[Finding],
            summary="Findings of the model checks (gaps, overlaps, broken lines); empty when clean")
def checks(store: ReadStore, h: Hub) -> list[Finding]:
    return model_checks(store, h.memo)


@router.get("/operating-models/{name}", summary="One shipped model as data (the YAML, validated)")
def model(name: Annotated[str, PathParam(pattern=r"^[a-z0-9_.-]{1,60}$")]) -> dict[str, Any]:
    found: dict[str, Any] = shipped_model(name).model_dump(mode="json", by_alias=True)
    return found


@router.get("/operating-model/explorer", response_model=ExplorerView,
            summary="The accountability chain of one function for one organisation, tier by tier, on a date")
def explorer(store: ReadStore, on: OnQuery = None, function: FunctionQ = None,
             org: Annotated[str, Query(pattern=r"^[A-Za-z0-9]{1,10}$")] = "RJ1") -> ExplorerView:
    return explorer_view(store, on or dt.date.today(), function, org)
