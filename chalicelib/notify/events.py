"""Domain events on EventBridge, for follow-up rules and tenant integrations.

Every event has ``source = "aftersales"``, ``detail-type`` = the event name (``ticket.created``)
and a detail of this shape (documented in docs/events.md)::

    {"tenant_id": "...", "event_id": "<ulid>", "occurred_at": "<RFC 3339>", "data": {...}}

``event_id`` lets consumers de-duplicate: EventBridge delivers at least once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain import clock
from chalicelib.domain.ids import new_id
from chalicelib.observability import logger
from chalicelib.store.clients import aws_client

SOURCE = "aftersales"
_BATCH = 10  # PutEvents accepts at most 10 entries per call


@dataclass(frozen=True)
class DomainEvent:
    """One fact that happened to one tenant's data."""

    tenant_id: str
    name: str
    data: dict[str, Any]
    event_id: str = field(default_factory=new_id)
    occurred_at: datetime = field(default_factory=clock.now)

    def detail(self) -> dict[str, Any]:
        """The EventBridge ``detail`` document."""
        return {
            "tenant_id": self.tenant_id,
            "event_id": self.event_id,
            "occurred_at": self.occurred_at.isoformat().replace("+00:00", "Z"),
            "data": self.data,
        }


def publish(events: Iterable[DomainEvent]) -> int:
    """Put events on the bus (batches of 10, failed entries retried once); returns sent count."""
    pending = list(events)
    if not pending:
        return 0
    bus = get_settings().event_bus_name
    client = aws_client("events")
    sent = 0
    for start in range(0, len(pending), _BATCH):
        chunk = pending[start : start + _BATCH]
        for _attempt in range(2):
            entries = [
                {
                    "Source": SOURCE,
                    "DetailType": e.name,
                    "Detail": json.dumps(e.detail(), default=str),
                    "EventBusName": bus,
                    "Time": e.occurred_at,
                }
                for e in chunk
            ]
            response = client.put_events(Entries=entries)
            results = response.get("Entries", [])
            failed = [e for e, r in zip(chunk, results, strict=False) if r.get("ErrorCode")]
            sent += len(chunk) - len(failed)
            if not failed:
                break
            chunk = failed
        else:
            logger.error(
                "events not delivered to EventBridge",
                extra={"count": len(chunk), "names": sorted({e.name for e in chunk})},
            )
    return sent
