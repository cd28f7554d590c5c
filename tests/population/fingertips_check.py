"""Recompute Wilson and Byar intervals for the Fingertips sample (shared by the test and the docs)."""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from opmodel.population import crude_rate, wilson_interval


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _close(got: float, text: str) -> bool:
    """Equal to 0.01, or to the published precision when the file rounds more coarsely."""
    return abs(got - float(text)) <= max(0.01, 0.5 * 10 ** -_decimals(text) + 1e-9)


@dataclass
class Report:
    matched: Counter[str] = field(default_factory=Counter)
    exceptions: Counter[tuple[str, str]] = field(default_factory=Counter)
    not_applicable: Counter[str] = field(default_factory=Counter)


def recompute(path: Path) -> Report:
    rep = Report()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for r in csv.DictReader(fh):
            vt, c, n, v, lo, hi = (r["ValueType"], r["Count"], r["Denominator"], r["Value"], r["LowerCI"], r["UpperCI"])
            if vt not in ("Proportion", "Crude rate") or not all((c, n, v, lo, hi)):
                continue
            count, den = float(c), float(n)
            method = "wilson" if vt == "Proportion" else "byar"
            if den <= 0 or (method == "wilson" and count > den) or count <= 0:
                rep.not_applicable[method] += 1
                continue
            mult = 100.0 if method == "wilson" else 10 ** round(math.log10(float(v) / (count / den)))
            if not _close(count / den * mult, v):   # the value is not count/denominator: modelled or weighted
                rep.not_applicable[method] += 1
                continue
            iv = wilson_interval(count, den, 0.95, mult) if method == "wilson" else crude_rate(count, den, mult)
            key = method if method == "wilson" else iv.method
            if _close(iv.lower, lo) and _close(iv.upper, hi):
                rep.matched[key] += 1
            else:
                rep.exceptions[(key, r["IndicatorId"])] += 1
    return rep
