"""Emails about tickets (auto-close notices, SLA alerts), sent through ``notify.email``.

Sent only after the change they announce was committed (by the one writer whose
conditional write won), so a duplicate sweep never sends twice. A failed send is logged and
counted (metric ``TicketMailFailed``); it never undoes the committed change.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.notify.email import send_email
from chalicelib.observability import get_metrics


def send(to: str, subject: str, body: str) -> bool:
    """Send one text email; True when SES accepted it."""
    if send_email(to, subject, body):
        return True
    get_metrics().add_metric(name="TicketMailFailed", unit=MetricUnit.Count, value=1)
    return False
