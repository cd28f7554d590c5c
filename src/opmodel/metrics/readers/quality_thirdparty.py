"""Third-party quality files: CQC ratings, SHMI and the Friends and Family Test per trust (issue 22).

Two processed tables built by other public projects from CQC, NHS Digital and NHS England
publications (``cqc-ratings-and-shmi-2026-thirdparty/PROVENANCE.md``). Both are secondary
evidence: every row says ``"evidence": "third-party"`` in ``extra``.

* :class:`TrustProfilesReader` reads one row per provider of a March 2026 snapshot (514 columns).
  It takes CQC's ratings (overall and the five key questions, dated by publication), the latest
  SHMI (value, observed and expected deaths, published band) and the latest inpatient FFT. It
  leaves out on purpose the file's second copy of the NOF 2025/26 Q3 results (``lt_*``,
  ``overall_*``, ``domain_*``): the store already holds NHS England's dashboard and the first
  third-party copy for the same keys, and the two copies agree for all 129 trusts; reading it
  again would only make a second source fight the first (docs/decisions.md, issue 22). Its A&E,
  workforce, RTT and other series are loaded from the original publications instead.
* :class:`CqcRatingsExtractReader` reads a second extract of acute trusts' overall and well-led
  ratings. Its ratings and dates often differ from the first copy's (e.g. Sherwood Forest, rated
  Outstanding in February 2023, is "Good" there), so they are held under their own ids
  (``cqc_overall_tracker``, ``cqc_well_led_tracker``) and used only where the first copy has none.

CQC ratings are ordinal and coded ``1`` Outstanding, ``2`` Good, ``3`` Requires improvement,
``4`` Inadequate (lower is better, as NOF segments); "Not rated" is held with no value.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._periods import month_range

__all__ = ["RATING_CODES", "SHMI_BANDS", "CqcRatingsExtractReader", "TrustProfilesReader"]

#: CQC's four ratings, best first, and their codes in the store.
RATING_CODES = {"Outstanding": 1, "Good": 2, "Requires improvement": 3, "Inadequate": 4}
NOT_RATED = "Not rated"
#: NHS Digital's SHMI banding codes.
SHMI_BANDS = {1: "Higher than expected", 2: "As expected", 3: "Lower than expected"}
#: The trust-profiles columns for each CQC rating metric.
RATING_COLUMNS = {"cqc_overall": "rating_overall", "cqc_safe": "rating_safe", "cqc_effective": "rating_effective",
                  "cqc_caring": "rating_caring", "cqc_responsive": "rating_responsive",
                  "cqc_well_led": "rating_well-led"}
_PROFILE_SIGNATURE = {"org_code", "data_month", "rating_overall", "shmi_value_latest", "observed_deaths_latest",
                      "expected_deaths_latest", "shmi_banding", "fft_pct_positive_latest"}
_PROFILE_REQUIRED = ("org_code", "org_name", "data_month", "publication_date", "inherited_rating",
                     *RATING_COLUMNS.values(), "shmi_value_latest", "observed_deaths_latest",
                     "expected_deaths_latest", "spells_latest", "shmi_banding", "shmi_banding_label",
                     "fft_total_responses_latest", "fft_pct_positive_latest", "fft_pct_negative_latest")
_EXTRACT_HEADER = ("trust_code", "cqc_overall", "cqc_well_led", "cqc_any_below_good", "cqc_latest_pub")
THIRD_PARTY = {"evidence": "third-party"}


def _header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            return [c.strip() for c in next(csv.reader([fh.readline()]), [])]
    except (OSError, UnicodeDecodeError):
        return []


def _rows(path: Path, required: tuple[str, ...], what: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for every non-blank data row, after checking the header and each row's width."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [c.strip() for c in next(reader, [])]
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError.one(path, 1, missing[0], f"missing column(s) {', '.join(missing)}; expected {what}")
        seen: dict[str, int] = {}
        key = required[0]
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                raise InputError.one(path, line, header[min(len(cells), len(header) - 1)],
                                     f"row has {len(cells)} fields, expected {len(header)} (truncated or shifted row?)")
            row = dict(zip(header, (c.strip() for c in cells), strict=True))
            code = row[key].upper()
            if not code:
                raise InputError.one(path, line, key, "expected an ODS code, got an empty cell")
            if code in seen:
                raise InputError.one(path, line, key, f"duplicate row for {code} (first on line {seen[code]})")
            seen[code] = line
            row[key] = code
            yield line, row


def _number(text: str, path: Path, line: int, col: str, *, lo: float, hi: float, whole: bool = False
            ) -> float | None:
    """A cell in [lo, hi] (a whole number if ``whole``); blank -> None; anything else names the cell."""
    if text == "":
        return None
    kind = "a whole number" if whole else "a number"
    try:
        value = float(text)
    except ValueError:
        raise InputError.one(path, line, col, f"expected {kind} from {lo:g} to {hi:g}, got {text!r}") from None
    if not (lo <= value <= hi) or (whole and not value.is_integer()):
        raise InputError.one(path, line, col, f"expected {kind} from {lo:g} to {hi:g}, got {text!r}")
    return value


def _rating(text: str, path: Path, line: int, col: str) -> tuple[float | None, str] | None:
    """(code, label) of a CQC rating; None for a blank cell; InputError for anything else."""
    if text == "":
        return None
    if text == NOT_RATED:
        return None, NOT_RATED
    code = RATING_CODES.get(text)
    if code is None:
        raise InputError.one(path, line, col, f"expected a CQC rating ({', '.join([*RATING_CODES, NOT_RATED])}), "
                                              f"got {text!r}")
    return float(code), text


def _date(text: str, path: Path, line: int, col: str, fmt: str) -> dt.date:
    try:
        return dt.datetime.strptime(text.split(" ")[0], fmt).date()
    except ValueError:
        shown = {"%Y-%m-%d": "YYYY-MM-DD", "%d/%m/%Y": "DD/MM/YYYY"}[fmt]
        raise InputError.one(path, line, col, f"expected a date ({shown}), got {text!r}") from None


def _averages(row: dict[str, str], stem: str, path: Path, line: int, hi: float) -> dict[str, float]:
    """The file's mean of the latest three months and of the three before (for a trend), when present."""
    out: dict[str, float] = {}
    for key, col in (("mean_3m", f"{stem}_3m_avg"), ("mean_prior_3m", f"{stem}_prior_3m_avg")):
        value = _number(row.get(col, ""), path, line, col, lo=0, hi=hi)
        if value is not None:
            out[key] = value
    return out


