"""Issue 25 item 1: the CLI imports only what the command run needs."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from opmodel.cli.lazy import load_command
from opmodel.cli.main import COMMANDS, app

#: Libraries that cost tenths of a second to import and that neither `--help` nor a lookup needs.
HEAVY = ("pandas", "pyarrow", "scipy", "ibis", "altair", "weasyprint", "numpy", "sqlalchemy", "pptx",
         "openpyxl", "python_calamine", "vl_convert", "fastapi", "jinja2")

_PROBE = """
import json, sys
sys.argv = ["opmodel", *sys.argv[1:]]
from opmodel.cli.main import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stdout.flush()
sys.stderr.write("\\nPROBE " + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""


def _run(*args: str, store: Path | None = None) -> tuple[int, set[str], str]:
    """Run ``opmodel ARGS`` in a fresh interpreter; its exit code, modules imported and output."""
    cmd = [sys.executable, "-c", _PROBE, *(["--store", str(store)] if store else []), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    line = next(x for x in reversed(done.stderr.splitlines()) if x.startswith("PROBE "))
    found = json.loads(line.removeprefix("PROBE "))
    return int(found["code"] or 0), set(found["modules"]), done.stdout


def test_help_imports_no_command_and_no_heavy_library() -> None:
    code, modules, out = _run("--help")
    assert code == 0
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))
    assert "duckdb" not in modules  # not even the store: help needs none
    for name in COMMANDS:
        assert f" {name} " in out, name


@pytest.mark.parametrize("args", [("who", "RJ1"), ("org", "show", "RJ1"),
                                  ("metrics", "show", "ae_4hr", "--org", "RJ1", "--from", "2025-06")])
def test_lookups_import_no_heavy_library(args: tuple[str, ...], store_path: Path) -> None:
    code, modules, out = _run(*args, store=store_path)
    assert code == 0, out
    assert "RJ1" in out or "Guy's" in out
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_who_parses_one_model_and_imports_neither_the_checks_nor_fuzzy_matching(store_path: Path) -> None:
    """``who`` needs the engine and the model in force: not the checks, diff, scenarios or diagrams, and no
    rapidfuzz unless a code is mistyped (issue 25: each cost tens of milliseconds a call)."""
    code, modules, out = _run("who", "RJ1", "--function", "elective_care", store=store_path)
    assert code == 0 and "QKK" in out, out
    assert "opmodel.accountability.engine" in modules
    unused = {"opmodel.accountability.checks", "opmodel.accountability.diff", "opmodel.accountability.scenario",
              "opmodel.accountability.diagrams", "rapidfuzz"}
    assert not modules & unused, sorted(modules & unused)
    code, modules, out = _run("who", "RJ11", store=store_path)
    assert code != 0 and "rapidfuzz" in modules  # a miss still suggests codes


def _first_paragraph(text: str | None) -> str:
    return inspect.cleandoc(text or "").split("\n\n")[0].strip()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_registry_line_matches_the_command(name: str) -> None:
    """Each registered command loads, under its name, and the help line listed for it is its own."""
    lazy = COMMANDS[name]
    command = load_command(name, lazy)
    assert command.name == name
    if lazy.help is not None:
        assert lazy.help == _first_paragraph(command.help), f"update COMMANDS[{name!r}].help in cli/main.py"


def test_help_without_a_registered_line_imports_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command registered without its help line is still listed, with its own help (imported)."""
    from opmodel.cli import main
    from opmodel.cli.lazy import Lazy

    monkeypatch.setitem(main.COMMANDS, "overview", Lazy("opmodel.cli.overview:overview"))
    out = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert "The national structure on a date" in out


def test_group_lists_every_command_in_registry_order() -> None:
    root = typer.main.get_command(app)
    assert isinstance(root, typer.core.TyperGroup)
    assert list(root.commands)[:len(COMMANDS)] == list(COMMANDS)
    assert root.commands["org"].name == "org"
    with pytest.raises(KeyError):
        root.commands["no-such-command"]


def test_unknown_command_is_a_usage_error_naming_it() -> None:
    result = CliRunner().invoke(app, ["segmnt"])
    assert result.exit_code == 2
    assert "segmnt" in result.output
