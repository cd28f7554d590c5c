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
