"""Keeping segmentation runs in the store with the policy version and hashes of every input.

A run's id is derived from the framework, the policy's hash, the period and the inputs' hash,
so re-running the same inputs under the same rules replaces the same rows (idempotent) and a
published segmentation can be reproduced and checked later.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from opmodel.oversight.results import SegmentationRun
from opmodel.store import Store

__all__ = ["list_runs", "run_id", "save_run"]


def run_id(run: SegmentationRun) -> str:
    key = f"{run.framework}|{run.policy_sha256}|{run.period}|{run.inputs_sha256}"
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def save_run(store: Store, run: SegmentationRun) -> str:
    """Write (or replace) one run and its results atomically; returns the run id."""
    rid = run_id(run)
    rows = []
    for r in run.results:
        detail = r.as_row()
        scores = {m: {"score": s.score, "source": s.source, "value": s.value, "weight": s.weight,
                      "averaged": s.averaged, "note": s.note} for m, s in r.scores.items()}
        rows.append((rid, r.org_code, r.peer_group, r.period, r.status, r.average_score, r.metric_count,
                     r.unadjusted_segment, r.financial_override, r.adjusted_segment, r.final_segment, r.rank,
                     json.dumps(scores, sort_keys=True), json.dumps(detail, sort_keys=True, default=str)))
    with store.transaction():
        store.execute("DELETE FROM oversight_results WHERE run_id = ?", [rid])
        store.execute("DELETE FROM oversight_runs WHERE run_id = ?", [rid])
        store.execute(
            "INSERT INTO oversight_runs (run_id, framework, policy_version, policy_sha256, period, inputs_sha256, "
            "source_hashes, segment_source, cutoffs, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [rid, run.framework, run.policy_version, run.policy_sha256, run.period, run.inputs_sha256,
             json.dumps(run.source_hashes), run.cutoffs.source, json.dumps(asdict(run.cutoffs)),
             json.dumps(run.warnings)])
        if rows:
            store.con.executemany(
                "INSERT INTO oversight_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    return rid


def list_runs(store: Store, framework: str | None = None, period: str | None = None) -> list[dict[str, Any]]:
    """Stored runs, newest first, with their hashes."""
    return store.rows(
        "SELECT run_id, framework, policy_version, policy_sha256, period, inputs_sha256, segment_source, "
        "created_at, (SELECT count(*) FROM oversight_results r WHERE r.run_id = o.run_id) AS organisations "
        "FROM oversight_runs o WHERE (? IS NULL OR framework = ?) AND (? IS NULL OR period = ?) "
        "ORDER BY created_at DESC", [framework, framework, period, period])
