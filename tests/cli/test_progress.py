"""Issue 25 item 4: long work says what it is doing, on a terminal only."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from rich.console import Console

from opmodel.cli import common
from opmodel.store import open_store


def _terminal(monkeypatch: pytest.MonkeyPatch, tty: bool) -> io.StringIO:
    out = io.StringIO()
    monkeypatch.setattr(common, "err_console", Console(file=out, force_terminal=tty, width=100))
    return out


def test_a_long_step_is_shown_and_updated_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    out = _terminal(monkeypatch, tty=True)
    with common.working("Building the board pack for RJ1", after=0.05) as step:
        time.sleep(0.4)
        step("Laying out the PDF")
        time.sleep(0.4)
    text = out.getvalue()
    assert "Building the board pack for RJ1" in text and "Laying out the PDF" in text


@pytest.mark.parametrize(("tty", "quiet", "seconds"), [(False, False, 0.4), (True, True, 0.4), (True, False, 0.0)])
def test_quiet_when_piped_asked_or_quick(monkeypatch: pytest.MonkeyPatch, tty: bool, quiet: bool,
                                         seconds: float) -> None:
    out = _terminal(monkeypatch, tty=tty)
    with common.working("Deriving metrics", quiet=quiet, after=0.05 if seconds else 5.0):
        time.sleep(seconds)
    assert out.getvalue() == ""


def test_a_new_store_says_what_it_fills(tmp_path: Path) -> None:
    heard: list[tuple[str, int, int]] = []
    with open_store(tmp_path / "new.duckdb", on_seed=lambda name, i, n: heard.append((name, i, n))):
        pass
    assert [h[0] for h in heard][:3] == ["structure", "metrics", "population"]
    assert heard[-1][1] == heard[-1][2] == len(heard)
    with open_store(tmp_path / "new.duckdb", on_seed=lambda name, i, n: heard.append((name, i, n))):
        pass
    assert len(heard) == heard[-1][2]  # an existing store: nothing to fill, nothing said
