"""Outbound email through SES (the local stack's moto SES keeps an outbox to look at)."""

from __future__ import annotations

import re

from chalicelib.config import get_settings
from chalicelib.observability import logger

# Characters that must never reach a header: C0 controls, DEL and the Unicode line separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def one_line(text: str) -> str:
    """``text`` without control characters (CR, LF, tabs... become one space), trimmed."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def send_email(to: str, subject: str, text: str, html: str | None = None) -> bool:
    """Send one message from the configured sender; False (logged) when SES refuses it.

    Callers decide whether a failed send fails their operation; the widget's follow-up link
    does not (the ticket exists either way, and the customer can ask again).
    """
    from chalicelib.store.clients import aws_client

    # The subject often carries text a customer wrote (a ticket's subject from the widget):
    # one line, whatever it contained, so it can never become a second header; an address
    # with a line break or a list separator is not sent at all.
    subject = one_line(subject)
    if any(c in to for c in "\r\n,;") or "@" not in to:
        logger.warning("email not sent: not a single deliverable address")
        return False
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


# SES error codes that retrying the same message cannot fix.
_PERMANENT_SES_ERRORS = frozenset(
    {"MessageRejected", "MailFromDomainNotVerifiedException", "InvalidParameterValue"}
)


def send_message(
    to: str,
    subject: str,
    text: str,
    html: str,
    headers: dict[str, str] | None = None,
    *,
    to_name: str | None = None,
) -> str:
    """Send one multipart (plain text + HTML) email with extra headers; returns the message id.

    Built with the standard library's ``EmailMessage`` (its default policy refuses CR/LF in
    header values, so nothing a customer or tenant wrote can add a header) and sent raw so that
    ``List-Unsubscribe`` headers survive. Raises :class:`DeliveryFailed`, retryable unless SES
    refused the message itself.
    """
    from email import policy
    from email.message import EmailMessage
    from email.utils import formataddr, parseaddr

    from botocore.exceptions import BotoCoreError, ClientError

    from chalicelib.notify.errors import DeliveryFailed
    from chalicelib.store.clients import aws_client

    name, address = parseaddr(to)
    name = " ".join((to_name or name).split())  # no line breaks in a display name
    if not address or "@" not in address or any(c in to for c in "\r\n,;<>"):
        raise DeliveryFailed(f"not a deliverable address: {to!r}", retryable=False)
    # Fold only at the RFC 5322 limit: a folded List-Unsubscribe URL becomes encoded words.
    message = EmailMessage(policy=policy.default.clone(max_line_length=998))
    try:
        message["From"] = get_settings().ses_sender
        message["To"] = formataddr((name, address))
        message["Subject"] = subject
        for header, value in (headers or {}).items():
            message[header] = value
    except ValueError as exc:
        raise DeliveryFailed(f"unsafe header: {exc}", retryable=False) from exc
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    try:
        response = aws_client("ses").send_raw_email(
            Source=get_settings().ses_sender,
            Destinations=[address],
            RawMessage={"Data": message.as_bytes()},
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        raise DeliveryFailed(
            f"SES refused the message: {code}", retryable=code not in _PERMANENT_SES_ERRORS
        ) from exc
    except BotoCoreError as exc:
        raise DeliveryFailed(f"SES unreachable: {type(exc).__name__}") from exc
    return str(response.get("MessageId", ""))
