"""The shipped operating models and choosing the one in force on a date.

Models ship as YAML files in the package (``accountability/models``), so a new
store needs no seeding and a user's own file is read the same way.
"""

from __future__ import annotations

import datetime as dt
import functools
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
    models = shipped_models()
    for m in models:
        if m.effective.covers(on):
            return m
    spans = ", ".join(f"{m.name} {m.effective.from_}..{m.effective.to or 'open'}" for m in models)
    raise OpmodelError(f"No operating model covers {on.isoformat()}. Shipped models: {spans}.")
