"""What a segmentation reads: one quarter's metric values and dated attributes per organisation.

Inputs come from the metric store (``metric_values``, loaded by ``opmodel metrics load``) or,
for tests and notebooks, straight from reader rows. A value's published rank is its ``rank``
(metric files) or ``league_rank`` (league tables and the third-party Q3 extract), so OF5000
carries the published league rank whichever file it came from. Deficit flags (OF5004), RSP/PIP membership
(OF5007, OF5005) and CQC ratings are loaded like metrics, keyed by the NOF quarter.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from opmodel.metrics.models import MetricRow
from opmodel.oversight.periods import Period
from opmodel.oversight.policy import Policy
from opmodel.store import Store

__all__ = ["InputValue", "OrgInfo", "PeriodInputs", "add_acute_values", "inputs_from_rows", "load_inputs",
           "needed_metrics"]


@dataclass(frozen=True, slots=True)
class InputValue:
    value: float | None
    rank: int | None = None  # published rank within the peer group (used only with --use-published-scores)
    evidence: str | None = None  # "third-party" (a secondary extract), "user" (a what-if), None (the publisher)
    publication: str | None = None  # the publication the value was loaded from (``metric_sources``), if known


@dataclass(slots=True)
class OrgInfo:
    code: str
    name: str
    peer_group: str | None
    region: str | None = None
    evidence: str | None = None  # "third-party" when the inputs come from a secondary extract


@dataclass(slots=True)
class PeriodInputs:
    """Everything one quarter's segmentation depends on; hashed so a result can be reproduced."""

    period: Period
    values: dict[str, dict[str, InputValue]] = field(default_factory=dict)  # metric -> org -> value
    orgs: dict[str, OrgInfo] = field(default_factory=dict)
    source_hashes: list[str] = field(default_factory=list)  # sha256 of every source file used

    def get(self, metric: str, org: str) -> InputValue | None:
        return self.values.get(metric, {}).get(org)

    def value(self, metric: str, org: str) -> float | None:
        v = self.get(metric, org)
        return None if v is None else v.value

    def groups_present(self) -> set[str]:
        return {o.peer_group for o in self.orgs.values() if o.peer_group}

    def sha256(self) -> str:
        """A hash of every input value, rank and organisation's peer group, in a canonical order."""
        h = hashlib.sha256(self.period.label.encode())
        for metric in sorted(self.values):
            for org, v in sorted(self.values[metric].items()):
                h.update(f"|{metric}|{org}|{v.value!r}|{v.rank!r}".encode())
        for code in sorted(self.orgs):
            h.update(f"|org|{code}|{self.orgs[code].peer_group}".encode())
        return h.hexdigest()


def needed_metrics(policy: Policy) -> set[str]:
    """Every metric id the policy may read: scores, raw values, flags and published results."""
    ids: set[str] = set(policy.metrics)
    ids |= {m.raw for m in policy.metrics.values() if m.raw}
    ids |= {policy.financial_override.flag_metric, policy.segment5.flag_metric,
            policy.published.average, policy.published.unadjusted, policy.published.adjusted}
    ids |= set(policy.financial_override.fallback_metrics)
    if policy.segment5.final_metric:
        ids.add(policy.segment5.final_metric)
    for d in policy.domains.values():
        ids |= {x for x in (d.score_metric, d.segment_metric) if x}
    return ids


def _group(policy: Policy, trust_type: str | None, subtype: str | None) -> str | None:
    return (policy.group_for_label(trust_type) if trust_type else None) or policy.group_for_subtype(subtype)


