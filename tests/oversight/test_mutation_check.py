"""Issue 20 item 7: the mutation check runs with the suite and kills every named mutant of the oversight engine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "mutation_check.py"


@pytest.mark.slow
def test_every_mutant_is_killed() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = subprocess.run([sys.executable, str(SCRIPT), "--list"], capture_output=True, text=True, timeout=60)
    names = [line.split(":")[0] for line in listed.stdout.splitlines()]
    assert len(names) >= 8 and {"drop the financial override", "score from the published rank",
                                "read a published segment"} <= set(names)
    killed = [line for line in proc.stdout.splitlines() if line.startswith("killed ")]
    assert len(killed) == len(names) and "SURVIVED" not in proc.stdout
