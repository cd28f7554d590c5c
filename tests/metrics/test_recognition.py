"""Recognition that never crashes, refuses look-alikes, and stops compression bombs (issue 16, 4/6/7)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from opmodel.errors import ArchiveLimitError, InputError
from opmodel.metrics import READERS, MetricsLoadError, find_reader, load_files
from opmodel.metrics.loader import EXIT_NAMED_SKIPPED, EXIT_OK
from opmodel.metrics.readers.registry import recognise
from opmodel.store import Store
from tests.conftest import SHARED_DATA
from tests.metrics.conftest import AE_MAY_2025, RTT_ZIP

_OLE = bytes.fromhex("d0cf11e0a1b11ae1")
HOSTILE: dict[str, bytes] = {
    "binary with CR before the first LF": _OLE + b"ab\rcd\x00\x01\n" + b"\x00" * 64,
    "7 MB single line": b"a," * 3_500_000,
    "7 MB quoted field": b'"' + b"x" * 7_000_000,
    "NULs only": b"\x00" * 4096,
    "empty": b"",
    "UTF-16 text": "Period,Org Code\r\n".encode("utf-16"),
    "zip without members": b"PK\x05\x06" + b"\x00" * 18,
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_no_recogniser_raises(case: str, tmp_path: Path) -> None:
    f = tmp_path / "upload.bin"
    f.write_bytes(HOSTILE[case])
    for reader in READERS:
        assert reader.recognises(f) in (True, False), type(reader).__name__
    assert recognise(f).failures == ()


def test_a_dm01_xls_with_a_cr_before_its_first_lf_reaches_the_dm01_reader(tmp_path: Path) -> None:
    """The RTT check used to raise csv.Error first, so the DM01 reader was never asked."""
    f = tmp_path / "written-by-another-tool.xls"
    f.write_bytes(_OLE + b"\x00\r\x01\n" + b"Provider" + b"\x00" * 8 + b"Provider by Test")
    reader = find_reader(f)
    assert reader is not None and reader.publication == "dm01"


def test_a_dm01_xls_with_utf16_sheet_names_is_recognised(tmp_path: Path) -> None:
    """BIFF8 may store sheet names as UTF-16 (other tools than NHS England's do)."""
    f = tmp_path / "dm01.xls"
    f.write_bytes(_OLE + b"\x00" * 64 + "Provider".encode("utf-16-le") + b"\x00" * 4
                  + "Provider by Test".encode("utf-16-le"))
    reader = find_reader(f)
    assert reader is not None and reader.publication == "dm01"


def test_a_recogniser_that_raises_does_not_hide_the_others(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.metrics.readers import registry

    class Raising:
        publication = "raising"

        def recognises(self, path: Path) -> bool:
            raise ValueError("confused")

        def read(self, path: Path) -> Any:
            raise AssertionError

    monkeypatch.setattr(registry, "READERS", [Raising(), *READERS])
    found = recognise(AE_MAY_2025)
    assert found.reader is not None and found.reader.publication == "ae_monthly"
    assert found.failures and "confused" in found.failures[0]


# --- look-alikes (item 6) -------------------------------------------------------------------

def _ae_rows() -> list[list[str]]:
    with AE_MAY_2025.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def _csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def test_an_ae_csv_with_a_renamed_column_is_refused_not_skipped(bare_store: Store, tmp_path: Path) -> None:
    rows = _ae_rows()
    rows[0][rows[0].index("Org Code")] = "Organisation"
    f = tmp_path / "some download.csv"
    f.write_text(_csv_text(rows), encoding="utf-8")
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [f])
    message = err.value.problems[0].message
    assert "A&E monthly CSV" in message and "org code" in message
    assert err.value.report.files[0].status == "rejected"
    assert bare_store.scalar("SELECT count(*) FROM metric_values") == 0


def test_a_utf16_copy_is_refused_with_the_encoding(bare_store: Store, tmp_path: Path) -> None:
    f = tmp_path / "Monthly-AE-May-2025 (utf16).csv"
    f.write_text(AE_MAY_2025.read_text(encoding="utf-8-sig"), encoding="utf-16")
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [f])
    assert "UTF-16" in err.value.problems[0].message


