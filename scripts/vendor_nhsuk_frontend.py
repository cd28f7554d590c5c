#!/usr/bin/env python3
"""Vendor the NHS.UK frontend CSS, JS and assets into ``src/opmodel/web/static/nhsuk``.

nhsuk-frontend-jinja ships the templates only; the styles, scripts and icons come
from the npm package ``nhsuk-frontend`` (MIT). The dashboard must work with no
network at run time, so we fetch the package once with ``npm pack`` and commit
the few files the pages need. The browser tests' accessibility checker, axe-core
(MPL-2.0), is vendored the same way into ``tests/web/vendor`` so CI needs no npm.

    python3 scripts/vendor_nhsuk_frontend.py [--version 10.6.1] [--axe-version 4.11.1]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "opmodel" / "web" / "static" / "nhsuk"
VERSION = "10.6.1"  # the release nhsuk-frontend-jinja 0.10.2 was ported from
AXE_TARGET = ROOT / "tests" / "web" / "vendor"
AXE_VERSION = "4.11.1"
FILES = ("nhsuk-frontend.min.css", "nhsuk-frontend.min.js")


def _unpack(spec: str, tmp: str) -> Path:
    """``npm pack`` one package into ``tmp`` and return its unpacked ``package`` folder."""
    out = subprocess.run(["npm", "pack", spec, "--silent"], cwd=tmp,
                         check=True, capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(Path(tmp) / out) as tar:
        tar.extractall(tmp, filter="data")
    return Path(tmp) / "package"


def vendor(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dist = _unpack(f"nhsuk-frontend@{version}", tmp) / "dist" / "nhsuk"
        if TARGET.exists():
            shutil.rmtree(TARGET)
        (TARGET / "assets").mkdir(parents=True)
        for name in FILES:
            shutil.copy2(dist / name, TARGET / name)
        shutil.copytree(dist / "assets" / "images", TARGET / "assets" / "images")
        shutil.copy2(dist / "assets" / "manifest.json", TARGET / "assets" / "manifest.json")
        (TARGET / "VERSION").write_text(version + "\n")
    print(f"vendored nhsuk-frontend {version} into {TARGET.relative_to(ROOT)}")


def vendor_axe(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        package = _unpack(f"axe-core@{version}", tmp)
        AXE_TARGET.mkdir(parents=True, exist_ok=True)
        shutil.copy2(package / "axe.min.js", AXE_TARGET / "axe.min.js")
        shutil.copy2(package / "LICENSE", AXE_TARGET / "LICENSE-axe-core")
        (AXE_TARGET / "VERSION").write_text(version + "\n")
    print(f"vendored axe-core {version} into {AXE_TARGET.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--axe-version", default=AXE_VERSION)
    args = parser.parse_args()
    vendor(args.version)
    vendor_axe(args.axe_version)


if __name__ == "__main__":
    main()
