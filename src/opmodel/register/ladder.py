"""The enforcement ladder: the formal steps NHS England can take, mildest first, with their statutory basis.

Methodology §5 says enforcement is taken by NHS England working with the ICB and
that NHS England keeps the statutory powers over trusts and foundation trusts;
the methodology does not list the steps, so the statutory references below are
our reading of the Acts [R] (decisions.md, "Register").
"""

from __future__ import annotations

from dataclasses import dataclass

from opmodel.errors import OpmodelError

__all__ = ["ENFORCEMENT_LADDER", "EnforcementStep", "enforcement_step"]


@dataclass(frozen=True)
class EnforcementStep:
    code: str
    name: str
    statutory_basis: str
    evidence: str = "R"


ENFORCEMENT_LADDER: tuple[EnforcementStep, ...] = (
    EnforcementStep("information_notice", "Request for information",
                    "Health and Social Care Act 2012 s104 (power to require information from licence holders)"),
    EnforcementStep("enforcement_undertakings", "Enforcement undertakings",
                    "Health and Social Care Act 2012 s106 (undertakings accepted instead of a requirement)"),
    EnforcementStep("licence_conditions", "Additional licence conditions",
                    "Health and Social Care Act 2012 s111 (conditions on governance where a licence is breached)"),
    EnforcementStep("directions", "Directions",
                    "National Health Service Act 2006 s27B (directions to NHS trusts) and Health and Social Care "
                    "Act 2012 s106-111 for foundation trusts"),
)


def enforcement_step(code: str) -> EnforcementStep:
    """The ladder step named ``code``; a clear error listing the steps otherwise."""
    for step in ENFORCEMENT_LADDER:
        if step.code == code:
            return step
    raise OpmodelError(f"Unknown enforcement step '{code}'; the ladder is "
                       f"{', '.join(s.code for s in ENFORCEMENT_LADDER)}.")
