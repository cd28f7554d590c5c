"""How option types read in ``--help``.

Typer labels every option with its Python type: flags show ``<bool>`` though they take no value,
and repeatable options show ``<list[str]>``. People read help, not type hints, so a flag shows
nothing and a repeatable option shows its element type once, marked as repeatable.
"""

from __future__ import annotations

from typing import Any

import typer.core

__all__ = ["install"]

_original = typer.core.TyperOption.display_type_rich
_installed = False


def _display_type(self: typer.core.TyperOption, ctx: Any) -> str | None:
    if self.metavar is not None:
        return str(self.metavar)
    if self.is_flag:
        return None
    label = _original(self, ctx)
    if label and label.startswith("<list[") and label.endswith("]>"):
        return f"<{label[6:-2]}> (repeatable)"
    return label


def install() -> None:
    """Use the readable labels for every command (idempotent)."""
    global _installed
    if not _installed:
        typer.core.TyperOption.display_type_rich = _display_type  # type: ignore[method-assign]
        _installed = True
