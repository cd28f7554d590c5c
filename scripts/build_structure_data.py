#!/usr/bin/env python3
"""Build the compact structure data shipped in the package from ../shared/data.

Sources (Open Government Licence v3.0; see shared/data/ods-org-hierarchy/PROVENANCE.md):
ODS etr/eccg snapshots (2025b, June 2026), the ONS ICB names and codes (Dec 2024),
the derived ICB→region crosswalk and region list, and the NOF 2025/26 mental health
and community trust CSV (to label those trusts' peer group).

Outputs in src/opmodel/structure/data/:
  regions.csv, icbs.csv            reference lists (our header format)
  etr_2025.csv, eccg_2025.csv,      ODS files in their 27-column layout, address
  etr_2026-06.csv                   lines and telephone blanked to stay compact
  trust_subtypes.csv               code, subtype (acute | mental_health_community | ambulance | wales)
  snapshots.csv                    the order and as-of dates the seeder applies them in

Run:  python scripts/build_structure_data.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/opmodel/structure/data"

ICB_OPEN = "2022-07-01"      # ICBs became statutory on 1 July 2022
MERGER_DATE = "2026-04-01"   # the April 2026 ICB mergers
REGION_OPEN = "2019-04-01"   # the seven NHS England regions' footprints date from April 2019

#: NHS trusts the ODS etr file leaves out (care trusts are published in ODS "ect", which we do not
#: have) whose ICB no shipped publication gives: ICB from the trust's headquarters, checked against
#: the region NHS England's NOF CSV gives the trust (docs/decisions.md, Structure).
CURATED_TRUST_ICBS = {
    "TAH": ("QF7", "headquarters in Sheffield (South Yorkshire); NOF region North East and Yorkshire"),
    "TAJ": ("QUA", "headquarters in the Black Country; NOF region Midlands"),
}

#: ICBs created by the April 2026 mergers: ODS codes from the June 2026 etr file; names as ODS gives them
#: (shared/data/ods-org-hierarchy/PROVENANCE.md).
NEW_ICBS = {
    "Z9B2Z": "NHS West and North London Integrated Care Board",
    "D7T5G": "NHS Essex Integrated Care Board",
    "S9B9J": "NHS Surrey and Sussex Integrated Care Board",
    "S1Y5D": "NHS Central East Integrated Care Board",
    "T6Y0W": "NHS Norfolk and Suffolk Integrated Care Board",
    "S0E4D": "NHS Thames Valley Integrated Care Board",
}


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))


def compact_ods(src: Path, dst: Path) -> list[list[str]]:
    rows = read(src)
    out = []
    for r in rows:
        r = list(r)
        for i in (4, 5, 6, 7, 8, 17):  # address lines and telephone
            r[i] = ""
        out.append(r)
    with dst.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(out)
    return out


def missing_trusts(shared: Path, etr_codes: set[str], nof_names: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """NHS trusts named in NHS England's publications but absent from the ODS etr files.

    The RTT full extract gives each provider's parent ICB ("Provider Parent Org Code"); the NOF CSV
    lists trusts (care trusts among them) without an ICB, for which ``CURATED_TRUST_ICBS`` applies.
    """
    import io
    import zipfile

    found: dict[str, tuple[str, ...]] = {}
    (zpath,) = sorted((shared / "data/nhse-rtt-2026-04").glob("*.zip"))
    with zipfile.ZipFile(zpath) as z, z.open(z.namelist()[0]) as fh:
        for r in csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8-sig")):
            code, name = r["Provider Org Code"], r["Provider Org Name"]
            if code not in etr_codes and code not in found and "NHS" in name and "TRUST" in name:
                found[code] = (name.upper(), r["Provider Parent Org Code"], "", "",
                               "ICB from the RTT full extract, April 2026 (Provider Parent Org Code)")
    for code, name in nof_names.items():
        if code not in etr_codes and code not in found:
            icb, why = CURATED_TRUST_ICBS[code]
            found[code] = (name.upper(), icb, "", "", f"ICB curated: {why}")
    return found


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args()
    build(a.shared, a.out)


def build(shared: Path, out: Path) -> None:
    """Write the shipped structure files derived from ``shared`` into ``out``."""
    ods = shared / "data/ods-org-hierarchy"
    out.mkdir(parents=True, exist_ok=True)

    regions = read(ods / "derived_nhs_regions_2024-25.csv")[1:]
    with (out / "regions.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "ons_code", "open_date"])
        for code, ons, name, _n in regions:
            w.writerow([code, name, ons, REGION_OPEN])

    etr25 = compact_ods(ods / "etr_snapshot_2025b.csv", out / "etr_2025.csv")
    compact_ods(ods / "eccg_snapshot_2025b.csv", out / "eccg_2025.csv")
    etr26 = compact_ods(ods / "etr_snapshot_2026-06.csv", out / "etr_2026-06.csv")

    crosswalk = {r[1]: r for r in read(ods / "derived_icb_region_crosswalk_2024-25.csv")[1:]}
    ons = {r[1]: r for r in read(ods / "ons_icb_names_codes_dec_2024.csv")[1:]}
    assert len(ons) == 42 and set(ons) == set(crosswalk), "expected the same 42 ICBs in ONS and the crosswalk"
    icbs_2026 = {r[3] for r in etr26 if not r[11] and r[3]}
    closed = sorted(set(ons) - icbs_2026)
    new = sorted(icbs_2026 - set(ons))
    assert set(new) == set(NEW_ICBS), f"unexpected new ICB codes {new}"
    assert len(ons) - len(closed) + len(new) == 36, (closed, new)
    new_region: dict[str, set[str]] = {}
    for r in etr26:
        if r[3] in NEW_ICBS and not r[11]:
            new_region.setdefault(r[3], set()).add(r[2])
    with (out / "icbs.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "ons_code", "region", "open_date", "close_date"])
        for code in sorted(ons):
            close = "2026-03-31" if code in closed else ""
            w.writerow([code, ons[code][2], ons[code][0], crosswalk[code][3], ICB_OPEN, close])
        for code in new:
            (region,) = new_region[code]
            w.writerow([code, NEW_ICBS[code], "", region, MERGER_DATE, ""])

    nof_rows = read(shared / "data/nof-2025-26-mh-community-raw/"
                    "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")[1:]
    mh = {r[4] for r in nof_rows}
    extra = missing_trusts(shared, {r[0] for r in etr25} | {r[0] for r in etr26}, {r[4]: r[5] for r in nof_rows})
    with (out / "other_trusts.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "name", "icb", "open_date", "close_date", "source"])
        for code in sorted(extra):
            w.writerow([code, *extra[code]])
    with (out / "trust_subtypes.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["code", "subtype"])
        codes = {r[0]: r for r in etr25} | {r[0]: r for r in etr26}
        codes |= {c: [c, extra[c][0], "Y"] for c in extra}
        for code in sorted(codes):
            r = codes[code]
            if not r[2]:
                sub = "wales"
            elif code in mh:
                sub = "mental_health_community"
            elif "AMBULANCE" in r[1].upper():
                sub = "ambulance"
            else:
                sub = "acute"
            w.writerow([code, sub])

    with (out / "snapshots.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "as_of"])
        w.writerow(["regions.csv", ""])
        w.writerow(["icbs.csv", ""])
        w.writerow(["etr_2025.csv", ICB_OPEN])
        w.writerow(["eccg_2025.csv", ICB_OPEN])
        w.writerow(["etr_2026-06.csv", MERGER_DATE])
        w.writerow(["other_trusts.csv", ""])
    print(f"wrote {out}: {len(closed)} ICBs close on 2026-03-31 ({', '.join(closed)}); new: {', '.join(new)}")


if __name__ == "__main__":
    main()
