"""Tickets of a customer: exported with their conversation; erased by anonymising.

The ticket stays (the tenant's service history, SLA reports and counters remain true), but what
the customer wrote or said about themselves goes: subject and description, the bodies of the
messages they authored and their name on those messages. The ticket keeps the customer id, which
no longer resolves to anyone once the customer record is deleted.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import customer_data as store

# Tables whose items this context erases (the lifecycle test checks every table is covered).
TABLES = ("tickets",)


def export(tenant_id: str, customer_id: str) -> Any:
    """Every ticket of the customer with all its messages (visibility marked)."""
    tickets = []
    for ticket in store.customer_tickets(tenant_id, customer_id):
        tickets.append(
            {
                "id": ticket.ticket_id,
                "subject": ticket.subject,
                "description": ticket.description,
                "status": ticket.status,
                "channel": ticket.channel,
                "serial_number": ticket.serial_number,
                "created_at": ticket.created_at.isoformat(),
                "messages": [
                    {
                        "id": m.message_id,
                        "visibility": m.visibility,
                        "author": m.author,
                        "body": m.body,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in store.ticket_messages(tenant_id, ticket.ticket_id)
                ],
            }
        )
    return tickets


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Redact the customer's words on every one of their tickets (idempotent)."""
    from chalicelib.services.customer_data import ERASED_TEXT

    changed = 0
    for ticket in list(store.customer_tickets(tenant_id, customer_id)):
        if ticket.subject != ERASED_TEXT or ticket.description != ERASED_TEXT:
            store.redact_ticket(ticket, ERASED_TEXT)
            changed += 1
        for message in store.ticket_messages(tenant_id, ticket.ticket_id):
            author = dict(message.author or {})
            if author.get("kind") != "customer":
                continue
            if message.body == ERASED_TEXT and not author.get("name"):
                continue
            store.redact_message(
                message, ERASED_TEXT, {"kind": "customer", "id": None, "name": None}
            )
            changed += 1
    return changed
