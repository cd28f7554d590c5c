"""The slide pack opens with python-pptx and has one slide per section (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pptx import Presentation

from opmodel.reports import Report, slide_titles
from tests.reports.conftest import ORGS


@pytest.mark.parametrize("org", ORGS)
def test_pptx_slides(org: str, reports: dict[str, Report], pptxs: dict[str, Path]) -> None:
    rep = reports[org]
    prs = Presentation(str(pptxs[org]))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles == slide_titles(rep)
    # The detail opens with quality and safety where the template asks for it (issue 22).
    assert titles[:5] == [rep.org_name, "At a glance", "Key measures", "Quality and safety", "Oversight position"]
    assert "Data sources and licences" in titles
    for chart in rep.charts:
        slide = list(prs.slides)[titles.index(chart.name)]
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        assert len(pictures) == 1
        assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == chart.alt_text
        texts = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        assert chart.sentence in texts
    if rep.level == "trust":
        assert "Metric scores against peers" in titles
    else:
        assert "Population health" in titles
