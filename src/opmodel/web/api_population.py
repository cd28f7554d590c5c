"""``/api/v1/population``: the indicator catalogue, ICB profiles and comparison across ICBs or regions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from opmodel.population.compare import compare_indicator
from opmodel.population.icb import indicator_catalogue
from opmodel.population.profile import icb_profile
from opmodel.web.deps import Hub, OnQuery, ReadStore
from opmodel.web.schemas import COMMON_RESPONSES, Message

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/population", tags=["population"],
                   responses={**COMMON_RESPONSES, 400: {"model": Message, "description": "No data for the request."}})
YearQ = Annotated[int | None, Query(ge=1990, le=2100, description="Year of the data; latest held when omitted.")]
CodeP = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9]{3,9}$", description="ICB code: ODS (QKK) or ONS (E54000030).")]
IndicatorP = Annotated[str, PathParam(pattern=r"^[a-z0-9_]{2,40}$", description="Indicator id, e.g. qof_hypertension.")]


@router.get("/indicators", summary="The population-health indicator catalogue (definition, polarity, source)")
def indicators(store: ReadStore) -> list[dict[str, Any]]:
    return indicator_catalogue(store)


@router.get("/icbs/{code}", summary="An ICB's indicators against England and region, Core20 share and Core20PLUS5 "
                                    "panel (the `opmodel population show` contract)")
def icb(store: ReadStore, h: Hub, code: CodeP, on: OnQuery = None, year: YearQ = None) -> dict[str, Any]:
    day = on or dt.date.today()
    result: dict[str, Any] = h.memo(("population-api-icb", code.upper(), day, year),
                                    lambda: icb_profile(store, code, day, year, trends=True))
    return result


@router.get("/indicators/{indicator_id}/compare",
            summary="One indicator for every ICB or region in force on a date, with funnel, variance split and trend")
def compare(store: ReadStore, h: Hub, indicator_id: IndicatorP, on: OnQuery = None, year: YearQ = None,
            level: Annotated[Literal["icb", "region"], Query(description="icb or region.")] = "icb") -> dict[str, Any]:
    day = on or dt.date.today()
    result: dict[str, Any] = h.memo(("population-api-compare", indicator_id, level, day, year),
                                    lambda: compare_indicator(store, indicator_id, level, year, day))
    return result
