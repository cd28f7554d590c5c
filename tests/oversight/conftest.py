"""Shared, session-scoped setup for the oversight tests: the real NOF CSV read once, and a store holding it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from opmodel.metrics.loader import load_files
from opmodel.metrics.models import MetricRow
from opmodel.metrics.readers.nof import NofDashboardReader
from opmodel.oversight import (
    PeriodInputs,
    Policy,
    SegmentationRun,
    apply_settings,
    inputs_from_rows,
    load_policy,
    parse_period,
    run_segmentation,
)
from opmodel.store import Store, open_store

from ..conftest import SHARED_DATA

NOF_CSV = (SHARED_DATA / "nof-2025-26-mh-community-raw"
           / "nhs-oversight-framework-mental-health-and-community-trust-data-q1-q3-2025-26.csv")
THIRD_PARTY = SHARED_DATA / "nof-2025-26-q3-thirdparty" / "nof_q3_2025-26_trust_extract.csv"
QUARTERS = ("2025-26-Q1", "2025-26-Q2", "2025-26-Q3")


@pytest.fixture(scope="session")
def nof_rows() -> list[MetricRow]:
    return list(NofDashboardReader().read(NOF_CSV))


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy("nof-2025-26")


@pytest.fixture(scope="session")
def inputs(nof_rows: list[MetricRow], policy: Policy) -> dict[str, PeriodInputs]:
    return {q: inputs_from_rows(nof_rows, policy, parse_period(q)) for q in QUARTERS}


@pytest.fixture(scope="session")
def runs(inputs: dict[str, PeriodInputs], policy: Policy) -> dict[str, SegmentationRun]:
    return {q: run_segmentation(policy, inputs[q]) for q in QUARTERS}


@pytest.fixture(scope="session")
def runs_published_scores(inputs: dict[str, PeriodInputs], policy: Policy) -> dict[str, SegmentationRun]:
    """The full CSV with ``use_published_scores``: pooled metrics take NHS England's scores, as asked."""
    asked = apply_settings(policy, ["use_published_scores=true"])
    return {q: run_segmentation(asked, inputs[q]) for q in QUARTERS}


def metric_values_only(rows: list[MetricRow], policy: Policy) -> list[MetricRow]:
    """The published CSV without any published answer the engine could compute (issue 11, "Done when"):
    no OF1xxx score of a metric that has a raw value (nor the combined finance OF1080 built from two),
    no OF4xxx domain scores or segments, no OF5000, OF5002 or OF5003."""
    scored = {m for m, p in policy.metrics.items() if p.raw or m == "OF1080"}
    return [r for r in rows if r.metric not in scored and not r.metric.startswith("OF4")
            and r.metric not in {"OF5000", "OF5002", "OF5003"}]


@pytest.fixture(scope="session")
def values_runs(nof_rows: list[MetricRow], policy: Policy) -> dict[str, SegmentationRun]:
    rows = metric_values_only(nof_rows, policy)
    return {q: run_segmentation(policy, inputs_from_rows(rows, policy, parse_period(q))) for q in QUARTERS}


@pytest.fixture(scope="session")
def published(nof_rows: list[MetricRow]) -> dict[tuple[str, str, str], MetricRow]:
    """(quarter label, metric, org) -> the published row, for comparisons."""
    return {(r.extra["quarter"], r.metric, r.org_code): r for r in nof_rows}


@pytest.fixture(scope="session")
def nof_store_file(seeded_store_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A seeded store with the NOF CSV loaded as `opmodel metrics load` does, built once.

    The shipped default metrics already hold this file, so the loader finds it unchanged.
    """
    path = tmp_path_factory.mktemp("nof") / "nof.duckdb"
    shutil.copy(seeded_store_file, path)
    store = open_store(path)
    report = load_files(store, [NOF_CSV])
    assert report.committed and report.files[0].status in {"loaded", "unchanged"}
    store.execute("CHECKPOINT")
    store.close()
    return path


@pytest.fixture
def nof_store_path(nof_store_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "nof.duckdb"
    shutil.copy(nof_store_file, target)
    return target


@pytest.fixture
def nof_store(nof_store_path: Path) -> Iterator[Store]:
    s = open_store(nof_store_path)
    yield s
    s.close()


