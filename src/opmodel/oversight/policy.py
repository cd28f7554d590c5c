"""The oversight framework as data: a validated, versioned policy per framework year.

Every rule the engine applies (methodology §1.3–§1.7, §2, §4) is a field here, so a user can
read, diff and change the rules without touching code. Policies live in
``opmodel/oversight/policies/<framework>.yaml``; :func:`load_policy` validates one and reports
problems with the file path, line and element.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import re
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from opmodel.errors import InputError, InputProblem, OpmodelError

__all__ = [
    "BandsRegime", "Direction", "FinancialOverride", "LookupRegime", "MetricPolicy", "PeerGroupPolicy",
    "Policy", "Population", "RankRegime", "Segment5", "Segmentation", "apply_settings", "available_policies",
    "check_catalogue",
    "load_policy", "parse_policy",
]

_PATH_IN_MESSAGE = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\[\]-]*): (.+)$", re.DOTALL)
_METRIC_ID = re.compile(r"^(OF\d{4}|[a-z][a-z0-9_]*)$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Population(StrEnum):
    """Who a ranked metric is ranked among (methodology §1.3 "Scoring population")."""

    peer_group = "peer_group"
    all_reporting = "all_reporting"


class RankRegime(_Strict):
    """Ranked 1–4 (§1.3): plain, with a standard (meeting it scores 1) or a floor (failing it scores 4)."""

    type: Literal["ranked", "standard", "floor"]
    threshold: float | None = None

    @model_validator(mode="after")
    def _needs_threshold(self) -> RankRegime:
        if self.type in ("standard", "floor") and self.threshold is None:
            raise ValueError(f"a '{self.type}' regime needs its 'threshold'")
        if self.type == "ranked" and self.threshold is not None:
            raise ValueError("a plain 'ranked' regime takes no threshold (use 'standard' or 'floor')")
        return self


class Band(_Strict):
    """Values in [min, max) score ``score``; an open end is None."""

    score: Annotated[int, Field(ge=1, le=4)]
    min: float | None = None
    max: float | None = None


class BandsRegime(_Strict):
    """Bespoke bands (§1.3, §3.4): a value (or a coded rating) maps straight to a score."""

    type: Literal["bands"]
    bands: Annotated[list[Band], Field(min_length=1)]

    @model_validator(mode="after")
    def _no_overlap(self) -> BandsRegime:
        lo = float("-inf")
        ordered = sorted(self.bands, key=lambda b: -float("inf") if b.min is None else b.min)
        for b in ordered:
            bmin = float("-inf") if b.min is None else b.min
            bmax = float("inf") if b.max is None else b.max
            if bmax <= bmin:
                raise ValueError(f"band for score {b.score} is empty (min {b.min} >= max {b.max})")
            if bmin < lo:
                raise ValueError(f"band for score {b.score} overlaps the band below it (starts at {b.min}, "
                                 f"previous band ends at {lo})")
            lo = bmax
        return self

    def score(self, value: float) -> int | None:
        for b in self.bands:
            if (b.min is None or value >= b.min) and (b.max is None or value < b.max):
                return b.score
        return None


class LookupRegime(_Strict):
    """A matrix of two other metrics' scores (combined finance OF1080, §3.4); None = unobserved cell."""

    type: Literal["lookup"]
    rows: str
    columns: str
    matrix: list[list[Annotated[int, Field(ge=1, le=4)] | None]]

    @model_validator(mode="after")
    def _shape(self) -> LookupRegime:
        if len(self.matrix) != 4 or any(len(r) != 4 for r in self.matrix):
            raise ValueError("a lookup matrix must be 4 rows of 4 cells (scores 1–4 by 1–4; null = unknown)")
        return self


class PublishedRegime(_Strict):
    """No computable rule is known (or no raw input is published): the published score is the input."""

    type: Literal["published"]


Regime = Annotated[RankRegime | BandsRegime | LookupRegime | PublishedRegime, Field(discriminator="type")]


