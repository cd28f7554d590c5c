"""Policy files: the shipped frameworks validate; bad ones are rejected naming the file, line and element."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from opmodel.errors import InputError, OpmodelError
from opmodel.oversight import apply_settings, available_policies, load_policy


def test_shipped_policies_validate() -> None:
    assert {"nof-2025-26", "nof-2026-27"} <= set(available_policies())
    p25 = load_policy("nof-2025-26")
    assert p25.status == "complete" and p25.segmentation.method == "quartiles"
    assert p25.metrics["OF1020"].weight == pytest.approx(1 / 3)
    assert not p25.metrics["OF1079"].averaged and p25.metrics["OF1080"].averaged
    p26 = load_policy("nof-2026-27")
    assert p26.status == "partial" and p26.segmentation.method == "thresholds"
    assert p26.segmentation.thresholds is None and p26.segment5.enabled is None
    assert not p26.peer_groups["icb"].segmented and p26.peer_groups["icb"].metric_list_status == "unknown"
    assert any("thresholds" in u for u in p26.unknowns)


def _write(tmp_path: Path, mutate: object) -> Path:
    text = (Path(__file__).parents[2] / "src/opmodel/oversight/policies/nof-2025-26.yaml").read_text()
    data = yaml.safe_load(text)
    mutate(data)  # type: ignore[operator]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _problem(path: Path) -> tuple[str, int | None, str | None, str]:
    with pytest.raises(InputError) as exc:
        load_policy(path)
    p = exc.value.problems[0]
    assert p.file == str(path)
    return p.file, p.line, p.field, p.message


def test_unknown_metric_in_peer_group_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["peer_groups"]["mental_health_community"]["metrics"].append("OF9999"))
    _, line, fld, msg = _problem(path)
    assert fld == "peer_groups.mental_health_community.metrics[14]" and "OF9999" in msg
    assert line is not None and line > 1


def test_regime_without_its_parameter_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["metrics"]["OF1057"]["regime"].pop("threshold"))
    _, line, fld, msg = _problem(path)
    assert fld == "metrics.OF1057.regime" and "needs its 'threshold'" in msg
    assert line is not None and line > 1


def test_overlapping_bands_rejected(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["metrics"]["OF1079"]["regime"]["bands"][1]["max"] = 0.5
    _, _, fld, msg = _problem(_write(tmp_path, mutate))
    assert fld == "metrics.OF1079.regime" and "overlaps" in msg


def test_non_rising_cutoffs_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["segmentation"].update(cutoffs={"2025-26-Q3": [2.3, 2.1, 2.7]}))
    _, _, fld, msg = _problem(path)
    assert fld == "segmentation" and "rise strictly" in msg


def test_ranked_metric_without_direction_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, lambda d: d["metrics"]["OF1084"].pop("direction"))
    _, line, fld, msg = _problem(path)
    assert fld == "metrics.OF1084" and "direction" in msg and line is not None


def test_unknown_framework_and_bad_settings() -> None:
    with pytest.raises(OpmodelError, match="Unknown framework"):
        load_policy("nof-1999-00")
    p = load_policy("nof-2025-26")
    with pytest.raises(OpmodelError, match="no element"):
        apply_settings(p, ["metrics.OF1084.wieght=2"])
    with pytest.raises(InputError):
        apply_settings(p, ["segmentation.thresholds=[2.5, 2.0, 3.0]"])
    changed = apply_settings(p, ["metrics.OF1082.weight=0.5", "drop=OF1086",
                                 "segmentation.cutoffs.2025-26-Q3=[2.0, 2.3, 2.7]"])
    assert changed.metrics["OF1082"].weight == 0.5
    assert "OF1086" not in changed.peer_groups["mental_health_community"].metrics
    assert changed.segmentation.cutoffs["2025-26-Q3"] == [2.0, 2.3, 2.7]
    assert changed.sha256() != p.sha256()


def test_metric_not_in_catalogue_rejected(tmp_path: Path) -> None:
    def mutate(d: dict) -> None:  # type: ignore[type-arg]
        d["metrics"]["OF1099"] = {**d["metrics"]["OF1084"], "raw": "OF0099"}
        d["peer_groups"]["mental_health_community"]["metrics"].append("OF1099")
    path = _write(tmp_path, mutate)
    with pytest.raises(InputError) as exc:
        load_policy(path)
    fields = {(p.field, p.message) for p in exc.value.problems}
    assert ("metrics.OF1099", "unknown metric 'OF1099': not in the metric catalogue") in fields
    assert ("metrics.OF1099.raw", "unknown metric 'OF0099': not in the metric catalogue") in fields
    assert all(p.line is not None for p in exc.value.problems)


def test_icbs_are_not_segmented_until_their_metric_list_is_published(tmp_path: Path) -> None:
    """Methodology §4: ICBs are to be segmented in 2026/27 but their metric list is unknown, so the policy
    says "not segmented" (with why) instead of segmenting on no metrics and producing empty results."""
    p26 = load_policy("nof-2026-27")
    assert p26.not_segmented("icb") == "not segmented: metric list not yet published"
    assert p26.not_segmented("acute") is None

    def segmented_with_no_metrics(d: dict) -> None:  # type: ignore[type-arg]
        d["peer_groups"]["acute"]["metrics"] = []

    with pytest.raises(InputError, match=r"segmented.*no metrics"):
        load_policy(_write(tmp_path, segmented_with_no_metrics))
