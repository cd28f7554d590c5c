"""The oversight framework in force on a date, read from the operating model for that date.

Frameworks change inside a model's period: nhs-2025 runs from 26 June 2025 to 31 March 2027, but
NOF 2025/26 (quartiles, segment 5 = PIP, ICBs not segmented) gave way on 1 April 2026 to NOF 2026/27
(fixed thresholds, ICBs segmented; methodology §1.1, §4). Every text that names a framework, its
support programme or whether ICBs are segmented should take them from here rather than hard-code them.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from opmodel.accountability.engine import CitationOut, cite_out
from opmodel.accountability.library import resolve_model
from opmodel.accountability.schema import ModelStatus, OperatingModel, OversightFramework
from opmodel.errors import OpmodelError

__all__ = ["FrameworkOut", "framework_on", "oversight_framework"]


class FrameworkOut(BaseModel):
    """The oversight framework in force on a date: name, segmentation, programme, and who is segmented."""

    name: str
    model: str
    model_status: str
    on: dt.date
    effective_from: dt.date
    effective_to: dt.date | None
    segmentation: str = Field(description="judgement, quartiles or thresholds.")
    segments: list[int]
    providers_segmented: bool
    icbs_segmented: bool
    programme: str | None = Field(description="Intensive support programme (RSP, PIP); None when not stated.")
    metrics: str = Field(description="published, or unknown until the metric list is published.")
    carried_over: str | None = None
    note: str | None = None
    sources: list[CitationOut] = Field(default_factory=list)

    def icb_sentence(self) -> str:
        """One sentence on ICB segmentation under this framework, for reports."""
        if self.icbs_segmented:
            return f"ICBs are segmented under the {self.name}."
        return f"ICBs are not segmented under the {self.name}; their metrics are contextual."


def framework_on(model: OperatingModel, on: dt.date) -> OversightFramework | None:
    """The framework of ``model`` covering ``on`` (None when the model states none for that date)."""
    return next((f for f in model.frameworks if f.effective.covers(on)), None)


def oversight_framework(on: dt.date, model: OperatingModel | str | None = None) -> FrameworkOut:
    """The oversight framework in force on ``on`` under the model for that date (or the one named).

    Raises :class:`OpmodelError` when no model covers the date or the model states no framework for it.
    """
    m = model if isinstance(model, OperatingModel) else resolve_model(None, on, model)
    fw = framework_on(m, on)
    if fw is None:
        spans = ", ".join(f"{f.name} {f.effective.from_}..{f.effective.to or 'open'}" for f in m.frameworks)
        raise OpmodelError(f"Model {m.name} states no oversight framework for {on.isoformat()}"
                           + (f"; it has {spans}." if spans else "."))
    note = " ".join(fw.note.split()) if fw.note else None
    if m.status is ModelStatus.PROPOSED:
        note = f"Proposed model {m.name}: announced, not enacted." + (f" {note}" if note else "")
    return FrameworkOut(
        name=fw.name, model=m.name, model_status=m.status.value, on=on, effective_from=fw.effective.from_,
        effective_to=fw.effective.to, segmentation=fw.segmentation, segments=fw.segments,
        providers_segmented=fw.providers_segmented, icbs_segmented=fw.icbs_segmented, programme=fw.programme,
        metrics=fw.metrics, carried_over=fw.carried_over, note=note,
        sources=cite_out(m, fw.cite, f"framework {fw.name}"))
