"""Register users: a name, an organisation, a role and a bearer token shown once, stored hashed, with a life.

Tokens are 256 random bits, so a plain SHA-256 is enough to make a stolen
database useless for signing in (no salt or slow hash is needed for random
secrets, unlike passwords). Every token expires (90 days unless the admin says
otherwise) and can be revoked at once; renewing issues a new token for the same
user, so the history keeps one name per person (issue 23, item 5).

Browsers do not keep the token: signing in opens a server-side session whose
random id is the cookie (stored hashed too) and which carries its own CSRF
secret; it ends at sign-out, at its own expiry, or when the user's token expires
or is revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from opmodel.errors import OpmodelError
from opmodel.register.database import Register
from opmodel.register.models import Role, UserView
from opmodel.register.tables import sessions, users
from opmodel.store import Store
from opmodel.structure import get_organisation

__all__ = [
    "DEFAULT_TOKEN_DAYS",
    "MAX_TOKEN_DAYS",
    "SESSION_HOURS",
    "Session",
    "add_user",
    "authenticate",
    "end_session",
    "get_user",
    "hash_token",
    "list_users",
    "renew_user",
    "revoke_user",
    "session_user",
    "start_session",
]

#: A token's life when ``users add`` is not told otherwise, and the longest it may be given.
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 366
#: A browser session's life (a working day); it never outlives the user's token.
SESSION_HOURS = 12
_MAX_TOKEN_CHARS = 200


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else (value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value)


def _view(row: Any) -> UserView:
    return UserView.model_validate(row, from_attributes=True)


def _expiry(days: int) -> dt.datetime:
    if not 1 <= days <= MAX_TOKEN_DAYS:
        raise OpmodelError(f"A token lives from 1 to {MAX_TOKEN_DAYS} days, not {days}.")
    return _now() + dt.timedelta(days=days)


def _new_token() -> str:
    return "opm_" + secrets.token_urlsafe(32)


def add_user(register: Register, store: Store, name: str, org_code: str, role: Role | str = Role.EDITOR,
             days: int = DEFAULT_TOKEN_DAYS) -> tuple[UserView, str]:
    """Create a user of ``org_code`` (which must be in the registry); returns the user and its token,
    which expires after ``days`` days."""
    org = get_organisation(store, org_code)
    role = Role(role)
    name = name.strip()
    if not name or len(name) > 120 or "\x00" in name:
        raise OpmodelError("A user needs a name of 1 to 120 characters.")
    token, now = _new_token(), _now()
    expires = _expiry(days)
    try:
        with register.write() as con:
            new_id = con.execute(insert(users).values(
                name=name, org_code=org.code, role=role.value, token_hash=hash_token(token), created_at=now,
                expires_at=expires)).inserted_primary_key
    except IntegrityError:
        raise OpmodelError(f"A user named '{name}' already exists; choose another name "
                           "(or give them a new token with `opmodel users renew`).") from None
    assert new_id is not None
    return UserView(id=int(new_id[0]), name=name, org_code=org.code, role=role, expires_at=expires), token


def _active(row: Any, now: dt.datetime) -> bool:
    expires = _utc(row.expires_at)
    return row.revoked_at is None and expires is not None and expires > now


def authenticate(register: Register, token: str) -> UserView | None:
    """The user holding ``token`` while it is neither expired nor revoked, or None."""
    if not token or len(token) > _MAX_TOKEN_CHARS:
        return None
    with register.read() as con:
        row = con.execute(select(users).where(users.c.token_hash == hash_token(token))).first()
    return _view(row) if row is not None and _active(row, _now()) else None


def get_user(register: Register, name: str) -> UserView:
    with register.read() as con:
        row = con.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise OpmodelError(f"No register user named '{name}'; add one with `opmodel users add`.")
    return _view(row)


def list_users(register: Register) -> list[UserView]:
    with register.read() as con:
        return [_view(r) for r in con.execute(select(users).order_by(users.c.name))]


def revoke_user(register: Register, name: str) -> UserView:
    """Stop ``name``'s token working now and end their browser sessions (the user and history stay)."""
    user = get_user(register, name)
    with register.write() as con:
        con.execute(update(users).where(users.c.id == user.id, users.c.revoked_at.is_(None))
                    .values(revoked_at=_now()))
        con.execute(delete(sessions).where(sessions.c.user_id == user.id))
    return get_user(register, name)


def renew_user(register: Register, name: str, days: int = DEFAULT_TOKEN_DAYS) -> tuple[UserView, str]:
    """A new token for ``name`` (revoked or expired too): the old one and their sessions stop working."""
    user = get_user(register, name)
    token, expires = _new_token(), _expiry(days)
    with register.write() as con:
        con.execute(update(users).where(users.c.id == user.id).values(
            token_hash=hash_token(token), expires_at=expires, revoked_at=None))
        con.execute(delete(sessions).where(sessions.c.user_id == user.id))
    return get_user(register, name), token


class Session:
    """A signed-in browser: the cookie value (shown once) and the CSRF secret its forms carry."""

    def __init__(self, cookie: str, csrf: str, user: UserView, expires_at: dt.datetime) -> None:
        self.cookie, self.csrf, self.user, self.expires_at = cookie, csrf, user, expires_at


def start_session(register: Register, token: str) -> Session | None:
    """Sign in with a bearer token: a new server-side session, or None when the token is not valid."""
    user = authenticate(register, token)
    if user is None:
        return None
    now = _now()
    expires = min(now + dt.timedelta(hours=SESSION_HOURS), user.expires_at or now)
    cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    with register.write() as con:
        con.execute(delete(sessions).where(sessions.c.expires_at < now))  # tidy: expired sessions are no use
        con.execute(insert(sessions).values(id_hash=hash_token(cookie), user_id=user.id, csrf=csrf, created_at=now,
                                            expires_at=expires))
    return Session(cookie, csrf, user, expires)


def session_user(register: Register, cookie: str) -> tuple[UserView, str] | None:
    """The user and CSRF secret of a live session (its user's token still valid), or None."""
    if not cookie or len(cookie) > _MAX_TOKEN_CHARS:
        return None
    now = _now()
    with register.read() as con:
        row = con.execute(select(sessions.c.csrf, sessions.c.expires_at.label("session_expires"), users)
                          .join(users, users.c.id == sessions.c.user_id)
                          .where(sessions.c.id_hash == hash_token(cookie))).first()
    if row is None or (_utc(row.session_expires) or now) <= now or not _active(row, now):
        return None
    return _view(row), str(row.csrf)


def end_session(register: Register, cookie: str) -> None:
    """Sign out: the session is deleted, so its cookie is worthless even if it was copied."""
    if cookie and len(cookie) <= _MAX_TOKEN_CHARS:
        with register.write() as con:
            con.execute(delete(sessions).where(sessions.c.id_hash == hash_token(cookie)))
