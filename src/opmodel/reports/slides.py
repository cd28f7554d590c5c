"""Render a :class:`Report` as a PowerPoint slide pack (python-pptx): one slide per section.

Regions build slide packs from the same figures as the PDF (issue 17, requirement 2); each SPC chart
is its own slide, as a PNG rasterised by vl-convert from the report's vector chart, with the chart's
plain-sentence reading beneath it and its alt text set on the picture.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from opmodel.reports.charts import chart_png
from opmodel.reports.formatting import fmt_value
from opmodel.reports.model import Report

__all__ = ["render_pptx", "slide_titles"]

_BLUE = (0x00, 0x5E, 0xB8)
_DARK = (0x21, 0x2B, 0x32)
_MAX_ROWS = 13


def slide_titles(report: Report) -> list[str]:
    """The titles of the slides :func:`render_pptx` makes, in order (what tests and users can expect)."""
    titles = [report.org_name, "At a glance", "Key measures"]
    if report.quality is not None:
        titles.append("Quality and safety")  # the detail opens with it (issue 22)
    titles.append("Oversight position")
    titles += [c.name for c in report.charts]
    if report.level == "trust":
        titles.append("Metric scores against peers")
    titles += ["Who holds it to account", "Support and open actions"]
    if report.population is not None:
        titles.append("Population health")
    if report.map is not None and report.map.available:
        titles.append("Map of the region's ICBs")  # issue 26
    titles.append("Data sources and licences")
    return titles


def render_pptx(report: Report, path: Path | None = None) -> bytes:
    """The slide pack as .pptx bytes (written to ``path`` too when given)."""
    from pptx import Presentation
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(13.333), Inches(7.5)
    titles = iter(slide_titles(report))
    _title_slide(prs, next(titles), f"Integrated performance report · {report.kind_label} · {report.period}"
                 + (f" · {report.data_as_of}" if report.data_as_of else ""))
    ov = report.oversight
    likely = ov.likely_range_note
    rank = f", ranked {ov.rank} of {ov.rank_of}" if ov.rank else ""
    glance = ([f"Segment {ov.segment}{rank} ({ov.headline_label or f'{ov.result_source} result'})",
               *([f"Beside it, {ov.reconstruction}"] if ov.reconstruction else []), likely,
               f"Movement: {ov.movement}", f"Next segment: {ov.boundary}", f"Financial override: {ov.override_text}",
               f"Segment 5: {ov.segment5_text or ('yes' if ov.segment5 else 'no')}"]
              if report.level == "trust" and ov.segment else [ov.note or "No oversight result."])
    _bullets(prs, next(titles), glance)
    rows = [[k.name, fmt_value(k.latest_value, k.unit), k.latest_period.strftime("%b %Y") if k.latest_period else "–",
             fmt_value(k.target, k.unit) if k.target is not None else "none",
             (k.variation_icon or "–").replace("_", " "), (k.assurance_icon or "no target").replace("_", " ")]
            for k in report.kpis]
    _table(prs, next(titles), ["Measure", "Latest", "Month", "Target", "Variation", "Assurance"], rows)
    if report.quality is not None:
        _quality_slide(prs, next(titles), report)
    if report.level == "trust":
        _bullets(prs, next(titles), [ov.summary or ov.note or "No oversight result."])
    else:
        _table(prs, next(titles), ["Trust", "Segment", "Rank"],
               [[str(t["name"]), str(t["segment"] or "–"), f"{t['rank']} of {t['rank_of']}" if t["rank"] else "–"]
                for t in ov.trust_segments], note=ov.note)
    for c in report.charts:
        slide = _blank(prs, next(titles))
        pic = slide.shapes.add_picture(io.BytesIO(chart_png(c)), Inches(0.6), Inches(1.3), width=Inches(12.1))
        pic._element.nvPicPr.cNvPr.set("descr", c.alt_text)  # alt text for screen readers
        _text(slide, c.sentence, Inches(0.6), Inches(6.3), Inches(12.1), Inches(1.0), size=14)
    if report.level == "trust":
        if report.peer_scores:
            _table(prs, next(titles), ["Metric", "Value", "Score", "Peer median"],
                   [[p.name, _num(p.value), _num(p.score), _num(p.peer_median)] for p in report.peer_scores])
        else:
            _bullets(prs, next(titles), [report.peer_note or "No metric scores."])
    _table(prs, next(titles), ["Function", "Held to account by", "Tier"],
           [[a.name, a.held_by or "no body (a gap)", (a.held_by_tier or "–").replace("_", " ")]
            for a in report.accountability], note=f"Operating model {report.accountability_model}")
    _bullets(prs, next(titles), [report.support.note]
             + [f"Case {c['id']}: {c['programme']}, open since {c['opened_on']}, led by {c['lead_org']}; "
                f"{len(c['actions'])} open action(s)"  # type: ignore[arg-type]
                for c in report.support.cases])
    if report.population is not None:
        _bullets(prs, next(titles), [report.population.note]
                 + [f"{i['org_code']} {i['indicator']} ({i['period']}): {i['value']:.1f}"
                    f"; {str(i['compared'] or 'not compared').replace('_', ' ')}"
                    for i in report.population.indicators[:8] if isinstance(i.get("value"), int | float)])
    if report.map is not None and report.map.available and report.map.svg:  # issue 26
        from opmodel.maps import svg_to_png

        slide = _blank(prs, next(titles))
        pic = slide.shapes.add_picture(io.BytesIO(svg_to_png(report.map.svg)), Inches(0.6), Inches(1.2),
                                       height=Inches(5.6))
        pic._element.nvPicPr.cNvPr.set("descr", report.map.title)
        _text(slide, report.map.caption, Inches(7.2), Inches(1.3), Inches(5.6), Inches(5.4), size=12)
    _table(prs, next(titles), ["Publication", "Periods", "Published", "Licence"],
           [[(s.title or s.publication) + (" (third-party)" if s.third_party else ""),
             f"{s.first_period} to {s.last_period}",
             (s.published.strftime("%-d %b %Y") if s.published else "–") + ("; newer overdue" if s.overdue else ""),
             s.licence] for s in report.sources])
    buf = io.BytesIO()
    prs.save(buf)
    data = buf.getvalue()
    if path is not None:
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    return data


def _fmt(v: object, spec: str, suffix: str = "") -> str:
    return "–" if not isinstance(v, int | float) else f"{v:{spec}}{suffix}"


def _quality_slide(prs: Any, title: str, report: Report) -> None:
    """CQC, SHMI and FFT in a few lines (trust) or a table by trust (ICB, region), third-party labelled."""
    q = report.quality
    assert q is not None
    if report.level != "trust":
        _table(prs, title, ["Trust", "CQC overall", "SHMI", "SHMI band", "FFT positive"],
               [[str(t.get("org_name") or t["org_code"]), str(t.get("cqc_overall") or "–"), _fmt(t.get("shmi"), ".3f"),
                 str(t.get("shmi_band") or "–"), _fmt(t.get("fft_positive_pct"), ".1f", "%")] for t in q.trusts],
               note=q.note)
        return
    lines = []
    if q.cqc:
        lines.append(f"CQC overall {q.cqc['overall']} (published {q.cqc['published_on']}); safe {q.cqc['safe']}, "
                     f"effective {q.cqc['effective']}, caring {q.cqc['caring']}, responsive {q.cqc['responsive']}, "
                     f"well-led {q.cqc['well_led']}")
    if q.shmi:
        s = q.shmi
        lines.append(f"SHMI {s['period']}: {_fmt(s['value'], '.4f')}; 95% limits {_fmt(s['lower_limit'], '.4f')} to "
                     f"{_fmt(s['upper_limit'], '.4f')}: {str(s['band']).lower()} (published: "
                     f"{str(s['published_band'] or 'not held').lower()})")
    if q.fft:
        lines.append(f"Friends and Family Test {q.fft['period']}: {_fmt(q.fft['positive_pct'], '.1f', '%')} positive "
                     f"({_fmt(q.fft['responses'], ',.0f')} responses)")
    lines += [f"{h['name']} {h['period']}: {h['value']}" for h in q.hcai]
    _bullets(prs, title, [*lines, q.note])


def _num(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def _blank(prs: Any, title: str) -> Any:
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    slide = prs.slides.add_slide(prs.slide_layouts[5])  # title only
    slide.shapes.title.text = title
    frame = slide.shapes.title.text_frame
    for p in frame.paragraphs:
        for run in p.runs:
            run.font.size, run.font.bold, run.font.color.rgb = Pt(28), True, RGBColor(*_BLUE)  # type: ignore[no-untyped-call]
    slide.shapes.title.left, slide.shapes.title.top = Inches(0.6), Inches(0.3)
    slide.shapes.title.width, slide.shapes.title.height = Inches(12.1), Inches(0.9)
    return slide


def _text(slide: Any, text: str, left: Any, top: Any, width: Any, height: Any, size: int = 16) -> None:
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    box = slide.shapes.add_textbox(left, top, width, height).text_frame
    box.word_wrap = True
    box.text = text
    for p in box.paragraphs:
        for run in p.runs:
            run.font.size, run.font.color.rgb = Pt(size), RGBColor(*_DARK)  # type: ignore[no-untyped-call]


def _title_slide(prs: Any, title: str, subtitle: str) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[0])
    slide.shapes.title.text = title
    slide.placeholders[1].text = subtitle


def _bullets(prs: Any, title: str, lines: list[str]) -> None:
    from pptx.util import Inches

    slide = _blank(prs, title)
    _text(slide, "\n".join(lines), Inches(0.6), Inches(1.4), Inches(12.1), Inches(5.5), size=18)


def _table(prs: Any, title: str, header: list[str], rows: list[list[str]], note: str | None = None) -> None:
    from pptx.util import Inches, Pt

    slide = _blank(prs, title)
    shown = rows[:_MAX_ROWS]
    table = slide.shapes.add_table(len(shown) + 1, len(header), Inches(0.6), Inches(1.3), Inches(12.1),
                                   Inches(0.4) * (len(shown) + 1)).table
    for j, h in enumerate(header):
        table.cell(0, j).text = h
    for i, row in enumerate(shown, 1):
        for j, v in enumerate(row):
            table.cell(i, j).text = v
    for cell_row in table.rows:
        for cell in cell_row.cells:
            for p in cell.text_frame.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(12)
    extra = [note] if note else []
    if len(rows) > len(shown):
        extra.append(f"… and {len(rows) - len(shown)} more (see the PDF).")
    if extra:
        _text(slide, " ".join(extra), Inches(0.6), Inches(6.7), Inches(12.1), Inches(0.6), size=12)
