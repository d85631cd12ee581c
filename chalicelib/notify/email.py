"""Outbound email through SES (the local stack's moto SES keeps an outbox to look at)."""

from __future__ import annotations

from chalicelib.config import get_settings
from chalicelib.observability import logger


def send_email(to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message from the configured sender; False (logged) when SES refuses it.

    Callers decide whether a failed send fails their operation; the widget's follow-up link
    does not (the ticket exists either way, and the customer can ask again).
    """
    from chalicelib.store.clients import aws_client

    body: dict[str, dict[str, str]] = {"Text": {"Data": text, "Charset": "UTF-8"}}
    if html is not None:
        body["Html"] = {"Data": html, "Charset": "UTF-8"}
    settings = get_settings()
    # The stage's configuration set (deployed) tracks bounces/complaints and reputation.
    tracking = (
        {"ConfigurationSetName": settings.ses_configuration_set}
        if settings.ses_configuration_set
        else {}
    )
    try:
        aws_client("ses").send_email(
            Source=settings.ses_sender,
            Destination={"ToAddresses": [to]},
            Message={"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body},
            **tracking,
        )
    except Exception:
        logger.exception("email not sent", extra={"subject": subject})
        return False
    return True
