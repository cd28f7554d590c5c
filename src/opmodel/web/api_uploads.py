"""``POST /api/v1/metric-files``: load a publication into the store, for holders of the start-up token.

Checks run before anything is parsed or written: the bearer token (constant-time
comparison), then the size, counted while the body streams in (``Content-Length``
is not trusted). The files are checked with a dry run of
:func:`opmodel.metrics.load_files` and only then loaded, in one transaction, so a
malformed or unrecognised upload leaves the store exactly as it was.
"""

from __future__ import annotations

import hmac
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect
from starlette.types import Message

from opmodel.errors import InputError
from opmodel.metrics import load_files
from opmodel.web.hub import StoreHub
from opmodel.web.schemas import Message as MessageBody
from opmodel.web.schemas import Rejected
from opmodel.web.settings import WebSettings

__all__ = ["archive_problem", "router"]

router = APIRouter(prefix="/api/v1", tags=["metrics"])

MAX_FILES = 20
_SAFE = re.compile(r"[^A-Za-z0-9._ -]+")

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                                    "minItems": 1, "maxItems": MAX_FILES,
                                    "description": "One or more publication files (CSV, XLSX, XLS or ZIP) "
                                                   "exactly as NHS England publishes them."}}}}},
    },
}
bearer = HTTPBearer(auto_error=False, description="The token the server was started with (OPMODEL_API_TOKEN).")


class _TooLarge(Exception):
    pass


def _error(status: int, detail: str, headers: dict[str, str] | None = None,
           problems: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"detail": detail}
    if problems is not None:
        body["problems"] = problems
    return JSONResponse(body, status, headers=headers)


def _authorised(credentials: HTTPAuthorizationCredentials | None, token: str) -> bool:
    if credentials is None or credentials.scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(credentials.credentials.strip().encode(), token.encode())


async def _buffer(request: Request, limit: int, spool: Any) -> None:
    """Copy the body into ``spool``, stopping as soon as it passes ``limit`` bytes."""
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        spool.write(chunk)
    spool.seek(0)


def archive_problem(paths: list[Path], names: dict[str, str], max_unpacked: int, max_ratio: int) -> str | None:
    """Why the zip containers (ZIP, XLSX) among ``paths`` would unpack too far, or None.

    Read from each archive's directory only, before any member is inflated: a 9 MB
    file that unpacks to 2 GB would otherwise cost every other request its CPU
    (issue 16 item 4). The readers keep their own checks for files loaded by the CLI.
    """
    total = 0
    for path in paths:
        if not zipfile.is_zipfile(path):
            continue
        name = names.get(str(path), path.name)
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.infolist()
        except (zipfile.BadZipFile, OSError):
            continue  # the readers say what is wrong with it
        for m in members:
            total += m.file_size
            if m.file_size > 1024 * 1024 and m.file_size > max_ratio * max(m.compress_size, 1):
                return (f"{name}: member {m.filename} would unpack from {m.compress_size:,} to {m.file_size:,} "
                        f"bytes (more than {max_ratio} times); refused as a likely compression bomb.")
        if total > max_unpacked:
            return (f"{name}: the upload would unpack to {total:,} bytes, more than the {max_unpacked:,} "
                    f"accepted; send fewer or smaller files.")
    return None


def _safe_name(name: str | None, index: int) -> str:
    base = _SAFE.sub("_", Path(name or "").name).strip(" .") or f"upload-{index}"
    return base[:200]


@router.post(
    "/metric-files", openapi_extra=UPLOAD_BODY, status_code=200, summary="Load publication files (token needed)",
    responses={200: {"description": "Loaded (or already loaded: nothing changed)."},
               400: {"model": MessageBody, "description": "Not a multipart upload with files."},
               401: {"model": MessageBody, "description": "Missing or wrong bearer token."},
               403: {"model": MessageBody, "description": "Uploads are disabled (no token at start-up)."},
               413: {"model": MessageBody, "description": "Upload larger than the server accepts, or an "
                                                          "archive that would unpack too far."},
               422: {"model": Rejected, "description": "Malformed or unrecognised file; store unchanged."}})
async def upload(request: Request,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> JSONResponse:
    settings: WebSettings = request.app.state.settings
    hub: StoreHub = request.app.state.hub
    if settings.token is None:
        return _error(403, "Uploads are disabled: the server was started without an API token "
                           "(set OPMODEL_API_TOKEN before `opmodel serve`).")
    if not _authorised(credentials, settings.token):
        return _error(401, "A valid bearer token is required: send 'Authorization: Bearer <token>'.",
                      {"WWW-Authenticate": 'Bearer realm="opmodel"'})
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        return _error(413, f"Upload of {int(declared):,} bytes is larger than the {limit:,} bytes accepted.")
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return _error(400, "Send the files as multipart/form-data in a field named 'file'.")
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool, \
            tempfile.TemporaryDirectory(prefix="opmodel-upload-") as tmp:
        try:
            await _buffer(request, limit, spool)
        except _TooLarge:
            return _error(413, f"Upload is larger than the {limit:,} bytes accepted.")
        except ClientDisconnect:
            return _error(400, "The upload was interrupted.")

        async def replay() -> Message:
            chunk = spool.read(64 * 1024)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

        try:
            form = await Request(request.scope, replay).form(max_files=MAX_FILES, max_fields=5)
        except Exception as exc:  # starlette raises several types for a broken multipart body
            return _error(400, f"Malformed multipart upload: {exc}")
        uploads = [v for v in form.getlist("file") if isinstance(v, UploadFile)]
        if not uploads:
            return _error(400, "No file in the upload: send one or more files in a field named 'file'.")
        paths: list[Path] = []
        for i, up in enumerate(uploads):
            target = Path(tmp) / f"{i:02d}" / _safe_name(up.filename, i)
            target.parent.mkdir()
            target.write_bytes(await up.read())
            paths.append(target)
        names = {str(p): p.name for p in paths}
        problem = archive_problem(paths, names, settings.max_unpacked_bytes, settings.max_ratio)
        if problem is not None:
            return _error(413, problem)
        return await _load(hub, paths, names)


async def _load(hub: StoreHub, paths: list[Path], names: dict[str, str]) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    def where(path: str) -> str:
        return names.get(path, Path(path).name)

    def rejected(exc: InputError) -> JSONResponse:
        problems = [{"file": where(p.file), "line": p.line, "field": p.field, "message": p.message}
                    for p in exc.problems]
        return _error(422, "Rejected; nothing was written.", problems=problems)

    def run() -> JSONResponse:
        # One upload is checked and loaded at a time. The check runs on a read cursor and
        # rolls back, so a rejected upload leaves the store version (and every cached page) as it was.
        with hub.upload_lock:
            try:
                with hub.reader() as store:
                    check = load_files(store, paths, dry_run=True)
            except InputError as exc:  # MetricsLoadError, and the readers' archive limits
                return rejected(exc)
            skipped = [f for f in check.files if f.status == "skipped"]
            if skipped:
                return _error(422, "Rejected; nothing was written.", problems=[
                    {"file": where(f.path), "line": None, "field": None,
                     "message": f.message or "not a publication opmodel recognises (expected an NHS England "
                                             "statistics file: A&E, RTT, cancer, DM01, AmbSYS, KH03, staff survey "
                                             "or NOF dashboard)"} for f in skipped])
            try:
                with hub.writer() as store:
                    report = load_files(store, paths).to_dict()
            except InputError as exc:
                return rejected(exc)
        for f in report["files"]:  # type: ignore[attr-defined]
            f["path"] = where(f["path"])
        return JSONResponse(report)

    return await run_in_threadpool(run)
