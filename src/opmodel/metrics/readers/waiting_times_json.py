"""RTT and cancer waiting times per provider, monthly, as a third party's JSON series (2022 onwards).

A third party (github.com/drjmartins/waiting-times; ``nhse-rtt-cancer-monthly-2022-2026-thirdparty``)
scrapes NHS England's monthly RTT full extracts and cancer waiting times and writes one JSON file
per organisation: RTT ``months`` with ``measures`` (``pct18``, ``waitlist``, ``longwait``), or
cancer ``standards`` (``FDS28``, ``CMB31``, ``CMB62``), each with counts and a ``performance``.
Only provider files are read: the commissioner (ICB) files describe the patients an ICB pays
for, not its trusts' waiting lists, and England is summed from the providers as for the
official extracts. ``national.json``, ``index.json`` and ``meta.json`` are not series files.

Every value is third-party processed: the loader writes it below any official publication
(:data:`opmodel.metrics.publishing.THIRD_PARTY_VERSION`), so NHS England's own files win where
both hold a month, and the source is labelled third-party wherever it is shown.

Units are decided once per file: ``performance`` is a share (0-1) unless any value in the file
exceeds 1, then per cent. The value stored is the recorded performance in per cent (for cancer it
is computed from unrounded counts: shared pathways count halves, while the counts in the file are
rounded to whole patients); numerator and denominator are the file's counts, and a performance
further from them than that rounding allows is refused as a damaged row. ``source_row`` is the
month's position (1-based) in the series.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from opmodel.errors import InputError
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers._periods import month_range

__all__ = ["WaitingTimesJsonReader"]

PUBLICATION = "waiting_times_thirdparty"
_MAX_BYTES = 1 << 20  # an organisation's series is a few KB; anything larger is not one
_CANCER = {"FDS28": "cancer_fds_28d", "CMB31": "cancer_31d", "CMB62": "cancer_62d"}
_LONG_WAITS = {"w52": "rtt_52wk", "w65": "rtt_65wk", "w78": "rtt_78wk"}


def _load(path: Path) -> Any:
    if path.suffix.lower() != ".json":
        return None
    try:
        if path.stat().st_size > _MAX_BYTES:
            return None
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def _kind(doc: Any) -> str | None:
    """'rtt' or 'cancer' for a provider series document, else None."""
    if not isinstance(doc, dict) or doc.get("level") != "provider" or not isinstance(doc.get("code"), str):
        return None
    if isinstance(doc.get("measures"), dict) and "pct18" in doc["measures"] and isinstance(doc.get("months"), list):
        return "rtt"
    if isinstance(doc.get("standards"), dict) and set(doc["standards"]) & set(_CANCER):
        return "cancer"
    return None


def _has_counts(doc: dict[str, Any], kind: str) -> bool:
    """True if some month has a non-zero total: a provider with none has no series to load."""
    blocks = [doc["measures"].get("pct18"), doc["measures"].get("waitlist")] if kind == "rtt" \
        else list(doc["standards"].values())
    for block in blocks:
        if isinstance(block, dict):
            for key in ("total", "value"):
                arr = block.get(key)
                if isinstance(arr, list) and any(isinstance(v, int | float) and v for v in arr):
                    return True
    return False


class WaitingTimesJsonReader:
    """One organisation's monthly RTT or cancer series (third-party JSON), recognised by its keys."""

    publication = PUBLICATION

    def recognises(self, path: Path) -> bool:
        """A provider's series with at least one month of counts (an all-zero series has nothing to load)."""
        doc = _load(path)
        kind = _kind(doc)
        return kind is not None and _has_counts(doc, kind)

    def read(self, path: Path) -> Iterator[MetricRow]:
        doc = _load(path)
        kind = _kind(doc)
        if kind is None:
            raise InputError.one(path, None, None, "expected one provider's RTT or cancer series (JSON with "
                                                   "'code', 'level': 'provider' and 'measures' or 'standards')")
        code = str(doc["code"]).strip().upper()
        name = str(doc.get("name") or "").strip() or None
        if kind == "rtt":
            yield from self._rtt(path, doc, code, name)
        else:
            yield from self._cancer(path, doc, code, name)

    # -- RTT ----------------------------------------------------------------------------------
    def _rtt(self, path: Path, doc: dict[str, Any], code: str, name: str | None) -> Iterator[MetricRow]:
        months = _months(path, doc["months"], "months")
        m = doc["measures"]
        pct = _block(path, m, "pct18", len(months), ("within_target", "total", "performance"))
        scale = _scale(path, pct["performance"], "measures.pct18.performance")
        wait = _block(path, m, "waitlist", len(months), ("value",)) if "waitlist" in m else None
        long = _block(path, m, "longwait", len(months), ("total", *_LONG_WAITS)) if "longwait" in m else None
        for i, (start, end) in enumerate(months):
            common: dict[str, Any] = {"org_code": code, "period_start": start, "period_end": end,
                                      "source_row": i + 1, "org_name": name}
            row = _share_row(path, "rtt_18wk", pct, i, scale, "measures.pct18", common)
            if row is not None:
                yield row
            if wait is not None and (n := _count(path, wait["value"], i, "measures.waitlist.value")) is not None:
                yield MetricRow(metric="rtt_waiting_list", value=n, numerator=n,
                                provisional=_provisional(wait, i), **common)
            if long is None:
                continue
            total = _count(path, long["total"], i, "measures.longwait.total")
            for key, metric in _LONG_WAITS.items():
                n = _count(path, long[key], i, f"measures.longwait.{key}")
                if n is None:
                    continue
                if total is not None and n > total:
                    raise InputError.one(path, i + 1, f"measures.longwait.{key}", f"{n:g} waits exceed the "
                                         f"waiting list of {total:g} in {start:%Y-%m}")
                yield MetricRow(metric=metric, value=n, numerator=n, denominator=total,
                                provisional=_provisional(long, i), **common)

    # -- cancer -------------------------------------------------------------------------------
    def _cancer(self, path: Path, doc: dict[str, Any], code: str, name: str | None) -> Iterator[MetricRow]:
        for key, metric in _CANCER.items():
            if key not in doc["standards"]:
                continue
            std = doc["standards"][key]
            if not isinstance(std, dict):
                raise InputError.one(path, None, f"standards.{key}", "expected an object with months and counts")
            months = _months(path, std.get("months"), f"standards.{key}.months")
            block = _block(path, doc["standards"], key, len(months), ("within_target", "total", "performance"))
            scale = _scale(path, block["performance"], f"standards.{key}.performance")
            for i, (start, end) in enumerate(months):
                common: dict[str, Any] = {"org_code": code, "period_start": start, "period_end": end,
                                          "source_row": i + 1, "org_name": name}
                row = _share_row(path, metric, block, i, scale, f"standards.{key}", common)
                if row is not None:
                    yield row


