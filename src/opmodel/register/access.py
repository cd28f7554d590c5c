"""Who may do what to which organisation's cases, decided by the operating model in force on the date.

The rules follow the lines the model draws (methodology §5, §6.2, §6.4): the body
that performance-manages an organisation opens and changes its cases (a region
under nhs-2025, the ICB under nhs-2022); the ICB that commissions a provider
reads its cases and adds contract actions; the region it sits in reads them; a
trust reads its own cases and adds evidence to their actions; NHS England
national may do everything. Viewers only read. Changing the model or the date
changes the answer because every line is looked up afresh.

For a provider whose model states ``support_cases``, writing follows who leads each
programme instead (issue 24): under NOF 2022/23 the region leads mandated support and,
with NHS England national, the RSP, while the ICB leads local support only.

The server decides (issue 23, item 1): a :class:`Gate` decides on its own date
(the server's today) under the model in force then; no request parameter
chooses either. :func:`decide` can explain another date or model for a
read-only view, and names a model only from the registered (shipped) ones, so
a name is never read as a file path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from opmodel.accountability import (
    OperatingModel,
    case_leads,
    performance_manager,
    resolve_model,
    shipped_models,
    tier_body,
    who,
)
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.register.models import Role, UserView
from opmodel.store import Store
from opmodel.structure import get_organisation

__all__ = ["ACTIONS", "AccessDenied", "Action", "Decision", "Gate", "decide", "registered_model",
           "registered_model_names"]

Action = Literal["read", "write", "contract_action", "evidence"]
ACTIONS: tuple[Action, ...] = ("read", "write", "contract_action", "evidence")


class Decision(BaseModel):
    """The answer to "may USER do ACTION to ORG's cases on ON?", with the reason in words."""

    allowed: bool
    user: str
    user_org: str
    role: str
    org_code: str
    action: str
    on: dt.date
    model: str
    relation: str
    reason: str
    programme: str | None = None
    leads: list[str] = []


class AccessDenied(OpmodelError):
    """Refused by the access policy (HTTP 403); ``decision.reason`` says why."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(decision.reason)


def registered_model_names() -> list[str]:
    """The names a caller may choose a model by: the registered (shipped) models, never a path."""
    return [m.name for m in shipped_models()]


def registered_model(name: str) -> OperatingModel:
    """The registered model called ``name``; nothing is opened for any other string (no file paths)."""
    for m in shipped_models():
        if m.name == name:
            return m
    raise UnknownCodeError("operating model", name[:60], registered_model_names())


def _tier_body(store: Store, model: OperatingModel, org: str, tier: str, on: dt.date) -> str | None:
    try:
        return tier_body(store, model, org, tier, on)
    except OpmodelError:
        return None


def _relation(store: Store, model: OperatingModel, user_org: str, org: str, on: dt.date) -> tuple[str, str | None]:
    """How ``user_org`` stands to ``org`` under ``model`` on ``on``, and who performance-manages ``org``."""
    if get_organisation(store, user_org).kind == "national":
        return "national", None
    pm = performance_manager(store, org, on, model)
    if pm == user_org:
        return "performance_manager", pm
    if user_org == org:
        return "self", pm
    if _tier_body(store, model, org, "icb", on) == user_org:
        try:
            commissioners = {f.commissioned_by for f in who(store, org, on, model=model).functions}
        except OpmodelError:
            commissioners = set()
        return ("commissioner" if user_org in commissioners else "icb"), pm
    if _tier_body(store, model, org, "region", on) == user_org:
        return "region", pm
    return "none", pm


_ALLOWED: dict[str, set[str]] = {
    "national": {"read", "write", "contract_action", "evidence"},
    "performance_manager": {"read", "write", "contract_action", "evidence"},
    "self": {"read", "evidence"},
    "commissioner": {"read", "contract_action"},
    "icb": {"read"},
    "region": {"read"},
    "none": set(),
}

_WHO = {
    "national": "{u} is NHS England national, which may act on every organisation",
    "performance_manager": "{u} performance-manages {o} on {d} under {m}",
    "self": "{u} is the organisation itself: its users read its cases and add evidence to their actions",
    "commissioner": "{u} is {o}'s ICB and commissions it under {m}: it reads its cases and adds contract actions",
    "icb": "{u} is {o}'s ICB under {m} but neither performance-manages nor commissions it: it reads its cases",
    "region": "{u} is {o}'s region under {m} but does not performance-manage it on {d}: it reads its cases",
    "none": "{u} has no oversight or contract line to {o} under {m} on {d}",
}


