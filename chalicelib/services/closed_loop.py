"""Closed loop: an unhappy answer opens a follow-up ticket so someone calls the customer back.

A detractor NPS (0-6), a low CSAT (1-2) or, when the tenant enables it, a high-effort CES
(5-7) opens one ticket per response (thresholds, priority and assignment come from the
tenant's ``feedback`` settings). The ticket names the customer, the surveyed subject, the
score and the comment, and is assigned to the agent of the surveyed ticket. Later changes to
the response within its edit window (a comment added, the score changed) are added to that
ticket as internal notes; the ticket is never opened twice for one response.
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
    label = _LABELS[item.kind]
    ticket = tickets.open_ticket(
        item.tenant_id,
        TicketCreate(
            subject=f"Low {label} score ({int(item.score)}): follow up with the customer",
            description=_description(item),
            customer_id=item.customer_id,
            channel="api",
            type="complaint",
            priority=settings.priority,
            status="open",
            assignee=item.agent if settings.assign_to_agent and item.agent else None,
            tags=["closed-loop", f"{item.kind}-low-score"],
            product_id=item.product_id,
        ),
        actor=SYSTEM,
    )
    store.set_closed_loop_ticket(item, ticket.id)
    item.closed_loop_ticket_id = ticket.id
    return ticket.id
