"""``--help`` reads as help, not type hints (issue 16 item 17)."""

from __future__ import annotations

import typer.main
from typer.testing import CliRunner

from opmodel.cli.main import app


def _paths(group: object, path: list[str]) -> list[list[str]]:
    out = [path]
    for name in sorted(getattr(group, "commands", None) or {}):
        out.extend(_paths(group.commands[name], [*path, name]))
    return out


def test_no_command_shows_python_type_labels() -> None:
    runner = CliRunner()
    seen = 0
    for path in _paths(typer.main.get_command(app), []):
        text = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).stdout
        assert "<bool>" not in text, path
        assert "<list[" not in text, path
        seen += 1
    assert seen > 20


def test_repeatable_options_say_so() -> None:
    text = CliRunner().invoke(app, ["spc", "--help"], env={"COLUMNS": "200"}).stdout
    assert "(repeatable)" in text
