"""The seeded store every test copies: built once per run, with the quarters' results already kept.

A store seeded with the shipped default data takes 2-3 s to build, and nearly every test starts from a
copy of one. Built once per xdist worker, three workers built three; and each copy then computed the same
quarters' segmentation again (about 0.3 s a call, some 200 calls a run: 50 s of the suite's CPU on its
2 cores; issue 25). Here it is built once, in a process the xdist controller starts while its workers
collect, and the quarters most tests read are computed into its results cache (``@cached``), as the CLI
and the server keep them in a user's store. The tests of the cache itself start from a cold copy
(``cold_store_path``).

``python -m tests.template DIR`` builds ``DIR/seeded.duckdb`` (written under another name and renamed
whole, so a reader never sees half a file) or leaves the reason in ``DIR/error.txt``.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

__all__ = ["ENV_VAR", "WARM_QUARTERS", "build", "wait_for"]

#: Where the controller's template is built (set before the workers start, so they inherit it).
ENV_VAR = "OPMODEL_TEST_TEMPLATE_DIR"
#: The quarters held in the shipped data: their segmentation (as the views and the board pack ask for it)
#: is computed into the template's results cache.
WARM_QUARTERS = ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3")
NAME = "seeded.duckdb"


def build(target: Path, *, warm: bool = True) -> Path:
    """Seed a store at ``target`` (renamed into place whole) and, with ``warm``, keep the quarters' results."""
    from opmodel.store import open_store

    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    store = open_store(partial)
    try:
        if warm:
            from opmodel.oversight import league_ranges, segment

            for quarter in WARM_QUARTERS:
                segment(store, quarter, save=False)
                segment(store, quarter, save=False, link=False)
            league_ranges(store, WARM_QUARTERS[-1])
            from opmodel.web.views_oversight import periods_available

            periods_available(store)  # and that the quarters after them have no inputs yet
        store.execute("CHECKPOINT")
    finally:
        store.close()
    partial.with_name(partial.name + ".wal").unlink(missing_ok=True)
    os.replace(partial, target)
    return target


def wait_for(directory: Path, timeout: float = 900.0) -> Path:
    """The template the controller is building in ``directory``, once it is there; its error if it failed."""
    target, error = directory / NAME, directory / "error.txt"
    deadline = time.monotonic() + timeout
    while not target.exists():
        if error.exists():
            raise RuntimeError(f"building the test store failed:\n{error.read_text(encoding='utf-8')}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test store was not built in {directory} within {timeout:.0f} s")
        time.sleep(0.05)
    return target


def main(argv: list[str]) -> int:
    directory = Path(argv[0])
    try:
        build(directory / NAME)
    except BaseException:
        (directory / "error.txt").write_text(traceback.format_exc(), encoding="utf-8")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
