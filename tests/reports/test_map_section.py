"""A region's board pack shows a map of its ICBs, with its data table and the boundary attribution (issue 26)."""

from __future__ import annotations

from pathlib import Path

from opmodel.maps import ATTRIBUTION
from opmodel.reports import Report
from tests.reports.conftest import pdf_text


def test_region_pack_has_a_map_of_its_icbs(reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    rep = reports["Y56"]
    assert rep.map is not None and rep.map.available and rep.map.svg
    assert {r["code"] for r in rep.map.rows} == {"QKK", "QMF", "QMJ", "QRV", "QWE"}
    text = pdf_text(pdfs["Y56"])
    assert "Map of the region's ICBs" in text
    assert " ".join(ATTRIBUTION.split()) in text
    assert rep.map.title in text
    for r in rep.map.rows:
        assert str(r["name"]) in text


def test_trust_and_icb_packs_have_no_map(reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    for org in ("RJ1", "QKK"):
        assert reports[org].map is None
        assert "Map of the region's ICBs" not in pdf_text(pdfs[org])


def test_region_slides_have_the_map_with_its_attribution(reports: dict[str, Report], pptxs: dict[str, Path]) -> None:
    from pptx import Presentation

    prs = Presentation(str(pptxs["Y56"]))
    slides = {s.shapes.title.text: s for s in prs.slides}
    slide = slides["Map of the region's ICBs"]
    pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
    assert len(pictures) == 1
    assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == reports["Y56"].map.title  # type: ignore[union-attr]
    texts = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert ATTRIBUTION in texts
    assert "Map of the region's ICBs" not in {s.shapes.title.text for s in Presentation(str(pptxs["QKK"])).slides}
