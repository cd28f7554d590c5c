"""Sub-commands imported only when they run (issue 25, item 1).

Importing every area to build the ``opmodel`` command cost most of a second before any command
did its work. :class:`LazyGroup` knows each sub-command by name, where it lives
(``"module:attr"``) and its one-line help, so ``opmodel --help`` lists them all without importing
any, and ``opmodel org show`` imports ``opmodel.cli.org`` alone.

A target's ``attr`` is a Typer app (a command group), a command function, or ``register``: a
function that adds commands to an app (the command named in the registry is taken from it). The
command is built exactly as ``app.add_typer``/``app.command``/``register(app)`` builds it, so its
``--help`` and the generated docs/cli-reference.md do not change.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import typer
import typer.core
import typer.main
from typer import _click as click  # Typer vendors click: its commands are of this click's classes

__all__ = ["Lazy", "LazyGroup", "load_command"]


@dataclass(frozen=True)
class Lazy:
    """Where a sub-command lives (``"module:attr"``) and the first paragraph of its help.

    Without ``help`` the module is imported to list the command in ``--help`` (correct, slower);
    ``tests/cli/test_lazy.py`` checks that every ``help`` given matches the command's own.
    """

    target: str
    help: str | None = None

    @property
    def module(self) -> str:
        return self.target.partition(":")[0]


def load_command(name: str, lazy: Lazy) -> click.Command:
    """Import ``lazy.target`` and build the click command ``name`` from it, as an eager app would."""
    module_name, _, attr = lazy.target.partition(":")
    obj: Any = getattr(importlib.import_module(module_name), attr)
    scratch = typer.Typer()
    if isinstance(obj, typer.Typer):
        scratch.add_typer(obj, name=name)
    elif attr == "register":
        obj(scratch)
    else:
        scratch.command(name)(obj)
    group = typer.main.get_group(scratch)
    command = group.commands.get(name)
    if command is None:
        raise LookupError(f"{lazy.target} does not define the command {name!r}")
    return command


def _listed(name: str, help: str) -> click.Command:
    """What ``--help`` lists for a command not yet imported: its name and help only."""
    return typer.core.TyperCommand(name, help=help)


class _Commands(MutableMapping[str, click.Command]):
    """A group's ``commands``: registered names are listed at once and imported when looked up."""

    def __init__(self, registry: Mapping[str, Lazy], eager: MutableMapping[str, click.Command]) -> None:
        self._registry = registry
        self._eager = eager
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name in self._eager:
            return self._eager[name]
        if name not in self._loaded:
            lazy = self._registry[name]  # KeyError for an unknown name, as a dict would
            self._loaded[name] = load_command(name, lazy)
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._eager[name] = command

    def __delitem__(self, name: str) -> None:
        del self._eager[name]

    def __iter__(self) -> Iterator[str]:
        yield from self._registry
        yield from (n for n in self._eager if n not in self._registry)

    def __len__(self) -> int:
        return len(self._registry) + sum(1 for n in self._eager if n not in self._registry)

    def __contains__(self, name: object) -> bool:
        return name in self._registry or name in self._eager

    def loaded(self, name: str) -> bool:
        return name in self._eager or name in self._loaded


class LazyGroup(typer.core.TyperGroup):
    """A Typer group whose registered sub-commands (:attr:`registry`) load on first use.

    Set ``registry`` on a subclass (see :mod:`opmodel.cli.main`); ``commands`` lists every name at
    once (registered ones first, in registry order) and imports a command when it is looked up.
    """

    registry: Mapping[str, Lazy] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = self._lazy = _Commands(self.registry, self.commands)
        self._listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        lazy = self.registry.get(cmd_name)
        if self._listing and lazy is not None and lazy.help is not None and not self._lazy.loaded(cmd_name):
            return _listed(cmd_name, lazy.help)
        return self.commands.get(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Help lists the registered commands from their registry lines, importing none."""
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
