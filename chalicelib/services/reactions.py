"""Domain events: published to EventBridge and handed to in-process subscribers.

A service that changed something calls :func:`emit` once, after its write succeeded. The events
go to the bus (tenant integrations, analytics) and to every subscriber below, in the same
invocation: follow-up rules must not depend on a round trip through EventBridge to be
scheduled, and moto cannot deliver bus events to a Lambda anyway.

Subscribers are named as ``"module:function"`` and imported on first use, so ``import app``
stays cheap. Each receives every event and ignores the names it does not handle. A subscriber
that fails is logged and counted (metric ``ReactionFailed``, alarmed in infra); it does not
undo or fail the write that already happened.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.notify.events import DomainEvent, publish
from chalicelib.observability import get_metrics, logger

Subscriber = Callable[[DomainEvent], None]

# Add a bounded context's reaction here: one line, one "module:function".
SUBSCRIBERS: tuple[str, ...] = ("chalicelib.services.followup_rules:on_event",)

_loaded: dict[str, Subscriber] = {}


def _resolve(name: str) -> Subscriber:
    if name not in _loaded:
        module, _, function = name.partition(":")
        _loaded[name] = getattr(importlib.import_module(module), function)
    return _loaded[name]


def emit(events: Sequence[DomainEvent], *, subscribers: Sequence[str] | None = None) -> None:
    """Publish ``events`` and run every subscriber on each of them."""
    if not events:
        return
    publish(events)
    for event in events:
        for name in SUBSCRIBERS if subscribers is None else subscribers:
            try:
                _resolve(name)(event)
            except Exception:
                logger.exception(
                    "reaction failed",
                    extra={"subscriber": name, "event": event.name, "event_id": event.event_id},
                )
                get_metrics().add_metric(name="ReactionFailed", unit=MetricUnit.Count, value=1)
