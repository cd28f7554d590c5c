"""The oversight API: segment a quarter, show league tables, explain a result, test changed rules.

The CLI (``opmodel segment|league|explain|whatif``) is a thin layer over these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.oversight.engine import run_segmentation
from opmodel.oversight.explain import change_since, explain_result
from opmodel.oversight.inputs import PeriodInputs, load_inputs
from opmodel.oversight.periods import Period, parse_period
from opmodel.oversight.policy import Policy, apply_settings, available_policies, load_policy
from opmodel.oversight.results import OrgResult, SegmentationRun
from opmodel.oversight.storage import save_run
from opmodel.oversight.whatif import whatif
from opmodel.store import Store
from opmodel.store.results import cached

__all__ = ["attach_operating_model", "explain", "framework_for", "group_members", "league", "operating_model_link",
           "periods_held", "region_members", "segment", "whatif"]


def framework_for(period: Period) -> str:
    """The framework in force for a quarter: ``nof-2025-26`` for 2025-26-Qn."""
    return f"nof-{period.framework_year}"


def _policy(framework: str | None, period: Period, settings: list[str] | None = None) -> Policy:
    if framework is None and framework_for(period) not in available_policies():
        years = ", ".join(f"{f} ({f[4:]}-Q1 to Q4)" for f in available_policies())
        raise OpmodelError(f"No oversight framework covers {period.label}: the frameworks held are {years}. "
                           "Choose a period in one of them, or name a policy file with --framework")
    policy = load_policy(framework or framework_for(period))
    return apply_settings(policy, settings) if settings else policy


def periods_held(store: Store, policy: Policy, org_code: str | None = None) -> list[str]:
    """The quarters for which the store holds this framework's inputs (for one organisation, when given)."""
    from opmodel.oversight.inputs import needed_metrics

    rows = store.rows(
        "SELECT DISTINCT period_start, period_end FROM metric_values WHERE metric IN (SELECT unnest(?::VARCHAR[])) "
        "AND (? IS NULL OR org_code = ?) ORDER BY 1", [sorted(needed_metrics(policy)), org_code, org_code])
    out = []
    for r in rows:
        start, end = r["period_start"], r["period_end"]
        if start.month in (4, 7, 10, 1) and start.day == 1:
            p = Period(start.year - (start.month < 4), (start.month - 4) % 12 // 3 + 1)
            if p.end == end and framework_for(p) == policy.framework:
                out.append(p.label)
    return out


def _run(store: Store, policy: Policy, period: Period, inputs: PeriodInputs | None = None) -> SegmentationRun:
    """The quarter's run on the computed path, with the headline (published where held) on every result."""
    from opmodel.oversight.headline import attach_headlines

    inputs = inputs if inputs is not None else load_inputs(store, policy, period)
    if not inputs.orgs:
        held = periods_held(store, policy)
        raise OpmodelError(f"No {policy.framework} inputs for {period.label} in the store; it holds "
                           + (", ".join(held) if held else "no quarter of this framework")
                           + ". Load the NOF dashboard CSV (or the statistics it is computed from) for that quarter "
                           "with `opmodel metrics load FILE`")
    run = run_segmentation(policy, inputs)
    attach_headlines(run, inputs, policy)
    return run


def region_members(store: Store, region: str, on: dt.date) -> set[str]:
    """The trusts the register places in NHS England region ``region`` (e.g. Y56) on ``on``; a clear error
    naming the regions when the code is not one."""
    from opmodel.structure import list_organisations

    regions = {str(r["code"]): str(r["name"]) for r in list_organisations(store, kind="region", on=on)}
    code = region.strip().upper()
    if code not in regions:
        raise UnknownCodeError(f"NHS England region on {on.isoformat()}", region, sorted(regions))
    return {str(t["code"]) for t in list_organisations(store, kind="trust", on=on, region=code)}


@cached("oversight.segment", depends=("structure", "metrics"), errors=(OpmodelError,))  # issue 25: kept per version
def segment(store: Store, period: str, framework: str | None = None, peer_group: str | None = None,
            settings: list[str] | None = None, save: bool = True, link: bool = True,
            compare: str | None = None, use_published_scores: bool = False,
            region: str | None = None) -> SegmentationRun:
    """Score and segment every organisation for a quarter; store the run (with hashes) unless ``save=False``.

    Every result carries its ``headline`` (NHS England's published result where held, else this computed
    one) and the agreement between them (issue 20). ``compare="published"`` also puts the published figures
    beside each computed result (``OrgResult.comparison``) with a summary in ``run.comparison`` (issue 11).
    ``peer_group`` and ``region`` (an NHS England region code, placed on the quarter's last day) filter the
    results shown; the whole population is always scored and segmented.
    """
    per = parse_period(period)
    if use_published_scores:
        settings = [*(settings or []), "use_published_scores=true"]
    policy = _policy(framework, per, settings)
    if peer_group is not None and peer_group not in policy.peer_groups:
        raise UnknownCodeError("peer group", peer_group, list(policy.peer_groups))
    if peer_group is not None and (why := policy.not_segmented(peer_group)) is not None:
        raise OpmodelError(f"Peer group {peer_group} under {policy.framework}: {why}")
    if compare not in (None, "published"):
        raise OpmodelError(f"--compare {compare!r}: the only comparison is 'published'")
    members = region_members(store, region, per.end) if region is not None else None
    inputs = load_inputs(store, policy, per)
    run = _run(store, policy, per, inputs)
    run.group_members = group_members(store, policy, per.end)
    if compare == "published":
        from opmodel.oversight.compare import compare_published

        run.comparison = compare_published(run, inputs, policy)
    if link:
        attach_operating_model(store, run, per.end)
    if save:
        save_run(store, run)
    if peer_group is not None:
        run.results = [r for r in run.results if r.peer_group == peer_group]
    if members is not None:
        run.full_coverage = run.coverage  # the quarter's coverage, not the region's slice of it
        run.results = [r for r in run.results if r.org_code in members]
    return run


def group_members(store: Store, policy: Policy, on: dt.date) -> dict[str, list[str]]:
    """Peer group -> the trusts the register places in it on ``on`` (by ``registry_subtype``), for coverage."""
    from opmodel.structure import list_organisations

    out: dict[str, list[str]] = {}
    for t in list_organisations(store, kind="trust", on=on):
        g = policy.group_for_subtype(t.get("subtype"))
        if g is not None and policy.peer_groups[g].segmented:
            out.setdefault(g, []).append(str(t["code"]))
    return {g: sorted(codes) for g, codes in out.items()}


def attach_operating_model(store: Store, run: SegmentationRun, on: dt.date) -> None:
    """Name, on every result, the body that performance-manages it and what its segment brings (§6.4)."""
    try:
        from opmodel.accountability import performance_managers, resolve_model
    except ImportError:  # pragma: no cover - the accountability area ships with opmodel
        return
    try:
        model = resolve_model(store, on)
        managers = performance_managers(store, on, model=model)
    except OpmodelError:
        return
    steps = {s.segment: s for s in model.support_ladder.segments}
    for r in run.results:
        step = steps.get(r.final_segment) if r.final_segment is not None else None
        r.operating_model = {"model": model.name, "on": on.isoformat(),
                             "performance_manager": managers.get(r.org_code),
                             "support": None if step is None else step.support,
                             "support_delivered_by_tier": None if step is None else step.delivered_by,
                             "programme": None if step is None else step.programme}


def league(run: SegmentationRun, peer_group: str | None = None) -> list[OrgResult]:
    """League-table order (§2): by peer group, then rank; unsegmented organisations last."""
    rows = [r for r in run.results if peer_group is None or r.peer_group == peer_group]
    return sorted(rows, key=lambda r: (r.peer_group, r.rank is None, r.rank or 0, r.org_code))


def operating_model_link(store: Store, org_code: str, segment_no: int | None, on: dt.date) -> dict[str, Any]:
    """Who acts on the result on that date and the support its segment brings (issue 5, requirement 5).

    Read from the operating model in force on ``on`` (the accountability area), so the same segment
    names the ICB under the 2022 model and the NHS England region under the 2025 one (methodology §6.4).
    """
    try:
        from opmodel.accountability import performance_manager, resolve_model, segment_support, support_body
    except ImportError:  # pragma: no cover - the accountability area ships with opmodel
        return {"available": False, "note": "the accountability model is not installed"}
    try:
        model = resolve_model(store, on)
        manager = performance_manager(store, org_code, on, model=model)
        out: dict[str, Any] = {"available": True, "on": on.isoformat(), "model": model.name,
                               "performance_manager": manager, "performance_manager_name": _name(store, manager)}
        if segment_no is not None:
            step = segment_support(model, segment_no)
            body = support_body(store, model, segment_no, org_code, on)
            out["support"] = {"segment": step.segment, "meaning": step.meaning, "support": step.support,
                              "delivered_by_tier": step.delivered_by, "delivered_by": body,
                              "delivered_by_name": _name(store, body), "programme": step.programme,
                              "mandated": step.mandated}
        return out
    except OpmodelError as exc:
        return {"available": False, "on": on.isoformat(), "note": f"operating model not resolved: {exc}"}


def _name(store: Store, code: str | None) -> str | None:
    if code is None:
        return None
    name = store.scalar("SELECT name FROM organisations WHERE code = ?", [code])
    return None if name is None else str(name)


def explain(store: Store, org_code: str, period: str, framework: str | None = None,
            to_segment: int | None = None) -> dict[str, Any]:
    """The explanation of one organisation's result, with the change since the previous quarter.

    ``to_segment``: also, per metric, the value that alone would bring it to that segment (``reach``).
    """
    per = parse_period(period)
    policy = _policy(framework, per)
    if to_segment is not None and to_segment not in (1, 2, 3, 4):
        raise OpmodelError(f"--to-segment {to_segment}: expected a segment 1 to 4 (segment 5 is the RSP/PIP, "
                           "entered by decision, not by scores)")
    # The quarter's run as every page and command has it (kept in the store), not segmented again (issue 25).
    run = segment(store, per.label, framework, save=False, link=False)
    code = org_code.upper()
    found = run.by_org().get(code)
    if found is None:
        name = store.scalar("SELECT name FROM organisations WHERE code = ?", [code])
        held = periods_held(store, policy, code)
        if name is not None or held:
            raise OpmodelError(f"{code} ({name or 'name not in the register'}) has no {policy.framework} result for "
                               f"{per.label}: " + (f"it has results for {', '.join(held)}" if held else
                                                   "the store holds no oversight inputs for it in any quarter"))
        raise UnknownCodeError(f"organisation in {policy.framework} {per.label}", code,
                               sorted(r.org_code for r in run.results if r.org_code[:2] == code[:2])[:5])
    out = explain_result(policy, found, run.cutoffs)
    if found.headline is not None:
        out["headline"], out["agreement"] = found.headline.as_dict(), found.headline.agreement.as_dict()
    if to_segment is not None:
        from opmodel.oversight.reach import to_segment as reach

        out["to_segment"] = reach(policy, load_inputs(store, policy, per), found, to_segment)
    before, cut_before = None, None
    prev = per.previous()
    try:  # the previous quarter under its own framework (this one's file when it is the same framework)
        prev_run = segment(store, prev.label, None if framework_for(prev) != policy.framework else framework,
                           save=False, link=False)
        before, cut_before = prev_run.by_org().get(code), prev_run.cutoffs
    except OpmodelError:  # no inputs for it (or no framework): no change to explain
        pass
    out["change_since_previous"] = change_since(policy, found, run.cutoffs, before, cut_before)
    out["operating_model"] = operating_model_link(store, code, found.final_segment, per.end)
    out["inputs_sha256"], out["policy_sha256"] = run.inputs_sha256, run.policy_sha256
    return out
