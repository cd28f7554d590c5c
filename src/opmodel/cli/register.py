"""``opmodel users``, ``opmodel access`` and ``opmodel cases``: thin adapters over :mod:`opmodel.register`.

The command line runs on the server, so it is trusted to manage users; changing a case still
goes through the access policy as a named user (``cases open --as NAME``), decided on today's
date under the model in force, exactly as the API decides it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from opmodel.cli.common import handle_errors, open_cli_store, parse_date, state
from opmodel.cli.output import Format, console, emit_json, emit_rows
from opmodel.errors import OpmodelError

if TYPE_CHECKING:
    from opmodel.register import CaseView, Register, UserView

__all__ = ["cases_app", "register", "users_app"]

users_app = typer.Typer(help="Register users: each belongs to an organisation and holds a bearer token that "
                        "expires.", no_args_is_help=True)
cases_app = typer.Typer(help="Support and intervention cases in the register.", no_args_is_help=True)

FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]
OnOpt = Annotated[str | None, typer.Option("--on", help="Date the access rules are explained on (default today).")]
ModelOpt = Annotated[str | None, typer.Option("--model", help="A registered operating model to explain the rules "
                                              "under, e.g. nhs-2022 (default: the one in force).")]
ExpiresOpt = Annotated[str, typer.Option(
    "--expires", help="When the token stops working: a number of days (1-366) or a date YYYY-MM-DD.")]


def _register() -> Register:
    from opmodel.register import open_register

    return open_register(state.store_path)


def _days(value: str) -> int:
    """``--expires`` as whole days from now: ``90``, ``90d`` or a date (its end, rounded up)."""
    text = value.strip().lower().removesuffix("d")
    if text.isdigit():
        return int(text)
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"expected a number of days or a date YYYY-MM-DD, got {value!r}",
                                 param_hint="--expires") from None
    return (day - dt.date.today()).days


def _user_row(u: UserView) -> dict[str, Any]:
    now = dt.datetime.now(dt.UTC)
    status = ("revoked" if u.revoked_at is not None else
              "expired" if u.expires_at is None or u.expires_at <= now else "active")
    return {"name": u.name, "org_code": u.org_code, "role": u.role.value,
            "expires_on": u.expires_at.date().isoformat() if u.expires_at else None, "status": status}


def _print_token(verb: str, u: UserView, token: str, fmt: Format) -> None:
    if fmt is Format.json:
        emit_json({**_user_row(u), "token": token})
        return
    console.print(f"{verb} {u.name} ({u.role.value}, {u.org_code}); the token works until "
                  f"{u.expires_at:%Y-%m-%d %H:%M} UTC. Token (shown once):" if u.expires_at else f"{verb} {u.name}.")
    console.print(token, markup=False, highlight=False)


@users_app.command("add")
@handle_errors
def users_add(
    name: Annotated[str, typer.Argument(help="A unique user name.")],
    org: Annotated[str, typer.Option("--org", help="ODS code of the user's organisation.")],
    role: Annotated[str, typer.Option("--role", help="viewer, editor or admin.")] = "editor",
    expires: ExpiresOpt = "90",
    fmt: FmtOpt = Format.table,
) -> None:
    """Add a user and print its token once (only a hash is kept); it expires after 90 days unless --expires."""
    from opmodel.register import Role, add_user

    if role not in {r.value for r in Role}:
        raise typer.BadParameter(f"expected viewer, editor or admin, got {role!r}", param_hint="--role")
    days = _days(expires)
    reg = _register()
    try:
        with open_cli_store() as store:
            user, token = add_user(reg, store, name, org, role, days=days)
    finally:
        reg.close()
    _print_token("Added", user, token, fmt)


@users_app.command("revoke")
@handle_errors
def users_revoke(
    name: Annotated[str, typer.Argument(help="The user whose token stops working now.")],
    fmt: FmtOpt = Format.table,
) -> None:
    """Revoke a user's token at once and sign out their browser sessions (their history stays)."""
    from opmodel.register import revoke_user

    reg = _register()
    try:
        user = revoke_user(reg, name)
    finally:
        reg.close()
    if fmt is Format.json:
        emit_json(_user_row(user))
        return
    console.print(f"Revoked {user.name}'s token: it no longer signs in. `opmodel users renew {user.name}` "
                  "issues a new one.", highlight=False, markup=False)


@users_app.command("renew")
@handle_errors
def users_renew(
    name: Annotated[str, typer.Argument(help="The user to give a new token.")],
    expires: ExpiresOpt = "90",
    fmt: FmtOpt = Format.table,
) -> None:
    """Give a user a new token (the old one stops working) with a new expiry."""
    from opmodel.register import renew_user

    days = _days(expires)
    reg = _register()
    try:
        user, token = renew_user(reg, name, days=days)
    finally:
        reg.close()
    _print_token("Renewed", user, token, fmt)


@users_app.command("list")
@handle_errors
def users_list(fmt: FmtOpt = Format.table) -> None:
    """The register's users with their token's expiry and status (never their tokens)."""
    from opmodel.register import list_users

    reg = _register()
    try:
        rows = [_user_row(u) for u in list_users(reg)]
    finally:
        reg.close()
    emit_rows(rows, fmt, ["name", "org_code", "role", "expires_on", "status"])


