"""Docs are tests: the CLI reference must match the commands' own --help."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_cli_reference", ROOT / "scripts/gen_cli_reference.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_current() -> None:
    expected = _generator().render()
    actual = (ROOT / "docs/cli-reference.md").read_text()
    assert actual == expected, "docs/cli-reference.md is stale: run .venv/bin/python scripts/gen_cli_reference.py"


def test_every_command_is_in_the_reference() -> None:
    text = (ROOT / "docs/cli-reference.md").read_text()
    for heading in ("## opmodel org show", "## opmodel org list", "## opmodel org tree", "## opmodel org changes",
                    "## opmodel data load-ods"):
        assert heading in text


def test_readme_opens_with_the_two_quickstart_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```bash", 1)[1].split("```", 1)[0]
    commands = [ln.split("#")[0].strip() for ln in block.strip().splitlines()]
    assert commands == ["python3 quickstart.py run", "python3 quickstart.py test"]
    ci = (ROOT / ".ci/run").read_text()
    assert "python3 quickstart.py test" in ci


def test_architecture_names_only_real_public_functions() -> None:
    import importlib
    import re

    rows = [ln for ln in (ROOT / "docs/architecture.md").read_text().splitlines() if ln.startswith("| `")]
    checked = 0
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        area = cells[0].strip("`")
        if area == "cli":
            continue
        exported = set(importlib.import_module(f"opmodel.{area}").__all__)
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_]*)`", cells[-1]):
            assert name in exported, f"docs/architecture.md names opmodel.{area}.{name}, which is not public"
            checked += 1
    assert checked >= 30
