#!/usr/bin/env python3
"""Generate docs/cli-reference.md from the commands' own ``--help`` (checked by tests/test_docs.py).

Run after changing a command:  .venv/bin/python scripts/gen_cli_reference.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer.main
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "docs/cli-reference.md"
WIDTH = "100"


def _commands(group: object, path: list[str]) -> list[list[str]]:
    out = [path]
    children = getattr(group, "commands", None) or {}
    for name in sorted(children):
        out.extend(_commands(children[name], [*path, name]))
    return out


def render() -> str:
    os.environ["TERMINAL_WIDTH"] = WIDTH
    os.environ["COLUMNS"] = WIDTH
    os.environ.pop("FORCE_COLOR", None)
    from opmodel.cli.main import app

    root = typer.main.get_command(app)
    runner = CliRunner()
    parts = ["# CLI reference", "",
             "Generated from each command's `--help` by `scripts/gen_cli_reference.py`; "
             "`tests/test_docs.py` fails when it is out of date.", ""]
    for path in _commands(root, []):
        result = runner.invoke(app, [*path, "--help"], env={"TERMINAL_WIDTH": WIDTH, "COLUMNS": WIDTH})
        text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip()
        parts += [f"## opmodel {' '.join(path)}".rstrip(), "", "```text", text, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    content = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.exists() and TARGET.read_text() == content else 1)
    TARGET.write_text(content)
    print(f"wrote {TARGET}")
