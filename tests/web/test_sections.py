"""Issue 25 item 3: a profile's sections are written out once per data version and what they depend on.

An uncached profile spent most of its time writing the same sections out again; ``kept`` keeps their
HTML in the server (:meth:`StoreHub.section`), keyed by the data version and the section's own inputs.
These tests check that a kept page is the page rendered afresh, that a section keyed by the date differs
by date, that a change to the data is shown, and that the kept HTML stays within its budget.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from fastapi.testclient import TestClient

from opmodel.web import WebSettings, create_app, deps
from opmodel.web.hub import StoreHub
from opmodel.web.templating import make_templates

SECTION = re.compile(r'<h2 id="accountability">.*?(?=<h2 id=")', re.S)


def _hub(client: TestClient) -> StoreHub:
    hub: StoreHub = client.app.state.hub  # type: ignore[attr-defined]
    return hub


def test_section_renders_once_per_version_and_key(store_path: Path) -> None:
    hub = StoreHub(store_path)
    calls: list[str] = []

    def render(text: str) -> str:
        calls.append(text)
        return text

    assert hub.section(("a", 1), lambda: render("one")) == "one"
    assert hub.section(("a", 1), lambda: render("again")) == "one"  # kept
    assert hub.section(("a", 2), lambda: render("two")) == "two"  # another key
    with hub.writer() as store:  # a load: the data version moves on
        store.execute("UPDATE organisations SET name = name WHERE code = 'RJ1'")
    assert hub.section(("a", 1), lambda: render("new data")) == "new data"
    assert calls == ["one", "two", "new data"]
    hub.close()


def test_sections_stay_within_their_budget(store_path: Path) -> None:
    hub = StoreHub(store_path, section_budget=2000)  # each kept as text and as UTF-8: 800 a section
    for n in range(10):
        hub.section(("s", n), lambda: "x" * 400)
    assert hub._sections_chars <= 2000 and len(hub._sections) == 2  # the two most recent
    assert hub.section(("s", 9), lambda: "recomputed") == "x" * 400
    assert hub.section(("s", 0), lambda: "recomputed") == "recomputed"  # the oldest went first
    hub.close()


def test_a_kept_profile_is_the_profile_rendered_afresh(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, cache_entries=0))
    with TestClient(app) as client:
        first = client.get("/organisations/RJ1").text
        kept = _hub(client)._sections.copy()
        assert {k[1][0] for k in kept} >= {"_org_oversight.jinja", "_org_metrics.jinja", "_org_spc.jinja",
                                            "_org_quality.jinja", "_org_accountability.jinja"}
        again = client.get("/organisations/RJ1").text
        assert again == first and _hub(client)._sections.keys() == kept.keys()  # nothing rendered twice
        _hub(client)._sections.clear()
        _hub(client)._sections_chars = 0
        assert client.get("/organisations/RJ1").text == first  # the same HTML written out afresh


def test_a_section_that_depends_on_the_date_is_kept_per_date(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, cache_entries=0))
    with TestClient(app) as client:
        now = SECTION.search(client.get("/organisations/RJ1?on=2025-10-01").text)
        then = SECTION.search(client.get("/organisations/RJ1?on=2023-06-01").text)
        assert now and then and now.group(0) != then.group(0)
        # 2022's model: the ICB oversees elective care; 2025's: the region performance-manages.
        assert "nhs-2022" in then.group(0) and "nhs-2025" in now.group(0)


def _metric_rows(page: str) -> int:
    table = page[page.index('id="org-metrics-table"'):]
    return table[:table.index("</table>")].count('<tr class="nhsuk-table__row"')


def test_a_change_to_the_data_reaches_a_kept_section(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, cache_entries=0))
    with TestClient(app) as client:
        before = client.get("/organisations/RJ1").text
        assert "Latest published metrics" in before
        with _hub(client).writer() as store:
            store.execute("DELETE FROM metric_values WHERE org_code = 'RJ1' AND metric = 'ae_4hr'")
        after = client.get("/organisations/RJ1").text
        assert _metric_rows(after) == _metric_rows(before) - 1  # the kept table was written out again


def test_breadcrumbs_are_the_design_systems() -> None:
    app_env = make_templates().env
    items = [{"href": "/", "text": "England"}, {"href": "/regions/Y56", "text": "London"}]
    macro = app_env.from_string('{% from "nhsuk/components/breadcrumb/macro.jinja" import breadcrumb %}'
                                '{{ breadcrumb({"items": items}) }}').render(items=items)
    kept = app_env.globals["breadcrumbs"]
    assert str(kept(items)).strip() == macro.strip() and 'href="/regions/Y56"' in macro
    assert kept(items) is kept([dict(i) for i in items])  # one rendering per trail


def test_dependencies_that_only_read_app_state_do_not_take_a_thread() -> None:
    # A plain ``def`` dependency runs on a worker thread; three of them per page cost GIL hand-overs.
    assert all(inspect.iscoroutinefunction(f) for f in (deps.hub, deps.templates, deps.settings))
    assert not inspect.iscoroutinefunction(deps.read_store)  # may wait for the store: stays on a thread


def test_the_profiles_oversight_and_as_of_views_are_computed_once(store_path: Path) -> None:
    from opmodel.web.views_metrics import data_as_of
    from opmodel.web.views_oversight import org_oversight

    hub = StoreHub(store_path)
    with hub.reader() as store:
        first, again = org_oversight(store, "RJ1", memo=hub.memo), org_oversight(store, "rj1", memo=hub.memo)
        assert first is not None and again is first  # kept: peer statistics and movement not recomputed
        as_of = data_as_of(store, "RJ1", hub.memo)
        assert as_of is not None and data_as_of(store, "RJ1", hub.memo) is as_of
    hub.close()