class MetricPolicy(_Strict):
    name: str
    domain: str
    regime: Regime
    raw: str | None = None  # id of the raw value metric (OF0084 for OF1084)
    direction: Direction | None = None
    population: Population = Population.peer_group
    weight: Annotated[float, Field(ge=0)] = 1.0
    averaged: bool = True  # OF1079/OF1081 are scored and published but not averaged (§1.4)
    evidence: str = ""  # V / D / S / R and the section it comes from

    @model_validator(mode="after")
    def _needs(self) -> MetricPolicy:
        if isinstance(self.regime, RankRegime | BandsRegime) and not self.raw:
            raise ValueError(f"a '{self.regime.type}' regime needs 'raw', the id of the value it scores")
        if isinstance(self.regime, RankRegime) and self.direction is None:
            raise ValueError(f"a '{self.regime.type}' regime needs 'direction' (higher or lower)")
        return self


class PeerGroupPolicy(_Strict):
    name: str
    labels: list[str]  # Trust_type values in the NOF CSVs
    registry_subtype: str | None = None  # organisations.subtype in the structure registry
    metrics: list[str]
    segmented: bool = True
    size: Annotated[int, Field(ge=1)] | None = None  # organisations in the group; a pool is complete at this count
    metric_list_status: Literal["complete", "reconstructed", "unknown"] = "complete"
    # Why a group is not segmented (``segmented: false``), said wherever the group is asked for.
    note: str = ""

    @model_validator(mode="after")
    def _segmented_needs_metrics(self) -> PeerGroupPolicy:
        if self.segmented and not self.metrics:
            raise ValueError("segmented with no metrics: every result would be empty; set 'segmented: false' "
                             "and say why in 'note' (e.g. the metric list is not yet published)")
        return self


class DomainPolicy(_Strict):
    name: str
    score_metric: str | None = None  # published domain score id (OF4000 ...)
    segment_metric: str | None = None  # published domain segment id (OF4100 ...)


class Segmentation(_Strict):
    """From average score to segment 1–4 (§1.4 for 2025/26 quartiles, §4 for 2026/27 thresholds)."""

    method: Literal["quartiles", "thresholds"]
    pool: Literal["pooled", "per_group"] = "pooled"
    pool_groups: list[str] = []
    quantile_method: str = "linear"
    thresholds: list[float] | None = None  # for method 'thresholds': 3 ascending cut-offs; None = unknown
    cutoffs: dict[str, list[float]] = {}  # per period label: cut-offs given as policy input
    boundary: Literal["worse_at_cutoff"] = "worse_at_cutoff"  # an average equal to a cut-off takes the worse segment

    @model_validator(mode="after")
    def _valid(self) -> Segmentation:
        sets = dict(self.cutoffs)
        if self.thresholds is not None:
            sets["thresholds"] = self.thresholds
        for key, cuts in sets.items():
            if len(cuts) != 3:
                raise ValueError(f"{key}: expected 3 cut-offs (between segments 1|2, 2|3, 3|4), got {len(cuts)}")
            if any(b <= a for a, b in itertools.pairwise(cuts)):
                raise ValueError(f"{key}: cut-offs must rise strictly, got {cuts} (overlapping segments)")
        if self.method == "quartiles" and self.pool == "pooled" and not self.pool_groups:
            raise ValueError("pooled quartiles need 'pool_groups'")
        return self


class FinancialOverride(_Strict):
    """Step 3 (§1.5): an organisation in deficit or on deficit support cannot sit above ``cap``."""

    enabled: bool | None = True  # None = not known for this framework year
    cap: Annotated[int, Field(ge=1, le=4)] = 3
    flag_metric: str = "OF5004"
    fallback_metrics: list[str] = []  # plan % and YTD variance %: flag if their sum is below 0 (heuristic)


class Segment5(_Strict):
    """Step 4 (§1.6): providers in the PIP/RSP are shown in segment 5 whatever their computed segment."""

    enabled: bool | None = True
    flag_metric: str = "OF5007"
    final_metric: str | None = "OF5005"


class Published(_Strict):
    """Ids of the published results, used as inputs where the store cannot recompute them."""

    average: str = "OF5002"
    unadjusted: str = "OF5003"
    adjusted: str = "OF5000"


class League(_Strict):
    order: list[Literal["adjusted_segment", "final_segment", "average_score"]] = ["adjusted_segment", "average_score"]
    ties: Literal["competition"] = "competition"


