"""Plain-text emails about tickets through SES: auto-close notices and SLA alerts.

Sent only after the change they announce was committed (by the one writer whose
conditional write won), so a duplicate sweep never sends twice. A failed send is logged and
counted (metric ``TicketMailFailed``); it never undoes the committed change.
"""

from __future__ import annotations

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib.config import get_settings
from chalicelib.observability import get_metrics, logger
from chalicelib.store.clients import aws_client


def send(to: str, subject: str, body: str, *, reply_to: str | None = None) -> bool:
    """Send one text email; True when SES accepted it."""
    message = {
        "Subject": {"Data": subject, "Charset": "UTF-8"},
        "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
    }
    kwargs = {"ReplyToAddresses": [reply_to]} if reply_to else {}
    try:
        aws_client("ses").send_email(
            Source=get_settings().ses_sender,
            Destination={"ToAddresses": [to]},
            Message=message,
            **kwargs,
        )
    except Exception:
        logger.exception("ticket email not sent", extra={"subject": subject})
        get_metrics().add_metric(name="TicketMailFailed", unit=MetricUnit.Count, value=1)
        return False
    return True
