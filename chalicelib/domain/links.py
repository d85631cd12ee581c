"""Links between a customer's records: who may be linked, and what a change carries along a link.

**Ownership.** Inside a tenant, one customer's records are never linked to another's: a
ticket, claim, appointment or service plan may only point at records of its own customer.
Every service that creates or changes a link names the record's customer and, for each linked
record, the customer who owns it; :func:`ensure_same_customer` is the one rule that decides.
A refusal is 422 ``customer_mismatch`` with one field error per offending link, and nothing
is written.

**Synchronisation.** A claim and the ticket it opened (or attached) move together, as do an
appointment and the ticket it was booked for: :data:`CLAIM_TICKET_EFFECTS` and
:data:`APPOINTMENT_TICKET_EFFECTS` say what each status change does to the ticket (its new
status, if any, and whether the note it gets is public, for the customer, or internal, for the
team). :func:`ticket_status_after` applies the ticket's own state machine: a change the ticket
cannot make now (a reopen after the reopen window) leaves its status as it is; the note is
still written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.claims import ClaimStatus
from chalicelib.domain.errors import Conflict, FieldError, Invalid
from chalicelib.domain.maintenance import AppointmentStatus
from chalicelib.domain.tickets import Status, Visibility, ensure_transition

# --- ownership ---------------------------------------------------------------------------------


class CustomerMismatch(Invalid):
    """A link names a record of another customer (422 ``customer_mismatch``)."""

    default_code = "customer_mismatch"


@dataclass(frozen=True)
class Linked:
    """A record named by a link: the request field that names it, what it is (for the
    message) and the customer who owns it."""

    field: str
    noun: str
    owner: str


def registration(owner: str, field: str = "warranty_id") -> Linked:
    """A linked warranty registration."""
    return Linked(field, "registration", owner)


def ticket(owner: str, field: str = "ticket_id") -> Linked:
    """A linked ticket."""
    return Linked(field, "ticket", owner)


def appointment(owner: str, field: str = "appointment_id") -> Linked:
    """A linked service appointment."""
    return Linked(field, "appointment", owner)


def service_plan(owner: str, field: str = "service_plan_id") -> Linked:
    """A linked service plan."""
    return Linked(field, "service plan", owner)


def ensure_same_customer(customer_id: str, linked: Iterable[Linked]) -> None:
    """Refuse every link to a record that ``customer_id`` does not own, naming each one."""
    foreign = [link for link in linked if link.owner != customer_id]
    if not foreign:
        return
    nouns = ", ".join(link.noun for link in foreign)
    raise CustomerMismatch(
        f"a record may only link records of its own customer; another customer's: {nouns}",
        errors=[
            FieldError(link.field, f"this {link.noun} belongs to another customer", "mismatch")
            for link in foreign
        ],
    )


# --- synchronisation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TicketEffect:
    """What a linked record's status change does to its ticket."""

    status: Status | None  # the ticket's new status (None: unchanged)
    note: Visibility  # PUBLIC: the customer should know; INTERNAL: for the team


CLAIM_TICKET_EFFECTS: dict[ClaimStatus, TicketEffect] = {
    # Work on the claim is under way: the ticket is open (its SLA keeps running).
    ClaimStatus.APPROVED: TicketEffect(Status.OPEN, Visibility.PUBLIC),
    ClaimStatus.IN_REPAIR: TicketEffect(Status.OPEN, Visibility.INTERNAL),
    # A decision ends the claim: the ticket is solved with it, and the customer told.
    ClaimStatus.RESOLVED: TicketEffect(Status.SOLVED, Visibility.PUBLIC),
    ClaimStatus.REJECTED: TicketEffect(Status.SOLVED, Visibility.PUBLIC),
    # Withdrawn: the conversation may go on (the customer may still need help); the team decides.
    ClaimStatus.CANCELLED: TicketEffect(None, Visibility.INTERNAL),
}

# The customer was at the visit (or arranged its cancellation): the team's record only.
APPOINTMENT_TICKET_EFFECTS: dict[AppointmentStatus, TicketEffect] = {
    AppointmentStatus.COMPLETED: TicketEffect(None, Visibility.INTERNAL),
    AppointmentStatus.NO_SHOW: TicketEffect(None, Visibility.INTERNAL),
    AppointmentStatus.CANCELLED: TicketEffect(None, Visibility.INTERNAL),
}


def ticket_status_after(
    current: Status,
    wanted: Status | None,
    *,
    solved_at: datetime | None,
    now: datetime,
    reopen_window: timedelta,
) -> Status | None:
    """The status the ticket moves to for ``wanted``; None when it stays where it is (already
    there, nothing wanted, or a move its state machine refuses now)."""
    if wanted is None or wanted is current:
        return None
    try:
        return ensure_transition(
            current, wanted, solved_at=solved_at, now=now, reopen_window=reopen_window
        )
    except Conflict:
        return None
