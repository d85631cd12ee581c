"""Ticket report counters, maintained on every write."""

from __future__ import annotations

from datetime import datetime

from chalicelib.store import tickets as store


def counter_deltas(
    before: store.TicketItem | None, after: store.TicketItem, now: datetime
) -> list[store.CounterDelta]:
    """The counter increments a change causes."""
    return []
