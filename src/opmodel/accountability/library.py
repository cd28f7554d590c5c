"""The shipped operating models and choosing the one in force on a date.

Models ship as YAML files in the package (``accountability/models``), so a new
store needs no seeding and a user's own file is read the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path

from opmodel.accountability.loader import load_model
from opmodel.accountability.schema import OperatingModel
from opmodel.errors import OpmodelError, UnknownCodeError
from opmodel.store import Store

__all__ = ["MODELS_DIR", "get_model", "list_models", "model_or_file", "resolve_model", "shipped_models"]

#: Folder of the shipped model files (one ``<name>.yaml`` per model).
MODELS_DIR = Path(__file__).resolve().parent / "models"


@functools.lru_cache(maxsize=32)
def _load_cached(path: str, mtime: float) -> OperatingModel:
    return load_model(path)


def _load(path: Path) -> OperatingModel:
    # Cached by path and modification time: callers ask for the model once per organisation.
    return _load_cached(str(path), path.stat().st_mtime)


#: A shipped model's one-line ``effective: {from: ..., to: ...}``: enough to pick the model in force.
_EFFECTIVE = re.compile(r"^effective:\s*\{\s*from:\s*(\d{4}-\d{2}-\d{2})\s*(?:,\s*to:\s*(\d{4}-\d{2}-\d{2})\s*)?\}",
                        re.MULTILINE)


def _might_cover(path: Path, on: dt.date) -> bool:
    """Whether the file's effective line says it covers ``on`` (True when there is no such line).

    Parsing and validating a model costs ~30 ms; ``opmodel who`` needs one of the three, so the others
    are not parsed for it (issue 25). The model parsed is still checked against its own dates."""
    found = _EFFECTIVE.search(path.read_text(encoding="utf-8"))
    if found is None:
        return True
    start, end = dt.date.fromisoformat(found[1]), dt.date.fromisoformat(found[2]) if found[2] else None
    return start <= on and (end is None or on <= end)


def shipped_models() -> list[OperatingModel]:
    """Every shipped model, earliest effective date first."""
    models = [_load(p) for p in sorted(MODELS_DIR.glob("*.yaml"))]
    return sorted(models, key=lambda m: m.effective.from_)


def list_models() -> list[dict[str, object]]:
    """One row per shipped model: name, title, version, status, effective dates and file."""
    return [{"name": m.name, "title": m.title, "version": m.version, "status": m.status.value,
             "from": m.effective.from_.isoformat(),
             "to": m.effective.to.isoformat() if m.effective.to else None,
             "in_force_today": m.effective.covers(dt.date.today()), "file": Path(m.origin.file).name}
            for m in shipped_models()]


def get_model(name: str) -> OperatingModel:
    """A shipped model by name (e.g. ``nhs-2025``), or a clear error naming the known ones."""
    models = shipped_models()
    for m in models:
        if m.name == name:
            return m
    raise UnknownCodeError("operating model", name, [m.name for m in models])


def model_or_file(name_or_path: str) -> OperatingModel:
    """A shipped model by name, or a user's model file when given a path to a YAML file."""
    p = Path(name_or_path)
    if p.suffix.lower() in (".yaml", ".yml") or p.exists():
        return load_model(p)
    return get_model(name_or_path)


def resolve_model(store: Store | None, on: dt.date, name: str | None = None) -> OperatingModel:
    """The model in force on ``on`` (or the named one, a shipped name or a file path, whatever the date).

    ``store`` is accepted so callers holding a store pass it unchanged; the shipped models are
    package files and do not need it.
    """
    if name is not None:
        return model_or_file(name)
    for path in sorted(MODELS_DIR.glob("*.yaml")):
        if _might_cover(path, on) and (m := _load(path)).effective.covers(on):
            return m
    models = shipped_models()
    for m in models:
        if m.effective.covers(on):
            return m
    spans = ", ".join(f"{m.name} {m.effective.from_}..{m.effective.to or 'open'}" for m in models)
    raise OpmodelError(f"No operating model covers {on.isoformat()}. Shipped models: {spans}.")
