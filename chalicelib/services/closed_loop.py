"""Closed loop: an unhappy answer opens a follow-up ticket so someone calls the customer back.

A detractor NPS (0-6), a low CSAT (1-2) or, when the tenant enables it, a high-effort CES
(5-7) opens one ticket per response (thresholds, priority and assignment come from the
tenant's ``feedback`` settings). The ticket names the customer, the surveyed subject, the
score and the comment, and is assigned to the agent of the surveyed ticket. Later changes to
the response within its edit window (a comment added, the score changed) are added to that
ticket as internal notes; the ticket is never opened twice for one response.

The ticket is the team's work item, not a conversation with the customer: it is opened
``internal``, so the customer's widget never lists or shows it. Its subject reads as an agent
would write it (the surveyed ticket by its subject, never raw ids); the ids an agent may need
stay in the description.
"""

from __future__ import annotations

from chalicelib.domain.actors import SYSTEM
from chalicelib.domain.scores import Metric
from chalicelib.schemas.feedback import ClosedLoopSettings
from chalicelib.store import feedback as store

_LABELS = {"csat": "CSAT", "nps": "NPS", "ces": "CES"}


def _scale(kind: str) -> str:
    return {"csat": "1-5", "nps": "0-10", "ces": "1-7 (7 = most effort)"}[kind]


def _description(item: store.ResponseItem) -> str:
    label = _LABELS[item.kind]
    lines = [
        f"The customer answered the {label} survey with {int(item.score)} "
        f"on a scale of {_scale(item.kind)}.",
        f"Surveyed {item.subject_kind}: {item.subject_id}.",
        f"Feedback id: {item.followup_id}.",
        "",
        f"Comment: {item.comment}" if item.comment else "The customer left no comment (yet).",
        "",
        "Please contact the customer, find out what went wrong and close the loop.",
    ]
    return "\n".join(lines)


def _subject(item: store.ResponseItem) -> str:
    """``Low CSAT score (1) after "Dishwasher leaks": follow up with the customer``."""
    score = f"Low {_LABELS[item.kind]} score ({int(item.score)})"
    surveyed = _surveyed_ticket_subject(item)
    if surveyed:
        # Subjects are at most 250 characters; the quoted one is shortened to fit.
        quoted = surveyed if len(surveyed) <= 120 else surveyed[:119] + "…"
        score += f' after "{quoted}"'
    return f"{score}: follow up with the customer"


def _surveyed_ticket_subject(item: store.ResponseItem) -> str | None:
    """The subject of the surveyed ticket, if a ticket was surveyed and still exists."""
    if item.subject_kind != "ticket" or not item.subject_id:
        return None
    from chalicelib.store import tickets as ticket_store

    surveyed = ticket_store.get_ticket(item.tenant_id, item.subject_id)
    return surveyed.subject if surveyed is not None else None


def follow_up(
    item: store.ResponseItem, previous: store.ResponseItem | None, settings: ClosedLoopSettings
) -> str | None:
    """Open (or update) the closed-loop ticket of a response; returns its ticket id, if any."""
    from chalicelib.schemas.tickets import MessageCreate, TicketCreate
    from chalicelib.services import tickets
    from chalicelib.services.feedback import closed_loop_due

    metric = Metric(item.kind)
    if item.closed_loop_ticket_id:
        if previous is None:
            return item.closed_loop_ticket_id
        notes = []
        if int(previous.score) != int(item.score):
            notes.append(f"The customer changed the score from {previous.score} to {item.score}.")
        if item.comment and item.comment != previous.comment:
            notes.append(f"Customer comment: {item.comment}")
        if notes:
            tickets.add_message(
                item.tenant_id,
                item.closed_loop_ticket_id,
                MessageCreate(body="\n".join(notes), visibility="internal"),
                actor=SYSTEM,
            )
        return item.closed_loop_ticket_id
    if not closed_loop_due(metric, int(item.score), settings):
        return None
    ticket = tickets.open_ticket(
        item.tenant_id,
        TicketCreate(
            subject=_subject(item),
            description=_description(item),
            customer_id=item.customer_id,
            channel="api",
            type="complaint",
            priority=settings.priority,
            status="open",
            assignee=item.agent if settings.assign_to_agent and item.agent else None,
            tags=["closed-loop", f"{item.kind}-low-score"],
            product_id=item.product_id,
            internal=True,
        ),
        actor=SYSTEM,
    )
    store.set_closed_loop_ticket(item, ticket.id)
    item.closed_loop_ticket_id = ticket.id
    return ticket.id
