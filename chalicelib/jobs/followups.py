"""Follow-up jobs: the every-minute sweep and the SQS worker (thin: parse, call, report)."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import observability
from chalicelib.observability import logger


def sweep(event: Any, context: Any) -> dict[str, Any]:
    """EventBridge schedule: claim due follow-ups of every tenant and enqueue them."""
    from chalicelib.services.followup_sweep import sweep as run_sweep

    getter = getattr(context, "get_remaining_time_in_millis", None)
    time_left = (lambda: getter() / 1000.0) if callable(getter) else None
    report = run_sweep(time_left=time_left)
    logger.info("follow-up sweep", extra=report.__dict__)
    # The same health metrics as the ticket sweep (SweepLag, SweepUnfinished; job dimension
    # in metadata), alarmed in infra/monitoring.py.
    observability.record_sweep(
        "followups_sweep", finished=report.complete, lag_seconds=report.lag_seconds
    )
    return dict(report.__dict__)


def work(event: Any, context: Any) -> dict[str, Any]:
    """SQS batch: deliver each claimed follow-up; failed records are reported, not the batch."""
    from chalicelib.services.followup_delivery import TenantCache, process

    failures: list[dict[str, str]] = []
    cache: TenantCache = {}
    for record in _records(event):
        message_id = record.get("messageId", "")
        try:
            result = process(json.loads(record["body"]), cache=cache)
            logger.info(
                "follow-up processed",
                extra={
                    "message_id": message_id,
                    "outcome": result.outcome,
                    "reason": result.reason,
                },
            )
        except Exception:
            logger.exception("follow-up not processed", extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
    return {"batchItemFailures": failures}


def _records(event: dict[str, Any]) -> list[dict[str, Any]]:
    return list(event.get("Records", []))
