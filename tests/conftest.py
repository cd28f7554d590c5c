"""Shared fixtures: a seeded store per test (copied from one built per session) and a CLI runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from opmodel.store import Store, clear_results, open_store

from . import template

SHARED = Path(__file__).resolve().parents[2] / "shared"
SHARED_DATA = SHARED / "data"


#: Test files that drive a real server, browser, Spark or PostgreSQL from end to end: marked ``e2e``
#: (``-m "not e2e"`` for a quick loop; ``quickstart.py test`` and CI run them all).
E2E_FILES = {"test_browser.py", "test_register_browser.py", "test_security_browser.py", "test_security_serve.py",
             "test_spark.py", "test_spark_cluster.py", "test_concurrency.py", "test_schemathesis.py", "test_lock.py"}


#: The longest files (about a minute or more each in the junit report of a whole run), started first: the
#: suite is split by file over the workers, and a long file collected last (most are under tests/web) left
#: one worker running alone at the end (issue 25). Order within each file is unchanged.
SLOW_FIRST = ("web/test_browser.py", "records/test_spark_cluster.py", "web/test_views_oversight.py",
              "records/test_spark.py", "register/test_concurrency.py", "web/test_schemathesis.py",
              "web/test_probe_register.py", "web/test_register_browser.py", "oversight/test_cli.py",
              "reports/test_pdf.py", "web/test_register_api.py", "web/test_pages_structure.py",
              "metrics/readers/test_newer_publications.py", "reports/test_quality_section.py",
              "web/test_security.py", "register/test_probe_races.py", "web/test_sections.py",
              "oversight/test_mutation_check.py")


#: The files that drive the shared live server (a session fixture: started, and its heaviest pages rendered,
#: once in every worker that runs one of them; 20-45 s each): scheduled as one unit, so on one worker.
LIVE_SERVER_FILES = {"web/test_browser.py", "web/test_maps_browser.py", "web/test_quality_browser.py",
                     "web/test_security_browser.py"}


class _OneLiveServer:
    """``--dist loadfile`` with the live server's files as one unit (issue 25); other modes as xdist has them.
    A plugin registered only when xdist is loaded: without it (``-p no:xdist``) the hook is unknown."""

    @staticmethod
    def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
        if config.getoption("dist", None) != "loadfile":
            return None
        from xdist.scheduler import LoadFileScheduling

        # xdist reorders the files by their number of tests unless told not to, which sent the single-test
        # Spark cluster, schemathesis and mutation files last, to one worker, after the others had finished.
        config.option.loadscopereorder = False

        class OneLiveServer(LoadFileScheduling):
            def _split_scope(self, nodeid: str) -> str:
                path = nodeid.split("::", 1)[0]
                return "live server" if path.removeprefix("tests/") in LIVE_SERVER_FILES else path

        return OneLiveServer(config, log)


#: The controller's template builder (a process) and the directory it builds in.
_BUILDER = pytest.StashKey[tuple[subprocess.Popen[bytes], Path]]()


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_OneLiveServer(), "opmodel-one-live-server")
    # The xdist controller builds the seeded store once, in a process of its own, while its workers start
    # and collect (tests/template.py); the workers inherit where, and wait for it when they first need it.
    # ``quickstart.py test`` builds it before pytest starts, beside mypy, and says where.
    if (config.pluginmanager.hasplugin("xdist") and not hasattr(config, "workerinput")
            and config.getoption("numprocesses", None) and not config.getoption("collectonly")
            and not os.environ.get(template.ENV_VAR)):
        directory = Path(tempfile.mkdtemp(prefix="opmodel-template-"))
        os.environ[template.ENV_VAR] = str(directory)
        builder = subprocess.Popen([sys.executable, "-m", "tests.template", str(directory)],
                                   cwd=Path(__file__).parents[1], stdin=subprocess.DEVNULL)
        config.stash[_BUILDER] = (builder, directory)


def pytest_unconfigure(config: pytest.Config) -> None:
    if (found := config.stash.get(_BUILDER, None)) is not None:
        builder, directory = found
        builder.wait()
        os.environ.pop(template.ENV_VAR, None)
        shutil.rmtree(directory, ignore_errors=True)



def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (Path(str(item.fspath)).name in E2E_FILES or item.get_closest_marker("browser")
                or item.get_closest_marker("spark")):
            item.add_marker(pytest.mark.e2e)
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    here = Path(__file__).parent

    def slowness(item: pytest.Item) -> int:
        path = Path(str(item.fspath))
        return rank.get(path.relative_to(here).as_posix() if here in path.parents else path.name, len(rank))

    items.sort(key=slowness)  # stable: files stay whole


@pytest.fixture(scope="session")
def seeded_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file seeded with the shipped default data, the quarters' results kept in it: built once per
    run by the xdist controller (:mod:`tests.template`), else once per session here. Tests copy it."""
    if directory := os.environ.get(template.ENV_VAR):
        return template.wait_for(Path(directory))
    return template.build(tmp_path_factory.mktemp("template") / template.NAME)


@pytest.fixture
def store_path(seeded_store_file: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded store for one test."""
    target = tmp_path / "store.duckdb"
    shutil.copy(seeded_store_file, target)
    return target


@pytest.fixture
def cold_store_path(store_path: Path) -> Path:
    """A private copy of the seeded store with nothing in its results cache, for the tests of that cache."""
    with open_store(store_path) as s:
        clear_results(s)
        s.execute("CHECKPOINT")
    return store_path


@pytest.fixture
def store(store_path: Path) -> Iterator[Store]:
    s = open_store(store_path)
    yield s
    s.close()


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated store with no data at all (no defaults seeded)."""
    s = open_store(tmp_path / "empty.duckdb", seed=False)
    yield s
    s.close()


class Cli:
    """Runs ``opmodel`` in-process against one store and returns the result."""

    def __init__(self, store_path: Path) -> None:
        self.store_path = store_path
        self.runner = CliRunner()

    def __call__(self, *args: str) -> object:
        from opmodel.cli.main import app

        return self.runner.invoke(app, ["--store", str(self.store_path), *args], catch_exceptions=False)


@pytest.fixture
def cli(store_path: Path) -> Cli:
    return Cli(store_path)
