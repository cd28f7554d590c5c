"""Recognition by content across the whole shared data tree."""

from __future__ import annotations

from pathlib import Path

import pytest

from opmodel.errors import InputError
from opmodel.metrics import READERS, find_reader, reader_for
from tests.metrics.conftest import AE_MAY_2025, AE_XLSX, DM01_CSV, DM01_XLS, RTT_ZIP


@pytest.mark.parametrize(("path", "publication"), [
    (AE_MAY_2025, "ae_monthly"), (AE_XLSX, "ae_monthly"), (RTT_ZIP, "rtt_full_extract"),
    (DM01_XLS, "dm01"), (DM01_CSV, "dm01"),
])
def test_each_publication_finds_its_reader(path: Path, publication: str) -> None:
    assert reader_for(path).publication == publication


def test_unrecognised_file_is_a_clear_error(tmp_path: Path) -> None:
    f = tmp_path / "report.pdf"
    f.write_bytes(b"%PDF-1.7\n")
    assert find_reader(f) is None
    with pytest.raises(InputError) as err:
        reader_for(f)
    assert err.value.problems[0].file == str(f) and "ae_monthly" in err.value.problems[0].message


def test_readers_list_is_one_instance_per_reader() -> None:
    assert len({type(r) for r in READERS}) == len(READERS)
    assert all(isinstance(r.publication, str) and r.publication for r in READERS)
