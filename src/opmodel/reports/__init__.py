"""Reports: the board pack (integrated performance report) for a trust, ICB or region.

One :class:`Report` per organisation and oversight quarter, built by small section builders
(:mod:`opmodel.reports.sections`) from the oversight, metrics, variation and accountability areas,
then rendered as a tagged A4 PDF (:func:`render_pdf`, WeasyPrint) or a slide pack
(:func:`render_pptx`, python-pptx). Which measures appear, with their targets, is an editable YAML
template per organisation level (:func:`default_template`, :func:`load_template`).
"""

from opmodel.reports.batch import BatchResult, render_many
from opmodel.reports.build import build_report, report_level
from opmodel.reports.model import (
    AccountabilityLine,
    DataSource,
    KpiRow,
    OversightPosition,
    PeerScore,
    PopulationHeadline,
    Report,
    SpcSection,
    SupportStatus,
)
from opmodel.reports.pdf import render_html, render_pdf
from opmodel.reports.sections.oversight import OversightContext, oversight_context
from opmodel.reports.slides import render_pptx, slide_titles
from opmodel.reports.templates import Measure, ReportTemplate, default_template, load_template

__all__ = [
    "AccountabilityLine",
    "BatchResult",
    "DataSource",
    "KpiRow",
    "Measure",
    "OversightContext",
    "OversightPosition",
    "PeerScore",
    "PopulationHeadline",
    "Report",
    "ReportTemplate",
    "SpcSection",
    "SupportStatus",
    "build_report",
    "default_template",
    "load_template",
    "oversight_context",
    "render_html",
    "render_many",
    "render_pdf",
    "render_pptx",
    "report_level",
    "slide_titles",
]
