"""``data update`` against a local server shaped like NHS England's statistics pages (issue 21, item 3)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from opmodel.metrics import metric_values
from opmodel.publications import EXIT_OFFLINE, PROVENANCE_FILE, USER_AGENT, Fetcher, update
from opmodel.store import Store
from tests.metrics.conftest import structure_only_store
from tests.publications.conftest import AE_NEW, UPLOADS, Site, series_at

FAST = 0.05  # seconds between requests in tests (1 s by default)


@pytest.fixture
def bare(tmp_path: Path) -> Iterator[Store]:
    store = structure_only_store(tmp_path / "bare.duckdb")
    yield store
    store.close()


def _fetcher(**kw: Any) -> Fetcher:
    return Fetcher(min_interval=FAST, timeout=5, **kw)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_downloads_the_newest_files_loads_them_and_records_provenance(site: Site, bare: Store,
                                                                        tmp_path: Path) -> None:
    dest = tmp_path / "downloads"
    with _fetcher() as fetcher:
        report = update(bare, [series_at(site)["ae"]], dest=dest, fetcher=fetcher)
    sent = fetcher.sent
    assert report.exit_code == 0 and report.series[0].status == "loaded"
    files = sorted(p.name for p in (dest / "ae_monthly").iterdir())
    assert files == ["December-2025-CSV-K7F4Sp.csv", "March-2026-CSV-G49lw.csv"]  # not the XLS, not the PDF
    for name in files:
        assert _sha(dest / "ae_monthly" / name) == _sha(AE_NEW / name)
    log = [json.loads(line) for line in (dest / PROVENANCE_FILE).read_text().splitlines()]
    assert {e["file"] for e in log} == set(files) and {e["load"] for e in log} == {"loaded"}
    entry = next(e for e in log if e["file"] == "March-2026-CSV-G49lw.csv")
    assert entry["url"] == site.url(f"{UPLOADS}/2026/04/March-2026-CSV-G49lw.csv")
    assert entry["sha256"] == _sha(AE_NEW / "March-2026-CSV-G49lw.csv") and entry["landing_page"].startswith(site.base)
    rj1 = metric_values(bare, "ae_4hr", org="RJ1", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 1))
    assert round(rj1[0]["value"], 1) == 74.4
    assert bare.scalar("SELECT file FROM metric_sources WHERE file_name = 'March-2026-CSV-G49lw.csv'") == \
        str(dest / "ae_monthly" / "March-2026-CSV-G49lw.csv")
    # a clear User-Agent on every request, and at least the minimum interval between requests
    assert all(h.headers.get("user-agent") == USER_AGENT for h in site.hits) and "opmodel/" in USER_AGENT
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert len(site.hits) == len(sent) == 5 and min(gaps) >= FAST  # landing, 2 year pages, 2 files


def test_a_second_update_finds_nothing_new(site: Site, bare: Store, tmp_path: Path) -> None:
    dest = tmp_path / "downloads"
    ae = series_at(site)["ae"]
    with _fetcher() as fetcher:
        update(bare, [ae], dest=dest, fetcher=fetcher)
        before = len(site.files_requested())
        again = update(bare, [ae], dest=dest, fetcher=fetcher)
    assert again.series[0].status == "up to date" and len(site.files_requested()) == before == 2


def test_files_the_store_already_holds_are_not_downloaded(site: Site, store: Store, tmp_path: Path) -> None:
    """The shipped defaults hold these very files (same names): nothing to fetch."""
    with _fetcher() as fetcher:
        report = update(store, [series_at(site)["ae"]], dest=tmp_path / "d", fetcher=fetcher)
    assert report.series[0].status == "up to date" and site.files_requested() == []


def test_a_page_that_changed_layout_is_refused_by_name_and_nothing_is_loaded(site: Site, bare: Store,
                                                                               tmp_path: Path) -> None:
    s = series_at(site)
    dest = tmp_path / "downloads"
    with _fetcher() as fetcher:
        report = update(bare, [s["rtt"], s["dm01"]], dest=dest, fetcher=fetcher)
    rtt, dm01 = report.series
    assert rtt.status == "refused" and rtt.message is not None
    assert "rtt: the page" in rtt.message and "changed layout" in rtt.message and "rtt-data-" in rtt.message
    assert bare.scalar("SELECT count(*) FROM metric_values WHERE metric LIKE 'rtt%'") == 0
    assert not (dest / "rtt").exists()
    assert dm01.status == "loaded" and report.exit_code == 1  # the other series still updated
    rj1 = metric_values(bare, "dm01_6wk", org="RJ1")
    assert [(r["numerator"], r["denominator"]) for r in rj1] == [(9927, 29040)]


def test_dry_run_lists_what_it_would_fetch_and_changes_nothing(site: Site, bare: Store, tmp_path: Path) -> None:
    with _fetcher() as fetcher:
        report = update(bare, [series_at(site)["ae"]], dest=tmp_path / "d", fetcher=fetcher, dry_run=True)
    s = report.series[0]
    assert s.status == "would download" and [f["file"] for f in s.files] == ["March-2026-CSV-G49lw.csv",
                                                                             "December-2025-CSV-K7F4Sp.csv"]
    assert site.files_requested() == [] and not (tmp_path / "d").exists()
    assert bare.scalar("SELECT count(*) FROM metric_values") == 0


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_without_network_it_says_so_and_changes_nothing(site: Site, bare: Store, tmp_path: Path) -> None:
    gone = series_at(site)["ae"].model_copy(update={"url": f"http://127.0.0.1:{_closed_port()}/statistics/"})
    with _fetcher() as fetcher:
        report = update(bare, [gone, series_at(site)["dm01"]], dest=tmp_path / "d", fetcher=fetcher)
    assert report.exit_code == EXIT_OFFLINE and report.offline is not None
    assert report.offline.startswith("no network:") and "\n" not in report.offline
    assert report.series == [] and not (tmp_path / "d").exists()
    assert bare.scalar("SELECT count(*) FROM metric_values") == 0 and site.hits == []


def test_an_interrupted_download_resumes_with_a_range_request(site: Site, bare: Store, tmp_path: Path) -> None:
    dest = tmp_path / "downloads"
    whole = (AE_NEW / "March-2026-CSV-G49lw.csv").read_bytes()
    part = dest / "ae_monthly" / "March-2026-CSV-G49lw.csv.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(whole[:10_000])
    with _fetcher() as fetcher:
        report = update(bare, [series_at(site)["ae"]], dest=dest, fetcher=fetcher)
    march = next(f for f in report.series[0].files if f["file"] == "March-2026-CSV-G49lw.csv")
    assert march["resumed"] and march["sha256"] == hashlib.sha256(whole).hexdigest() and not part.exists()
    ranged = [h for h in site.hits if h.path.endswith("March-2026-CSV-G49lw.csv")]
    assert ranged[0].headers.get("range") == "bytes=10000-"


def test_a_file_over_the_size_limit_is_not_kept(site: Site, bare: Store, tmp_path: Path) -> None:
    dest = tmp_path / "downloads"
    with _fetcher(max_bytes=20_000) as fetcher:
        report = update(bare, [series_at(site)["ae"]], dest=dest, fetcher=fetcher)
    s = report.series[0]
    assert s.status == "failed" and report.exit_code == 1
    assert all("over the limit" in f["message"] for f in s.files) and len(s.files) == 2
    assert not any((dest / "ae_monthly").glob("*.csv"))
    assert bare.scalar("SELECT count(*) FROM metric_values") == 0


def test_requests_are_spaced_one_second_apart_by_default() -> None:
    slept: list[float] = []
    now = [100.0]

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    f = Fetcher(clock=lambda: now[0], sleep=sleep)
    f._wait()
    now[0] += 0.25
    f._wait()
    f.close()
    assert f.min_interval == 1.0 and slept == [pytest.approx(0.75)]


def test_cli_sources_and_offline_update(cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    res = cli("data", "sources", "--format", "json")
    assert res.exit_code == 0
    rows = json.loads(res.stdout)
    need = {"series", "publisher", "url", "frequency", "licence", "latest_held", "next_expected"}
    assert len(rows) >= 8 and all(need <= set(r) for r in rows)
    ae = next(r for r in rows if r["series"] == "ae_monthly")
    assert ae["latest_held"] == "2026-03-31" and ae["next_expected"] >= dt.date.today().isoformat()
    # a series catalogue pointing at a closed port: one line, exit 4, nothing changed
    own = tmp_path / "series.yaml"
    own.write_text(f"""series:
  - id: ae_monthly
    title: A&E
    publication: ae_monthly
    url: http://127.0.0.1:{_closed_port()}/statistics/
    files: '\\.csv$'
""", encoding="utf-8")
    monkeypatch.setenv("OPMODEL_SERIES_FILE", str(own))
    before = json.loads(cli("data", "sources", "--format", "json").stdout)
    res = cli("data", "update", "--dest", str(tmp_path / "d"))
    assert res.exit_code == EXIT_OFFLINE
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("no network:")
    assert json.loads(cli("data", "sources", "--format", "json").stdout) == before
