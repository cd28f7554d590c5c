"""How option types read in ``--help``.

Typer labels every option with its Python type: flags show ``<bool>`` though they take no value,
and repeatable options show ``<list[str]>``. People read help, not type hints, so a flag shows
nothing and a repeatable option shows its element type once, marked as repeatable.
"""

from __future__ import annotations

from typing import Any

import typer.core

__all__ = ["install"]

_ORIGINAL: dict[type, Any] = {cls: cls.display_type_rich for cls in (typer.core.TyperOption, typer.core.TyperArgument)}
_installed = False


def _readable(label: str | None, repeat: str) -> str | None:
    if label and "<list[" in label:
        start = label.index("<list[")
        inner = label[start + 6:label.index("]>", start)]
        return f"<{inner}> {repeat}"
    return label


def _option_type(self: typer.core.TyperOption, ctx: Any) -> str | None:
    if self.metavar is not None:
        return str(self.metavar)
    if self.is_flag:
        return None
    return _readable(_ORIGINAL[typer.core.TyperOption](self, ctx), "(repeatable)")


def _argument_type(self: typer.core.TyperArgument, ctx: Any) -> str | None:
    return _readable(_ORIGINAL[typer.core.TyperArgument](self, ctx), "(one or more)")


def install() -> None:
    """Use the readable labels for every command (idempotent)."""
    global _installed
    if not _installed:
        typer.core.TyperOption.display_type_rich = _option_type  # type: ignore[method-assign]
        typer.core.TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]
        _installed = True
