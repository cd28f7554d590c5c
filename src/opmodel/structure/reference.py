"""Reference lists of NHS England regions and ICBs (ONS and ODS codes, dates, regions).

ODS trust and sub-ICB files name their ICB and region by code only, so the
registry needs the regions and ICBs themselves first. We read:

* our reference CSVs (``regions.csv``: code, name, ons_code, open_date;
  ``icbs.csv``: code, name, ons_code, region, open_date, close_date), which the
  shipped default data uses and users can extend for future reorganisations;
* a list of trusts the ODS ``etr`` file leaves out (``code, name, icb, open_date,
  close_date, source``), such as care trusts;
* ONS "ICB names and codes" files (``ICBnnCD, ICBnnCDH, ICBnnNM``), which update
  ICB names and ONS codes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from opmodel.errors import InputError, InputProblem
from opmodel.structure.names import house_style_name

__all__ = ["IcbRef", "ReferenceFile", "RegionRef", "TrustRef", "read_reference_file"]

_REGION_COLS = ["code", "name", "ons_code", "open_date"]
_ICB_COLS = ["code", "name", "ons_code", "region", "open_date", "close_date"]
_TRUST_COLS = ["code", "name", "icb", "open_date", "close_date", "source"]
_ONS = re.compile(r"^ICB(\d{2})(CD|CDH|NM)$")


@dataclass(frozen=True)
class RegionRef:
    line: int
    code: str
    name: str
    ons_code: str | None
    open_date: dt.date | None


@dataclass(frozen=True)
class IcbRef:
    line: int
    code: str
    name: str
    ons_code: str | None
    region: str | None
    open_date: dt.date | None
    close_date: dt.date | None


@dataclass(frozen=True)
class TrustRef:
    """A trust the ODS ``etr`` file does not list (e.g. care trusts, published in ODS ``ect``)."""

    line: int
    code: str
    name: str
    icb: str
    open_date: dt.date | None
    close_date: dt.date | None
    source: str


@dataclass(frozen=True)
class ReferenceFile:
    path: Path
    sha256: str
    regions: tuple[RegionRef, ...] = ()
    icbs: tuple[IcbRef, ...] = ()
    trusts: tuple[TrustRef, ...] = ()
    names_only: bool = False  # an ONS names file: update names and ONS codes only


def _date(raw: str | None, path: Path, line: int, fld: str, problems: list[InputProblem]) -> dt.date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(InputProblem(str(path), line, fld, f"expected a date as YYYY-MM-DD, got {raw!r}"))
        return None


def read_reference_file(path: Path | str) -> ReferenceFile:
    """Read a regions, ICBs or ONS ICB-names file, recognised by its header."""
    path = Path(path)
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    if not rows:
        raise InputError.one(path, None, None, "the file is empty")
    header = [h.strip() for h in rows[0]]
    problems: list[InputProblem] = []
    seen: set[str] = set()

    def body() -> list[tuple[int, dict[str, str]]]:
        out = []
        for i, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                problems.append(InputProblem(str(path), i, None,
                                             f"expected {len(header)} columns, found {len(row)}"))
                continue
            rec = {h: c.strip() for h, c in zip(header, row, strict=True)}
            code = rec.get("code") or next((v for k, v in rec.items() if k.endswith("CDH")), "")
            if not code:
                problems.append(InputProblem(str(path), i, "code", "expected a code, found nothing"))
                continue
            if code in seen:
                problems.append(InputProblem(str(path), i, "code", f"duplicate code {code}"))
                continue
            seen.add(code)
            out.append((i, rec))
        return out

    if header == _REGION_COLS:
        regions = tuple(
            RegionRef(i, r["code"], house_style_name(r["name"]), r["ons_code"] or None,
                      _date(r["open_date"], path, i, "open_date", problems))
            for i, r in body()
        )
        result = ReferenceFile(path, sha, regions=regions)
    elif header == _ICB_COLS:
        icbs = []
        for i, r in body():
            opened = _date(r["open_date"], path, i, "open_date", problems)
            closed = _date(r["close_date"], path, i, "close_date", problems)
            if opened and closed and closed < opened:
                problems.append(InputProblem(str(path), i, "close_date", "close date is before open date"))
            icbs.append(IcbRef(i, r["code"], house_style_name(r["name"]), r["ons_code"] or None, r["region"] or None,
                               opened, closed))
        result = ReferenceFile(path, sha, icbs=tuple(icbs))
    elif header == _TRUST_COLS:
        trusts = []
        for i, r in body():
            if not r["icb"]:
                problems.append(InputProblem(str(path), i, "icb", "expected the ODS code of the trust's ICB"))
                continue
            trusts.append(TrustRef(i, r["code"], house_style_name(r["name"]), r["icb"],
                                   _date(r["open_date"], path, i, "open_date", problems),
                                   _date(r["close_date"], path, i, "close_date", problems), r["source"]))
        result = ReferenceFile(path, sha, trusts=tuple(trusts))
    elif len(header) >= 3 and all(_ONS.match(h) for h in header[:3]):
        year = _ONS.match(header[0]).group(1)  # type: ignore[union-attr]
        cd, cdh, nm = f"ICB{year}CD", f"ICB{year}CDH", f"ICB{year}NM"
        if not {cd, cdh, nm} <= set(header):
            raise InputError.one(path, 1, None, f"expected columns {cd}, {cdh} and {nm}")
        icbs = [IcbRef(i, r[cdh], r[nm], r[cd] or None, None, None, None) for i, r in body()]
        result = ReferenceFile(path, sha, icbs=tuple(icbs), names_only=True)
    else:
        raise InputError.one(path, 1, None,
                             "not a reference file: expected a header of "
                             f"{','.join(_REGION_COLS)} (regions), {','.join(_ICB_COLS)} (ICBs), "
                             f"{','.join(_TRUST_COLS)} (trusts) "
                             "or ONS ICBnnCD,ICBnnCDH,ICBnnNM")
    if problems:
        raise InputError(problems)
    return result
