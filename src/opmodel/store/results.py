"""Compute once, keep it: results kept in the store, keyed by their arguments and the data version.

A quarter's segmentation and its likely ranges take about a second to compute and are asked for by
every ``opmodel league``, every league page and every board pack. :func:`cached` keeps what a
function returns in the store's ``results_cache`` table the first time, keyed by the function's
name and *every* argument it was called with (so an argument added later is part of the key with
no change here), and serves it back, to the CLI and the server alike, while the data it depends on
(:func:`~opmodel.store.versions.data_version` of the areas named) and the code are unchanged. A load
changes its area's version, so the results computed from that area stop matching and are replaced
when next asked for; results depending on other areas stay.

Values are kept pickled. Only classes of opmodel, numpy and a few standard modules are accepted back
(:class:`_Unpickler`), so a store file from elsewhere cannot run code when a result is read.
``OPMODEL_RESULTS_CACHE=off`` turns the cache off (every call computes; nothing is written).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import inspect
import io
import json
import logging
import os
import pickle
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast

import duckdb

from opmodel.store.versions import check_areas, code_fingerprint, data_version

if TYPE_CHECKING:
    from opmodel.store.connection import Store

__all__ = ["ENV_VAR", "MISSING", "cache_key", "cached", "clear_results", "enabled", "get_result", "put_result",
           "result_names"]

P = ParamSpec("P")
T = TypeVar("T")
ENV_VAR = "OPMODEL_RESULTS_CACHE"
#: Most results kept per name (the newest win); a quarter's runs are a few hundred kB each.
MAX_PER_NAME = 64
#: What :func:`get_result` returns when nothing is kept (None may be a result).
MISSING = object()
#: Values of ``share=True`` results, by (name, key, version), newest last.
_SHARED: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
_SHARED_SIZE = 32
log = logging.getLogger(__name__)

_ALLOWED_PACKAGES = ("opmodel.", "numpy.")
_ALLOWED_MODULES = {"numpy", "collections", "datetime", "decimal", "pathlib", "enum"}
_ALLOWED_BUILTINS = {"set", "frozenset", "list", "dict", "tuple", "bytes", "bytearray", "complex", "slice",
                     "range", "object", "int", "float", "str", "bool"}
_ALLOWED_COPYREG = {"_reconstructor", "__newobj__"}


class _Unpickler(pickle.Unpickler):
    """Accepts opmodel's own classes, numpy arrays and plain Python values only."""

    def find_class(self, module: str, name: str) -> Any:
        accepted = (module.startswith(_ALLOWED_PACKAGES) or module in _ALLOWED_MODULES
                    or (module == "builtins" and name in _ALLOWED_BUILTINS)
                    or (module == "copyreg" and name in _ALLOWED_COPYREG))
        if accepted:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"results cache: {module}.{name} is not an accepted class")


def enabled() -> bool:
    """Whether the cache is on (``OPMODEL_RESULTS_CACHE`` is not ``off``/``0``/``false``)."""
    return os.environ.get(ENV_VAR, "on").strip().lower() not in ("off", "0", "false", "no")


def _argument(value: Any) -> Any:
    """:func:`_canonical` of one argument; a string naming a file (a policy file given as the framework)
    stands for the file, with its size and time, so an edited file is a new key."""
    if isinstance(value, str) and 0 < len(value) < 1024 and "\n" not in value and os.path.isfile(value):
        return _canonical(Path(value))
    return _canonical(value)


def _canonical(value: Any) -> Any:
    """A JSON-able form of a value that is equal exactly when the value means the same."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return [type(value).__qualname__, _canonical(value.value)]
    if isinstance(value, Path):
        try:
            st = value.stat()
        except OSError:
            return ["path", str(value)]
        return ["file", str(value.resolve()), st.st_size, st.st_mtime_ns]
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, Decimal):
        return ["decimal", str(value)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [type(value).__qualname__, {f.name: _canonical(getattr(value, f.name))
                                           for f in dataclasses.fields(value)}]
    if hasattr(value, "model_dump"):
        return [type(value).__qualname__, _canonical(value.model_dump(mode="json"))]
    if isinstance(value, Mapping):
        return {"__map__": sorted((json.dumps(_canonical(k), sort_keys=True), _canonical(v))
                                  for k, v in value.items())}
    if isinstance(value, set | frozenset):
        return ["set", sorted(json.dumps(_canonical(v), sort_keys=True) for v in value)]
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    raise TypeError(f"results cache: cannot key on an argument of type {type(value).__name__}")


def cache_key(arguments: Mapping[str, Any]) -> str:
    """The sha256 of the canonical form of ``arguments`` (a name -> value mapping)."""
    text = json.dumps({k: _argument(v) for k, v in arguments.items()}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _version(store: Store, depends: Iterable[str] | None) -> str:
    return f"{code_fingerprint()}|{data_version(store, depends)}"


def get_result(store: Store, name: str, key: str, version: str) -> Any:
    """The value kept for ``(name, key)`` at ``version``, or the module's missing marker."""
    try:
        row = store.execute("SELECT value FROM results_cache WHERE name = ? AND key = ? AND version = ?",
                            [name, key, version]).fetchone()
    except duckdb.Error:  # a store without the table (read-only and not migrated): no cache
        return MISSING
    if row is None:
        return MISSING
    try:
        return _Unpickler(io.BytesIO(row[0])).load()
    except Exception as exc:  # a class renamed since, or a refused one: compute again
        log.warning("results cache: %s not reused (%s)", name, exc)
        return MISSING


