"""Comparable providers for funnels and consistency: like with like by default (issue 22, item 5).

A funnel of every provider's A&E 4-hour performance mostly flags the wrong thing: community, mental
health and specialist trusts run minor injury units and walk-in centres (types 2 and 3) that finish
94–99.7% of attendances within 4 hours, so in July 2025 19 of the 20 trusts outside the limits were
such trusts, compared with acute hospitals' major emergency departments. By default an A&E funnel
therefore compares **acute trusts' type 1 (major emergency) departments**: the type 1 measure
(``ae_type1_4hr``), for trusts the registry places in the acute peer group on the period's date.
``peers="all"`` gives every provider on the metric asked for.

Which method a metric's funnel widens its limits with is decided here too: the SHMI is banded by
NHS Digital's own method (``od_method="shmi"``), everything else by Spiegelhalter's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from opmodel.store import Store
from opmodel.variation.funnel import OdMethod

__all__ = ["AE_METRICS", "PeerChoice", "Peers", "comparable_peers", "od_method_for"]

PeerChoice = Literal["default", "all"]
#: A&E metrics whose default funnel is acute trusts' type 1 departments.
AE_METRICS = frozenset({"ae_4hr", "ae_type1_4hr"})
#: Metrics banded with NHS Digital's SHMI method (log scale, 10 per cent trim).
_SHMI_METRICS = frozenset({"shmi"})


@dataclass(frozen=True)
class Peers:
    """Who a funnel compares: the metric drawn, the organisations allowed, and a sentence saying so."""

    id: str
    metric: str
    label: str
    codes: frozenset[str] | None  # None: every provider with a value

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "metric": self.metric, "label": self.label,
                "organisations": None if self.codes is None else len(self.codes)}


def od_method_for(metric: str) -> OdMethod:
    """The over-dispersion method a metric's published banding uses."""
    return "shmi" if metric in _SHMI_METRICS else "spiegelhalter"


def comparable_peers(store: Store, metric: str, on: dt.date, choice: PeerChoice = "default",
                     level: str = "trust") -> Peers:
    """The peers a trust-level funnel of ``metric`` uses on ``on``; every provider unless a default applies."""
    if choice == "default" and level == "trust" and metric in AE_METRICS:
        from opmodel.structure import list_organisations

        acute = frozenset(str(t["code"]) for t in list_organisations(store, kind="trust", on=on)
                          if t.get("subtype") == "acute")
        return Peers("acute_type1", "ae_type1_4hr",
                     "acute trusts' type 1 (major emergency) departments: type 1 attendances only", acute)
    return Peers("all", metric, "every provider with a value", None)
