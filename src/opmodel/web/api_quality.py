"""``/api/v1/quality`` and ``/api/v1/consistency``: the `opmodel quality` and `consistency --across` contracts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam

from opmodel.quality import quality_show, shmi_banding
from opmodel.variation import consistency_across
from opmodel.web.deps import Hub, OnQuery, ReadStore
from opmodel.web.schemas import COMMON_RESPONSES, Message

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["quality"],
                   responses={**COMMON_RESPONSES, 400: {"model": Message, "description": "No data for the request."},
                              404: {"model": Message, "description": "Unknown code (with suggestions), or nothing "
                                                                     "held for the date."}})
CodeP = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9]{3,9}$", description="Trust, ICB or region code (X24 England).")]


@router.get("/quality/shmi", summary="Every trust's SHMI with limits and band recomputed by NHS Digital's method, "
                                     "beside the published band (third-party copy)")
def shmi(store: ReadStore, h: Hub) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        banding = shmi_banding(store)
        return {**banding.summary(), "rows": [r.to_json() for r in banding.rows]}

    result: dict[str, Any] = h.memo(("api-quality-shmi",), compute)
    return result


@router.get("/quality/{code}", summary="Quality and safety of a trust (CQC, SHMI, FFT, infections) or the mix across "
                                       "an ICB's or region's trusts (the `opmodel quality show` contract)")
def show(store: ReadStore, h: Hub, code: CodeP, on: OnQuery = None) -> dict[str, Any]:
    day = on or dt.date.today()
    result: dict[str, Any] = h.memo(("api-quality", code.upper(), day), lambda: quality_show(store, code, day))
    return result


@router.get("/consistency", summary="Performance, quality and access for every region or ICB, with England, the "
                                    "spread and the between-area share of variation")
def consistency(store: ReadStore, h: Hub,
                across: Annotated[Literal["region", "icb"], Query(description="region or icb.")] = "region",
                on: OnQuery = None) -> dict[str, Any]:
    day = on or dt.date.today()
    result: dict[str, Any] = h.memo(("api-consistency", across, day), lambda: consistency_across(store, across, day))
    return result