def test_an_rtt_zip_with_a_renamed_column_is_refused(bare_store: Store, tmp_path: Path) -> None:
    with zipfile.ZipFile(RTT_ZIP) as zf, zf.open(zf.namelist()[0]) as fh:
        lines = [fh.readline().decode("utf-8-sig") for _ in range(50)]
    lines[0] = lines[0].replace("RTT Part Type", "Part")
    f = tmp_path / "extract.zip"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("extract.csv", "".join(lines))
    with pytest.raises(MetricsLoadError) as err:
        load_files(bare_store, [f])
    assert "RTT full extract" in err.value.problems[0].message and "rtt part type" in err.value.problems[0].message


def test_a_workbook_named_like_a_publication_but_without_its_sheets_is_refused(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    f = tmp_path / "CWT-CRS-May-2025-Data-Extract-Provider.xlsx"
    wb.save(f)
    found = recognise(f)
    assert found.reader is None and found.near_miss is not None
    assert "CWT CRS Provider Extract" in found.near_miss


def test_nothing_in_the_shared_data_is_taken_for_a_damaged_publication() -> None:
    """The derived CSVs and third-party files stay plain skips: the signatures are narrow."""
    misses = {f.name: m for f in sorted(SHARED_DATA.rglob("*")) if f.is_file() and f.suffix != ".json"
              and (m := recognise(f).near_miss)}
    assert misses == {}


def test_a_named_file_that_is_skipped_sets_the_exit_code(bare_store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    readme = folder / "README.md"
    readme.write_text("# notes\n")
    assert load_files(bare_store, [folder]).exit_code == EXIT_OK
    named = load_files(bare_store, [readme, AE_MAY_2025])
    assert named.exit_code == EXIT_NAMED_SKIPPED and [f.path for f in named.named_skipped] == [str(readme)]
    assert named.committed and named.count("loaded") == 1


def test_cli_exit_codes(cli: Any, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# notes\n")
    res = cli("metrics", "load", str(readme))
    assert res.exit_code == EXIT_NAMED_SKIPPED and "README.md" in res.output
    bad = tmp_path / "Monthly-AE-May-2025.csv"
    rows = _ae_rows()
    rows[0][rows[0].index("Org Code")] = "Org"
    bad.write_text(_csv_text(rows), encoding="utf-8")
    res = cli("metrics", "load", str(bad))
    assert res.exit_code == 1 and "missing column(s) org code" in res.output


# --- compression bombs (item 4) -------------------------------------------------------------

def _bomb(path: Path, member: str, header: bytes, size: int) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open(member, "w") as out:
        out.write(header)
        block = b"0" * (1 << 20)
        for _ in range(size >> 20):
            out.write(block)
    return path


def test_a_zip_bomb_is_refused_before_any_member_is_read(bare_store: Store, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    with zipfile.ZipFile(RTT_ZIP) as zf, zf.open(zf.namelist()[0]) as fh:
        header = fh.readline()
    bomb = _bomb(tmp_path / "rtt.csv.zip", "rtt.csv", header, 8 << 20)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(name))
        return real_open(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(ArchiveLimitError) as err:
        load_files(bare_store, [bomb])
    assert isinstance(err.value, MetricsLoadError) and err.value.report.files[0].status == "rejected"
    assert "compression bomb" in err.value.problems[0].message and err.value.problems[0].file == str(bomb)
    assert opened == []


def test_an_archive_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from opmodel.metrics.readers import _archive

    monkeypatch.setattr(_archive, "MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ArchiveLimitError, match="unpack to"):
        recognise(RTT_ZIP)


def test_an_xlsx_bomb_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "CWT-CRS-bomb-Provider.xlsx"
    with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", '<workbook><sheets><sheet name="CWT CRS Provider Extract"/></sheets>'
                                       "</workbook>")
    _bomb(tmp_path / "inner.zip", "x", b"", 4 << 20)
    with zipfile.ZipFile(f, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b"<x>" + b" " * (4 << 20))
    with pytest.raises(ArchiveLimitError):
        recognise(f)
    with pytest.raises(InputError):
        from opmodel.metrics import reader_for
        reader_for(f)
