"""Ticket rules: the fields' vocabularies, the status machine and what a message does.

Status machine (``closed`` is final)::

    new ──► open ◄──► pending (waiting on the customer)
     │       ▲  ▲ ╲
     │       │  │  ╲► on_hold (waiting on a third party) ◄──► pending
     │       │  │
     └──────►solved ──► closed
             │  ▲
             └──┘ reopen (solved → open, only within the tenant's reopen window)

Every non-final status may move to ``solved``; ``new`` may go to any working status;
``solved`` may only be reopened (→ ``open``) within the window, or closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.actors import Actor, ActorKind
from chalicelib.domain.errors import Conflict


class Status(StrEnum):
    """Where a ticket is in its life."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(StrEnum):
    """How urgent a ticket is."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketType(StrEnum):
    """What a ticket is about."""

    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    COMPLAINT = "complaint"
    WARRANTY_CLAIM = "warranty_claim"
    MAINTENANCE = "maintenance"
    INSTALLATION = "installation"
    TRAINING = "training"
    REQUEST = "request"  # a customer asks for something (an extension, another visit date)


class Channel(StrEnum):
    """Where a ticket came from."""

    API = "api"
    WIDGET = "widget"
    EMAIL = "email"
    PHONE = "phone"


class Entitlement(StrEnum):
    """Whether the customer is entitled to free service for this ticket.

    Set from the linked warranty registration by the warranties context (see
    ``services.tickets.resolve_entitlement``); SLA policies may select on it.
    """

    COVERED = "covered"
    CHARGEABLE = "chargeable"
    UNKNOWN = "unknown"


class Visibility(StrEnum):
    """Who sees a message."""

    PUBLIC = "public"
    INTERNAL = "internal"


_TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ON_HOLD, Status.SOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ON_HOLD, Status.SOLVED}),
    Status.ON_HOLD: frozenset({Status.OPEN, Status.PENDING, Status.SOLVED}),
    Status.SOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# Statuses that count as "unresolved work" for reports and the SLA resolution clock.
ACTIVE_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD})
DEFAULT_REOPEN_WINDOW = timedelta(days=7)


def allowed_transitions(current: Status) -> frozenset[Status]:
    """The statuses a ticket in ``current`` may move to."""
    return _TRANSITIONS[current]


def ensure_transition(
    current: Status,
    requested: Status,
    *,
    solved_at: datetime | None = None,
    now: datetime | None = None,
    reopen_window: timedelta = DEFAULT_REOPEN_WINDOW,
) -> Status:
    """Return ``requested`` if ``current → requested`` is allowed now, else raise ``Conflict``.

    Codes: ``ticket_closed`` (nothing leaves ``closed``), ``reopen_window_expired`` (a solved
    ticket older than the window can no longer be reopened), ``invalid_transition``.
    """
    if current is Status.CLOSED:
        raise Conflict(
            "the ticket is closed; closed tickets are final (open a new ticket instead)",
            code="ticket_closed",
        )
    allowed = _TRANSITIONS[current]
    if requested not in allowed:
        options = ", ".join(sorted(s.value for s in allowed))
        raise Conflict(
            f"a ticket cannot go from {current.value} to {requested.value}; allowed: {options}",
            code="invalid_transition",
        )
    if current is Status.SOLVED and requested is Status.OPEN:
        ensure_reopenable(solved_at, now, reopen_window)
    return requested


def ensure_reopenable(
    solved_at: datetime | None, now: datetime | None, reopen_window: timedelta
) -> None:
    """Refuse a reopen after the window (409 ``reopen_window_expired``)."""
    if solved_at is None or now is None:
        return
    if now - solved_at > reopen_window:
        days = reopen_window.total_seconds() / 86_400
        raise Conflict(
            f"the ticket was solved more than {days:g} days ago and can no longer be reopened; "
            "open a new ticket instead",
            code="reopen_window_expired",
        )


def status_after_message(current: Status, author: Actor, visibility: Visibility) -> Status:
    """The status a ticket moves to when a message is added (may be unchanged).

    - a public customer message reopens a pending, on-hold or solved ticket (→ ``open``);
    - a public agent reply takes a ``new`` ticket to ``open``;
    - internal notes and system messages never move the status.
    """
    if current is Status.CLOSED:
        raise Conflict(
            "the ticket is closed; closed tickets take no more messages (open a new ticket)",
            code="ticket_closed",
        )
    if visibility is Visibility.INTERNAL:
        return current
    if author.kind is ActorKind.CUSTOMER and current in (
        Status.PENDING,
        Status.ON_HOLD,
        Status.SOLVED,
    ):
        return Status.OPEN
    if author.kind is ActorKind.AGENT and current is Status.NEW:
        return Status.OPEN
    return current


def is_first_response(author: Actor, visibility: Visibility, first_response_at: object) -> bool:
    """Whether this message is the ticket's first response: the first public agent reply."""
    return (
        author.kind is ActorKind.AGENT
        and visibility is Visibility.PUBLIC
        and first_response_at is None
    )


def normalise_tag(tag: str) -> str:
    """Tags are case-insensitive: stored lower-case, trimmed."""
    return tag.strip().lower()
