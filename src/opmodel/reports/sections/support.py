"""Support status and open actions. INTEGRATION POINT for the support register (issue 15).

When ``opmodel.support`` (the register) is installed, :func:`support_status` should list the
organisation's open cases (programme, lead, opened date) and overdue milestones from it. Until
then the section says plainly that the register is not available, never an empty "no cases".
"""

from __future__ import annotations

import importlib.util

from opmodel.reports.model import SupportStatus
from opmodel.store import Store

__all__ = ["support_status"]

UNAVAILABLE = "Support register not available in this installation."


def support_status(store: Store, org: str) -> SupportStatus:
    """Open support cases and actions for ``org`` (register not yet wired: see module docstring)."""
    if importlib.util.find_spec("opmodel.support") is None:
        return SupportStatus(available=False, note=UNAVAILABLE)
    # Wire here: cases = opmodel.support.list_cases(..., org_code=org, status="open")
    return SupportStatus(available=False, note=UNAVAILABLE + " (the register is installed but not yet wired "
                                                             "into the board pack)")
