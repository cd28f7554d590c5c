"""Funnels that compare like with like (issue 22, item 5): A&E funnels default to acute trusts' type 1
departments and say so; the funnel and `consistency` name the trusts outside the limits. July 2025."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from opmodel.store import Store
from opmodel.structure import list_organisations
from opmodel.variation import comparable_peers, consistency_report, funnel_for, od_method_for
from tests.conftest import Cli

JULY = dt.date(2025, 7, 1)


def test_the_default_a_and_e_funnel_is_acute_type_1_departments(store: Store) -> None:
    result, ctx = funnel_for(store, "ae_4hr", JULY)
    acute = {t["code"] for t in list_organisations(store, kind="trust", on=JULY) if t["subtype"] == "acute"}
    codes = {p.unit.code for p in result.points}
    assert ctx["metric"] == "ae_type1_4hr" and ctx["asked"] == "ae_4hr" and ctx["peers"]["id"] == "acute_type1"
    assert codes <= acute and len(codes) == 121 == ctx["peers"]["organisations"]
    assert "type 1" in (result.peers or "") and "121 organisations" in (result.peers or "")
    outside = {p.unit.code for p in result.points if p.outlier}
    assert outside == {"RCU", "RQ3", "RWY", "RBT", "RBS"}
    assert not outside & {"RW4", "RYX", "RDR", "RP6"}  # community, mental health and specialist trusts are gone


def test_peers_all_is_the_old_funnel_that_flagged_the_wrong_trusts(store: Store) -> None:
    result, ctx = funnel_for(store, "ae_4hr", JULY, peers="all")
    assert ctx["metric"] == "ae_4hr" and ctx["peers"]["id"] == "all"
    outside = [p for p in result.points if p.outlier]
    not_acute = {t["code"] for t in list_organisations(store, kind="trust", on=JULY) if t["subtype"] != "acute"}
    flagged_non_acute = [p for p in outside if p.unit.code in not_acute or p.unit.code in {"RP6", "RPC", "RCU"}]
    assert len(outside) >= 15 and len(flagged_non_acute) >= len(outside) - 3


def test_other_metrics_keep_every_provider_and_shmi_its_own_method(store: Store) -> None:
    assert comparable_peers(store, "rtt_18wk", JULY).codes is None
    assert comparable_peers(store, "ae_4hr", JULY, level="icb").codes is None
    assert od_method_for("shmi") == "shmi" and od_method_for("ae_4hr") == "spiegelhalter"
    result, _ = funnel_for(store, "shmi", dt.date(2026, 3, 1))
    assert result.od_method == "shmi" and len(result.points) == 118 and result.centre == "expected"


def test_consistency_uses_the_same_peers_and_names_the_trusts_outside(store: Store) -> None:
    report = consistency_report(store, "ae_4hr", start=JULY, end=JULY)
    assert report["metric"] == "ae_type1_4hr" and report["peers"]["id"] == "acute_type1"
    period = report["periods"][-1]
    assert period["trusts"] == 121
    names = {o["org_code"]: o["org_name"] for o in period["outside_limits"]}
    assert set(names) == {"RCU", "RQ3", "RWY", "RBT", "RBS"} and names["RBT"].startswith("Mid Cheshire")


def test_cli_names_the_trusts_outside_and_says_which_peers(cli: Cli, tmp_path: Path) -> None:
    res = cli("funnel", "ae_4hr", "--period", "2025-07")
    assert res.exit_code == 0, res.output  # type: ignore[attr-defined]
    out = res.stdout  # type: ignore[attr-defined]
    assert "acute trusts' type 1" in out and "Outside the 99.8% limits (5)" in out
    assert "RBT Mid Cheshire Hospitals NHS Foundation Trust" in out
    res = cli("consistency", "ae_4hr", "--from", "2025-07", "--to", "2025-07")
    assert res.exit_code == 0 and "high: RCU Sheffield Children" in res.stdout  # type: ignore[attr-defined]
    d = json.loads(cli("funnel", "ae_4hr", "--period", "2025-07", "--format", "json").stdout)  # type: ignore[attr-defined]
    assert {o["org_code"] for o in d["outside_998"]} == {"RCU", "RQ3", "RWY", "RBT", "RBS"}
    assert d["peers"]["metric"] == "ae_type1_4hr"
    svg = tmp_path / "f.svg"
    assert cli("funnel", "ae_4hr", "--period", "2025-07", "--svg", str(svg)).exit_code == 0  # type: ignore[attr-defined]
    assert "Compared: acute trusts" in svg.read_text(encoding="utf-8")


@pytest.mark.parametrize("peers", ["default", "all"])
def test_region_level_funnels_are_unchanged_by_peers(store: Store, peers: str) -> None:
    result, _ = funnel_for(store, "ae_4hr", JULY, level="region", peers=peers)  # type: ignore[arg-type]
    assert len(result.points) == 7
