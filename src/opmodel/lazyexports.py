"""Package attributes imported when first named (PEP 562), so a command pays only for what it uses.

``opmodel who`` needs the accountability engine, not its checks; ``opmodel metrics show`` needs the
query module, not the readers (issue 25). Each area lists its lazily imported names and their modules,
and its ``__getattr__`` is made here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_getattr"]


def lazy_getattr(package: str, table: dict[str, str], namespace: dict[str, Any]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package``: each name in ``table`` is imported from its module on first
    use and kept in ``namespace`` (the package's globals), so later look-ups are ordinary attributes."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    return __getattr__