# --- Issue 24: writing a provider's cases follows who leads each programme in the model -------------------
def _programme_rule(store: Store, m: OperatingModel, user_org: str, org: str, on: dt.date,
                    programme: str | None) -> tuple[bool, str, list[str]] | None:
    """(allowed, reason, programmes the user leads) from the model's ``support_cases``; None if it has none.

    With no programme (an organisation-level question) the user may write if it leads any programme.
    """
    leads = case_leads(store, org, on, m)
    if leads is None:
        return None
    mine = sorted(p for p, codes in leads.items() if user_org in codes)
    if programme is not None:
        codes = leads.get(programme, [])
        if user_org in codes:
            return True, f"{user_org} leads {org}'s {programme} cases under {m.name}", mine
        led = ", ".join(codes) or "nobody below NHS England national"
        return (False, f"{org}'s {programme} cases are led by {led} under {m.name}"
                + (f"; {user_org} leads only its {', '.join(mine)} cases" if mine else ""), mine)
    if mine:
        return True, f"{user_org} leads {org}'s {', '.join(mine)} cases under {m.name}", mine
    return False, f"{user_org} leads none of {org}'s support cases under {m.name}", mine
# ---------------------------------------------------------------------------------------------------------


def decide(store: Store, user: UserView, org_code: str, action: Action, on: dt.date,
           model: OperatingModel | str | None = None, programme: str | None = None) -> Decision:
    """Decide one request; never raises for a refusal (see :class:`Gate` for that).

    ``programme`` is the case's programme (``other``, ``segment_3_support``, ``rsp``, ``pip``) when the
    request is about one case; writing a provider's cases depends on it where the model says who leads what.

    ``model`` (a registered name) explains the answer under another model; only a :class:`Gate`
    (today, the model in force) authorises anything.
    """
    if action not in ACTIONS:
        raise OpmodelError(f"Unknown action '{action}'; expected one of {', '.join(ACTIONS)}.")
    if isinstance(model, OperatingModel):
        m = model
    else:
        m = registered_model(model) if model is not None else resolve_model(store, on)
    org = get_organisation(store, org_code).code
    relation, pm = _relation(store, m, user.org_code, org, on)
    allowed = action in _ALLOWED[relation]
    why = _WHO[relation].format(u=user.org_code, o=org, d=on.isoformat(), m=m.name)
    if relation not in ("national", "performance_manager") and pm:
        why += f"; {pm} performance-manages {org}"
    leads: list[str] = []
    rule = None if relation in ("national", "none") or action not in ("write", "evidence") else _programme_rule(
        store, m, user.org_code, org, on, programme)
    if rule is not None:
        led, led_why, leads = rule
        if action == "write":
            why = f"{why}; {led_why}" if led and relation == "performance_manager" else led_why
            allowed = led
        elif led and not allowed:   # a body that leads the case may add evidence to its actions
            allowed, why = True, led_why
    if allowed and action != "read" and user.role == Role.VIEWER:
        allowed, why = False, f"{user.name} has the viewer role, which only reads ({why})"
    verdict = "granted" if allowed else "refused"
    reason = f"{action} {verdict}: {why}."
    return Decision(allowed=allowed, user=user.name, user_org=user.org_code, role=user.role.value, org_code=org,
                    action=action, on=on, model=m.name, relation=relation, reason=reason, programme=programme,
                    leads=leads)


@dataclass
class Gate:
    """The access policy for one request: decided on ``on`` (the server's today; only trusted local
    callers and tests pass another) under the operating model in force on that date."""

    store: Store
    on: dt.date = field(default_factory=dt.date.today)
    _memo: dict[tuple[str, str, str, str, str | None], Decision] = field(default_factory=dict, init=False, repr=False)
    _model: OperatingModel | None = field(default=None, init=False, repr=False)

    @property
    def model(self) -> OperatingModel:
        """The model in force on the gate's date (what every decision and history event names)."""
        if self._model is None:
            self._model = resolve_model(self.store, self.on)
        return self._model

    def decide(self, user: UserView, org_code: str, action: Action, programme: str | None = None) -> Decision:
        key = (user.name, user.role.value, org_code, action, programme)
        if key not in self._memo:
            self._memo[key] = decide(self.store, user, org_code, action, self.on, self.model, programme)
        return self._memo[key]

    def require(self, user: UserView, org_code: str, action: Action, programme: str | None = None) -> Decision:
        d = self.decide(user, org_code, action, programme)
        if not d.allowed:
            raise AccessDenied(d)
        return d
