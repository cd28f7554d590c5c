"""A load driver for the register: concurrent editors over HTTP against the real server in a subprocess.

Shared by the quick test (a few seconds) and ``benchmarks/bench_register.py`` (30 s).
Editors on different cases add milestones; editors on one shared case race with
``If-Match`` updates, so most of them get 409 and must re-read; evidence writers all
append to one action at once (the race that lost 140 of 160 posts on PostgreSQL before
issue 23), moving to a new action when one holds its 100 pieces. Every 2xx answer
is an acknowledged change, kept with the version it produced so the history can
be checked afterwards (no lost update: each acknowledged version is in the history
with that editor's change, and each acknowledged piece of evidence is in its action).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import select

from opmodel.register import DATABASE_URL_ENV, Gate, add_user, create_case, open_register
from opmodel.register.tables import history
from opmodel.store import open_store

SERVER = """
import sys, uvicorn
from pathlib import Path
from opmodel.web import WebSettings, create_app
uvicorn.run(create_app(WebSettings(store_path=Path(sys.argv[1]), cache_entries=2048)), host="127.0.0.1",
            port=int(sys.argv[2]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Setup:
    token: str
    cases: list[int]
    shared: int
    evidence_case: int = 0


def prepare(store_path: Path, url: str, n_cases: int) -> Setup:
    """A national editor, ``n_cases`` own cases, a shared case and a case for evidence racers, written
    before the server opens the store."""
    reg = open_register(url=url)
    store = open_store(store_path)
    try:
        user, token = add_user(reg, store, f"load-{time.time_ns()}", "X24")
        gate = Gate(store)
        ids = [create_case(reg, gate, user, {"org_code": "RJ1", "programme": "pip"}).id for _ in range(n_cases + 2)]
    finally:
        store.close()
        reg.close()
    return Setup(token, ids[:-2], ids[-2], ids[-1])


class Server:
    """``uvicorn`` over the app in a child process (what ``opmodel serve`` runs), killable with SIGKILL."""

    def __init__(self, store_path: Path, url: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ, **{DATABASE_URL_ENV: url})
        self.proc = subprocess.Popen([sys.executable, "-c", SERVER, str(store_path), str(self.port)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode()[-800:] if self.proc.stderr else ""
                raise RuntimeError(f"server exited: {err}")
            try:
                if httpx.get(self.base + "/api/v1/support-cases", timeout=2).status_code == 401:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start in 120 s")

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no shutdown hooks run
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class LoadResult:
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0  # connection errors (expected only after a kill)
    accepted: list[tuple[int, int, str]] = field(default_factory=list)  # (case, version, marker)
    latencies: list[float] = field(default_factory=list)
    dashboard: Counter[int] = field(default_factory=Counter)
    evidence: list[str] = field(default_factory=list)  # acknowledged evidence texts
    lock: threading.Lock = field(default_factory=threading.Lock)

    def p(self, q: float) -> float:
        s = sorted(self.latencies)
        return s[min(len(s) - 1, int(q * len(s)))] * 1000 if s else 0.0


def _editor(base: str, token: str, case_id: int, shared: bool, name: str, stop: threading.Event,
            out: LoadResult) -> None:
    h = {"Authorization": f"Bearer {token}"}
    n = 0
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        while not stop.is_set():
            n += 1
            marker = f"{name}-{n}"
            t0 = time.perf_counter()
            try:
                if shared:
                    got = c.get(f"/api/v1/support-cases/{case_id}")
                    version = got.json()["version"] if got.status_code == 200 else 0
                    r = c.patch(f"/api/v1/support-cases/{case_id}", json={"summary": marker},
                                headers={"If-Match": f'"{version}"'})
                else:
                    r = c.post(f"/api/v1/support-cases/{case_id}/items",
                               json={"kind": "finding", "data": {"text": marker}})
            except httpx.HTTPError:
                with out.lock:
                    out.errors += 1
                if stop.is_set():
                    return
                time.sleep(0.05)
                continue
            dt_ = time.perf_counter() - t0
            with out.lock:
                out.statuses[r.status_code] += 1
                out.latencies.append(dt_)
                if r.status_code in (200, 201):
                    out.accepted.append((case_id, int(r.json()["version"]), marker))


class _Action:
    """The action the evidence writers share, replaced by a new one when it is full (100 pieces)."""

    def __init__(self) -> None:
        self.id: int | None = None
        self.lock = threading.Lock()

    def current(self, c: httpx.Client, case_id: int, full: int | None = None) -> int:
        with self.lock:
            if self.id is None or self.id == full:
                r = c.post(f"/api/v1/support-cases/{case_id}/items", json={"kind": "action", "data": {
                    "title": f"evidence target {time.time_ns()}", "owner": "load", "due_on": "2027-03-31"}})
                self.id = int(r.headers["location"].rsplit("/", 1)[1])
            return self.id


def _evidence_writer(base: str, token: str, case_id: int, action: _Action, name: str, stop: threading.Event,
                     out: LoadResult) -> None:
    h = {"Authorization": f"Bearer {token}"}
    n = 0
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        while not stop.is_set():
            n += 1
            text = f"{name}-{n}"
            t0 = time.perf_counter()
            try:
                item = action.current(c, case_id)
                r = c.post(f"/api/v1/support-cases/{case_id}/items/{item}/evidence", json={"evidence": text})
                if r.status_code == 422 and "at most 100" in r.text:
                    action.current(c, case_id, full=item)
                    continue
            except httpx.HTTPError:
                with out.lock:
                    out.errors += 1
                if stop.is_set():
                    return
                time.sleep(0.05)
                continue
            with out.lock:
                out.statuses[r.status_code] += 1
                out.latencies.append(time.perf_counter() - t0)
                if r.status_code == 201:
                    out.evidence.append(text)


def _dashboard(base: str, stop: threading.Event, out: LoadResult) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        while not stop.is_set():
            try:
                code = c.get("/organisations/RJ1").status_code
            except httpx.HTTPError:
                code = 0
            with out.lock:
                out.dashboard[code] += 1
            time.sleep(0.05)


def run_load(base: str, setup: Setup, seconds: float, same: int = 10, kill: Server | None = None,
             kill_after: int = 30, evidence: int = 0) -> LoadResult:
    """Editors on their own cases (one per case), ``same`` editors on the shared case and ``evidence`` writers
    on one action for ``seconds``; with ``kill``, SIGKILL the server once ``kill_after`` more changes are
    acknowledged, writers still going."""
    out = LoadResult()
    stop = threading.Event()
    action = _Action()
    threads = [threading.Thread(target=_editor, args=(base, setup.token, cid, False, f"own{i}", stop, out))
               for i, cid in enumerate(setup.cases)]
    threads += [threading.Thread(target=_editor, args=(base, setup.token, setup.shared, True, f"same{i}", stop, out))
                for i in range(same)]
    threads += [threading.Thread(target=_evidence_writer, args=(base, setup.token, setup.evidence_case, action,
                                                                f"ev{i}-{time.time_ns()}", stop, out))
                for i in range(evidence)]
    threads.append(threading.Thread(target=_dashboard, args=(base, stop, out)))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    if kill is not None:
        deadline = time.monotonic() + 60
        while len(out.accepted) < kill_after and time.monotonic() < deadline:
            time.sleep(0.01)
        kill.kill()
        time.sleep(0.3)
    else:
        time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join(120)
    out.seconds = time.perf_counter() - t0
    return out


def lost_evidence(url: str, result: LoadResult) -> list[str]:
    """Acknowledged evidence missing from every action (must be empty)."""
    from opmodel.register.tables import case_items

    reg = open_register(url=url)
    try:
        with reg.read() as con:
            held = {e for (data,) in con.execute(select(case_items.c.data)) for e in data.get("evidence", [])}
    finally:
        reg.close()
    return [e for e in result.evidence if e not in held]


def lost_updates(url: str, result: LoadResult) -> list[tuple[int, int, str]]:
    """Acknowledged changes missing from the history (must be empty)."""
    reg = open_register(url=url)
    try:
        with reg.read() as con:
            rows = con.execute(select(history.c.case_id, history.c.seq, history.c.change)).all()
    finally:
        reg.close()
    recorded = {(r.case_id, r.seq): str(r.change) for r in rows}
    return [a for a in result.accepted if a[2] not in recorded.get((a[0], a[1]), "")]
