#!/usr/bin/env python3
"""Derive the shipped NOF metric values (``src/opmodel/oversight/data/nof_inputs.csv``) from ../shared/data.

Per the 2025/26 technical specification quoted in ../shared/docs/oversight-methodology.md §3.2–§3.3, for
the acute peer group (the 134 trusts of ``nof-2025-26-q3-acute-segments-thirdparty``) and the 10 ambulance
trusts:

- OF0023 % of the RTT waiting list within 18 weeks, latest month of the quarter held ("Basis: latest month in
  the period"); OF0003 % of the waiting list over 52 weeks, same month;
- OF0010 28-day Faster Diagnosis Standard and OF0011 62-day combined: the quarter's months pooled
  (numerators and denominators summed; reproduces the Q3 extract within 0.05 points, §3.2);
  both from the third-party monthly RTT/cancer JSON. The 16 specialist trusts get no RTT or cancer value (the
  specification excludes cancer-specialist trusts from OF0023; NHS England shows "134 (118 ranked)");
- OF0013 A&E 4-hour: the quarter's three months pooled (all attendance types including booked appointments,
  over-4-hour counts and attendances summed over the months, as NHS England reports 4-hour performance) from
  NHS England's monthly A&E CSVs; only quarters whose three months are all held (Q1 from the 2024-25 folder,
  Q3 from the 2025-26 folder; Q2 holds July only, Q4 March only). A trust reporting no attendance gets none;
- OF0017 ambulance Category 2 mean response time, minutes: the quarter's total C2 response time over its C2
  incidents (AmbSYS A30 / A10, pooled like the mean NHS England publishes), for quarters AmbSYS covers in
  full (2025-26 Q1; the series ends in August 2025);
- OF0061 and OF0084 (NHS Staff Survey 2024 sub-scores): the third-party Q3 extract's values, for Q1–Q3 (the
  published MH/community CSV carries the same 2024 survey value in all three quarters, §3.1);
- Q3 only: the extract's HCAI (OF0020, OF0048, OF0088), finance (OF0079, OF0081) and productivity (OF0085).

Every row is marked third-party (the RTT/cancer series and the extract are processed by third parties;
the A&E and AmbSYS files are NHS England's own, but pass through the same file). Run:
``python scripts/derive_nof_acute_inputs.py``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
MONTHLY = SHARED / "nhse-rtt-cancer-monthly-2022-2026-thirdparty"
EXTRACT = SHARED / "nof-2025-26-q3-thirdparty" / "nof_q3_2025-26_trust_extract.csv"
SEGMENTS = SHARED / "nof-2025-26-q3-acute-segments-thirdparty" / "intuita_feature_table_acute134_nofQ3.csv"
AE_DIRS = (SHARED / "nhse-ae-monthly-2024-25", SHARED / "nhse-ae-monthly-2025-26")
AMBSYS = SHARED / "nhse-ambulance-ambsys" / "ambsys_raw_2017-08_2025-08.csv"
OUT = ROOT / "src" / "opmodel" / "oversight" / "data" / "nof_inputs.csv"
QUARTERS = {"2025-26-Q1": ("2025-04", "2025-05", "2025-06"), "2025-26-Q2": ("2025-07", "2025-08", "2025-09"),
            "2025-26-Q3": ("2025-10", "2025-11", "2025-12"), "2026-27-Q1": ("2026-04", "2026-05", "2026-06")}
#: Survey year 2024 serves Q1–Q3 2025/26 (the MH/community CSV repeats it in each quarter).
SURVEY_QUARTERS = ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3")
SURVEY_COLUMNS = {"staff_raising_concerns_score": "OF0061", "staff_engagement_score": "OF0084"}
Q3_COLUMNS = {"mrsa_cases_count": "OF0020", "ecoli_bacteraemia_rate": "OF0048", "cdiff_infection_rate": "OF0088",
              "planned_surplus_deficit_pct": "OF0079", "variance_to_financial_plan_pct": "OF0081",
              "implied_productivity_pct": "OF0085"}
MISSING_FROM_EXTRACT_SPECIALIST = {"RGM", "RP4", "RRJ", "REN", "RPY"}  # PROVENANCE.md of the segments file
AMBULANCE = ("RRU", "RX6", "RX7", "RX8", "RX9", "RYA", "RYC", "RYD", "RYE", "RYF")  # R1F is an acute trust
MONTHS = ("JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
          "NOVEMBER", "DECEMBER")
FIELDS = ["period", "org_code", "peer_group", "metric", "value", "numerator", "denominator", "months"]


def _acute() -> tuple[list[str], set[str], dict[str, dict[str, str]]]:
    with SEGMENTS.open(encoding="utf-8") as fh:
        codes = sorted(row[0] for row in list(csv.reader(fh))[1:])
    with EXTRACT.open(encoding="utf-8") as fh:
        extract = {r["org_code"]: r for r in csv.DictReader(fh)}
    specialist = {c for c, r in extract.items() if r["Trust_subtype"] == "Acute - Specialist"}
    return codes, specialist | MISSING_FROM_EXTRACT_SPECIALIST, extract


def _series(months: list[str], block: dict[str, list[float]], key: str) -> dict[str, float]:
    return {m: v for m, v in zip(months, block.get(key, []), strict=False) if v is not None}


def _row(period: str, org: str, group: str, metric: str, value: float, num: object = "", den: object = "",
         months: str = "") -> dict[str, object]:
    return {"period": period, "org_code": org, "peer_group": group, "metric": metric, "value": value,
            "numerator": num, "denominator": den, "months": months}


def _rtt_cancer(code: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    rtt_path, cancer_path = MONTHLY / "rtt" / "org" / f"{code}.json", MONTHLY / "cancer" / "org" / f"{code}.json"
    rtt = json.loads(rtt_path.read_text()) if rtt_path.exists() else None
    cancer = json.loads(cancer_path.read_text()) if cancer_path.exists() else None
    for q, months in QUARTERS.items():
        if rtt:
            m = rtt["measures"]
            within = _series(rtt["months"], m["pct18"], "within_target")
            total = _series(rtt["months"], m["pct18"], "total")
            w52 = _series(rtt["months"], m["longwait"], "w52")
            held = [x for x in months if x in within and x in total and total[x]]
            if held:
                last = held[-1]
                rows.append(_row(q, code, "acute", "OF0023", round(100 * within[last] / total[last], 4),
                                 within[last], total[last], last))
                if last in w52:
                    rows.append(_row(q, code, "acute", "OF0003", round(100 * w52[last] / total[last], 4),
                                     w52[last], total[last], last))
        if cancer:
            for std, metric in (("FDS28", "OF0010"), ("CMB62", "OF0011")):
                s = cancer["standards"].get(std)
                if not s:
                    continue
                within = _series(s["months"], s, "within_target")
                total = _series(s["months"], s, "total")
                held = [x for x in months if x in within and x in total]
                num, den = sum(within[x] for x in held), sum(total[x] for x in held)
                if den:
                    rows.append(_row(q, code, "acute", metric, round(100 * num / den, 4), num, den, " ".join(held)))
    return rows


def _ae_months() -> dict[str, dict[str, tuple[float, float]]]:
    """month (2025-10) -> org -> (attendances, over 4 hours), all six attendance groups summed."""
    out: dict[str, dict[str, tuple[float, float]]] = {}
    for folder in AE_DIRS:
        for path in sorted(folder.glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as fh:
                rows = list(csv.DictReader(fh))
            if not rows or "Period" not in rows[0]:
                continue
            name, year = rows[0]["Period"].removeprefix("MSitAE-").rsplit("-", 1)
            month = f"{year}-{MONTHS.index(name.upper()) + 1:02d}"
            att_cols = [c for c in rows[0] if c and c.startswith("A&E attendances")]
            over_cols = [c for c in rows[0] if c and c.startswith("Attendances over 4hrs")]
            assert len(att_cols) == len(over_cols) == 6, path
            per: dict[str, tuple[float, float]] = {}
            for r in rows:
                code = (r.get("Org Code") or "").strip()
                if not code or code == "TOTAL":
                    continue
                att = sum(float(r[c] or 0) for c in att_cols)
                over = sum(float(r[c] or 0) for c in over_cols)
                per[code] = (att, over)
            if month in out and out[month] != per:
                raise SystemExit(f"{path}: a second, different file for {month}")
            out[month] = per
    return out


def _ae(codes: list[str]) -> list[dict[str, object]]:
    """OF0013 per acute trust for each quarter whose three months are all held (§3.2, the quarter pooled)."""
    by_month = _ae_months()
    rows: list[dict[str, object]] = []
    for q, months in QUARTERS.items():
        if not all(m in by_month for m in months):
            continue
        for code in codes:
            parts = [by_month[m].get(code) for m in months]
            if any(p is None for p in parts):
                continue
            att = sum(p[0] for p in parts if p)
            over = sum(p[1] for p in parts if p)
            if att > 0:
                rows.append(_row(q, code, "acute", "OF0013", round(100 * (att - over) / att, 4), att - over, att,
                                 " ".join(months)))
    return rows


def _ambulance() -> list[dict[str, object]]:
    """OF0017: mean Category 2 response time (minutes) over the quarter, for quarters AmbSYS holds in full."""
    with AMBSYS.open(encoding="utf-8", newline="") as fh:
        raw = [r for r in csv.DictReader(fh) if r.get("OrgCode") in AMBULANCE and r.get("A10") and r.get("A30")]
    held: dict[tuple[str, str], tuple[float, float]] = {}
    for r in raw:
        fy = int(r["Year"][:4])
        month_no = MONTHS.index(r["Month"].strip().upper()) + 1
        month = f"{fy + (month_no < 4)}-{month_no:02d}"
        try:
            held[(r["OrgCode"], month)] = (float(r["A30"]), float(r["A10"]))
        except ValueError:  # "-": not submitted that month
            continue
    rows: list[dict[str, object]] = []
    for q, months in QUARTERS.items():
        for code in AMBULANCE:
            parts = [held.get((code, m)) for m in months]
            if any(p is None for p in parts):
                continue
            seconds = sum(p[0] for p in parts if p)
            incidents = sum(p[1] for p in parts if p)
            if incidents:
                rows.append(_row(q, code, "ambulance", "OF0017", round(seconds / incidents / 60, 4), seconds,
                                 incidents, " ".join(months)))
    return rows


def main() -> None:
    codes, specialist, extract = _acute()
    rows: list[dict[str, object]] = []
    for code in codes:
        if code not in specialist:
            rows += _rtt_cancer(code)
    rows += _ae(codes)
    rows += _ambulance()
    for code in codes:
        r = extract.get(code)
        if r is None:
            continue
        for col, metric in SURVEY_COLUMNS.items():
            if r.get(col) not in (None, ""):
                rows += [_row(q, code, "acute", metric, float(r[col]), months="extract (survey 2024)")
                         for q in SURVEY_QUARTERS]
        for col, metric in Q3_COLUMNS.items():
            if r.get(col) not in (None, ""):
                rows.append(_row("2025-26-Q3", code, "acute", metric, float(r[col]), months="extract"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: (str(r["period"]), str(r["metric"]), str(r["org_code"]))))
    counts: dict[tuple[str, str], int] = {}
    for r in rows:
        key = (str(r["period"]), str(r["metric"]))
        counts[key] = counts.get(key, 0) + 1
    print(f"{OUT}: {len(rows)} values, {len(codes)} acute trusts ({len(specialist)} specialist: no RTT/cancer)")
    for (q, m), n in sorted(counts.items()):
        print(f"  {q} {m}: {n}")


if __name__ == "__main__":
    main()
