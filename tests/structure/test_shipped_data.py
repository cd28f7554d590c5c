"""The shipped structure data is exactly what the build script derives from ../shared/data."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from opmodel.structure.defaults import DATA_DIR

from ..conftest import SHARED

ROOT = Path(__file__).resolve().parents[2]


def test_build_script_reproduces_the_shipped_files(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("build_structure_data", ROOT / "scripts/build_structure_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(SHARED, tmp_path)
    built = sorted(p.name for p in tmp_path.iterdir())
    assert built == sorted(p.name for p in DATA_DIR.glob("*.csv"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_shipped_data_is_attributed() -> None:
    text = (DATA_DIR / "ATTRIBUTION.md").read_text()
    assert "Open Government Licence v3.0" in text
    for p in DATA_DIR.glob("*.csv"):
        assert p.name in text or p.name == "snapshots.csv"
