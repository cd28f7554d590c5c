"""The board pack PDF for a trust (RJ1), an ICB (QKK) and a region (Y56): content and structure (issue 17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.reports import Report
from opmodel.store import Store
from tests.reports.conftest import ORGS, PERIOD, pdf_objects, pdf_text, poppler


@pytest.mark.parametrize("org", ORGS)
def test_pdf_text_has_name_segment_kpis_and_readings(org: str, reports: dict[str, Report],
                                                     pdfs: dict[str, Path]) -> None:
    rep = reports[org]
    text = pdf_text(pdfs[org])
    assert rep.org_name in text
    assert rep.kpis, f"{org}: the default template found no measures"
    for k in rep.kpis:
        assert k.name in text, k.name
    assert rep.charts, f"{org}: no SPC chart"
    for c in rep.charts:
        assert c.sentence in text, c.sentence
    if rep.level == "trust":
        assert rep.oversight.segment is not None
        assert f"Segment {rep.oversight.segment}" in text
        assert f"{rep.oversight.rank} of {rep.oversight.rank_of}" in text
    else:
        assert rep.oversight.note is not None and rep.oversight.note in text
        for seg, n in rep.oversight.segment_mix.items():
            assert f"Segment {seg} {n}" in text


def test_trust_segment_is_the_oversight_result(reports: dict[str, Report], report_store: Store) -> None:
    from opmodel.oversight import explain

    ov = reports["RJ1"].oversight
    ex = explain(report_store, "RJ1", PERIOD)
    # The headline is NHS England's published result (issue 20); the reconstruction is beside it.
    assert ov.available and ov.segment == ex["headline"]["final_segment"] and ov.rank == ex["headline"]["rank"]
    assert ov.headline_source == "published" and ov.reconstruction and f"rank {ex['rank']} of" in ov.reconstruction
    # Likely ranges of the reconstruction (issue 12) reach the board pack, labelled as such.
    assert ov.likely_range_rank is not None and ex["rank"] is not None
    lo, hi = ov.likely_range_rank
    assert lo <= ex["rank"] <= hi
    assert ov.likely_range_note.startswith(f"likely range of the reconstruction: likely rank {lo} to {hi} of ")
    assert "% chance of segment" in ov.likely_range_note
    assert ov.boundary and ov.movement and ov.override_text


@pytest.mark.parametrize("org", ORGS)
def test_pdf_structure_tagged_titled_fonts_embedded(org: str, reports: dict[str, Report],
                                                    pdfs: dict[str, Path]) -> None:
    info = poppler("pdfinfo", str(pdfs[org]))
    fields = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in info.splitlines())}
    assert fields["Tagged"] == "yes"
    assert fields["Title"] == reports[org].title
    assert fields["Page size"].endswith("(A4)")
    fonts = poppler("pdffonts", str(pdfs[org])).splitlines()[2:]
    assert fonts, "no fonts listed"
    for line in fonts:
        emb = line.split()[-5]
        assert emb == "yes", line
    assert b"/Lang (en-GB)" in pdf_objects(pdfs[org])
    structure = poppler("pdfinfo", "-struct", str(pdfs[org]))
    assert "H1" in structure and "Table" in structure and "Figure" in structure


@pytest.mark.parametrize("org", ORGS)
def test_summary_is_two_pages_then_detail(org: str, pdfs: dict[str, Path], reports: dict[str, Report]) -> None:
    """Page 1 holds the position and the whole KPI matrix; page 2 the exceptions and contents; detail from page 3,
    opening with quality and safety (issue 22)."""
    first = pdf_text(pdfs[org], 1, 1)
    for k in reports[org].kpis:
        assert k.name in first, f"{k.name} not on page 1"
    second = pdf_text(pdfs[org], 2, 2)
    assert "Exceptions" in second and "Contents" in second
    third = pdf_text(pdfs[org], 3, 3)
    assert third.startswith("Quality and safety")
    assert "Oversight position" in pdf_text(pdfs[org], 3)


def test_every_chart_has_alt_text_and_an_appendix_table(reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    rep = reports["RJ1"]
    text = pdf_text(pdfs["RJ1"])
    appendix = text[text.rindex("Appendix: chart data tables"):]
    for c in rep.charts:
        assert c.sentence in c.alt_text
        assert f"{c.name}: values, mean and process limits" in appendix
        assert c.svg is not None and "<desc>" in c.svg and "<title>" in c.svg
    figures = poppler("pdfinfo", "-struct", str(pdfs["RJ1"])).count("Figure")
    assert figures >= len(rep.charts)  # each chart is a tagged figure


def test_integration_points_degrade_honestly(reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    assert "No open support case is recorded for RJ1" in " ".join(pdf_text(pdfs["RJ1"]).split())
    assert reports["RJ1"].population is None
    icb = reports["QKK"]
    assert icb.population is not None and icb.population.available
    assert {i["indicator_id"] for i in icb.population.indicators} >= {"qof_hypertension", "core20_share"}
    text = " ".join(pdf_text(pdfs["QKK"]).split())
    assert "Hypertension prevalence" in text and "Core20" in text
    region = reports["Y56"].population
    assert region is not None and {i["org_code"] for i in region.indicators} == {"QKK", "QMF", "QMJ", "QRV", "QWE"}


def test_accountability_and_sources(reports: dict[str, Report], pdfs: dict[str, Path]) -> None:
    rep = reports["RJ1"]
    assert rep.accountability_model == "nhs-2025"
    assert any(a.held_by and "London" in a.held_by for a in rep.accountability)
    assert rep.sources and all("Open Government Licence v3.0" in s.licence for s in rep.sources)
    text = pdf_text(pdfs["RJ1"])
    assert "Who holds RJ1 to account" in text and "Open Government Licence v3.0" in text


def test_the_header_and_sources_carry_the_datas_own_dates(reports: dict[str, Report], pdfs: dict[str, Path],
                                                          report_store: Store) -> None:
    """Issue 21: "data to ..." is the data's, the load date is the store's, RTT is in when held."""
    import datetime as dt

    rep = reports["RJ1"]
    assert rep.data_as_of.startswith("data to December 2025") and "diagnostics to July 2025" in rep.data_as_of
    loaded = report_store.scalar("SELECT max(loaded_at) FROM metric_sources").date()
    assert rep.loaded_on == loaded and loaded >= dt.date.today() - dt.timedelta(days=1)
    kpis = {k.metric: k for k in rep.kpis}
    assert "rtt_18wk" in kpis and kpis["rtt_18wk"].latest_period == dt.date(2025, 12, 1)
    assert not any("RTT" in m for m in rep.skipped_measures)
    by = {s.publication: s for s in rep.sources}
    assert by["ae_monthly"].published == dt.date(2026, 1, 8)  # December 2025 A&E: second Thursday of January
    assert by["waiting_times_thirdparty"].third_party and "third-party" in by["waiting_times_thirdparty"].licence
    assert by["waiting_times_thirdparty"].files == ["RJ1.json"]
    text = " ".join(pdf_text(pdfs["RJ1"]).split())
    assert "data to December 2025" in text and f"loaded {loaded.day} {loaded:%B %Y}" in text
    assert "data to 31 December 2025" not in text
