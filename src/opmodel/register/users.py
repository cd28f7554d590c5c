"""Register users: a name, an organisation, a role and a bearer token shown once and stored hashed.

Tokens are 256 random bits, so a plain SHA-256 is enough to make a stolen
database useless for signing in (no salt or slow hash is needed for random
secrets, unlike passwords).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from opmodel.errors import OpmodelError
from opmodel.register.database import Register
from opmodel.register.models import Role, UserView
from opmodel.register.tables import users
from opmodel.store import Store
from opmodel.structure import get_organisation

__all__ = ["add_user", "authenticate", "get_user", "hash_token", "list_users"]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _view(row: object) -> UserView:
    return UserView.model_validate(row, from_attributes=True)


def add_user(register: Register, store: Store, name: str, org_code: str, role: Role | str = Role.EDITOR
             ) -> tuple[UserView, str]:
    """Create a user of ``org_code`` (which must be in the registry); returns the user and its token."""
    org = get_organisation(store, org_code)
    role = Role(role)
    name = name.strip()
    if not name:
        raise OpmodelError("A user needs a name.")
    token = "opm_" + secrets.token_urlsafe(32)
    try:
        with register.write() as con:
            new_id = con.execute(insert(users).values(
                name=name, org_code=org.code, role=role.value, token_hash=hash_token(token),
                created_at=dt.datetime.now(dt.UTC))).inserted_primary_key
    except IntegrityError:
        raise OpmodelError(f"A user named '{name}' already exists; choose another name.") from None
    assert new_id is not None
    return UserView(id=int(new_id[0]), name=name, org_code=org.code, role=role), token


def authenticate(register: Register, token: str) -> UserView | None:
    """The user holding ``token``, or None."""
    with register.read() as con:
        row = con.execute(select(users).where(users.c.token_hash == hash_token(token))).first()
    return None if row is None else _view(row)


def get_user(register: Register, name: str) -> UserView:
    with register.read() as con:
        row = con.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise OpmodelError(f"No register user named '{name}'; add one with `opmodel users add`.")
    return _view(row)


def list_users(register: Register) -> list[UserView]:
    with register.read() as con:
        return [_view(r) for r in con.execute(select(users).order_by(users.c.name))]