class Policy(_Strict):
    framework: str
    version: str
    title: str
    status: Literal["complete", "partial"]
    sources: list[str] = []
    unknowns: list[str] = []
    domains: dict[str, DomainPolicy]
    metrics: dict[str, MetricPolicy]
    peer_groups: dict[str, PeerGroupPolicy]
    excluded_score: float = 0.0
    min_scored_metrics: Annotated[int, Field(ge=1)] = 4
    decimals: Annotated[int, Field(ge=0, le=6)] = 2
    segmentation: Segmentation
    domain_segmentation: Segmentation | None = None
    financial_override: FinancialOverride
    segment5: Segment5
    published: Published = Published()
    league: League = League()
    # Pooled metric whose scoring population is not all held: rank within what is held (provisional) unless
    # the user asks for the published metric score instead (issue 11, item 2).
    use_published_scores: bool = False

    @model_validator(mode="after")
    def _references(self) -> Policy:
        for mid in self.metrics:
            if not _METRIC_ID.match(mid):
                raise ValueError(f"metrics.{mid}: not a metric id (expected OF#### or a catalogue id)")
        for mid, m in self.metrics.items():
            if m.domain not in self.domains:
                raise ValueError(f"metrics.{mid}.domain: unknown domain {m.domain!r} "
                                 f"(expected one of {', '.join(self.domains)})")
            if isinstance(m.regime, LookupRegime):
                for ref in (m.regime.rows, m.regime.columns):
                    if ref not in self.metrics:
                        raise ValueError(f"metrics.{mid}.regime: lookup names unknown metric {ref!r}")
        for gid, g in self.peer_groups.items():
            for i, mid in enumerate(g.metrics):
                if mid not in self.metrics:
                    raise ValueError(f"peer_groups.{gid}.metrics[{i}]: unknown metric {mid!r} "
                                     f"(not defined under 'metrics')")
        for seg_name, seg in (("segmentation", self.segmentation), ("domain_segmentation", self.domain_segmentation)):
            if seg is None:
                continue
            for i, gid in enumerate(seg.pool_groups):
                if gid not in self.peer_groups:
                    raise ValueError(f"{seg_name}.pool_groups[{i}]: unknown peer group {gid!r}")
        return self

    # -- helpers used by the engine -------------------------------------------------
    def group_for_label(self, label: str) -> str | None:
        low = label.strip().lower()
        for gid, g in self.peer_groups.items():
            if low in {x.lower() for x in g.labels}:
                return gid
        return None

    def not_segmented(self, group: str) -> str | None:
        """Why ``group`` gets no segment ("not segmented: ..."), or None when it is segmented."""
        g = self.peer_groups.get(group)
        if g is None or g.segmented:
            return None
        return "not segmented" + (f": {g.note}" if g.note else "")

    def group_for_subtype(self, subtype: str | None) -> str | None:
        for gid, g in self.peer_groups.items():
            if subtype and g.registry_subtype == subtype:
                return gid
        return None

    def sha256(self) -> str:
        """A hash of the rules themselves (canonical JSON), stored with every result."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


# -- loading ------------------------------------------------------------------------------
def available_policies() -> list[str]:
    folder = resources.files("opmodel.oversight") / "policies"
    return sorted(e.name[:-5] for e in folder.iterdir() if e.name.endswith(".yaml"))


def _line_of(text: str, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML element at ``loc`` (pydantic's error location), if found."""
    try:
        node: Any = yaml.compose(text)
    except yaml.YAMLError:
        return None
    line = None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if k.value == str(key)), None)
            if nxt is None:
                break
            node = nxt
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            break
        line = node.start_mark.line + 1
    return line


def parse_policy(data: Any, file: str, text: str = "") -> Policy:
    """Validate a policy mapping; problems name the file, line and element."""
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in
                                                      {"ranked", "standard", "floor", "bands", "lookup",
                                                       "published", "RankRegime", "BandsRegime"}))
            element = ".".join(str(p) for p in loc) or "(top level)"
            msg = str(err["msg"]).removeprefix("Value error, ")
            m = _PATH_IN_MESSAGE.match(msg)
            if m and (not loc or element in m[1]):
                element, msg = m[1], m[2]
                loc = tuple(int(x) if x.isdigit() else x for x in re.split(r"[.\[\]]+", element) if x)
            problems.append(InputProblem(file, _line_of(text, loc) if text else None, element, msg))
        raise InputError(problems) from None


