"""``opmodel users``, ``opmodel access`` and ``opmodel cases``: thin adapters over :mod:`opmodel.register`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date, state
from opmodel.cli.output import Format, console, emit_json, emit_rows
from opmodel.errors import OpmodelError

if TYPE_CHECKING:
    from opmodel.register import Register

__all__ = ["cases_app", "register", "users_app"]

users_app = typer.Typer(help="Register users: each belongs to an organisation and holds a bearer token.",
                        no_args_is_help=True)
cases_app = typer.Typer(help="Support and intervention cases in the register.", no_args_is_help=True)

FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date the access rules apply on (default today).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="Operating model (default: the one in force).")]


def _register() -> Register:
    from opmodel.register import open_register

    return open_register(state.store_path)


@users_app.command("add")
@handle_errors
def users_add(
    name: Annotated[str, typer.Argument(help="A unique user name.")],
    org: Annotated[str, typer.Option("--org", help="ODS code of the user's organisation.")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "editor",
    fmt: FmtOpt = Format.table,
) -> None:
    """Add a user and print its token once (only a hash is kept)."""
    from opmodel.register import Role, add_user

    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"expected viewer, editor or admin, got {role!r}", param_hint="--role")
    reg = _register()
    try:
        with open_cli_store() as store:
            user, token = add_user(reg, store, name, org, role)
    finally:
        reg.close()
    if fmt is Format.json:
        emit_json({"name": user.name, "org_code": user.org_code, "role": user.role.value, "token": token})
        return
    console.print(f"Added {user.name} ({user.role.value}, {user.org_code}). Token (shown once):")
    console.print(token, markup=False, highlight=False)


@users_app.command("list")
@handle_errors
def users_list(fmt: FmtOpt = Format.table) -> None:
    """The register's users (never their tokens)."""
    from opmodel.register import list_users

    reg = _register()
    try:
        rows = [{"name": u.name, "org_code": u.org_code, "role": u.role.value} for u in list_users(reg)]
    finally:
        reg.close()
    emit_rows(rows, fmt, ["name", "org_code", "role"])


@handle_errors
def access_command(
    user: Annotated[str, typer.Argument(help="A register user name.")],
    case: Annotated[str, typer.Argument(help="A case id, or an organisation's ODS code.")],
    on: OnOpt = None,
    model: ModelOpt = None,
    programme: Annotated[str | None, typer.Option(
        "--programme", help="For an organisation: one programme (other, segment_3_support, rsp, pip).")] = None,
    fmt: FmtOpt = Format.table,
) -> None:
    """Explain what USER may do to CASE (or to an organisation's cases) under the operating model on a date."""
    from sqlalchemy import select

    from opmodel.register import ACTIONS, decide, get_user
    from opmodel.register.tables import cases

    day = parse_date(on)
    reg = _register()
    try:
        u = get_user(reg, user)
        org = case.upper()
        if case.isdigit():
            with reg.read() as con:
                row = con.execute(select(cases.c.org_code, cases.c.programme).where(cases.c.id == int(case))).first()
            if row is None:
                raise OpmodelError(f"No support case {case}; `opmodel cases list` shows them.")
            org, programme = row.org_code, row.programme
        with open_cli_store() as store:
            decisions = [decide(store, u, org, a, day, model, programme) for a in ACTIONS]
    finally:
        reg.close()
    if fmt is Format.json:
        emit_json(decisions)
        return
    d0 = decisions[0]
    console.print(f"[bold]{u.name}[/] ({u.org_code}, {u.role.value}) on {org}'s "
                  f"{programme + ' ' if programme else ''}cases, {day.isoformat()}, model {d0.model}:")
    for d in decisions:
        console.print(f"  {'[green]yes[/]' if d.allowed else '[red]no [/]'} {d.action:<16} {d.reason}",
                      highlight=False)


def _cases(org: str | None, status: str | None, programme: str | None, as_user: str | None, on: str | None
           ) -> list[object]:
    from opmodel.register import Gate, get_user, list_cases

    reg = _register()
    try:
        with open_cli_store() as store:
            user = get_user(reg, as_user) if as_user else None
            gate = Gate(store, parse_date(on))
            return list(list_cases(reg, gate, user, org_codes={org.upper()} if org else None, status=status,
                                   programme=programme))
    finally:
        reg.close()


@cases_app.command("list")
@handle_errors
def cases_list(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's cases.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
    programme: Annotated[str | None, typer.Option("--programme", help="segment_3_support, rsp, pip, other.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Only cases this user may read.")] = None,
    on: OnOpt = None,
    fmt: FmtOpt = Format.table,
) -> None:
    """List support cases."""
    from opmodel.register import CaseView

    rows = []
    for c in _cases(org, status, programme, as_user, on):
        assert isinstance(c, CaseView)
        rows.append({"id": c.id, "version": c.version, "org_code": c.org_code, "programme": c.programme.value,
                     "status": c.status, "opened_on": c.opened_on, "lead_org": c.lead_org,
                     "closed_on": c.closed_on, "items": len(c.items)})
    emit_rows(rows, fmt, ["id", "version", "org_code", "programme", "status", "opened_on", "lead_org",
                          "closed_on", "items"])


@cases_app.command("show")
@handle_errors
def cases_show(
    case_id: Annotated[int, typer.Argument(help="Case id.")],
    history: Annotated[bool, typer.Option("--history", help="Include the change history.")] = False,
    fmt: FmtOpt = Format.table,
) -> None:
    """One case with its plan (and its history with --history)."""
    from opmodel.register import Gate, UserView, case_history, get_case
    from opmodel.register.models import Role
    from opmodel.structure import NATIONAL_CODE

    local = UserView(id=0, name="local-cli", org_code=NATIONAL_CODE, role=Role.VIEWER)
    reg = _register()
    try:
        with open_cli_store() as store:
            gate = Gate(store)
            case = get_case(reg, gate, local, case_id)
            events = case_history(reg, gate, local, case_id) if history else []
    finally:
        reg.close()
    if fmt is Format.json:
        out = case.model_dump(mode="json")
        if history:
            out["history"] = [e.model_dump(mode="json") for e in events]
        emit_json(out)
        return
    console.print(f"[bold]Case {case.id}[/] {case.org_code} {case.programme.value} ({case.status}), "
                  f"opened {case.opened_on}, lead {case.lead_org} {case.lead_name or ''}; version {case.version}")
    for item in case.items:
        console.print(f"  {item.kind.value:<15} {item.data}", highlight=False, markup=False)
    for e in events:
        console.print(f"  #{e.seq} {e.at:%Y-%m-%d %H:%M} {e.actor} ({e.actor_org}) {e.action}: {e.change}",
                      highlight=False, markup=False)


@cases_app.command("export")
@handle_errors
def cases_export(
    out: Annotated[Path | None, typer.Option("--out", help="CSV file to write (default: standard output).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
) -> None:
    """Every case as CSV, one row per case."""
    from opmodel.register import CaseView, cases_csv

    rows = [c for c in _cases(None, status, None, None, None) if isinstance(c, CaseView)]
    text = cases_csv(rows)
    if out is None:
        typer.echo(text, nl=False)
        return
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    console.print(f"Wrote {len(rows)} case(s) to {out}")


def register(app: typer.Typer) -> None:
    """Attach ``users``, ``cases`` and ``access`` to the root command."""
    app.add_typer(users_app, name="users")
    app.add_typer(cases_app, name="cases")
    app.command("access")(access_command)
