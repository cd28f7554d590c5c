"""Each area declares its public API in ``__all__``, and every name there exists."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import opmodel

AREAS = sorted(m.name for m in pkgutil.iter_modules(opmodel.__path__) if m.ispkg and m.name != "cli")


@pytest.mark.parametrize("area", AREAS)
def test_area_declares_and_exports_its_api(area: str) -> None:
    module = importlib.import_module(f"opmodel.{area}")
    exported = getattr(module, "__all__", None)
    assert exported, f"opmodel.{area} has no __all__"
    assert len(set(exported)) == len(exported)
    for name in exported:
        assert hasattr(module, name), f"opmodel.{area}.{name} is in __all__ but missing"


def test_structure_api_is_what_the_docs_promise() -> None:
    from opmodel import structure

    for name in ("org_details", "list_organisations", "tree", "changes", "load_ods", "ancestors_on"):
        assert name in structure.__all__


def test_reports_api_is_what_the_docs_promise() -> None:
    from opmodel import reports

    for name in ("build_report", "render_pdf", "render_pptx", "render_many", "load_template", "default_template"):
        assert name in reports.__all__
def test_register_api_is_what_the_docs_promise() -> None:
    from opmodel import register

    for name in ("open_register", "add_user", "decide", "create_case", "update_case", "case_history",
                 "StaleVersion", "AccessDenied", "suggest", "overdue", "cases_csv"):
        assert name in register.__all__
def test_population_api_is_what_the_docs_promise() -> None:
    from opmodel import population

    for name in ("icb_profile", "compare_indicator", "load_population_files", "wilson_interval", "byar_interval",
                 "dsr_dobson", "slope_index_of_inequality", "successions", "icb_value"):
        assert name in population.__all__
def test_oversight_uncertainty_api() -> None:  # issue 12
    from opmodel import oversight

    for name in ("league_uncertainty", "TrustPool", "league_ranges", "significant_change"):
        assert name in oversight.__all__


def test_quality_api_is_what_the_docs_promise() -> None:  # issue 22
    from opmodel import quality, variation

    for name in ("quality_show", "shmi_banding", "quality_mix", "cqc_ratings", "hcai_values", "shmi_chart_spec",
                 "seed_quality", "ShmiBanding", "ShmiResult", "CqcRatings", "RATINGS"):
        assert name in quality.__all__
    for name in ("consistency_across", "measure_across", "comparable_peers", "od_method_for", "truncate",
                 "legs_chart_spec"):
        assert name in variation.__all__


def test_maps_api_is_what_the_docs_promise() -> None:  # issue 26
    from opmodel import maps

    for name in ("choropleth", "area_map", "region_map", "small_maps", "render_values", "register_source",
                 "segment_share", "boundaries", "svg_to_png", "ATTRIBUTION"):
        assert name in maps.__all__


def test_quality_provides_the_map_hook_maps_looks_for() -> None:  # issue 26 item 2: quality measures on maps
    import importlib

    from opmodel import quality
    from opmodel.maps.measures import OPTIONAL_SOURCES

    assert "map_measure" in quality.__all__ and "MAP_MEASURES" in quality.__all__
    module, _, func = OPTIONAL_SOURCES["quality"].partition(":")
    assert getattr(importlib.import_module(module), func) is quality.map_measure
    assert {"cqc_good_or_outstanding", "shmi_higher_than_expected", "fft_positive"} <= set(quality.MAP_MEASURES)


def test_oversight_headline_api() -> None:  # issue 20: the result to quote, published first
    from opmodel import oversight

    for name in ("headline_results", "Headline", "Agreement", "attach_headlines", "headline_movement",
                 "cutoff_rule", "whatif", "region_members", "OVERRIDE_SOURCES"):
        assert name in oversight.__all__