class TrustProfilesReader:
    """Reads the third-party trust profiles (``trustpulse_trust_profiles.csv``), recognised by its header."""

    publication = "trust_profiles_thirdparty"

    def recognises(self, path: Path) -> bool:
        if path.suffix.lower() not in {".csv", ".txt"}:
            return False
        return set(_header(path)) >= _PROFILE_SIGNATURE

    def read(self, path: Path) -> Iterator[MetricRow]:
        month: tuple[str, int] | None = None
        for line, row in _rows(path, _PROFILE_REQUIRED, "the third-party trust profiles (org_code, data_month, "
                                                        "rating_*, shmi_*, fft_*)"):
            if month is None:
                month = (row["data_month"], line)
            elif row["data_month"] != month[0]:
                raise InputError.one(path, line, "data_month", f"expected one snapshot month ({month[0]}, as on "
                                                               f"line {month[1]}), got {row['data_month']!r}")
            start, end = self._month(row["data_month"], path, line)
            name = row["org_name"] or None
            yield from self._cqc(path, line, row, name)
            yield from self._shmi(path, line, row, name, start, end)
            yield from self._fft(path, line, row, name, start, end)

    @staticmethod
    def _month(text: str, path: Path, line: int) -> tuple[dt.date, dt.date]:
        try:
            year, month = (int(p) for p in text.split("-"))
            return month_range(year, month)
        except ValueError:
            raise InputError.one(path, line, "data_month", f"expected a month (YYYY-MM), got {text!r}") from None

    def _cqc(self, path: Path, line: int, row: dict[str, str], name: str | None) -> Iterator[MetricRow]:
        found = {metric: _rating(row[col], path, line, col) for metric, col in RATING_COLUMNS.items()}
        if not any(found.values()):
            return
        if not row["publication_date"]:
            raise InputError.one(path, line, "publication_date", "expected the date the CQC rating was published, "
                                                                 "got an empty cell")
        day = _date(row["publication_date"], path, line, "publication_date", "%Y-%m-%d")
        extra: dict[str, Any] = {**THIRD_PARTY, "inherited": row["inherited_rating"] == "Y"}
        for metric, rating in found.items():
            if rating is None:
                continue
            value, label = rating
            yield MetricRow(metric=metric, org_code=row["org_code"], period_start=day, period_end=day, value=value,
                            source_row=line, org_name=name, extra={**extra, "rating": label})

    def _shmi(self, path: Path, line: int, row: dict[str, str], name: str | None, start: dt.date, end: dt.date
              ) -> Iterator[MetricRow]:
        band = _number(row["shmi_banding"], path, line, "shmi_banding", lo=1, hi=3, whole=True)
        value = _number(row["shmi_value_latest"], path, line, "shmi_value_latest", lo=0, hi=10)
        observed = _number(row["observed_deaths_latest"], path, line, "observed_deaths_latest", lo=0, hi=1e6)
        expected = _number(row["expected_deaths_latest"], path, line, "expected_deaths_latest", lo=0, hi=1e6)
        spells = _number(row["spells_latest"], path, line, "spells_latest", lo=0, hi=1e8)
        if band is not None:
            label = row["shmi_banding_label"]
            if label and label != SHMI_BANDS[int(band)]:
                raise InputError.one(path, line, "shmi_banding_label", f"expected {SHMI_BANDS[int(band)]!r} for "
                                                                       f"band {int(band)}, got {label!r}")
        common = {**THIRD_PARTY, "band": None if band is None else int(band)}
        if value is not None:
            if observed is None or expected is None or not expected > 0:
                col = "observed_deaths_latest" if observed is None else "expected_deaths_latest"
                raise InputError.one(path, line, col, "expected observed and expected deaths beside the SHMI value")
            # The file's SHMI 3-month means repeat the snapshot value (one SHMI joined onto every month): not read.
            extra = {**common, "spells": spells}
            code = row["org_code"]
            yield MetricRow(metric="shmi", org_code=code, period_start=start, period_end=end, value=value,
                            numerator=observed, denominator=expected, source_row=line, org_name=name, extra=extra)
            yield MetricRow(metric="shmi_observed_deaths", org_code=code, period_start=start, period_end=end,
                            value=observed, source_row=line, org_name=name, extra=common)
            yield MetricRow(metric="shmi_expected_deaths", org_code=code, period_start=start, period_end=end,
                            value=expected, source_row=line, org_name=name, extra=common)
        if band is not None:
            yield MetricRow(metric="shmi_band", org_code=row["org_code"], period_start=start, period_end=end,
                            value=band, source_row=line, org_name=name,
                            extra={**common, "label": SHMI_BANDS[int(band)]})

    def _fft(self, path: Path, line: int, row: dict[str, str], name: str | None, start: dt.date, end: dt.date
             ) -> Iterator[MetricRow]:
        responses = _number(row["fft_total_responses_latest"], path, line, "fft_total_responses_latest", lo=0,
                            hi=1e7, whole=True)
        if responses is None:
            return
        code = row["org_code"]
        yield MetricRow(metric="fft_responses", org_code=code, period_start=start, period_end=end, value=responses,
                        source_row=line, org_name=name, extra=THIRD_PARTY)
        for metric, col in (("fft_positive", "fft_pct_positive_latest"), ("fft_negative", "fft_pct_negative_latest")):
            share = _number(row[col], path, line, col, lo=0, hi=1)
            if share is None or not responses:
                continue
            yield MetricRow(metric=metric, org_code=code, period_start=start, period_end=end, value=100 * share,
                            numerator=float(round(share * responses)), denominator=responses, source_row=line,
                            org_name=name, extra={**THIRD_PARTY, "share": share, "numerator": "derived",
                                                  **_averages(row, col.removesuffix("_latest"), path, line, 1)})


