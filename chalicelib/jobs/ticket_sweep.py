"""Scheduled handler: the every-minute ticket sweep (SLA warnings/breaches, auto-close)."""

from __future__ import annotations

import time
from typing import Any

from chalicelib.domain import clock
from chalicelib.observability import logger, record_sweep


def handle(event: Any, lambda_context: Any = None) -> dict[str, Any]:
    """Run one sweep within the Lambda's remaining time; returns its summary."""
    from chalicelib.services.ticket_jobs import SAFETY_SECONDS, sweep

    remaining_ms = 60_000
    getter = getattr(lambda_context, "get_remaining_time_in_millis", None)
    if callable(getter):
        remaining_ms = int(getter())
    deadline = time.monotonic() + max(remaining_ms / 1000 - SAFETY_SECONDS, 1.0)
    report = sweep(clock.now(), deadline=deadline)
    summary = report.as_dict()
    logger.info("ticket sweep", extra=summary)
    # Sweep health for the SweepUnfinished alarm (infra/monitoring.py).
    record_sweep("ticket_sweep", finished=report.finished)
    return summary
