"""Register: the support and intervention record, many users, access decided by the operating model.

Cases (an organisation's time in segment-3 support, the RSP, the PIP or other
support) with their findings, actions, offers, enforcement steps, exit criteria
and reviews live in a relational database (SQLite by default, PostgreSQL when
``OPMODEL_DATABASE_URL`` says so), migrated by Alembic on open, versioned and
with an append-only history (methodology §1.6, §5; issue 15). The server decides
access on its own date under the model in force; tokens expire and can be
revoked; every mutation locks its case (issue 23).
"""

from opmodel.register.access import (
    ACTIONS,
    AccessDenied,
    Action,
    Decision,
    Gate,
    decide,
    registered_model,
    registered_model_names,
)
from opmodel.register.areas import area_org_codes
from opmodel.register.cases import (
    StaleVersion,
    add_evidence,
    add_item,
    case_history,
    create_case,
    get_case,
    list_cases,
    update_case,
    update_item,
    validate_item,
)
from opmodel.register.database import DATABASE_URL_ENV, Register, database_url, open_register
from opmodel.register.export import CSV_COLUMNS, cases_csv
from opmodel.register.ladder import ENFORCEMENT_LADDER, EnforcementStep, enforcement_step
from opmodel.register.models import (
    LIMITS,
    MAX_CASE_ID,
    CaseCreate,
    CaseUpdate,
    CaseView,
    HistoryEvent,
    ItemKind,
    ItemView,
    Programme,
    Role,
    UserView,
)
from opmodel.register.users import (
    DEFAULT_TOKEN_DAYS,
    MAX_TOKEN_DAYS,
    Session,
    add_user,
    authenticate,
    end_session,
    get_user,
    hash_token,
    list_users,
    renew_user,
    revoke_user,
    session_user,
    start_session,
)
from opmodel.register.workflow import Overdue, Suggestion, overdue, suggest

__all__ = [
    "ACTIONS",
    "CSV_COLUMNS",
    "DATABASE_URL_ENV",
    "DEFAULT_TOKEN_DAYS",
    "ENFORCEMENT_LADDER",
    "LIMITS",
    "MAX_CASE_ID",
    "MAX_TOKEN_DAYS",
    "AccessDenied",
    "Action",
    "CaseCreate",
    "CaseUpdate",
    "CaseView",
    "Decision",
    "EnforcementStep",
    "Gate",
    "HistoryEvent",
    "ItemKind",
    "ItemView",
    "Overdue",
    "Programme",
    "Register",
    "Role",
    "Session",
    "StaleVersion",
    "Suggestion",
    "UserView",
    "add_evidence",
    "add_item",
    "add_user",
    "area_org_codes",
    "authenticate",
    "case_history",
    "cases_csv",
    "create_case",
    "database_url",
    "decide",
    "end_session",
    "enforcement_step",
    "get_case",
    "get_user",
    "hash_token",
    "list_cases",
    "list_users",
    "open_register",
    "overdue",
    "registered_model",
    "registered_model_names",
    "renew_user",
    "revoke_user",
    "session_user",
    "start_session",
    "suggest",
    "update_case",
    "update_item",
    "validate_item",
]
