"""Issue 20 item 6: what-if on metric values, rank-only changes, and what it would take to reach a segment."""

from __future__ import annotations

import json

import pytest

from opmodel.errors import OpmodelError
from opmodel.oversight import explain, segment, whatif
from opmodel.store import Store

from ..conftest import Cli

Q3 = "2025-26-Q3"


def test_a_trusts_own_value_moves_it_and_re_scores_the_population(store: Store) -> None:
    """"If our 18-week performance reached 95%": RJ1 moves up; trusts it overtakes on OF1023 move down, some
    in rank only; every changed row carries its ranks before and after."""
    d = whatif(store, Q3, values=["RJ1:OF0023=95"])
    changed = {c["org_code"]: c for c in d["changed"]}
    rj1 = changed["RJ1"]
    assert rj1["average_after"] < rj1["average_before"] and rj1["rank_after"] <= rj1["rank_before"]
    assert all({"rank_before", "rank_after", "change"} <= set(c) for c in d["changed"])
    others = [c for code, c in changed.items() if code != "RJ1"]
    assert others and all(c["average_after"] >= c["average_before"] for c in others)  # overtaken on OF1023
    assert d["rank_only"] == sum(c["change"] == "rank only" for c in d["changed"])
    assert d["values"] == ["RJ1:OF0023=95"] and "never a published result" in d["result_source"]


def test_values_combine_with_settings_and_a_flag_can_be_given(store: Store) -> None:
    base = segment(store, Q3, save=False, link=False).by_org()
    free = next(c for c, r in base.items() if r.peer_group == "acute" and not r.financial_override
                and (r.unadjusted_segment or 9) < 3)
    d = whatif(store, Q3, settings=["drop=OF1086"], values=[f"{free}:OF5004=1"])
    row = next(c for c in d["changed"] if c["org_code"] == free)
    assert row["segment_after"] == 3 and d["settings"] == ["drop=OF1086"]


def test_drop_lists_rank_only_changes(cli: Cli) -> None:
    res = cli("whatif", "--period", Q3, "--set", "drop=OF1086", "--format", "json")
    d = json.loads(res.stdout)  # type: ignore[attr-defined]
    rank_only = [c for c in d["changed"] if c["change"] == "rank only"]
    assert rank_only and all(c["average_before"] == c["average_after"] and c["rank_before"] != c["rank_after"]
                             for c in rank_only)
    table = cli("whatif", "--period", Q3, "--value", "RJ1:OF0023=95")
    assert table.exit_code == 0 and "rank_after" in table.stdout and "RJ1" in table.stdout  # type: ignore[attr-defined]


@pytest.mark.parametrize(("value", "message"), [
    ("RJ1OF0023=95", "expected ORG:METRIC=VALUE"), ("RJ1:OF0023=high", "is not a number"),
    ("ZZZ:OF0023=95", "has no nof-2025-26 inputs for 2025-26-Q3"), ("RJ1:OF9999=1", "is not read by nof-2025-26")])
def test_bad_values_are_refused_clearly(store: Store, value: str, message: str) -> None:
    with pytest.raises(OpmodelError, match=message):
        whatif(store, Q3, values=[value])


def test_nothing_asked_is_refused(store: Store) -> None:
    with pytest.raises(OpmodelError, match="at least one --set"):
        whatif(store, Q3)


def test_to_segment_gives_the_least_value_that_reaches_it(store: Store) -> None:
    """RJZ (computed segment 4): each reachable metric's value brings it to segment 3 when re-run on its own,
    and a value just short of it does not (so it is the least change among the values held)."""
    d = explain(store, "RJZ", Q3, to_segment=3)["to_segment"]
    assert d["segment_now"] == 4 and d["target_segment"] == 3
    reachable = [m for m in d["metrics"] if m["reachable"]]
    assert reachable and "OF1013" in {m["metric"] for m in reachable}
    for m in reachable[:3]:
        hit = whatif(store, Q3, values=[f"RJZ:{m['value_metric']}={m['value_needed']}"])
        assert next(c for c in hit["changed"] if c["org_code"] == "RJZ")["segment_after"] <= 3
        assert m["value_now"] != m["value_needed"]
    a = next(m for m in reachable if m["metric"] == "OF1013")
    short = (a["value_now"] + a["value_needed"]) / 2  # half way there: not enough
    miss = whatif(store, Q3, values=[f"RJZ:OF0013={short}"])
    assert all(c["segment_after"] == 4 for c in miss["changed"] if c["org_code"] == "RJZ")
    cannot = {m["metric"]: m["text"] for m in d["metrics"] if not m["reachable"]}
    assert cannot["OF1014"].startswith("cannot: scored from a published score")
    assert cannot["OF1082"].startswith("cannot: no value held for it")


def test_to_segment_behind_the_financial_override_cannot(store: Store) -> None:
    run = segment(store, Q3, save=False, link=False)
    capped = next(r for r in run.results if r.financial_override and r.unadjusted_segment is not None
                  and r.adjusted_segment == 3 and r.peer_group == "mental_health_community")
    d = explain(store, capped.org_code, Q3, to_segment=2)["to_segment"]
    assert "financial override caps it at segment 3" in d["summary"]
    assert not any(m["reachable"] for m in d["metrics"])
    with pytest.raises(OpmodelError, match="expected a segment 1 to 4"):
        explain(store, "RJZ", Q3, to_segment=5)


def test_to_segment_on_the_command_line(cli: Cli) -> None:
    res = cli("explain", "RJZ", "--period", Q3, "--to-segment", "3")
    out = res.stdout  # type: ignore[attr-defined]
    assert res.exit_code == 0 and "What it would take to reach segment 3" in out and "alone brings it to" in out  # type: ignore[attr-defined]
    assert "Published by NHS England" in out or "published by NHS England" in out
