#!/usr/bin/env python3
"""Mutation check for the oversight engine (issue 20 item 7): apply named mutants, fail if any survives.

Each mutant is one deliberate bug the oversight tests must catch: flip a metric's direction, drop the
financial override, score from the published rank, read a published segment, headline the reconstruction,
let a published score pass as computed, drop the published averages from the cut-off pool, treat a changed
rank as no change. For each, a private copy of ``src`` (symlinks, with the one mutated file written fresh) is
put first on ``PYTHONPATH`` and only the tests that guard that behaviour run; the mutant is *killed* when
they fail. The same tests are run once on the unmutated code first: they must pass.

Hand-written rather than mutmut: mutmut mutates every line and would need the whole suite per mutant (far
over the two-minute budget on two cores); these mutants are the bugs the issue names (docs/decisions.md).

Run: ``python scripts/mutation_check.py`` (``--list`` names the mutants; ``--jobs N`` runs N at once).
Exit 0 when every mutant is killed.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
T = "tests/oversight/"


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str  # relative to src/
    old: str
    new: str
    tests: tuple[str, ...]


MUTANTS = (
    Mutant("flip a metric's direction (engine)", "opmodel/oversight/engine.py",
           "sign = -1.0 if m.direction is Direction.HIGHER else 1.0",
           "sign = 1.0 if m.direction is Direction.HIGHER else -1.0",
           (T + "test_golden_nof.py::test_staff_survey_scores_from_values_agree_with_published_up_to_rounded_ties",)),
    Mutant("flip OF1084's direction (policy)", "opmodel/oversight/policies/nof-2025-26.yaml",
           "    raw: OF0084\n    direction: higher", "    raw: OF0084\n    direction: lower",
           (T + "test_golden_nof.py::test_staff_survey_scores_from_values_agree_with_published_up_to_rounded_ties",)),
    Mutant("drop the financial override", "opmodel/oversight/engine.py",
           "r.financial_override = bool(fo.enabled) and flag", "r.financial_override = False",
           (T + "test_golden_nof.py::test_adjusted_segment_from_unadjusted_and_override",
            T + "test_computed_path.py::test_doctored_deficit_flags_move_exactly_the_override")),
    Mutant("score from the published rank", "opmodel/oversight/engine.py",
           "use_rank = (self.policy.use_published_scores and m.population is Population.peer_group",
           "use_rank = (m.population is Population.peer_group",
           (T + "test_golden_nof.py::test_staff_survey_scores_from_values_agree_with_published_up_to_rounded_ties",
            T + "test_computed_path.py::test_doctored_published_answers_move_no_computed_figure")),
    Mutant("read a published segment", "opmodel/oversight/engine.py",
           "            r.adjusted_segment = (max(r.unadjusted_segment, fo.cap) if r.financial_override\n"
           "                                  else r.unadjusted_segment)",
           "            given = inputs.value(policy.published.adjusted, r.org_code)\n"
           "            r.adjusted_segment = int(given) if given is not None else r.unadjusted_segment",
           (T + "test_computed_path.py::test_doctored_published_answers_move_no_computed_figure",)),
    Mutant("headline the reconstruction", "opmodel/oversight/headline.py",
           "    if seg_value is None:\n        return computed_headline(r)",
           "    if True:\n        return computed_headline(r)",
           (T + "test_headline.py::test_attach_headlines_quotes_the_published_result_and_compares",)),
    Mutant("a published score passes as computed", "opmodel/oversight/engine.py",
           "        if published:\n            reasons.append(\"published metric scores used: \"",
           "        if published and any(policy.metrics[m].raw for m in published):\n"
           "            reasons.append(\"published metric scores used: \"",
           (T + "test_golden_nof.py::test_results_resting_on_a_published_score_say_so",)),
    Mutant("published averages left out of the cut-off pool", "opmodel/oversight/engine.py",
           "        members = [r for r in results if r.status == \"segmented\" and r.average_score is not None\n"
           "                   and _in_pool(seg, r, g)]",
           "        members = [r for r in results if r.status == \"segmented\" and r.average_score is not None\n"
           "                   and _in_pool(seg, r, g) and r.average_source == \"computed\"]",
           (T + "test_computed_path.py::test_cutoff_pool_is_the_quartiles_of_the_pooled_averages",)),
    Mutant("a changed rank is no change (write API)", "opmodel/metrics/write.py",
           "(v.numerator, v.denominator, v.value, v.provisional, v.extra) IS DISTINCT FROM",
           "(v.numerator, v.denominator, v.value, v.provisional) IS DISTINCT FROM",
           (T + "test_held_out_quarter.py::test_reversed_published_ranks_move_no_computed_average",)),
)


def _mirror(target: Path, mutant: Mutant | None) -> Path:
    """A copy of ``src`` under ``target``: directories real, files symlinked, the mutated file written fresh."""
    for dirpath, dirnames, filenames in os.walk(SRC):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        rel = Path(dirpath).relative_to(SRC)
        (target / rel).mkdir(parents=True, exist_ok=True)
        for f in filenames:
            if not f.endswith(".pyc"):
                (target / rel / f).symlink_to(Path(dirpath) / f)
    if mutant is not None:
        path = target / mutant.file
        text = (SRC / mutant.file).read_text(encoding="utf-8")
        if text.count(mutant.old) != 1:
            raise SystemExit(f"mutant {mutant.name!r}: the code it mutates is not found exactly once in "
                             f"{mutant.file}; update scripts/mutation_check.py")
        path.unlink()
        path.write_text(text.replace(mutant.old, mutant.new), encoding="utf-8")
    return target


def _pytest(src: Path, tests: tuple[str, ...]) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTEST_XDIST_WORKER", None)
    # Plugins the guarding tests do not use cost more start-up than the tests themselves: leave them out.
    plugins = [a for p in ("cacheprovider", "xdist", "hypothesispytest", "schemathesis", "typeguard", "anyio")
               for a in ("-p", f"no:{p}")]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-x", *plugins, *tests], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    lines = proc.stdout.strip().splitlines()
    failed = next((ln.split(" - ")[0].split("::")[-1] for ln in lines if ln.startswith("FAILED")), None)
    summary = next((ln.strip(" =") for ln in reversed(lines) if " passed" in ln or " failed" in ln
                    or " error" in ln), lines[-1] if lines else "no output")
    return proc.returncode, f"failed {failed}" if failed else summary


def _one(mutant: Mutant, work: Path) -> tuple[Mutant, bool, str, float]:
    start = time.monotonic()
    src = _mirror(work / f"m{MUTANTS.index(mutant)}", mutant)
    code, tail = _pytest(src, mutant.tests)
    return mutant, code != 0, tail, time.monotonic() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--list", action="store_true", help="name the mutants and their tests, run nothing")
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once (default 2)")
    args = ap.parse_args()
    if args.list:
        for m in MUTANTS:
            print(f"{m.name}: {m.file}; {', '.join(t.split('::')[-1] for t in m.tests)}")
        return 0
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="opmodel-mutants-") as tmp:
        work = Path(tmp)
        every = tuple(dict.fromkeys(t for m in MUTANTS for t in m.tests))
        code, tail = _pytest(_mirror(work / "base", None), every)
        if code != 0:
            print(f"the guarding tests fail on the unmutated code ({tail}): fix them first")
            return 2
        print(f"unmutated: {len(every)} guarding tests pass ({tail})", flush=True)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda m: _one(m, work), MUTANTS))
    survivors = []
    for mutant, killed, tail, took in results:
        print(f"{'killed  ' if killed else 'SURVIVED'} {mutant.name} ({took:.0f} s; {tail})", flush=True)
        if not killed:
            survivors.append(mutant.name)
    print(f"{len(MUTANTS) - len(survivors)} of {len(MUTANTS)} mutants killed in {time.monotonic() - start:.0f} s")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
