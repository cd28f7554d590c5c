#!/usr/bin/env python3
"""Build the population-health data shipped in the package from ../shared/data.

Runs the population readers (opmodel.population) over the Fingertips sample, the third-party
ICB extract and the IMD 2025 ICB summaries, through the same loader a user's files go through,
in a scratch store seeded with the shipped structure only, and writes three zstd Parquet files
to src/opmodel/population/data/:

  population_values.parquet      England and ICB rows (with England's deprivation breakdowns)
  population_indicators.parquet  the catalogue
  population_sources.parquet     the files they came from (name, sha256, layout, third party or not)
  local_areas.parquet            the 296 local authority districts: IMD 2025 domains and national quintile,
                                 IMD 2019 score, population, and their ICB before and after April 2026
                                 (issue 24: inequality within each ICB; table and checks in icb_districts.py)

Local-authority and sub-ICB rows of the Fingertips sample are left out (nothing shows them yet).
Attribution: src/opmodel/population/data/ATTRIBUTION.md (Open Government Licence v3.0).

Run:  python scripts/build_population_data.py [--shared ../shared]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from opmodel.population import load_population_files, successions
from opmodel.population.defaults import DATA_DIR, INDICATORS_FILE, LOCAL_AREAS_FILE, SOURCES_FILE, VALUES_FILE
from opmodel.store import Store, open_store
from opmodel.structure import seed_structure

sys.path.insert(0, str(Path(__file__).resolve().parent))
from icb_districts import ICB_DISTRICTS, SPLIT_2026

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = ("fingertips-sample-nw", "icb-population-health-2012-2023-thirdparty", "imd-deprivation")


def local_areas(shared: Path, store: Store) -> pd.DataFrame:
    """One row per local authority district: IMD 2025 domains, national quintile, population and ICBs.

    The population is the IMD 2025 income-deprivation scale divided by its rate (as for the ICB
    estimate). ``icb_coverage`` is the share of the ICB's own income-deprived count that its districts
    hold: 1.0 where the ICB is exactly a set of districts, otherwise the split districts' error.
    """
    imd = shared / "data" / "imd-deprivation"
    la = pd.read_csv(imd / "imd2025_england_ltla24.csv")
    icb = pd.read_csv(imd / "imd2025_england_icb24.csv").set_index("icb24_code")
    old = pd.read_csv(imd / "imd2019_england_ltla23.csv").set_index("ltla23_code")
    ods = pd.read_csv(shared / "data" / "ods-org-hierarchy" / "ons_icb_names_codes_dec_2024.csv").set_index("ICB24CD")
    owner = {d: i for i, ds in ICB_DISTRICTS.items() for d in ds}
    missing = sorted(set(la["ltla24_code"]) - set(owner))
    extra = sorted(set(owner) - set(la["ltla24_code"]))
    if missing or extra or sum(map(len, ICB_DISTRICTS.values())) != len(owner):
        raise SystemExit(f"icb_districts.py does not place every district once: missing {missing}, unknown {extra}")
    succ = {p.code: (new, p.share) for new, preds in successions(store).items() for p in preds}
    out = pd.DataFrame({
        "la_code": la["ltla24_code"], "la_name": la["ltla24_name"],
        "icb_ons": la["ltla24_code"].map(owner),
        "imd_score": la["imd_average_score"], "imd_rank": la["imd_rank_of_average_score"].astype(int),
        "population": (la["income_scale"] / la["income_average_score"]).round(),
        "income_count": la["income_scale"], "income_rate": la["income_average_score"] * 100,
        "employment_count": la["employment_scale"], "employment_rate": la["employment_average_score"] * 100,
        "health_score": la["health_deprivation_and_disability_average_score"],
        "education_score": la["education_skills_and_training_average_score"],
        "crime_score": la["crime_average_score"],
        "housing_score": la["barriers_to_housing_and_services_average_score"],
        "environment_score": la["living_environment_average_score"],
    })
    out["quintile"] = 1 + (out["imd_rank"] - 1) * 5 // len(out)
    out["imd2019_score"] = out["la_code"].map(old["Score"])
    out["icb_code"] = out["icb_ons"].map(ods["ICB24CDH"])
    after = []
    for code, d in zip(out["icb_code"], out["la_code"], strict=True):
        new, share = succ.get(code, (code, 1.0))
        if share < 1.0:
            if d not in SPLIT_2026:
                raise SystemExit(f"{d} belongs to {code}, which was split in April 2026; add it to SPLIT_2026")
            new = SPLIT_2026[d]
        after.append(SPLIT_2026.get(d, new))
    out["icb_code_2026"] = after
    coverage = out.groupby("icb_ons")["income_count"].sum() / icb["income_scale"]
    out["icb_coverage"] = out["icb_ons"].map(coverage).round(4)
    exact = int((coverage.round(6) == 1.0).sum())
    print(f"local areas: {len(out)} districts in {out['icb_ons'].nunique()} ICBs; {exact} ICBs exactly a set of "
          f"districts; worst coverage {coverage.min():.3f}-{coverage.max():.3f}")
    return out.sort_values("la_code").reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    shared: Path = args.shared.resolve()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "build.duckdb", seed=False)
        seed_structure(store)
        results = load_population_files(store, [shared / "data" / f for f in FOLDERS])
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        opts = "FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 19"
        store.execute(f"""COPY (SELECT v.* FROM population_values v
                                WHERE v.org_code = 'england'
                                   OR v.org_code IN (SELECT code FROM organisations WHERE kind = 'icb')
                                ORDER BY indicator_id, org_code, year, category)
                          TO '{VALUES_FILE}' ({opts})""")
        store.execute(f"COPY (SELECT * FROM population_indicators ORDER BY indicator_id) TO '{INDICATORS_FILE}' "
                      f"({opts})")
        store.execute(f"COPY (SELECT * FROM population_sources ORDER BY source_id) TO '{SOURCES_FILE}' ({opts})")
        n = store.scalar(f"SELECT count(*) FROM read_parquet('{VALUES_FILE}')")
        local_areas(shared, store).to_parquet(LOCAL_AREAS_FILE, compression="zstd", index=False)
        store.close()
    size = sum(p.stat().st_size for p in (VALUES_FILE, INDICATORS_FILE, SOURCES_FILE, LOCAL_AREAS_FILE))
    print(f"{len(results)} file(s) read; {n} values; {size / 1024:.0f} KiB written to {DATA_DIR} "
          f"in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
