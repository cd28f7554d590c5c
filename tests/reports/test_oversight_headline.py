"""Issue 20: the board pack headlines NHS England's published result, with the reconstruction beside it."""

from __future__ import annotations

from opmodel.reports import build_report
from opmodel.reports.pdf import render_html
from opmodel.store import Store

PERIOD = "2025-26-Q3"


def test_rjz_board_pack_headlines_published_segment_3_and_the_computed_4(report_store: Store) -> None:
    report = build_report(report_store, "RJZ", PERIOD)
    ov = report.oversight
    assert (ov.segment, ov.rank, ov.rank_of, ov.average_score, ov.headline_source) == (3, 89, 134, 2.59, "published")
    assert ov.headline_label and ov.headline_label.startswith("published by NHS England")
    assert ov.reconstruction and "segment 4" in ov.reconstruction and "differs in segment" in ov.reconstruction
    html = render_html(report)
    assert "Segment 3" in html and "published by NHS England" in html and "Beside it, opmodel" in html
    assert "Segment 4" not in html.split('id="reconstruction"')[0]  # the computed 4 never reads as the headline


def test_programme_and_icb_words_follow_the_model_and_framework(report_store: Store) -> None:
    """Segment 5 is named by the operating model in force (the PIP under NOF 2025/26, not the RSP); an ICB's
    board pack says why ICBs are not segmented in the words of the framework's policy."""
    trust = build_report(report_store, "RJZ", PERIOD).oversight
    assert trust.segment5_text and "Provider Improvement Programme" in trust.segment5_text
    assert "Recovery Support Programme" not in render_html(build_report(report_store, "RJZ", PERIOD))
    icb = build_report(report_store, "QKK", PERIOD).oversight
    assert icb.note and "ICBs are not segmented: contextual metrics only in 2025/26" in icb.note
    assert "published by NHS England" in icb.note
