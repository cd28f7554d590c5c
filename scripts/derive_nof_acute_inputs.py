#!/usr/bin/env python3
"""Derive the shipped acute NOF inputs (``src/opmodel/oversight/data/acute_inputs.csv``) from ../shared/data.

Per the 2025/26 technical specification quoted in ../shared/docs/oversight-methodology.md §3.2:

For Q3 2025/26 and the 2026-27-Q1 nowcast (see QUARTERS):

- OF0023 % of the RTT waiting list within 18 weeks, latest month of the quarter held;
- OF0003 % of the waiting list over 52 weeks, same month;
- OF0010 28-day Faster Diagnosis Standard and OF0011 62-day combined: the quarter's months pooled
  (numerators and denominators summed; reproduces the Q3 extract within 0.05 points, §3.2);

from the third-party monthly RTT/cancer JSON (``nhse-rtt-cancer-monthly-2022-2026-thirdparty``), for the
134 acute trusts of the NOF peer group (``nof-2025-26-q3-acute-segments-thirdparty``). The 16 specialist
trusts ("Acute - Specialist" in the Q3 extract, plus the five the extract lacks) get no RTT or cancer value:
the specification excludes cancer-specialist trusts from OF0023 and cancer rankings exclude specialist and
single-speciality trusts (NHS England shows "134 (118 ranked)").

Q3 2025/26 also takes from the third-party Q3 extract the values it holds: HCAI (OF0020, OF0048, OF0088),
staff survey (OF0061, OF0084), finance (OF0079, OF0081) and implied productivity (OF0085).

Every row is marked third-party. Run: ``python scripts/derive_nof_acute_inputs.py``.
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
OUT = ROOT / "src" / "opmodel" / "oversight" / "data" / "acute_inputs.csv"
# Q3 2025/26: the quarter whose HCAI, staff, finance and productivity values are also held (about 10 of the
# 18 averaged acute metrics). 2026-27-Q1: the provisional nowcast (April 2026 only; issue 11, item 5). Q1, Q2
# and Q4 would rest on the 4 RTT/cancer metrics alone and are left out (docs/decisions.md).
QUARTERS = {"2025-26-Q3": ("2025-10", "2025-11", "2025-12"), "2026-27-Q1": ("2026-04", "2026-05", "2026-06")}
EXTRACT_COLUMNS = {"mrsa_cases_count": "OF0020", "ecoli_bacteraemia_rate": "OF0048", "cdiff_infection_rate": "OF0088",
                   "staff_raising_concerns_score": "OF0061", "staff_engagement_score": "OF0084",
                   "planned_surplus_deficit_pct": "OF0079", "variance_to_financial_plan_pct": "OF0081",
                   "implied_productivity_pct": "OF0085"}
MISSING_FROM_EXTRACT_SPECIALIST = {"RGM", "RP4", "RRJ", "REN", "RPY"}  # PROVENANCE.md of the segments file


def _acute() -> tuple[list[str], set[str], dict[str, dict[str, str]]]:
    with SEGMENTS.open(encoding="utf-8") as fh:
        codes = sorted(row[0] for row in list(csv.reader(fh))[1:])
    with EXTRACT.open(encoding="utf-8") as fh:
        extract = {r["org_code"]: r for r in csv.DictReader(fh)}
    specialist = {c for c, r in extract.items() if r["Trust_subtype"] == "Acute - Specialist"}
    return codes, specialist | MISSING_FROM_EXTRACT_SPECIALIST, extract


def _series(path: Path, months: list[str], block: dict[str, list[float]], key: str) -> dict[str, float]:
    return {m: v for m, v in zip(months, block.get(key, []), strict=False) if v is not None}


def main() -> None:
    codes, specialist, extract = _acute()
    rows: list[dict[str, object]] = []
    for code in codes:
        if code in specialist:
            continue
        rtt_path, cancer_path = MONTHLY / "rtt" / "org" / f"{code}.json", MONTHLY / "cancer" / "org" / f"{code}.json"
        rtt = json.loads(rtt_path.read_text()) if rtt_path.exists() else None
        cancer = json.loads(cancer_path.read_text()) if cancer_path.exists() else None
        for q, months in QUARTERS.items():
            if rtt:
                m = rtt["measures"]
                within = _series(rtt_path, rtt["months"], m["pct18"], "within_target")
                total = _series(rtt_path, rtt["months"], m["pct18"], "total")
                w52 = _series(rtt_path, rtt["months"], m["longwait"], "w52")
                held = [x for x in months if x in within and x in total and total[x]]
                if held:
                    last = held[-1]
                    rows.append({"period": q, "org_code": code, "metric": "OF0023",
                                 "value": round(100 * within[last] / total[last], 4), "numerator": within[last],
                                 "denominator": total[last], "months": last})
                    if last in w52:
                        rows.append({"period": q, "org_code": code, "metric": "OF0003",
                                     "value": round(100 * w52[last] / total[last], 4), "numerator": w52[last],
                                     "denominator": total[last], "months": last})
            if cancer:
                for std, metric in (("FDS28", "OF0010"), ("CMB62", "OF0011")):
                    s = cancer["standards"].get(std)
                    if not s:
                        continue
                    within = _series(cancer_path, s["months"], s, "within_target")
                    total = _series(cancer_path, s["months"], s, "total")
                    held = [x for x in months if x in within and x in total]
                    num, den = sum(within[x] for x in held), sum(total[x] for x in held)
                    if den:
                        rows.append({"period": q, "org_code": code, "metric": metric,
                                     "value": round(100 * num / den, 4), "numerator": num, "denominator": den,
                                     "months": " ".join(held)})
    for code in codes:
        r = extract.get(code)
        if r is None:
            continue
        for col, metric in EXTRACT_COLUMNS.items():
            if r.get(col) not in (None, ""):
                rows.append({"period": "2025-26-Q3", "org_code": code, "metric": metric, "value": float(r[col]),
                             "numerator": "", "denominator": "", "months": "extract"})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, ["period", "org_code", "metric", "value", "numerator", "denominator", "months"])
        w.writeheader()
        w.writerows(sorted(rows, key=lambda r: (str(r["period"]), str(r["metric"]), str(r["org_code"]))))
    print(f"{OUT}: {len(rows)} values, {len(codes)} acute trusts ({len(specialist)} specialist: no RTT/cancer)")


if __name__ == "__main__":
    main()
