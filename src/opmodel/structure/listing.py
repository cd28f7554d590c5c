"""Whole-registry listings the views need: every organisation (for search), an organisation's
parents over time, and its peers on a date. Kept here so no view writes SQL of its own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from opmodel.store import Store
from opmodel.structure.queries import get_organisation, list_organisations

__all__ = ["all_organisations", "parent_history", "peer_codes"]


def all_organisations(store: Store) -> list[dict[str, Any]]:
    """Every organisation ever registered: code, name, kind, open and close dates (closed ones too,
    so a search can still find them and say they closed)."""
    return store.rows("SELECT code, name, kind, subtype, open_date, close_date FROM organisations ORDER BY code")


def parent_history(store: Store, code: str) -> list[dict[str, Any]]:
    """Every parent ``code`` has had, oldest first: parent code, name and kind, relation and dates."""
    org = get_organisation(store, code)
    return store.rows(
        "SELECT r.parent, o.name, o.kind, r.rel, r.valid_from, r.valid_to FROM relationships r "
        "JOIN organisations o ON o.code = r.parent WHERE r.child = ? ORDER BY r.valid_from, r.parent",
        [org.code],
    )


def peer_codes(store: Store, code: str, on: dt.date) -> set[str]:
    """The organisations ``code`` is compared with on ``on``: trusts of the same subtype, or all ICBs."""
    org = get_organisation(store, code)
    if org.kind.value == "icb":
        return {r["code"] for r in list_organisations(store, kind="icb", on=on)}
    return {r["code"] for r in list_organisations(store, kind="trust", on=on) if r["subtype"] == org.subtype}
