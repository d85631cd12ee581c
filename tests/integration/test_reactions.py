from __future__ import annotations

from typing import Any

from chalicelib.notify.events import DomainEvent
from chalicelib.services import reactions

SEEN: list[tuple[str, str]] = []


def record(event: DomainEvent) -> None:
    SEEN.append(("record", event.name))


def explode(event: DomainEvent) -> None:
    raise RuntimeError(f"cannot handle {event.name}")


def test_every_subscriber_sees_every_event_and_one_failure_does_not_stop_the_rest(
    aws: Any,
) -> None:
    SEEN.clear()
    here = f"{__name__}"
    events = [DomainEvent("T1", "ticket.created", {"id": "1"}), DomainEvent("T1", "x.y", {})]
    reactions.emit(events, subscribers=[f"{here}:explode", f"{here}:record"])
    assert SEEN == [("record", "ticket.created"), ("record", "x.y")]


def test_nothing_to_emit_does_nothing(aws: Any) -> None:
    SEEN.clear()
    reactions.emit([], subscribers=[f"{__name__}:record"])
    assert SEEN == []
