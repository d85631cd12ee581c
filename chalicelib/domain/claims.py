"""Warranty claims: the state machine and how a claim's coverage is decided.

::

    submitted ──> approved ──> in_repair ──> resolved (repaired | replaced | refunded |
        │            │             │                   no_fault_found)
        │            ├──> resolved │
        ├──> rejected (reason)     │
        └──> cancelled <───────────┴── (from submitted, approved or in_repair)

A claim outside coverage is accepted as ``chargeable`` (the customer pays), never silently
refused: coverage is decided once, at submission, from the reported date.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.coverage import Coverage
from chalicelib.domain.errors import Conflict, Invalid


class ClaimStatus(StrEnum):
    """Where a claim is."""

    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    IN_REPAIR = "in_repair"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


class Resolution(StrEnum):
    """How a resolved claim ended."""

    REPAIRED = "repaired"
    REPLACED = "replaced"
    REFUNDED = "refunded"
    NO_FAULT_FOUND = "no_fault_found"


class Billing(StrEnum):
    """Who pays for the work."""

    COVERED = "covered"
    CHARGEABLE = "chargeable"


TRANSITIONS: dict[ClaimStatus, frozenset[ClaimStatus]] = {
    ClaimStatus.SUBMITTED: frozenset(
        {ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.CANCELLED}
    ),
    ClaimStatus.APPROVED: frozenset(
        {ClaimStatus.IN_REPAIR, ClaimStatus.RESOLVED, ClaimStatus.CANCELLED}
    ),
    ClaimStatus.IN_REPAIR: frozenset({ClaimStatus.RESOLVED, ClaimStatus.CANCELLED}),
    ClaimStatus.REJECTED: frozenset(),
    ClaimStatus.RESOLVED: frozenset(),
    ClaimStatus.CANCELLED: frozenset(),
}


def billing_for(coverage: Coverage) -> Billing:
    """Covered work when the product is covered on the reported date, else chargeable."""
    return Billing.COVERED if coverage.covered else Billing.CHARGEABLE


def check_transition(
    current: ClaimStatus,
    target: ClaimStatus,
    *,
    reason: str | None = None,
    resolution: Resolution | None = None,
) -> None:
    """Refuse a transition the state machine does not allow, or one missing its details."""
    if target == current:
        raise Conflict(f"the claim is already {current}", code="claim_status_unchanged")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none (final)"
        raise Conflict(
            f"a {current} claim cannot become {target}; allowed: {allowed}",
            code="claim_transition_not_allowed",
        )
    if target is ClaimStatus.REJECTED and not (reason and reason.strip()):
        raise Invalid("rejecting a claim needs a reason", code="reason_required")
    if target is ClaimStatus.RESOLVED and resolution is None:
        raise Invalid(
            "resolving a claim needs a resolution: repaired, replaced, refunded or no_fault_found",
            code="resolution_required",
        )
    if target is not ClaimStatus.RESOLVED and resolution is not None:
        raise Invalid("a resolution is given only when resolving", code="unexpected_resolution")
