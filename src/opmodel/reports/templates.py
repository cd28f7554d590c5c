"""Report templates: which measures a board pack shows, with their targets, as editable YAML.

One default per organisation level ships in ``reports/templates/`` (trust, icb, region); a board
team copies one, edits the measure list or a target, and passes it with ``--template FILE``. A bad
file is refused with its name, line and field (project standard: clear errors, nothing written).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from opmodel.errors import InputError

__all__ = ["TEMPLATES_DIR", "Measure", "ReportTemplate", "default_template", "load_template"]

TEMPLATES_DIR = Path(str(resources.files("opmodel.reports") / "templates"))


class Measure(BaseModel):
    """One measure in the KPI matrix and its SPC chart."""

    model_config = ConfigDict(extra="forbid")

    metric: str = Field(min_length=1, description="Metric catalogue id, e.g. ae_4hr.")
    label: str | None = Field(default=None, description="Name shown instead of the catalogue name.")
    target: float | None = Field(default=None, description="Target in the metric's unit (percent as 78.0).")
    target_source: str | None = Field(default=None, description="Where the target comes from.")


class ReportTemplate(BaseModel):
    """A board-pack template for one organisation level."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    level: Literal["trust", "icb", "region"]
    title: str = "Integrated performance report"
    history_months: int = Field(default=24, ge=6, le=120, description="How far back the SPC charts go.")
    skip_missing: bool = Field(default=True, description="Leave out measures with no values for the organisation "
                                                         "(listed under the matrix).")
    measures: list[Measure] = Field(min_length=1)
    quality: bool = Field(default=True, description="Open the detail with quality and safety (CQC, SHMI, FFT, "
                                                    "infections).")
    map: str | None = Field(default=None, description="Measure the region pack's map of ICBs is shaded by "
                                                      "(e.g. segment_3_5, ae_4hr); none for no map.")


def load_template(path: Path) -> ReportTemplate:
    """Read and validate a template file; :class:`InputError` names the file, line and field at fault."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError.one(path, None, None, f"cannot read the template: {exc.strerror}") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.one(path, None if mark is None else mark.line + 1, None,
                             f"not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return ReportTemplate.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or None
        raise InputError.one(path, _line_of(text, err["loc"]), field,
                             f"{err['msg']} (expected a report template: name, level, measures)") from None


def _line_of(text: str, loc: tuple[int | str, ...]) -> int | None:
    """Best-effort line of the first key of ``loc`` named in the file (YAML keeps no positions here)."""
    keys = [k for k in loc if isinstance(k, str)]
    for key in reversed(keys):
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip(" -").startswith(f"{key}:"):
                return n
    return None


def default_template(level: str) -> ReportTemplate:
    """The shipped template for ``trust``, ``icb`` or ``region``."""
    return load_template(TEMPLATES_DIR / f"{level}.yaml")
