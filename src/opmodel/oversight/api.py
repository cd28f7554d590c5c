"""The oversight API: segment a quarter, show league tables, explain a result, test changed rules.

The CLI (``opmodel segment|league|explain|whatif``) is a thin layer over these functions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.oversight.engine import run_segmentation
from opmodel.oversight.explain import change_since, explain_result
from opmodel.oversight.inputs import load_inputs
from opmodel.oversight.periods import Period, parse_period
from opmodel.oversight.policy import Policy, apply_settings, load_policy
from opmodel.oversight.results import OrgResult, SegmentationRun
from opmodel.oversight.storage import save_run
from opmodel.store import Store

__all__ = ["attach_operating_model", "explain", "framework_for", "league", "operating_model_link", "segment", "whatif"]


def framework_for(period: Period) -> str:
    """The framework in force for a quarter: ``nof-2025-26`` for 2025-26-Qn."""
    return f"nof-{period.framework_year}"


def _policy(framework: str | None, period: Period, settings: list[str] | None = None) -> Policy:
    policy = load_policy(framework or framework_for(period))
    return apply_settings(policy, settings) if settings else policy


def _run(store: Store, policy: Policy, period: Period) -> SegmentationRun:
    inputs = load_inputs(store, policy, period)
    if not inputs.orgs:
        raise OpmodelError(f"No {policy.framework} inputs for {period.label} in the store: load the NOF dashboard "
                           "CSV for that quarter with `opmodel metrics load FILE`")
    return run_segmentation(policy, inputs)


def segment(store: Store, period: str, framework: str | None = None, peer_group: str | None = None,
            settings: list[str] | None = None, save: bool = True, link: bool = True) -> SegmentationRun:
    """Score and segment every organisation for a quarter; store the run (with hashes) unless ``save=False``."""
    per = parse_period(period)
    policy = _policy(framework, per, settings)
    if peer_group is not None and peer_group not in policy.peer_groups:
        raise UnknownCodeError("peer group", peer_group, list(policy.peer_groups))
    run = _run(store, policy, per)
    if link:
        attach_operating_model(store, run, per.end)
    if save:
        save_run(store, run)
    if peer_group is not None:
        run.results = [r for r in run.results if r.peer_group == peer_group]
    return run


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


def explain(store: Store, org_code: str, period: str, framework: str | None = None) -> dict[str, Any]:
    """The explanation of one organisation's result, with the change since the previous quarter."""
    per = parse_period(period)
    policy = _policy(framework, per)
    run = _run(store, policy, per)
    code = org_code.upper()
    found = run.by_org().get(code)
    if found is None:
        raise UnknownCodeError(f"organisation in {policy.framework} {per.label}", code,
                               sorted(r.org_code for r in run.results if r.org_code[:2] == code[:2])[:5])
    out = explain_result(policy, found, run.cutoffs)
    before, cut_before = None, None
    prev = per.previous()
    try:
        prev_policy = _policy(None if framework_for(prev) != policy.framework else framework, prev)
        prev_inputs = load_inputs(store, prev_policy, prev)
        if prev_inputs.orgs:
            prev_run = run_segmentation(prev_policy, prev_inputs)
            before, cut_before = prev_run.by_org().get(code), prev_run.cutoffs
    except OpmodelError:
        pass
    out["change_since_previous"] = change_since(policy, found, run.cutoffs, before, cut_before)
    out["operating_model"] = operating_model_link(store, code, found.final_segment, per.end)
    out["inputs_sha256"], out["policy_sha256"] = run.inputs_sha256, run.policy_sha256
    return out


def whatif(store: Store, period: str, settings: list[str], framework: str | None = None,
           peer_group: str | None = None) -> dict[str, Any]:
    """Re-run a quarter under changed rules; list the organisations whose segment changes."""
    per = parse_period(period)
    base_policy = _policy(framework, per)
    new_policy = apply_settings(base_policy, settings)
    inputs = load_inputs(store, base_policy, per)
    if not inputs.orgs:
        raise OpmodelError(f"No {base_policy.framework} inputs for {per.label} in the store")
    base_run = run_segmentation(base_policy, inputs)
    base = base_run.by_org()
    new = run_segmentation(new_policy, load_inputs(store, new_policy, per))
    changes = []
    for r in new.results:
        b = base.get(r.org_code)
        if b is None or (peer_group and r.peer_group != peer_group):
            continue
        if (b.adjusted_segment, b.final_segment) != (r.adjusted_segment, r.final_segment):
            changes.append({"org_code": r.org_code, "org_name": r.org_name, "peer_group": r.peer_group,
                            "average_before": b.average_score, "average_after": r.average_score,
                            "adjusted_before": b.adjusted_segment, "adjusted_after": r.adjusted_segment,
                            "final_before": b.final_segment, "final_after": r.final_segment,
                            "rank_before": b.rank, "rank_after": r.rank})
    return {"framework": base_policy.framework, "period": per.label, "settings": settings,
            "policy_sha256_before": base_policy.sha256(), "policy_sha256_after": new_policy.sha256(),
            "cutoffs_before": base_run.cutoffs.values, "cutoffs_after": new.cutoffs.values,
            "cutoffs_source_after": new.cutoffs.source,
            "organisations": len(new.results), "changed": changes, "warnings": new.warnings}
