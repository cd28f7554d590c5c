"""Friends and Family Test: NHS England's monthly summary workbook (England headline figures).

The summary (``ftt-summary-apr-26.xlsx``, sheet ``Headline figures``) gives, for each setting (A&E,
inpatient, maternity stages, outpatient, ambulance, community, mental health, GP, dental), the
responses and the shares answering positively and negatively for the month and the month before,
each column dated in the row under the header. Only England figures are in it, so values are
published for the national body (``X24``); per-trust FFT figures are another file.

The "Percentage Positive" columns hold shares (0-1) formatted as percentages: the unit is decided
once for the file (every share at most 1: shares; otherwise per cent), never per value. The
value stored is per cent; the numerator (positive responses) is share x responses, which must be
a whole number of people, or the file is refused as edited.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._periods import month_range
from opmodel.metrics.readers._xlsx import cell_text, iter_rows, open_workbook, sheet_names
from opmodel.structure import NATIONAL_CODE

__all__ = ["SETTINGS", "FftSummaryReader"]

SHEET = "Headline figures"
#: Setting as the summary labels it (normalised) -> metric id.
SETTINGS = {
    "a&e": "fft_ae_positive",
    "inpatient": "fft_inpatient_positive",
    "maternity (antenatal)": "fft_maternity_antenatal_positive",
    "maternity (birth)": "fft_maternity_birth_positive",
    "maternity (postnatal ward)": "fft_maternity_postnatal_ward_positive",
    "maternity (postnatal)": "fft_maternity_postnatal_positive",
    "outpatient": "fft_outpatient_positive",
    "ambulance (including patient transport)": "fft_ambulance_positive",
    "community": "fft_community_positive",
    "mental health": "fft_mental_health_positive",
    "gp": "fft_gp_positive",
    "dental": "fft_dental_positive",
}
_WHOLE = 0.01


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", cell_text(value)).strip().lower()


def _month(value: Any, path: Path, row: int, column: str) -> tuple[dt.date, dt.date]:
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise InputError.one(path, row, column, f"expected the month the column describes, got {value!r}")
    return month_range(value.year, value.month)


class FftSummaryReader:
    """The FFT summary workbook: a ``Headline figures`` sheet with Responses and Percentage Positive."""

    publication = "fft_summary"

    def recognises(self, path: Path) -> bool:
        names = sheet_names(path)
        return names is not None and SHEET.lower() in {n.strip().lower() for n in names}

    def read(self, path: Path) -> Iterator[MetricRow]:
        names = {n.strip().lower(): n for n in (sheet_names(path) or [])}
        wb = open_workbook(path)
        try:
            rows = list(iter_rows(path, wb, names[SHEET.lower()]))
        finally:
            wb.close()
        head = next((i for i, (_, v) in enumerate(rows) if "fft" in [_norm(c) for c in v]), None)
        if head is None or head + 1 >= len(rows):
            raise InputError.one(path, None, SHEET, "no header row starting 'FFT'; expected the headline table")
        hrow, header = rows[head]
        label = [_norm(c) for c in header].index("fft")
        drow, dates = rows[head + 1]
        groups: list[str] = []
        current = ""
        for cell in header:
            current = _norm(cell) or (current if current not in ("", "fft") else "")
            groups.append(current)
        responses = [i for i, g in enumerate(groups) if g == "responses"]
        positive = [i for i, g in enumerate(groups) if g == "percentage positive"]
        if not responses or len(responses) != len(positive):
            raise InputError.one(path, hrow, "Responses", "expected 'Responses' and 'Percentage Positive' for the "
                                                          "same months")
        pairs = []
        for r, p in zip(responses, positive, strict=True):
            month = _month(dates[r] if r < len(dates) else None, path, drow, "Responses")
            if month != _month(dates[p] if p < len(dates) else None, path, drow, "Percentage Positive"):
                raise InputError.one(path, drow, "Percentage Positive", "the month differs from its Responses "
                                                                        "column's; expected the same months")
            pairs.append((month, r, p))
        body = [(n, v) for n, v in rows[head + 2:] if len(v) > label and _norm(v[label]) in SETTINGS]
        if not body:
            raise InputError.one(path, drow + 1, "FFT", "no setting rows (A&E, Inpatient, ...): the sheet looks "
                                                        "truncated")
        shares = [v[p] for _, v in body for _, _, p in pairs if isinstance(v[p], int | float)]
        scale = 100.0 if shares and all(0 <= s <= 1 for s in shares) else 1.0
        seen: set[str] = set()
        for row_no, values in body:
            setting = _norm(values[label])
            if setting in seen:
                raise InputError.one(path, row_no, "FFT", f"{values[label]!r} appears twice")
            seen.add(setting)
            for month, r, p in pairs:
                n, share = values[r], values[p]
                if not isinstance(n, int | float) or not isinstance(share, int | float):
                    continue  # not collected for the month ("N/A")
                if n < 0 or share < 0:
                    raise InputError.one(path, row_no, "Responses" if n < 0 else "Percentage Positive",
                                         f"expected 0 or more, got {n if n < 0 else share!r}")
                positive_n = share * scale / 100.0 * n
                if abs(positive_n - round(positive_n)) > _WHOLE:
                    raise InputError.one(path, row_no, "Percentage Positive", f"{share!r} of {n:g} responses is "
                                         f"{positive_n:.2f} people; expected a whole number")
                yield MetricRow(metric=SETTINGS[setting], org_code=NATIONAL_CODE, period_start=month[0],
                                period_end=month[1], value=share * scale, numerator=float(round(positive_n)),
                                denominator=float(n), source_row=row_no, org_name="England")
