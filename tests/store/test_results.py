"""Issue 25 item 2: results kept in the store, keyed by every argument and the data version."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opmodel.errors import OpmodelError
from opmodel.store import Store, cached, clear_results, data_version, mark_changed, open_store, result_names
from opmodel.store.results import ENV_VAR, cache_key, put_result

from ..conftest import SHARED_DATA

AE_CSV = SHARED_DATA / "nhse-ae-monthly-2025-26" / "October-2025-CSV-hg6dl.csv"


def _restated_ae(tmp_path: Path) -> Path:
    """October 2025's A&E file with one count restated (and its TOTAL row with it, which the reader checks):
    a revision the shipped data does not hold (it now holds every A&E month in ../shared)."""
    out = tmp_path / AE_CSV.name
    lines = AE_CSV.read_text(encoding="utf-8").split("\n")
    for i, line in enumerate(lines):
        if line.startswith(("MSitAE-OCTOBER-2025,RAN,", "TOTAL,TOTAL,")):
            cells = line.split(",")
            cells[-1] = str(int(cells[-1]) + 1)
            lines[i] = ",".join(cells)
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
IMD = SHARED_DATA / "imd-deprivation" / "imd2025_england_icb24.csv"

calls: list[tuple[Any, ...]] = []


@cached("test.total", depends=("metrics",))
def total(store: Store, metric: str, scale: float = 1.0, *, extra: list[str] | None = None) -> dict[str, Any]:
    calls.append((metric, scale, extra))
    n = store.scalar("SELECT count(*) FROM metric_values WHERE metric = ?", [metric])
    return {"metric": metric, "n": n * scale, "extra": extra}


@pytest.fixture(autouse=True)
def _fresh() -> None:
    calls.clear()


@pytest.fixture
def store(cold_store_path: Path) -> Iterator[Store]:
    """This module's store starts with nothing kept (the shared test store holds the quarters' results)."""
    with open_store(cold_store_path) as s:
        yield s


def test_computed_once_then_read_back_by_another_process(cold_store_path: Path) -> None:
    with open_store(cold_store_path) as store:
        first = total(store, "ae_4hr")
        assert total(store, "ae_4hr") == first and len(calls) == 1
        first["n"] = -1  # callers may change what they get: the kept value is theirs to spoil no more
        assert total(store, "ae_4hr")["n"] != -1
        assert result_names(store) == {"test.total": 1}
    with open_store(cold_store_path) as again:  # a new connection, as a new command would open
        assert total(again, "ae_4hr") == {**first, "n": total(again, "ae_4hr")["n"]}
        assert len(calls) == 1


def test_every_argument_is_part_of_the_key(store: Store) -> None:
    total(store, "ae_4hr")
    total(store, "ae_4hr", 1.0)  # the default, named: the same call
    total(store, "ae_4hr", scale=2.0)
    total(store, "ae_4hr", extra=["a"])
    total(store, "ae_4hr", extra=["b"])
    assert [c[1:] for c in calls] == [(1.0, None), (2.0, None), (1.0, ["a"]), (1.0, ["b"])]


def test_a_load_invalidates_what_it_changes_and_nothing_else(store: Store, tmp_path: Path) -> None:
    from opmodel.metrics import load_files
    from opmodel.population import load_population_files

    imd = tmp_path / "imd2025_england_icb24.csv"  # the shipped file, one score restated: a new file
    imd.write_text(IMD.read_text(encoding="utf-8").replace(",25.531,", ",25.532,", 1), encoding="utf-8")

    metrics_before = data_version(store, ["metrics"])
    population_before = data_version(store, ["population"])
    total(store, "OF0016")
    load_population_files(store, [imd])
    assert data_version(store, ["population"]) != population_before
    assert data_version(store, ["metrics"]) == metrics_before
    total(store, "OF0016")
    assert len(calls) == 1  # a population load leaves a metrics result valid
    load_files(store, [_restated_ae(tmp_path)])  # a revision the shipped data does not hold
    assert data_version(store, ["metrics"]) != metrics_before
    assert total(store, "OF0016")["n"] > 0
    assert len(calls) == 2


def test_any_write_changes_the_version(store: Store) -> None:
    before = data_version(store)
    store.execute("UPDATE metric_values SET value = value + 1 WHERE metric = 'ae_4hr' AND org_code = 'RJ1'")
    after_sql = data_version(store)
    assert after_sql != before
    store.execute("UPDATE organisations SET name = name || ' x' WHERE code = 'RJ1'")
    assert data_version(store, ["structure"]) != after_sql.split(";")[-1]
    mid = data_version(store)
    mark_changed(store, "population")
    assert data_version(store) != mid
    assert data_version(store, ["metrics"]) == data_version(store, ["metrics"])


def test_write_values_changes_the_version(store: Store, tmp_path: Path) -> None:
    import datetime as dt

    from opmodel.metrics import Source, write_values
    from opmodel.metrics.models import MetricRow

    total(store, "ae_4hr")
    row = MetricRow(metric="ae_4hr", org_code="RJ1", period_start=dt.date(2031, 1, 1),
                    period_end=dt.date(2031, 1, 31), numerator=1.0, denominator=2.0, value=50.0, source_row=1)
    write_values(store, [row], Source(file=tmp_path / "records.csv", sha256="0" * 64, publication="records"))
    total(store, "ae_4hr")
    assert len(calls) == 2


def test_a_policy_file_argument_is_keyed_by_its_content(store: Store, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("a: 1\n")
    first = cache_key({"framework": str(policy)})
    assert cache_key({"framework": str(policy)}) == first
    policy.write_text("a: 2, changed\n")
    os.utime(policy, ns=(1, 2))
    assert cache_key({"framework": str(policy)}) != first
    assert cache_key({"framework": "nof-2025-26"}) != cache_key({"framework": "nof-2026-27"})


def test_off_switch_computes_every_time_and_keeps_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, "off")
    total(store, "ae_4hr")
    total(store, "ae_4hr")
    assert len(calls) == 2
    assert result_names(store) == {}


class _Boom:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, ("touch boom",))


def test_a_tampered_result_is_refused_not_run(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A store from elsewhere cannot run code through the cache: only opmodel's own classes come back."""
    monkeypatch.chdir(tmp_path)
    total(store, "ae_4hr")
    store.execute("UPDATE results_cache SET value = ?", [pickle.dumps(_Boom())])
    assert total(store, "ae_4hr")["metric"] == "ae_4hr"
    assert len(calls) == 2 and not (tmp_path / "boom").exists()


