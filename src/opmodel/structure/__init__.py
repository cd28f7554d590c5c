"""Structure: a time-versioned registry of NHS organisations built from ODS files.

Ask where an organisation sat on any date, list organisations under a region or
ICB, walk the hierarchy and see what changed between two dates.

Asking imports the queries only; the file readers and loaders load when first named (issue 25), so
every command that looks an organisation up does not pay for reading ODS files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from opmodel.lazyexports import lazy_getattr
from opmodel.structure.listing import all_organisations, parent_history, peer_codes
from opmodel.structure.models import NATIONAL_CODE, Organisation, OrgKind, Relationship, RelKind, StructureChange
from opmodel.structure.queries import (
    ANCESTORS_SQL,
    ancestors_on,
    changes,
    children_on,
    get_organisation,
    list_organisations,
    org_details,
    parent_on,
    suggest_codes,
    tree,
)

if TYPE_CHECKING:
    from opmodel.structure.defaults import seed_structure
    from opmodel.structure.loader import LoadSummary, apply_ods_snapshot, apply_reference, load_ods, load_reference
    from opmodel.structure.ods import OdsFileKind, OdsSnapshot, read_ods_file
    from opmodel.structure.reference import read_reference_file

#: Names imported on first use, and the module each comes from.
_LAZY = {
    "seed_structure": "opmodel.structure.defaults",
    **dict.fromkeys(["LoadSummary", "apply_ods_snapshot", "apply_reference", "load_ods", "load_reference"],
                    "opmodel.structure.loader"),
    **dict.fromkeys(["OdsFileKind", "OdsSnapshot", "read_ods_file"], "opmodel.structure.ods"),
    "read_reference_file": "opmodel.structure.reference",
}


__getattr__ = lazy_getattr(__name__, _LAZY, globals())


__all__ = [
    "ANCESTORS_SQL",
    "NATIONAL_CODE",
    "LoadSummary",
    "OdsFileKind",
    "OdsSnapshot",
    "OrgKind",
    "Organisation",
    "RelKind",
    "Relationship",
    "StructureChange",
    "all_organisations",
    "ancestors_on",
    "apply_ods_snapshot",
    "apply_reference",
    "changes",
    "children_on",
    "get_organisation",
    "list_organisations",
    "load_ods",
    "load_reference",
    "org_details",
    "parent_history",
    "parent_on",
    "peer_codes",
    "read_ods_file",
    "read_reference_file",
    "seed_structure",
    "suggest_codes",
    "tree",
]
