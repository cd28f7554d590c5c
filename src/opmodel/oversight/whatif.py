"""What-if: re-run a quarter with changed rules (``--set``) or changed metric values (``--value``).

Both runs are on the computed path, so a change reaches every computed trust (issue 11 item 6). A changed
value re-scores the whole population (a ranked metric moves other trusts' positions too, methodology §1.3),
so ``changed`` lists every trust whose average, segment *or* rank moves, with ``rank_before``/``rank_after``
(issue 20 item 6). A what-if result is never published: it is always labelled computed.
"""

from __future__ import annotations

from typing import Any

from opmodel.errors import OpmodelError
from opmodel.oversight.engine import run_segmentation
from opmodel.oversight.inputs import InputValue, PeriodInputs, load_inputs, needed_metrics
from opmodel.oversight.periods import parse_period
from opmodel.oversight.policy import Policy, apply_settings

__all__ = ["apply_values", "parse_value", "whatif"]


def parse_value(text: str) -> tuple[str, str, float | None]:
    """``RJ1:OF0023=95`` -> ("RJ1", "OF0023", 95.0); ``=null`` removes the value (as if not reported)."""
    org, sep, rest = text.partition(":")
    metric, eq, raw = rest.partition("=")
    if not sep or not eq or not org.strip() or not metric.strip():
        raise OpmodelError(f"--value {text!r}: expected ORG:METRIC=VALUE, e.g. RJ1:OF0023=95")
    raw = raw.strip()
    if raw.lower() in ("null", "none", ""):
        return org.strip().upper(), metric.strip().upper(), None
    try:
        return org.strip().upper(), metric.strip().upper(), float(raw)
    except ValueError:
        raise OpmodelError(f"--value {text!r}: VALUE {raw!r} is not a number (or null)") from None


def apply_values(inputs: PeriodInputs, policy: Policy, values: list[str]) -> PeriodInputs:
    """A copy of ``inputs`` with each ``ORG:METRIC=V`` set, marked as given by the user."""
    out = PeriodInputs(period=inputs.period, orgs=dict(inputs.orgs),
                       values={m: dict(v) for m, v in inputs.values.items()},
                       source_hashes=[*inputs.source_hashes, "what-if"])
    known = needed_metrics(policy)
    for text in values:
        org, metric, value = parse_value(text)
        if org not in inputs.orgs:
            near = sorted(c for c in inputs.orgs if c[:2] == org[:2])[:5]
            raise OpmodelError(f"--value {text!r}: {org} has no {policy.framework} inputs for {inputs.period.label}"
                               + (f" (did you mean {', '.join(near)}?)" if near else ""))
        if metric not in known:
            raws = sorted({m.raw for m in policy.metrics.values() if m.raw})
            raise OpmodelError(f"--value {text!r}: {metric} is not read by {policy.framework}; metric values it "
                               f"scores: {', '.join(raws)} (and flags {policy.financial_override.flag_metric}, "
                               f"{policy.segment5.flag_metric})")
        old = out.values.get(metric, {}).get(org)
        out.values.setdefault(metric, {})[org] = InputValue(value, old.rank if old else None, "user", "what-if")
    return out


def _row(b: Any, r: Any) -> dict[str, Any]:
    moved = (b.average_score, b.adjusted_segment, b.final_segment) != (r.average_score, r.adjusted_segment,
                                                                       r.final_segment)
    return {"org_code": r.org_code, "org_name": r.org_name, "peer_group": r.peer_group,
            "average_before": b.average_score, "average_after": r.average_score,
            "segment_before": b.adjusted_segment, "segment_after": r.adjusted_segment,
            "adjusted_before": b.adjusted_segment, "adjusted_after": r.adjusted_segment,
            "final_before": b.final_segment, "final_after": r.final_segment,
            "rank_before": b.rank, "rank_after": r.rank, "rank_of": r.rank_of,
            "change": "average or segment" if moved else "rank only", "result_source": r.result_source}


def whatif(store: Any, period: str, settings: list[str] | None = None, framework: str | None = None,
           peer_group: str | None = None, values: list[str] | None = None) -> dict[str, Any]:
    """Re-run a quarter under changed rules and/or values; list every trust whose average, segment or rank
    changes. When nothing changes, ``note`` says why."""
    from opmodel.oversight.api import _policy, _run, group_members

    settings, values = list(settings or []), list(values or [])
    if not settings and not values:
        raise OpmodelError("whatif: give at least one --set KEY=VALUE or --value ORG:METRIC=VALUE")
    per = parse_period(period)
    base_policy = _policy(framework, per)
    new_policy = apply_settings(base_policy, settings) if settings else base_policy
    inputs = load_inputs(store, base_policy, per)
    if not inputs.orgs:
        _run(store, base_policy, per)  # raises the message naming the quarters held
    base_run = run_segmentation(base_policy, inputs)
    base = base_run.by_org()
    new_inputs = load_inputs(store, new_policy, per) if settings else inputs
    if values:
        new_inputs = apply_values(new_inputs, new_policy, values)
    new = run_segmentation(new_policy, new_inputs)
    new.group_members = group_members(store, new_policy, per.end)
    changes = []
    for r in new.results:
        b = base.get(r.org_code)
        if b is None or (peer_group and r.peer_group != peer_group):
            continue
        if (b.average_score, b.adjusted_segment, b.final_segment, b.rank) != (r.average_score, r.adjusted_segment,
                                                                              r.final_segment, r.rank):
            changes.append(_row(b, r))
    changes.sort(key=lambda c: (c["change"] != "average or segment", c["peer_group"], c["rank_after"] or 0))
    published = sum(r.result_source == "published" for r in new.results)
    note = ""
    if not changes:
        if published == len(new.results):
            note = "every result here is a published one (no metric values held), so nothing can move it"
        elif base_policy.sha256() == new_policy.sha256() and not values:
            note = "the settings leave the policy as it was"
        else:
            note = ("the changes move no average, segment or rank of the computed trusts (e.g. a metric none of "
                    "them holds, a weight equal to its default, or a value that keeps every position)")
    return {"framework": base_policy.framework, "period": per.label, "settings": settings, "values": values,
            "policy_sha256_before": base_policy.sha256(), "policy_sha256_after": new_policy.sha256(),
            "cutoffs_before": base_run.cutoffs.values, "cutoffs_after": new.cutoffs.values,
            "cutoffs_source_after": new.cutoffs.source, "cutoff_pool_after": dict(new.cutoffs.pool),
            "organisations": len(new.results), "published_results_unmoved": published,
            "rank_only": sum(c["change"] == "rank only" for c in changes),
            "coverage": new.coverage_text(), "changed": changes, "note": note, "warnings": new.warnings,
            "result_source": "computed (a what-if is never a published result)"}
