"""``opmodel population``: the JSON contract, tables and clear errors."""

from __future__ import annotations

import json
from typing import Any

from tests.conftest import Cli


def _json(cli: Cli, *args: str) -> Any:
    res: Any = cli(*args)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_show_json_contract(cli: Cli) -> None:
    d = _json(cli, "population", "show", "QKK", "--format", "json")
    assert {"org_code", "org_name", "indicators", "core20_share", "core20plus5"} <= set(d)
    names = " ".join(i["name"] for i in d["indicators"]).lower()
    assert "hypertension" in names and d["core20_share"] is not None
    assert len(d["core20plus5"]) == 6


def test_show_table_and_year(cli: Cli) -> None:
    res: Any = cli("population", "show", "E54000030", "--year", "2019", "--on", "2025-06-01")
    assert res.exit_code == 0 and "South East London" in res.stdout and "2019" in res.stdout
    assert "Core20 share" in res.stdout and "third-party" in res.stdout


def test_compare_levels(cli: Cli) -> None:
    d = _json(cli, "population", "compare", "qof_hypertension", "--level", "region", "--format", "json")
    assert len(d["rows"]) == 7 and d["third_party"] is True
    res: Any = cli("population", "compare", "core20_share", "--on", "2025-06-01")
    assert res.exit_code == 0 and "Between regions" in res.stdout


def test_errors_are_clear(cli: Cli) -> None:
    res: Any = cli("population", "show", "QZZ9")
    assert res.exit_code == 1 and "Unknown" in res.output and "Traceback" not in res.output
    res = cli("population", "compare", "qof_hypertension", "--level", "trust")
    assert res.exit_code == 1 and "icb or region" in res.output
    res = cli("population", "compare", "no_such_thing")
    assert res.exit_code == 1 and "Unknown population indicator" in res.output
