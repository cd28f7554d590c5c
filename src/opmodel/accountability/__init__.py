"""Accountability: the NHS operating model as code.

Declarative, versioned YAML models say which tier is accountable for what, who
oversees whom and what each oversight segment brings; the engine resolves them
against the organisation registry on any date, the checks find gaps, overlaps
and broken lines, and the diff says what changed between models
(methodology §5 and §6).

Naming a function imports only the modules it needs (issue 25): ``opmodel who`` loads the engine and
the model loader, not the checks, the diff or the scenarios.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opmodel.lazyexports import lazy_getattr

if TYPE_CHECKING:
    from opmodel.accountability.checks import (
        Finding,
        check_bodies,
        check_coverage,
        check_cycles,
        check_delegation_codes,
        check_delegations,
        check_frameworks,
        check_ladder,
        check_lines,
        check_model,
        check_models,
        check_overseers,
        check_proposed,
        check_references,
        check_roles,
    )
    from opmodel.accountability.citations import SOURCES_FILE, all_citations, source_registry
    from opmodel.accountability.delegation import DelegationState, delegation_state
    from opmodel.accountability.diff import DiffEntry, diff_models
    from opmodel.accountability.engine import (
        BodyLink,
        ChainLink,
        CitationOut,
        DelegationLink,
        FunctionAccountability,
        LineLink,
        Relation,
        TransitionOut,
        WhoResult,
        case_leads,
        overseers,
        performance_manager,
        performance_managers,
        who,
    )
    from opmodel.accountability.frameworks import FrameworkOut, framework_on, oversight_framework
    from opmodel.accountability.ladder import segment_support, support_body, tier_body
    from opmodel.accountability.library import (
        MODELS_DIR,
        get_model,
        list_models,
        model_or_file,
        resolve_model,
        shipped_models,
    )
    from opmodel.accountability.loader import load_model, parse_model
    from opmodel.accountability.scenario import (
        SCENARIOS_DIR,
        LineChange,
        MergedIcb,
        Scenario,
        ScenarioResult,
        SpanRow,
        apply_scenario,
        load_scenario,
    )
    from opmodel.accountability.schema import (
        BodyDef,
        CaseRule,
        Citation,
        Delegation,
        LineKind,
        ModelStatus,
        OperatingModel,
        OversightFramework,
        OversightLine,
        Role,
        RoleEntry,
        SupportStep,
        TierDef,
        UndelegatedRole,
    )

#: Each public name and the module it lives in, imported when first named.
_LAZY: dict[str, str] = {
    **dict.fromkeys(["Finding", "check_bodies", "check_coverage", "check_cycles", "check_delegation_codes",
                     "check_delegations", "check_frameworks", "check_ladder", "check_lines", "check_model",
                     "check_models", "check_overseers", "check_proposed", "check_references", "check_roles"],
                    "opmodel.accountability.checks"),
    **dict.fromkeys(["SOURCES_FILE", "all_citations", "source_registry"],
                    "opmodel.accountability.citations"),
    **dict.fromkeys(["DelegationState", "delegation_state"],
                    "opmodel.accountability.delegation"),
    **dict.fromkeys(["DiffEntry", "diff_models"],
                    "opmodel.accountability.diff"),
    **dict.fromkeys(["BodyLink", "ChainLink", "CitationOut", "DelegationLink", "FunctionAccountability", "LineLink",
                     "Relation", "TransitionOut", "WhoResult", "case_leads", "overseers", "performance_manager",
                     "performance_managers", "who"],
                    "opmodel.accountability.engine"),
    **dict.fromkeys(["FrameworkOut", "framework_on", "oversight_framework"],
                    "opmodel.accountability.frameworks"),
    **dict.fromkeys(["segment_support", "support_body", "tier_body"],
                    "opmodel.accountability.ladder"),
    **dict.fromkeys(["MODELS_DIR", "get_model", "list_models", "model_or_file", "resolve_model", "shipped_models"],
                    "opmodel.accountability.library"),
    **dict.fromkeys(["load_model", "parse_model"],
                    "opmodel.accountability.loader"),
    **dict.fromkeys(["SCENARIOS_DIR", "LineChange", "MergedIcb", "Scenario", "ScenarioResult", "SpanRow",
                     "apply_scenario", "load_scenario"],
                    "opmodel.accountability.scenario"),
    **dict.fromkeys(["BodyDef", "CaseRule", "Citation", "Delegation", "LineKind", "ModelStatus", "OperatingModel",
                     "OversightFramework", "OversightLine", "Role", "RoleEntry", "SupportStep", "TierDef",
                     "UndelegatedRole"],
                    "opmodel.accountability.schema"),
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


__all__ = [
    "MODELS_DIR",
    "SCENARIOS_DIR",
    "SOURCES_FILE",
    "BodyDef",
    "BodyLink",
    "CaseRule",
    "ChainLink",
    "Citation",
    "CitationOut",
    "Delegation",
    "DelegationLink",
    "DelegationState",
    "DiffEntry",
    "Finding",
    "FrameworkOut",
    "FunctionAccountability",
    "LineChange",
    "LineKind",
    "LineLink",
    "MergedIcb",
    "ModelStatus",
    "OperatingModel",
    "OversightFramework",
    "OversightLine",
    "Relation",
    "Role",
    "RoleEntry",
    "Scenario",
    "ScenarioResult",
    "SpanRow",
    "SupportStep",
    "TierDef",
    "TransitionOut",
    "UndelegatedRole",
    "WhoResult",
    "all_citations",
    "apply_scenario",
    "case_leads",
    "check_bodies",
    "check_coverage",
    "check_cycles",
    "check_delegation_codes",
    "check_delegations",
    "check_frameworks",
    "check_ladder",
    "check_lines",
    "check_model",
    "check_models",
    "check_overseers",
    "check_proposed",
    "check_references",
    "check_roles",
    "delegation_state",
    "diff_models",
    "framework_on",
    "get_model",
    "list_models",
    "load_model",
    "load_scenario",
    "model_json_schema",
    "model_or_file",
    "overseers",
    "oversight_framework",
    "parse_model",
    "performance_manager",
    "performance_managers",
    "resolve_model",
    "segment_support",
    "shipped_models",
    "source_registry",
    "support_body",
    "tier_body",
    "who",
]


def model_json_schema() -> dict[str, object]:
    """The JSON Schema of the model file format (what docs/schema/operating-model.schema.json holds)."""
    from opmodel.accountability.schema import OperatingModel

    schema = OperatingModel.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