def test_nothing_kept_inside_a_callers_transaction_or_read_only(store: Store) -> None:
    with store.transaction():
        total(store, "ae_4hr")
    assert result_names(store) == {}
    assert put_result(store, "x", "k", "v", 1) is True
    assert clear_results(store) == 1 and result_names(store) == {}


def test_segmentation_and_ranges_are_kept_and_recomputed_after_a_load(cold_store_path: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.metrics import load_files
    from opmodel.oversight import api, league_ranges

    counted: list[str] = []
    real = api.run_segmentation

    def counting(policy: Any, inputs: Any) -> Any:
        counted.append(inputs.period.label)
        return real(policy, inputs)

    monkeypatch.setattr(api, "run_segmentation", counting)
    with open_store(cold_store_path) as store:
        run = api.segment(store, "2025-26-Q3", save=False)
        ranges = league_ranges(store, "2025-26-Q3", peer_group="acute", replicates=200)
        assert len(counted) == 2  # the league's own segment call has other arguments
        assert result_names(store) == {"oversight.ranges": 1, "oversight.segment": 2}
    with open_store(cold_store_path) as store:  # as the next command would
        again = api.segment(store, "2025-26-Q3", save=False)
        assert len(counted) == 2
        assert [r.as_row() for r in again.results] == [r.as_row() for r in run.results]
        assert league_ranges(store, "2025-26-Q3", peer_group="acute", replicates=200).summary() == ranges.summary()
        load_files(store, [_restated_ae(tmp_path)])
        api.segment(store, "2025-26-Q3", save=False)
        assert len(counted) == 3


def test_only_the_newest_results_of_a_name_are_kept(store: Store) -> None:
    for i in range(4):
        assert put_result(store, "test.many", f"k{i}", "v", i, keep=2)
    assert result_names(store) == {"test.many": 2}
    put_result(store, "test.many", "k9", "v2", 9, keep=2)  # a new version drops the old ones
    assert result_names(store) == {"test.many": 1}


class _Unkeepable(OpmodelError):
    """An error whose constructor takes other arguments than the exception keeps: it cannot come back whole."""

    def __init__(self, metric: str, n: int) -> None:
        super().__init__(f"{metric}: {n}")


@cached("test.held", depends=("metrics",), errors=(OpmodelError,))
def held(store: Store, metric: str) -> int:
    calls.append((metric,))
    n = int(store.scalar("SELECT count(*) FROM metric_values WHERE metric = ?", [metric]))
    if metric == "odd":
        raise _Unkeepable(metric, n)
    if metric == "bug":
        raise ValueError("not an answer")
    if not n:
        raise OpmodelError(f"no {metric} in the store")
    return n


def test_an_error_named_in_errors_is_kept_as_the_answer_until_a_load(store: Store, tmp_path: Path) -> None:
    """A quarter with no inputs is listed on every start: its error is kept like a result (issue 25)."""
    from opmodel.metrics import load_files

    for _ in range(2):
        with pytest.raises(OpmodelError, match="no ae_4hr_restated in the store"):
            held(store, "ae_4hr_restated")
    assert len(calls) == 1
    assert result_names(store) == {"test.held!error": 1}  # apart from the results: odd arguments evict none
    assert held(store, "ae_4hr") > 0 and held(store, "ae_4hr") == held(store, "ae_4hr")
    assert len(calls) == 2 and result_names(store) == {"test.held": 1, "test.held!error": 1}
    load_files(store, [_restated_ae(tmp_path)])  # the data changed: the error may be wrong now, so asked again
    with pytest.raises(OpmodelError):
        held(store, "ae_4hr_restated")
    assert len(calls) == 3


def test_other_errors_and_errors_that_cannot_come_back_are_raised_not_kept(store: Store) -> None:
    for metric in ("odd", "odd", "bug", "bug"):
        with pytest.raises((OpmodelError, ValueError)):
            held(store, metric)
    assert len(calls) == 4 and result_names(store) == {}
