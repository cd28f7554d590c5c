"""Issue 25: a page whose views and sections are all kept is written on the event loop, as bytes.

:meth:`StoreHub.serve` tries a page on the loop, where anything that would query, compute or wait raises
:class:`NeedsThread`, and runs it on a thread otherwise; :mod:`opmodel.web.page_bytes` joins the kept
sections into the page as bytes encoded once. These tests check that the loop never queries, computes or
opens the store, that a page is the same whichever way it was written, and that the template globals'
fast look-up still sees a template's own globals.
"""

from __future__ import annotations

from collections import ChainMap
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from opmodel.web import WebSettings, create_app
from opmodel.web.hub import NeedsThread, StoreHub
from opmodel.web.page_bytes import render_page
from opmodel.web.templating import make_templates

PAGES = ("/organisations/RJ1", "/organisations/QKK")  # a trust's profile and an ICB's


def test_a_kept_page_is_served_on_the_loop_as_the_page_rendered_as_one_string(store_path: Path) -> None:
    app = create_app(WebSettings(store_path=store_path, cache_entries=0, warm_up=False))
    hub: StoreHub = app.state.hub
    with TestClient(app) as client:
        for page in PAGES:
            before = dict(hub.served)
            first = client.get(page)
            assert hub.served == {"loop": before["loop"], "thread": before["thread"] + 1}, page
            again = client.get(page)
            assert hub.served == {"loop": before["loop"] + 1, "thread": before["thread"] + 1}, page
            assert first.status_code == again.status_code == 200 and first.content == again.content
            # Joined from kept bytes on the loop, it is the page rendered as one string.
            template, context = again.template, again.context  # type: ignore[attr-defined]
            assert "\x00" not in again.text
            assert again.content == template.render(context).encode("utf-8") == render_page(template, context)
        # A new date is a first rendering of the sections that depend on it: on a thread again.
        client.get("/organisations/RJ1?on=2024-01-01")
        assert hub.served["thread"] == len(PAGES) + 1
        # An unknown organisation is never kept, so it is always answered from a thread (its 404 included).
        assert client.get("/organisations/NOPE").status_code == 404
        assert client.get("/organisations/NOPE").status_code == 404
        assert hub.served["thread"] == len(PAGES) + 3


def test_nothing_queries_computes_or_renders_on_the_loop(store_path: Path) -> None:
    hub = StoreHub(store_path)
    with hub.reader():
        pass  # the file is open now, and stays open for idle_seconds
    hub.memo(("kept",), lambda: "value")
    hub.section(("kept section",), lambda: "<p>kept</p>")
    computed: list[str] = []
    with hub.loop_reader() as store:
        assert hub.memo(("kept",), lambda: computed.append("memo") or "other") == "value"
        assert hub.section(("kept section",), lambda: computed.append("section") or "") == "<p>kept</p>"
        with pytest.raises(NeedsThread):
            store.execute("SELECT 1")
        with pytest.raises(NeedsThread):
            hub.memo(("not kept",), lambda: computed.append("memo") or "x")
        with pytest.raises(NeedsThread):  # a key the store cannot hold is computed without a query
            hub.memo(("not kept", object()), lambda: computed.append("memo in process") or "x")
        with pytest.raises(NeedsThread):
            hub.section(("not kept",), lambda: computed.append("section") or "x")
    assert computed == []
    # Off the loop the same calls query and compute.
    with hub.reader() as store:
        assert store.scalar("SELECT 1") == 1
        assert hub.memo(("not kept",), lambda: "computed") == "computed"
    hub.close()


def test_a_store_that_is_not_open_is_not_opened_on_the_loop(store_path: Path) -> None:
    hub = StoreHub(store_path)
    assert not hub.is_open
    with pytest.raises(NeedsThread), hub.loop_reader():
        pass
    assert not hub.is_open
    hub.close()


def test_a_section_that_degrades_on_errors_does_not_swallow_the_hand_over(store_path: Path) -> None:
    """A page's ``except Exception`` fallback must not catch the hand-over and render its fallback."""
    hub = StoreHub(store_path)
    with hub.reader():
        pass

    def section() -> str:
        try:
            return hub.memo(("needs computing",), lambda: "the real section")
        except Exception:
            return "fallback"

    with pytest.raises(NeedsThread), hub.loop_reader():
        section()
    assert section() == "the real section"
    hub.close()


def test_a_templates_own_globals_are_still_seen() -> None:
    env = make_templates().env
    plain = env.get_template("_macros.jinja")
    assert isinstance(plain.globals, ChainMap)
    assert type(plain.globals.keys()) is type({}.keys())  # the environment's dict: compared in C
    own = env.from_string('{% from "_macros.jinja" import org_link %}{{ marker }}', globals={"marker": "own"})
    assert {"marker"} <= own.globals.keys() and own.render() == "own"
