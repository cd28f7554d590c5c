"""Referral to Treatment (RTT) waiting times: the monthly full extract (zipped CSV or bare CSV).

Only incomplete pathways (``Part_2``) feed the metrics. Each provider appears once per
commissioner and treatment function, plus a ``C_999`` "Total" row per commissioner that
already sums the treatment functions. A provider's figures are therefore the sum of its
``C_999`` rows over commissioners; summing every row would count each patient twice.
As a check, the non-total treatment-function rows must add up to the same waiting list.

The 82 MB CSV is streamed from the zip row by row; only running totals per provider
are held in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._archive import check_archive
from opmodel.metrics.readers._parsing import mentions, norm_header, parse_count, parse_month_text

__all__ = ["RttFullExtractReader"]

PUBLICATION = "rtt_full_extract"
_BUCKET = re.compile(r"^gt (\d+)(?: to (\d+))? weeks sum 1$")
_REQUIRED = ("period", "provider org code", "provider org name", "commissioner org code", "rtt part type",
             "treatment function code", "total all")
_INCOMPLETE = "part_2"
_TOTAL_TF = "C_999"
_THRESHOLDS = (52, 65, 78)


@dataclass
class _Provider:
    name: str
    first_row: int
    total: float = 0.0          # sum of Total All over C_999 rows
    known: float = 0.0          # sum of week buckets over C_999 rows
    within18: float = 0.0
    over: dict[int, float] = field(default_factory=lambda: dict.fromkeys(_THRESHOLDS, 0.0))
    by_function: float = 0.0    # sum of Total All over the other treatment functions


def _open_member(path: Path) -> tuple[zipfile.ZipFile | None, IO[bytes]]:
    """The extract's CSV as a byte stream: the first non-``__MACOSX`` CSV member, or the file itself."""
    if zipfile.is_zipfile(path):
        check_archive(path)
        zf = zipfile.ZipFile(path)
        members = [n for n in zf.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
        if not members:
            zf.close()
            raise InputError.one(path, None, None, "zip holds no CSV file")
        return zf, zf.open(members[0])
    return None, path.open("rb")


def _first_line_of_truncated_zip(path: Path) -> str | None:
    """Header of a zip whose central directory is missing (a cut-short download)."""
    try:
        with path.open("rb") as fh:
            buf = fh.read(1 << 16)
    except OSError:
        return None
    if buf[:4] != b"PK\x03\x04" or len(buf) < 30:
        return None
    method = int.from_bytes(buf[8:10], "little")
    name_len = int.from_bytes(buf[26:28], "little")
    extra_len = int.from_bytes(buf[28:30], "little")
    name = buf[30:30 + name_len].decode("utf-8", errors="replace")
    if not name.lower().endswith(".csv"):
        return None
    data = buf[30 + name_len + extra_len:]
    try:
        text = zlib.decompressobj(-15).decompress(data, 1 << 16) if method == 8 else data  # bounded
    except zlib.error:
        return None
    return text.decode("utf-8", errors="replace").splitlines()[0] if text else None


def _header_line(path: Path) -> str | None:
    try:
        if zipfile.is_zipfile(path):
            zf, stream = _open_member(path)
            with stream:
                line = stream.readline(1 << 16)
            if zf is not None:
                zf.close()
            return line.decode("utf-8-sig", errors="replace")
        with path.open("rb") as fh:
            head = fh.read(4)
            if head[:4] == b"PK\x03\x04":
                return _first_line_of_truncated_zip(path)
            return (head + fh.readline(1 << 16)).decode("utf-8-sig", errors="replace")
    except (OSError, zipfile.BadZipFile, InputError):
        return None


def _bucket_counts(rec: list[str], columns: list[int], path: Path, line: int,
                   header: list[str]) -> dict[int, float]:
    """The weekly bucket counts of one row: plain ``float`` on the common case (digits or blank),
    :func:`parse_count` (with its located error) for anything else. Half the load time was here."""
    try:
        values = [float(rec[i]) if rec[i] else 0.0 for i in columns]
    except ValueError:
        values = []
    if not values or min(values) < 0 or not math.isfinite(sum(values)):
        return {i: parse_count(rec[i], path, line, header[i], allow_blank=True) or 0.0 for i in columns}
    return dict(zip(columns, values, strict=True))


class RttFullExtractReader:
    """The RTT full extract: recognised by its ``Provider Org Code`` / ``RTT Part Type`` header."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        line = _header_line(path)
        if not line or not mentions(line, "rtt part type", "treatment function code"):
            return False
        try:  # a binary file's "first line" may hold a bare CR or NULs: not ours, never an error
            names = {norm_header(c) for c in next(csv.reader([line.strip()]), [])}
        except csv.Error:
            return False
        return {"provider org code", "rtt part type", "treatment function code"} <= names

    def read(self, path: Path) -> Iterator[MetricRow]:
        if not zipfile.is_zipfile(path) and _first_line_of_truncated_zip(path) is not None:
            raise InputError.one(path, None, None, "the zip file is truncated (no central directory)")
        try:
            zf, stream = _open_member(path)
        except zipfile.BadZipFile as exc:
            raise InputError.one(path, None, None, f"damaged zip file: {exc}") from None
        try:
            with io.TextIOWrapper(stream, encoding="utf-8-sig", newline="") as text:
                providers = self._accumulate(path, text)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise InputError.one(path, None, None, f"damaged or truncated zip member: {exc}") from None
        finally:
            if zf is not None:
                zf.close()
        yield from self._rows(path, providers)

    def _accumulate(self, path: Path, text: IO[str]) -> dict[tuple[str, dt.date, dt.date], _Provider]:
        reader = csv.reader(text)
        header = next(reader, None)
        if not header:
            raise InputError.one(path, 1, None, "the file is empty; expected the RTT extract header")
        names = [norm_header(c) for c in header]
        col = {n: i for i, n in enumerate(names)}
        missing = [c for c in _REQUIRED if c not in col]
        buckets: list[tuple[int, int]] = []  # (column index, lower bound in weeks)
        for i, n in enumerate(names):
            m = _BUCKET.match(n)
            if m:
                buckets.append((i, int(m.group(1))))
        if len(buckets) < 53:
            missing.append("weekly buckets 'Gt NN To NN Weeks SUM 1'")
        if missing:
            raise InputError.one(path, 1, ", ".join(missing), "missing column(s) of the RTT full extract")
        within = [i for i, lo in buckets if lo < 18]
        over = {t: [i for i, lo in buckets if lo >= t] for t in _THRESHOLDS}
        all_buckets = [i for i, _ in buckets]
        c_period, c_code, c_name = col["period"], col["provider org code"], col["provider org name"]
        c_part, c_tf, c_comm, c_total = (col["rtt part type"], col["treatment function code"],
                                         col["commissioner org code"], col["total all"])
        width = len(header)
        providers: dict[tuple[str, dt.date, dt.date], _Provider] = {}
        periods: dict[str, tuple[dt.date, dt.date]] = {}
        seen: dict[tuple[str, str, str, str], int] = {}
        line = 1
        for line, rec in enumerate(reader, start=2):
            if len(rec) != width:
                if not any(rec):
                    continue
                raise InputError.one(path, line, header[min(len(rec), width - 1)],
                                     f"row has {len(rec)} fields, the header has {width}: truncated or shifted row")
            if rec[c_part].strip().lower() != _INCOMPLETE:
                continue
            code = rec[c_code].strip().upper()
            if not code:
                raise InputError.one(path, line, header[c_code], "expected a provider code")
            ptext = rec[c_period]
            period = periods.get(ptext)
            if period is None:
                period = periods[ptext] = parse_month_text(ptext, path, line, header[c_period])
            tf = rec[c_tf].strip().upper()
            key = (ptext, code, rec[c_comm].strip().upper(), tf)
            if key in seen:
                raise InputError.one(path, line, header[c_tf],
                                     f"duplicate row for provider {code}, commissioner {key[2]}, treatment "
                                     f"function {tf} (first at line {seen[key]})")
            seen[key] = line
            pkey = (code, *period)
            prov = providers.get(pkey)
            if prov is None:
                prov = providers[pkey] = _Provider(rec[c_name].strip(), line)
            total = parse_count(rec[c_total], path, line, header[c_total]) or 0.0
            if tf != _TOTAL_TF:
                prov.by_function += total
                continue
            counts = _bucket_counts(rec, all_buckets, path, line, header)
            known = sum(counts.values())
            if known > total + 1e-9:
                raise InputError.one(path, line, header[c_total],
                                     f"weekly buckets add up to {known:g}, more than Total All ({total:g})")
            prov.total += total
            prov.known += known
            prov.within18 += sum(counts[i] for i in within)
            for t, idx in over.items():
                prov.over[t] += sum(counts[i] for i in idx)
        if line == 1:
            raise InputError.one(path, None, None, "no data rows: the file looks truncated")
        for (code, _s, _e), prov in providers.items():
            if abs(prov.by_function - prov.total) > 0.5:
                raise InputError.one(path, prov.first_row, "Treatment Function Code",
                                     f"provider {code}: treatment functions add up to {prov.by_function:g} "
                                     f"incomplete pathways but the C_999 Total rows say {prov.total:g}")
        return providers

    @staticmethod
    def _rows(path: Path, providers: dict[tuple[str, dt.date, dt.date], _Provider]) -> Iterator[MetricRow]:
        for (code, start, end), p in providers.items():
            common: dict[str, Any] = {"org_code": code, "period_start": start, "period_end": end,
                                      "source_row": p.first_row, "org_name": p.name}
            yield MetricRow(metric="rtt_waiting_list", value=p.total, numerator=p.total, **common)
            if p.known > 0:
                yield MetricRow(metric="rtt_18wk", value=100 * p.within18 / p.known, numerator=p.within18,
                                denominator=p.known, **common)
            for t in _THRESHOLDS:
                yield MetricRow(metric=f"rtt_{t}wk", value=p.over[t], numerator=p.over[t], denominator=p.known,
                                **common)
