"""``/api/v1/reports/{code}``: the board pack as a PDF (``application/pdf``) or slide pack (PPTX)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.reports import build_report, render_pdf, render_pptx
from opmodel.web.deps import Hub, ReadStore
from opmodel.web.schemas import COMMON_RESPONSES, Message
from opmodel.web.views_oversight import PERIOD_PATTERN, periods_available
from opmodel.web.views_reports import report_context

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["reports"])
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@router.get("/reports/{code}", response_class=Response, summary="Board pack (integrated performance report)",
            responses={**COMMON_RESPONSES,
                       200: {"content": {"application/pdf": {}, PPTX: {}},
                             "description": "The board pack: tagged A4 PDF, or PPTX with format=pptx."},
                       400: {"model": Message, "description": "No oversight quarter, or not a trust/ICB/region."}})
def board_pack(store: ReadStore, h: Hub,
               code: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,10}$", description="Trust, ICB or region.")],
               period: Annotated[str | None, Query(pattern=PERIOD_PATTERN,
                                                   description="Oversight quarter; default the latest.")] = None,
               format: Annotated[Literal["pdf", "pptx"], Query(description="pdf or pptx.")] = "pdf") -> Response:
    periods = periods_available(store, h.memo)
    chosen = period or (periods[-1] if periods else None)
    if chosen is None:
        raise OpmodelError("no oversight quarter in the store: load a NOF dashboard CSV first")
    if chosen not in periods:
        raise UnknownCodeError("oversight period", chosen, periods)

    def make() -> tuple[bytes, str]:
        rep = build_report(store, code.upper(), chosen, ctx=report_context(store, chosen, h.memo))
        body = render_pdf(rep) if format == "pdf" else render_pptx(rep)
        return body, rep.org_code

    body, org = h.memo(("board-pack", code.upper(), chosen, format), make)
    name = f"{org}-{chosen}-board-pack.{format}"
    return Response(body, media_type="application/pdf" if format == "pdf" else PPTX,
                    headers={"Content-Disposition": f'inline; filename="{name}"'})