def _case_id(text: str) -> int:
    from opmodel.register import MAX_CASE_ID

    n = int(text) if text.lstrip("-").isdigit() else 0
    if not 1 <= n <= MAX_CASE_ID:
        raise OpmodelError(f"No support case {text[:40]}; `opmodel cases list` shows them.")
    return n


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
    """Explain what USER may do to CASE (or to an organisation's cases) under the operating model on a date.

    An explanation only: the server decides every change on today's date under the model in force.
    """
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
                row = con.execute(select(cases.c.org_code, cases.c.programme)
                                  .where(cases.c.id == _case_id(case))).first()
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


def _cases(org: str | None, status: str | None, programme: str | None, as_user: str | None, on: str | None,
           region: str | None = None, icb: str | None = None) -> list[CaseView]:
    from opmodel.register import Gate, area_org_codes, get_user, list_cases

    day = parse_date(on)
    reg = _register()
    try:
        user = get_user(reg, as_user) if as_user else None
        only = {org.upper()} if org else None
        if user is None and not (region or icb):  # nothing to look up in the store: do not open it
            return list_cases(reg, None, None, org_codes=only, status=status, programme=programme)
        with open_cli_store() as store:
            codes = area_org_codes(store, day, region, icb)
            if only is not None:
                codes = only if codes is None else codes & only
            return list_cases(reg, Gate(store) if user else None, user, org_codes=codes, status=status,
                              programme=programme)
    finally:
        reg.close()


@cases_app.command("list")
@handle_errors
def cases_list(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation's cases.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Only cases of organisations in this region "
                                               "(e.g. Y56) on --on.")] = None,
    icb: Annotated[str | None, typer.Option("--icb", help="Only cases of organisations in this ICB on --on.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
    programme: Annotated[str | None, typer.Option("--programme", help="segment_3_support, rsp, pip, other.")] = None,
    as_user: Annotated[str | None, typer.Option("--as", help="Only cases this user may read (today, under the "
                                                "model in force).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date for region and ICB membership (default today).")] = None,
    fmt: FmtOpt = Format.table,
) -> None:
    """List support cases."""
    rows = [{"id": c.id, "version": c.version, "org_code": c.org_code, "programme": c.programme.value,
             "status": c.status, "opened_on": c.opened_on, "lead_org": c.lead_org, "closed_on": c.closed_on,
             "items": len(c.items)} for c in _cases(org, status, programme, as_user, on, region, icb)]
    emit_rows(rows, fmt, ["id", "version", "org_code", "programme", "status", "opened_on", "lead_org",
                          "closed_on", "items"])


@cases_app.command("open")
@handle_errors
def cases_open(
    org: Annotated[str, typer.Argument(help="ODS code of the organisation the case is about.")],
    programme: Annotated[str, typer.Option("--programme", help="segment_3_support, rsp, pip or other.")],
    as_user: Annotated[str, typer.Option("--as", help="The register user opening it (their organisation must be "
                                         "allowed to change ORG's cases today).")],
    lead_name: Annotated[str | None, typer.Option("--lead-name", help="The named lead.")] = None,
    summary: Annotated[str | None, typer.Option("--summary", help="Why the case is opened.")] = None,
    trigger_segment: Annotated[int | None, typer.Option("--trigger-segment", help="Segment 1-5 that "
                                                        "triggered it.")] = None,
    trigger_period: Annotated[str | None, typer.Option("--trigger-period", help="Quarter, e.g. 2025-26-Q3.")] = None,
    next_review: Annotated[str | None, typer.Option("--next-review", help="Next review date YYYY-MM-DD.")] = None,
    fmt: FmtOpt = Format.table,
) -> None:
    """Open a support case as a named user (access decided today under the model in force)."""
    from opmodel.register import Gate, create_case, get_user

    body: dict[str, Any] = {"org_code": org, "programme": programme, "lead_name": lead_name, "summary": summary,
                            "trigger_segment": trigger_segment, "trigger_period": trigger_period,
                            "next_review_on": parse_date(next_review, "--next-review") if next_review else None}
    reg = _register()
    try:
        user = get_user(reg, as_user)
        if user.revoked_at is not None or user.expires_at is None or user.expires_at <= dt.datetime.now(dt.UTC):
            raise OpmodelError(f"{user.name}'s token is revoked or expired; `opmodel users renew {user.name}` first.")
        with open_cli_store() as store:
            case = create_case(reg, Gate(store), user, {k: v for k, v in body.items() if v is not None})
    finally:
        reg.close()
    if fmt is Format.json:
        emit_json(case.model_dump(mode="json"))
        return
    console.print(f"Opened case {case.id}: {case.org_code} {case.programme.value}, lead {case.lead_org}, "
                  f"opened {case.opened_on}; version {case.version}.", highlight=False, markup=False)


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

    cid = _case_id(str(case_id))
    local = UserView(id=0, name="local-cli", org_code=NATIONAL_CODE, role=Role.VIEWER)
    reg = _register()
    try:
        with open_cli_store() as store:
            gate = Gate(store)
            case = get_case(reg, gate, local, cid)
            events = case_history(reg, gate, local, cid) if history else []
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
        under = f" [{e.model} on {e.decided_on}]" if e.model else ""
        console.print(f"  #{e.seq} {e.at:%Y-%m-%d %H:%M} {e.actor} ({e.actor_org}) {e.action}{under}: {e.change}",
                      highlight=False, markup=False)


@cases_app.command("export")
@handle_errors
def cases_export(
    out: Annotated[Path | None, typer.Option("--out", help="CSV file to write (default: standard output).")] = None,
    status: Annotated[str | None, typer.Option("--status", help="open or closed.")] = None,
) -> None:
    """Every case as CSV, one row per case (cells a spreadsheet would run as formulas are quoted)."""
    from opmodel.register import cases_csv

    rows = _cases(None, status, None, None, None)
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
