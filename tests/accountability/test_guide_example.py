"""The user guide's worked example (a local variant) behaves as the guide says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from opmodel.accountability import MODELS_DIR, check_model, diff_models, get_model, load_model, who
from opmodel.store import Store

GUIDE = Path(__file__).resolve().parents[2] / "docs/user-guide.md"


def _local(text: str, fixed: bool) -> str:
    text = text.replace("name: nhs-2025", "name: local-2025")
    text = text.replace("    except: [primary_care, primary_care_pod]\n    line: first_line",
                        "    except: [primary_care, primary_care_pod, mental_health]\n    line: first_line")
    text = text.replace("\ntiers:\n", "\nsources:\n  board-paper:\n    title: Our region's board paper, June 2025\n"
                        "    evidence: S\n\ntiers:\n", 1)
    text = text.replace("  icb-oversees-primary-care:", (
        "  icb-oversees-mental-health:\n    overseer: icb\n    subject: provider\n    functions: [mental_health]\n"
        "    line: first_line\n    escalates_to: region\n"
        "    powers: [first-line oversight of mental health providers]\n"
        "    cite: [{source: board-paper, section: \"item 4\"}]\n  icb-oversees-primary-care:"))
    if fixed:
        text = text.replace("    functions: [primary_care, primary_care_pod]\n    line: escalation",
                            "    functions: [primary_care, primary_care_pod, mental_health]\n    line: escalation")
    return text


def test_local_variant_from_the_guide(tmp_path: Path, shared_store: Store) -> None:
    guide = GUIDE.read_text()
    assert "icb-oversees-mental-health:" in guide and "except: [primary_care, primary_care_pod, mental_health]" in guide
    shipped = (MODELS_DIR / "nhs-2025.yaml").read_text()
    path = tmp_path / "local.yaml"
    path.write_text(_local(shipped, fixed=False))
    [finding] = check_model(load_model(path), shared_store)
    assert finding.check == "broken" and finding.path == "oversight.icb-oversees-mental-health.escalates_to"
    assert "no escalation line over 'provider' for mental_health" in finding.message
    assert "no escalation line over 'provider' for mental_health [broken]" in guide

    path.write_text(_local(shipped, fixed=True))
    local = load_model(path)
    assert check_model(local, shared_store) == []
    [f] = who(shared_store, "RXT", dt.date(2025, 10, 1), "mental_health", local).functions
    assert f.performance_managed_by == "QHL" and f.escalation == ["Y60", "X24"]
    pm = [e for e in diff_models(get_model("nhs-2025"), local) if e.area == "performance_management"]
    assert [(e.before, e.after, e.functions) for e in pm] == [("region", "icb", ["mental_health"])]
    assert pm[0].text in guide
