"""Community Services Statistics: the monthly Community Services Data Set (CSDS) core data CSV.

NHS England publishes one long CSV a month (zipped, ``csds-mar26-exp-core-data.csv``): one row per
organisation, level, dimension and measure. The totals of three dimensions are stored, per provider
and for England ("All Submitters", stored for ``X24``):

* ``csds_referrals``: ``TotalReferrals`` (referrals received in the month);
* ``csds_care_contacts``: ``TotalCareContacts``;
* ``csds_patients_seen``: ``TotalPatientWithCareContact`` (people with a care contact).

Counts are published rounded to the nearest 5. The ICB, region and local-authority rows describe
where patients live or who commissions their care, not an organisation's providers, so they are
not stored; ICB and region values are summed from providers like every other metric, and England
takes the published total. Referrals and contacts of the providers must add up to England's within
the rounding (5 per provider), or the file is refused as truncated; people seen by two providers
count twice in a sum, so ``csds_patients_seen`` is not summed (``aggregate: none``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._archive import csv_first_line, csv_member
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count
from opmodel.structure import NATIONAL_CODE

__all__ = ["CsdsMonthlyReader"]

_REQUIRED = ("reporting_period_start", "reporting_period_end", "org_code", "org_name", "org_level", "dimension",
             "measure_value")
MEASURES = {"totalreferrals": "csds_referrals", "totalcarecontacts": "csds_care_contacts",
            "totalpatientwithcarecontact": "csds_patients_seen"}
_CHECKED = ("csds_referrals", "csds_care_contacts")
_ROUNDING = 5.0
_PROVIDER, _ENGLAND = "provider", "all submitters"


def _date(text: str, path: Path, line: int, column: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError.one(path, line, column, f"expected a date such as 2026-03-01, got {text!r}") from None


class CsdsMonthlyReader:
    """The CSDS monthly core data CSV (zipped or bare), recognised by its column names."""

    publication = "csds_monthly"

    def recognises(self, path: Path) -> bool:
        line = csv_first_line(path, 2048)
        if not mentions(line, "reporting_period_start", "org_level", "dimension", "measure_value"):
            return False
        return set(_REQUIRED) <= {norm_header(c) for c in next(csv.reader([line]), [])}

    def read(self, path: Path) -> Iterator[MetricRow]:
        zf, raw = csv_member(path)
        try:
            rows = list(self._rows(path, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")))
        finally:
            raw.close()
            if zf is not None:
                zf.close()
        england = {r.metric: r for r in rows if r.org_code == NATIONAL_CODE}
        for metric in _CHECKED:
            providers = [r for r in rows if r.metric == metric and r.org_code != NATIONAL_CODE]
            if metric not in england:
                raise InputError.one(path, None, "ORG_LEVEL", f"no All Submitters total for {metric}: the file looks "
                                                              "truncated")
            got, want = sum(r.value or 0.0 for r in providers), england[metric].value or 0.0
            if abs(got - want) > _ROUNDING * max(len(providers), 1):
                raise InputError.one(path, england[metric].source_row, "MEASURE_VALUE", f"providers' {metric} add up "
                                     f"to {got:g} but All Submitters says {want:g}; expected the same within the "
                                     "rounding to 5 (the file looks truncated or edited)")
        yield from rows

    def _rows(self, path: Path, text: IO[str]) -> Iterator[MetricRow]:
        header_line = text.readline()
        header = next(csv.reader([header_line]), [])
        heads = [norm_header(h) for h in header]
        missing = [c for c in _REQUIRED if c not in heads]
        if missing:
            raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the CSDS core data CSV")
        col = {c: heads.index(c) for c in _REQUIRED}
        period: tuple[dt.date, dt.date] | None = None
        seen: dict[tuple[str, str], int] = {}
        for line, raw in enumerate(text, start=2):
            if ",Total" not in raw:
                continue  # cheap filter: only the Total* dimensions are stored (the file has 280,000 rows)
            rec = next(csv.reader([raw]), [])
            if len(rec) != len(header):
                raise InputError.one(path, line, header[min(len(rec), len(header) - 1)],
                                     f"row has {len(rec)} fields, the header has {len(header)}: truncated row")
            metric = MEASURES.get(rec[col["dimension"]].strip().lower())
            level = rec[col["org_level"]].strip().lower()
            if metric is None or level not in (_PROVIDER, _ENGLAND):
                continue
            start = _date(rec[col["reporting_period_start"]], path, line, header[col["reporting_period_start"]])
            end = _date(rec[col["reporting_period_end"]], path, line, header[col["reporting_period_end"]])
            if period is None:
                period = (start, end)
            elif period != (start, end):
                raise InputError.one(path, line, header[col["reporting_period_start"]], f"{start} to {end} differs "
                                     f"from the file's first period {period[0]} to {period[1]}; expected one month")
            code = NATIONAL_CODE if level == _ENGLAND else rec[col["org_code"]].strip().upper()
            if not code:
                raise InputError.one(path, line, header[col["org_code"]], "expected an organisation code")
            if (metric, code) in seen:
                raise InputError.one(path, line, header[col["org_code"]], f"duplicate {metric} row for {code} "
                                                                          f"(first at line {seen[(metric, code)]})")
            seen[(metric, code)] = line
            value = parse_count(rec[col["measure_value"]], path, line, header[col["measure_value"]],
                                allow_blank=True, missing=frozenset({"", "*", "-"}))
            if value is None:
                continue
            yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end, value=value,
                            numerator=value, source_row=line,
                            org_name="England" if code == NATIONAL_CODE else rec[col["org_name"]].strip() or None)
