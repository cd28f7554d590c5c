"""The board pack's support section reads the support and intervention register (issue 15 → 17)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from opmodel.register import Gate, add_item, add_user, create_case, open_register
from opmodel.reports.sections.support import support_status
from opmodel.store import open_store


def test_open_cases_and_overdue_actions_reach_the_board_pack(seeded_store_file: Path, tmp_path: Path) -> None:
    path = tmp_path / "store.duckdb"
    shutil.copy(seeded_store_file, path)
    with open_store(path) as store:
        assert support_status(store, "RJ1").cases == []
        reg = open_register(store.path)
        try:
            user, _ = add_user(reg, store, "national-editor", "X24")
            gate = Gate(store, dt.date.today())
            case = create_case(reg, gate, user, {"org_code": "RJ1", "programme": "rsp", "lead_org": "Y56"})
            add_item(reg, gate, user, case.id, "action",
                     {"title": "Recovery plan agreed by the board", "owner": "Chief executive",
                      "due_on": "2025-01-31"})
            add_item(reg, gate, user, case.id, "action",
                     {"title": "Later milestone", "owner": "Chief operating officer", "due_on": "2099-01-31"})
        finally:
            reg.close()
        status = support_status(store, "rj1", today=dt.date(2026, 1, 1))
    assert status.available
    assert "1 open support case(s)" in status.note and "2 open action(s), 1 overdue" in status.note
    (only,) = status.cases
    assert only["programme"] == "Recovery Support Programme" and only["lead_org"] == "Y56"
    actions = only["actions"]
    assert isinstance(actions, list) and actions[0]["overdue"] is True
    assert actions[0]["title"] == "Recovery plan agreed by the board"
