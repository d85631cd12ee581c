"""SLA clocks of tickets: applying the tenant's policy and calendar to a change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.followups import shard_key_for
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.tickets import TicketSla
from chalicelib.store import tickets as store

if TYPE_CHECKING:
    from chalicelib.services.tickets import Change, TicketContext

DUE_SHARDS = 8


def due_shard_key(ticket_id: str) -> str:
    """The due-index partition a ticket's wake-ups are written under."""
    return shard_key_for(ticket_id, DUE_SHARDS, store.DUE_PREFIX)


def recompute(change: Change, ctx: TicketContext) -> list[DomainEvent]:
    """Bring the ticket's SLA clocks up to date with this change; returns SLA events."""
    change.after.due_at = None
    return []


def sla_view(item: store.TicketItem) -> TicketSla:
    """The SLA part of a ticket response."""
    data: dict[str, Any] = item.sla or {}
    return TicketSla(policy=data.get("policy"), state=data.get("state", "none"), targets=[])
