"""Ticket follow-up links for anonymous widget visitors: signed, expiring, one ticket each.

A visitor who opened a ticket without signing in gets an email with a link carrying this
token. The token names the tenant, the ticket and its customer; editing any field breaks the
signature, and it is only sent to the email address the ticket was opened with, so holding it
proves control of that mailbox (the same proof a password reset relies on).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import Gone, NotFound
from chalicelib.domain.sealed import seal, unseal

PURPOSE = "widget-ticket-link"
_VERSION = 1


@dataclass(frozen=True)
class TicketGrant:
    """The right to read and answer one ticket until ``expires_at`` (epoch seconds)."""

    tenant_id: str
    ticket_id: str
    customer_id: str
    expires_at: int


def sign_ticket_grant(key: bytes, grant: TicketGrant) -> str:
    """The URL-safe token for ``grant``."""
    return seal(
        key,
        PURPOSE,
        {
            "v": _VERSION,
            "t": grant.tenant_id,
            "k": grant.ticket_id,
            "c": grant.customer_id,
            "x": grant.expires_at,
        },
    )


def verify_ticket_grant(key: bytes, token: str, *, tenant_id: str, now: float) -> TicketGrant:
    """The grant of a genuine, current token of this tenant; 404 otherwise, 410 when expired.

    A token of another tenant, or a forged one, reads as "no such ticket": nothing tells a
    prober that the token was well-formed.
    """
    payload = unseal(key, PURPOSE, token) if len(token) <= 1024 else None
    if payload is None or payload.get("v") != _VERSION or payload.get("t") != tenant_id:
        raise NotFound("no such ticket", code="ticket_not_found")
    grant = TicketGrant(
        tenant_id=str(payload["t"]),
        ticket_id=str(payload["k"]),
        customer_id=str(payload["c"]),
        expires_at=int(payload["x"]),
    )
    if now >= grant.expires_at:
        raise Gone(
            "this ticket link has expired; open the widget to get a new one", code="link_expired"
        )
    return grant
