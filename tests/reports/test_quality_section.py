"""The board pack's detail opens with quality and safety: SHMI chart, CQC grid, FFT and infections (issue 22)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.reports import Report, build_report, load_template
from opmodel.store import Store
from tests.reports.conftest import PERIOD, pdf_text


def test_rj1_pack_text_holds_shmi_and_cqc(pdfs: dict[str, Path], reports: dict[str, Report]) -> None:
    q = reports["RJ1"].quality
    assert q is not None and q.available
    assert q.cqc is not None and q.cqc["overall"] == "Good" and q.cqc["safe"] == "Requires improvement"
    assert q.shmi is not None and q.shmi["value"] == pytest.approx(0.9373)
    assert q.fft is not None and round(float(q.fft["positive_pct"]), 1) == 95.6  # type: ignore[arg-type]
    assert {h["metric"] for h in q.hcai} == {"OF0020", "OF0048", "OF0088"}
    text = pdf_text(pdfs["RJ1"])
    assert "SHMI" in text and "CQC" in text
    section = text[text.index("Quality and safety CQC ratings, the SHMI"):text.index("Oversight position Guy")]
    for words in ("Requires improvement", "0.9373", "as expected", "95.6% positive", "third-party",
                  "MRSA bacteraemia cases", "SHMI funnel"):
        assert words in section, words
    assert q.shmi_svg is not None and "<desc>" in q.shmi_svg and ">RJ1<" in q.shmi_svg


@pytest.mark.parametrize("org", ["QKK", "Y56"])
def test_area_packs_grid_their_trusts(org: str, reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    q = reports[org].quality
    assert q is not None and q.available and q.mix is not None
    codes = {t["org_code"] for t in q.trusts}
    assert "RJ1" in codes  # both London and South East London hold Guy's and St Thomas'
    rj1 = next(t for t in q.trusts if t["org_code"] == "RJ1")
    assert rj1["cqc"]["safe"] == "Requires improvement"  # type: ignore[index]
    text = pdf_text(pdfs[org])
    assert "CQC ratings, SHMI and Friends and Family Test by trust" in text and "SHMI funnel" in text


def test_a_template_can_leave_quality_out(report_store: Store, tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[2] / "src/opmodel/reports/templates/trust.yaml"
    tpl_file = tmp_path / "no-quality.yaml"
    tpl_file.write_text(src.read_text(encoding="utf-8").replace("quality: true", "quality: false"), encoding="utf-8")
    rep = build_report(report_store, "RJ1", PERIOD, template=load_template(tpl_file))
    assert rep.quality is None