def inputs_from_rows(rows: Iterable[MetricRow], policy: Policy, period: Period,
                     source_hashes: Iterable[str] = (), publication: str | None = None) -> PeriodInputs:
    """Build inputs from reader rows (the same shape the store holds), keeping ``period`` only.

    ``publication`` names where the rows come from (a reader's ``publication``), for the headline."""
    wanted = needed_metrics(policy)
    out = PeriodInputs(period=period, source_hashes=sorted(set(source_hashes)))
    for r in rows:
        if r.period_start != period.start or r.period_end != period.end:
            continue
        extra = r.extra or {}
        if r.org_code not in out.orgs:
            out.orgs[r.org_code] = OrgInfo(r.org_code, r.org_name or str(extra.get("trust_name") or r.org_code),
                                           _group(policy, extra.get("trust_type"), None), extra.get("region"),
                                           extra.get("evidence"))
        elif extra.get("evidence"):
            out.orgs[r.org_code].evidence = extra["evidence"]
        if r.metric in wanted:
            rank = extra.get("rank", extra.get("league_rank"))
            out.values.setdefault(r.metric, {})[r.org_code] = InputValue(
                r.value, int(rank) if rank is not None else None, extra.get("evidence"), publication)
    return out


_SQL = """
SELECT v.metric, v.org_code, v.value,
       TRY_CAST(coalesce(json_extract_string(v.extra, '$.rank'), json_extract_string(v.extra, '$.league_rank'))
                AS DOUBLE) AS rank,
       json_extract_string(v.extra, '$.evidence') AS evidence,
       json_extract_string(v.extra, '$.trust_type') AS trust_type,
       json_extract_string(v.extra, '$.trust_name') AS trust_name,
       json_extract_string(v.extra, '$.region') AS region,
       o.name AS reg_name, o.subtype AS reg_subtype, s.sha256, s.publication, s.file_name
FROM metric_values v
JOIN metric_sources s ON s.source_id = v.source_id
LEFT JOIN organisations o ON o.code = v.org_code
WHERE v.period_start = ? AND v.period_end = ? AND v.metric IN (SELECT unnest(?::VARCHAR[]))
"""


def load_inputs(store: Store, policy: Policy, period: Period) -> PeriodInputs:
    """Read one quarter's inputs from the store in a single query."""
    cur = store.execute(_SQL, [period.start, period.end, sorted(needed_metrics(policy))])
    out = PeriodInputs(period=period)
    hashes: set[str] = set()
    for (metric, org, value, rank, evidence, trust_type, trust_name, region, reg_name, reg_subtype,
         sha, publication, file_name) in cur.fetchall():
        hashes.add(sha)
        info = out.orgs.get(org)
        if info is None:
            info = out.orgs[org] = OrgInfo(org, reg_name or trust_name or org,  # registry house style first
                                           _group(policy, trust_type, reg_subtype), region, evidence)
        elif info.peer_group is None and trust_type:
            info.peer_group = _group(policy, trust_type, reg_subtype)
        info.evidence = info.evidence or evidence
        out.values.setdefault(metric, {})[org] = InputValue(
            None if value is None else float(value), None if rank is None else int(rank), evidence,
            f"{publication}:{file_name}" if publication else file_name)
    out.source_hashes = sorted(hashes)
    add_acute_values(out, policy)
    return out


def add_acute_values(inputs: PeriodInputs, policy: Policy) -> int:
    """Add the shipped derived metric values for the quarter (§3.2, §3.3) where the store has none.

    Only metrics some peer group of the policy reads as a raw value, for organisations in (or new to) that
    peer group; returns the count added. Named for its first use (acute trusts); it adds ambulance OF0017 too.
    """
    from opmodel.oversight.derived_inputs import DERIVED_EVIDENCE, DERIVED_FILE, derived_values

    raws: dict[str, set[str]] = {}
    for gid, pg in policy.peer_groups.items():
        for m in pg.metrics:
            raw = policy.metrics[m].raw
            if raw:
                raws.setdefault(raw, set()).add(gid)
    added = 0
    for metric, per_org in derived_values(inputs.period.label).items():
        if metric not in raws:
            continue
        held = inputs.values.setdefault(metric, {})
        for org, (value, group) in per_org.items():
            if org in held or group not in raws[metric] or group not in policy.peer_groups:
                continue
            held[org] = InputValue(value, None, DERIVED_EVIDENCE, DERIVED_FILE)
            added += 1
            info = inputs.orgs.get(org)
            if info is None:
                inputs.orgs[org] = OrgInfo(org, org, group, None, DERIVED_EVIDENCE)
            elif info.peer_group is None:
                info.peer_group = group
    if added:
        inputs.source_hashes = sorted({*inputs.source_hashes, DERIVED_FILE})
    return added