class CqcRatingsExtractReader:
    """Reads the second third-party CQC extract (``cqc_ratings_extracted.csv``), recognised by its header."""

    publication = "cqc_ratings_thirdparty"

    def recognises(self, path: Path) -> bool:
        if path.suffix.lower() not in {".csv", ".txt"}:
            return False
        return tuple(_header(path)) == _EXTRACT_HEADER

    def read(self, path: Path) -> Iterator[MetricRow]:
        for line, row in _rows(path, _EXTRACT_HEADER, "the CQC ratings extract (trust_code, cqc_overall, "
                                                      "cqc_well_led, cqc_any_below_good, cqc_latest_pub)"):
            ratings = {"cqc_overall_tracker": _rating(row["cqc_overall"], path, line, "cqc_overall"),
                       "cqc_well_led_tracker": _rating(row["cqc_well_led"], path, line, "cqc_well_led")}
            if not any(ratings.values()):
                continue
            if not row["cqc_latest_pub"]:
                raise InputError.one(path, line, "cqc_latest_pub", "expected the publication date, got an empty cell")
            day = _date(row["cqc_latest_pub"], path, line, "cqc_latest_pub", "%d/%m/%Y")
            below = row["cqc_any_below_good"].lower()
            if below not in ("true", "false", ""):
                raise InputError.one(path, line, "cqc_any_below_good", f"expected True or False, got "
                                                                       f"{row['cqc_any_below_good']!r}")
            for metric, rating in ratings.items():
                if rating is None:
                    continue
                value, label = rating
                yield MetricRow(metric=metric, org_code=row["trust_code"], period_start=day, period_end=day,
                                value=value, source_row=line,
                                extra={**THIRD_PARTY, "rating": label, "any_below_good": below == "true"})
