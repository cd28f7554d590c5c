"""Issue 23: history records the access date and model and stores changes, not whole lists; tokens expire
and can be revoked; browser sessions are server-side.

Existing histories keep working: events written before this revision have no ``decided_on``/``model``
(None), and their list fields (an action's evidence, a review's attendees) are rewritten from whole
lists before and after into the entries ``added`` and ``removed``, which is what they meant; scalar
fields keep ``before``/``after``. Existing users' tokens get an expiry 90 days from the migration, so
nobody is locked out by it but no token lives for ever.

Revision ID: r0002
Revises: r0001
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None

#: Item fields that are lists of entries (see ``opmodel.register.models``).
LIST_FIELDS = ("evidence", "attendees")


def delta(change: dict[str, Any]) -> dict[str, Any]:
    """A ``{"before", "after"}`` change with whole lists turned into ``added``/``removed`` entries."""
    before, after = change.get("before"), change.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return change
    if not any(isinstance(before.get(k), list) or isinstance(after.get(k), list) for k in LIST_FIELDS):
        return change
    out: dict[str, Any] = {k: v for k, v in change.items() if k not in ("before", "after")}
    b = {k: v for k, v in before.items() if k not in LIST_FIELDS}
    a = {k: v for k, v in after.items() if k not in LIST_FIELDS}
    if b or a:
        out["before"], out["after"] = b, a
    for k in LIST_FIELDS:
        old, new = before.get(k) or [], after.get(k) or []
        if not isinstance(old, list) or not isinstance(new, list):
            continue
        added = new[len(old):] if new[:len(old)] == old else [x for x in new if x not in old]
        removed = [] if new[:len(old)] == old else [x for x in old if x not in new]
        if added:
            out.setdefault("added", {})[k] = added
        if removed:
            out.setdefault("removed", {})[k] = removed
    return out


def upgrade() -> None:
    with op.batch_alter_table("support_case_history") as batch:
        batch.add_column(sa.Column("decided_on", sa.Date))
        batch.add_column(sa.Column("model", sa.String(64)))
    with op.batch_alter_table("register_users") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True)))
    op.create_table(
        "register_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("register_users.id"), nullable=False, index=True),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    con = op.get_bind()
    users = sa.table("register_users", sa.column("expires_at", sa.DateTime(timezone=True)))
    con.execute(sa.update(users).where(users.c.expires_at.is_(None))
                .values(expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=90)))
    history = sa.table("support_case_history", sa.column("id", sa.Integer), sa.column("action", sa.String),
                       sa.column("change", sa.JSON))
    rows = con.execute(sa.select(history.c.id, history.c.change).where(
        sa.or_(history.c.action == "add_evidence", history.c.action.like("update_%")))).all()
    for row in rows:
        new = delta(row.change)
        if new != row.change:
            con.execute(sa.update(history).where(history.c.id == row.id).values(change=new))


def downgrade() -> None:
    raise NotImplementedError("the register is append-only; migrations are never reversed")