def put_result(store: Store, name: str, key: str, version: str, value: Any, keep: int = MAX_PER_NAME) -> bool:
    """Keep ``value``; drop this name's results of other versions and all but its ``keep`` newest.
    False when it was not kept.

    Inside a caller's transaction nothing is written (a failed write would spoil it); a write that
    conflicts with another process's is given up silently: the next call computes again.
    """
    if store.read_only or store._depth:
        return False
    blob = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        with store.transaction():
            store.execute("DELETE FROM results_cache WHERE name = ? AND (key = ? OR version <> ?)",
                          [name, key, version])
            store.execute("INSERT INTO results_cache(name, key, version, value) VALUES (?, ?, ?, ?)",
                          [name, key, version, blob])
            store.execute(
                "DELETE FROM results_cache WHERE name = ? AND key IN (SELECT key FROM results_cache WHERE name = ? "
                "ORDER BY created_at DESC OFFSET ?)", [name, name, keep])
    except duckdb.Error as exc:
        log.info("results cache: %s not kept (%s)", name, exc)
        return False
    return True


@dataclasses.dataclass(frozen=True)
class _Raised:
    """What a call raised, kept in its result's place (``cached(errors=...)``)."""

    error: BaseException


def _keepable(error: BaseException) -> _Raised | None:
    """The error wrapped to keep, when it comes back whole through :class:`_Unpickler` (an exception whose
    constructor takes other arguments than it was given does not: it is raised, not kept)."""
    try:
        back = _Unpickler(io.BytesIO(pickle.dumps(_Raised(error), protocol=pickle.HIGHEST_PROTOCOL))).load()
    except Exception:
        return None
    return back if isinstance(back, _Raised) and str(back.error) == str(error) else None


def cached(name: str, *, depends: Iterable[str] | None = None, store_arg: str = "store", share: bool = False,
           errors: tuple[type[Exception], ...] = ()) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Keep what the decorated function returns in the store (see the module docstring).

    ``depends`` names the data areas the result is computed from (every area when None; see
    :mod:`opmodel.store.versions`); ``store_arg`` the parameter that
    holds the store (a call whose store is None computes without the cache). Every other argument,
    defaults included, is part of the key. The value returned is a fresh copy on every call (read
    back from the store), so callers may change it; with ``share=True`` calls in one process get the
    same object back (for results nobody changes, and functions that promised that before).
    An error of the ``errors`` types is an answer too (a quarter with no inputs stays without them until
    a load changes the data): it is kept like a result and raised again, a fresh copy, on each call.
    Errors are kept under ``name + "!error"``, so odd arguments cannot push the results out.
    """
    failed = f"{name}!error"
    areas = None if depends is None else tuple(check_areas(depends))

    def decorate(fn: Callable[P, T]) -> Callable[P, T]:
        signature = inspect.signature(fn)
        if store_arg not in signature.parameters:
            raise TypeError(f"{fn.__qualname__} has no parameter {store_arg!r} to hold the store")

        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            arguments = dict(bound.arguments)
            store = arguments.pop(store_arg)
            if store is None or not enabled():
                return fn(*args, **kwargs)
            try:
                key = cache_key(arguments)
                version = _version(store, areas)
            except (TypeError, duckdb.Error):  # an argument we cannot key on, or no ledger: no cache
                return fn(*args, **kwargs)
            memo_key = (name, key, version)
            if share and memo_key in _SHARED:
                _SHARED.move_to_end(memo_key)
                return cast(T, _SHARED[memo_key])
            found = get_result(store, name, key, version)
            if found is MISSING and errors:
                found = get_result(store, failed, key, version)
            if isinstance(found, _Raised):
                raise found.error
            if found is not MISSING:
                value = cast(T, found)
            else:
                try:
                    value = fn(*args, **kwargs)
                except errors as exc:
                    if (kept := _keepable(exc)) is not None:
                        put_result(store, failed, key, version, kept)
                    raise
                put_result(store, name, key, version, value)
            if share:
                _SHARED[memo_key] = value
                while len(_SHARED) > _SHARED_SIZE:
                    _SHARED.popitem(last=False)
            return value

        return wrapper

    return decorate


def result_names(store: Store) -> dict[str, int]:
    """What the cache holds: name -> number of results (for tests and ``opmodel`` diagnostics)."""
    return {str(n): int(c) for n, c in store.execute(
        "SELECT name, count(*) FROM results_cache GROUP BY name ORDER BY name").fetchall()}


def clear_results(store: Store, name: str | None = None) -> int:
    """Forget every kept result (of ``name`` only, when given); returns how many were dropped."""
    n = int(store.scalar("SELECT count(*) FROM results_cache WHERE ? IS NULL OR name = ?", [name, name]))
    store.execute("DELETE FROM results_cache WHERE ? IS NULL OR name = ?", [name, name])
    return n