def load_policy(name_or_path: str | Path) -> Policy:
    """A shipped framework by name (``nof-2025-26``) or a policy YAML file by path."""
    path = Path(name_or_path)
    if path.suffix in {".yaml", ".yml"} or path.exists():
        if not path.exists():
            raise InputError.one(path, None, None, "policy file not found")
        text = path.read_text(encoding="utf-8")
        file = str(path)
    else:
        names = available_policies()
        if str(name_or_path) not in names:
            raise OpmodelError(f"Unknown framework {name_or_path!r}: expected one of {', '.join(names)}")
        res = resources.files("opmodel.oversight") / "policies" / f"{name_or_path}.yaml"
        text = res.read_text(encoding="utf-8")
        file = f"opmodel/oversight/policies/{name_or_path}.yaml"
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml (issue 25)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError.one(file, None if mark is None else mark.line + 1, None, f"not valid YAML: {exc}") from None
    policy = parse_policy(data, file, text)
    check_catalogue(policy, file, text)
    return policy


def check_catalogue(policy: Policy, file: str, text: str = "") -> None:
    """Every metric a policy scores or reads must be in the metric catalogue (issue 5, bad input)."""
    from opmodel.metrics.catalogue import catalogue

    known = catalogue()
    problems = []
    for mid, m in policy.metrics.items():
        for loc, ref in ((("metrics", mid), mid), (("metrics", mid, "raw"), m.raw)):
            if ref is not None and ref not in known:
                problems.append(InputProblem(file, _line_of(text, loc) if text else None, ".".join(loc),
                                             f"unknown metric {ref!r}: not in the metric catalogue"))
    if problems:
        raise InputError(problems)


def apply_settings(policy: Policy, settings: list[str]) -> Policy:
    """A copy of ``policy`` with ``KEY=VALUE`` changes (what-if, §issue 4).

    KEY is a dotted path into the policy (``segmentation.cutoffs.2025-26-Q3``,
    ``metrics.OF1082.weight``); VALUE is YAML (``[2.0, 2.3, 2.7]``, ``0.5``, ``null``).
    ``drop=OF1082`` removes a metric from every peer group.
    """
    data = copy.deepcopy(policy.model_dump(mode="json"))
    for setting in settings:
        if "=" not in setting:
            raise OpmodelError(f"--set {setting!r}: expected KEY=VALUE")
        key, raw = (s.strip() for s in setting.split("=", 1))
        try:
            value = yaml.safe_load(raw)
        except yaml.YAMLError:
            raise OpmodelError(f"--set {setting!r}: VALUE is not valid YAML") from None
        if key == "drop":
            ids = value if isinstance(value, list) else [value]
            for mid in ids:
                if str(mid) not in data["metrics"]:
                    raise OpmodelError(f"--set drop={mid}: unknown metric (not in the policy)")
                for g in data["peer_groups"].values():
                    g["metrics"] = [m for m in g["metrics"] if m != str(mid)]
            continue
        parts = key.split(".")
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            if not isinstance(node, dict):
                raise OpmodelError(f"--set {key}: {'.'.join(parts[:i])} is not a mapping")
            if part not in node:
                if ".".join(parts[:i + 1]) in {"segmentation.cutoffs"} or parts[i - 1:i] == ["cutoffs"]:
                    node[part] = {}
                else:
                    raise OpmodelError(f"--set {key}: no element {part!r} in the policy")
            node = node[part]
            if node is None:
                raise OpmodelError(f"--set {key}: {part!r} is empty in the policy")
        if not isinstance(node, dict):
            raise OpmodelError(f"--set {key}: {'.'.join(parts[:-1])} is not a mapping")
        last = parts[-1]
        if last not in node and not (len(parts) >= 2 and parts[-2] == "cutoffs"):
            raise OpmodelError(f"--set {key}: no element {last!r} in the policy")
        node[last] = value
    return parse_policy(data, f"{policy.framework} with --set {' '.join(settings)}")