def _months(path: Path, raw: Any, where: str) -> list[tuple[dt.date, dt.date]]:
    if not isinstance(raw, list) or not raw:
        raise InputError.one(path, None, where, "expected a list of months such as '2026-04'")
    out = []
    for i, text in enumerate(raw):
        try:
            day = dt.date.fromisoformat(f"{text}-01") if isinstance(text, str) and len(text) == 7 else None
        except ValueError:
            day = None
        if day is None:
            raise InputError.one(path, i + 1, where, f"expected a month such as '2026-04', got {text!r}")
        out.append(month_range(day.year, day.month))
    if len(set(out)) != len(out):
        raise InputError.one(path, None, where, "a month appears twice")
    return out


def _block(path: Path, parent: dict[str, Any], key: str, n: int, fields: tuple[str, ...]) -> dict[str, Any]:
    block = parent.get(key)
    if not isinstance(block, dict):
        raise InputError.one(path, None, key, "expected an object of monthly arrays")
    for fld in (*fields, "data_status"):
        if fld == "data_status" and fld not in block:
            continue
        arr = block.get(fld)
        if not isinstance(arr, list) or len(arr) != n:
            got = len(arr) if isinstance(arr, list) else "no list"
            raise InputError.one(path, None, f"{key}.{fld}", f"expected {n} monthly values (one per month), "
                                                             f"got {got}")
    return block


def _scale(path: Path, values: list[Any], where: str) -> float:
    """100 if the file records performance as shares (every value at most 1), 1 if as per cent."""
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if any(v < 0 for v in numbers):
        raise InputError.one(path, None, where, f"negative performance {min(numbers):g}; expected 0 to 1")
    return 100.0 if all(v <= 1 for v in numbers) else 1.0


def _count(path: Path, arr: list[Any], i: int, where: str) -> float | None:
    v = arr[i]
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float) or v != v or v < 0:
        raise InputError.one(path, i + 1, where, f"expected a count of 0 or more, got {v!r}")
    return float(v)


def _provisional(block: dict[str, Any], i: int) -> bool:
    status = block.get("data_status")
    return isinstance(status, list) and status[i] == "provisional"


def _share_row(path: Path, metric: str, block: dict[str, Any], i: int, scale: float, where: str,
               common: dict[str, Any]) -> MetricRow | None:
    within = _count(path, block["within_target"], i, f"{where}.within_target")
    total = _count(path, block["total"], i, f"{where}.total")
    perf = block["performance"][i]
    if within is None or total is None or total == 0:
        return None
    if within > total:
        raise InputError.one(path, i + 1, f"{where}.within_target", f"{within:g} within the standard exceeds the "
                                                                    f"total of {total:g}")
    if perf is None:
        value = 100.0 * within / total
    else:
        if isinstance(perf, bool) or not isinstance(perf, int | float):
            raise InputError.one(path, i + 1, f"{where}.performance", f"expected a number, got {perf!r}")
        value = float(perf) * scale
        # counts are rounded to whole patients (halves for shared pathways), performance to 4 places
        allowed = 100.0 * (0.5 / total + 0.0001) + 1e-9
        if abs(value - 100.0 * within / total) > allowed:
            raise InputError.one(path, i + 1, f"{where}.performance", f"{value:.2f}% disagrees with "
                                 f"{within:g}/{total:g} = {100 * within / total:.2f}%; expected the same share")
    return MetricRow(metric=metric, value=value, numerator=within, denominator=total,
                     provisional=_provisional(block, i), **common)
