"""The follow-up work queue (SQS): the sweep enqueues claimed ids, the worker consumes them.

The queue is found by name (``FOLLOWUPS_QUEUE_NAME``, the name ``app.py`` consumes and infra
creates) unless ``FOLLOWUPS_QUEUE_URL`` gives the URL; its dead-letter queue is ``<name>-dlq``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from chalicelib.config import get_settings
from chalicelib.observability import logger
from chalicelib.store.clients import aws_client

_BATCH = 10  # SendMessageBatch takes at most 10 entries


@functools.cache
def _queue_url(name: str, explicit: str | None) -> str:
    if explicit:
        return explicit
    return str(aws_client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def queue_url() -> str:
    """URL of the work queue."""
    settings = get_settings()
    return _queue_url(settings.followups_queue_name, settings.followups_queue_url)


def dead_letter_url() -> str:
    """URL of the work queue's dead-letter queue."""
    settings = get_settings()
    return _queue_url(
        settings.followups_queue_name + "-dlq", settings.followups_dead_letter_queue_url
    )


def reset() -> None:
    """Forget cached queue URLs (tests switch moto accounts)."""
    _queue_url.cache_clear()


def enqueue(messages: Sequence[dict[str, Any]]) -> int:
    """Send JSON messages in batches of 10; failed entries are retried once. Returns sent."""
    if not messages:
        return 0
    sqs = aws_client("sqs")
    url = queue_url()
    sent = 0
    for start in range(0, len(messages), _BATCH):
        chunk = {str(i): m for i, m in enumerate(messages[start : start + _BATCH])}
        for _attempt in range(2):
            response = sqs.send_message_batch(
                QueueUrl=url,
                Entries=[{"Id": i, "MessageBody": json.dumps(m)} for i, m in chunk.items()],
            )
            sent += len(response.get("Successful", []))
            chunk = {f["Id"]: chunk[f["Id"]] for f in response.get("Failed", [])}
            if not chunk:
                break
        if chunk:
            # Not lost: these follow-ups stay claimed and return to the sweep at lease expiry.
            logger.warning("follow-ups not enqueued", extra={"count": len(chunk)})
    return sent


def dead_letter(message: dict[str, Any]) -> None:
    """Park a message that failed for good on the dead-letter queue (alarmed in infra)."""
    aws_client("sqs").send_message(QueueUrl=dead_letter_url(), MessageBody=json.dumps(message))
