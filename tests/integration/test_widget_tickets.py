"""Tickets through the widget: anonymous and signed-in customers, ownership, public-only views."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import scan_table
from tests.support.widget import SHOP, sign_identity, widget_headers


@pytest.fixture
def shop(api: Api, tenant_a: TenantKeys) -> dict[str, str]:
    """Tenant A's shop: a widget key on SHOP and an identity secret."""
    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={"name": "Shop", "allowed_origins": [SHOP]},
    )
    key = body_of(r)["key"]
    r = api.request("POST", "/v1/widget-secrets", key=tenant_a.admin_key, json_body={"name": "s"})
    return {"key": key, "kid": body_of(r)["kid"], "secret": body_of(r)["secret"]}


def _as(shop: dict[str, str], sub: str, email: str, name: str = "Customer") -> dict[str, str]:
    token = sign_identity(shop["secret"], shop["kid"], sub=sub, email=email, name=name)
    return widget_headers(shop["key"], token=token)


def _open(api: Api, headers: dict[str, str], **fields: Any) -> Any:
    body = {"subject": "Dishwasher leaks", "message": "Water under the door.", **fields}
    return api.request("POST", "/widget/v1/tickets", headers=headers, json_body=body)


def _sent_emails() -> list[Any]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].sent_messages)


def _verify_sender() -> None:
    from chalicelib.config import get_settings
    from chalicelib.store.clients import aws_client

    aws_client("ses").verify_email_identity(EmailAddress=get_settings().ses_sender)


def test_signed_in_customer_opens_lists_reads_and_replies(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    ona = _as(shop, "cust-ona", "ona@example.lt", "Ona")
    r = _open(api, ona, serial_number="SN-123")
    assert r.status_code == 201, r.body
    created = body_of(r)
    assert created["follow_up"] == "widget"
    ticket_id = created["ticket"]["id"]
    assert r.headers["Access-Control-Allow-Origin"] == SHOP

    # The agent sees it, from the widget channel, with a found-or-created customer.
    agent_view = body_of(api.request("GET", f"/v1/tickets/{ticket_id}", key=tenant_a.admin_key))
    assert agent_view["channel"] == "widget"
    assert agent_view["serial_number"] == "SN-123"
    customer = body_of(
        api.request("GET", f"/v1/customers/{agent_view['customer_id']}", key=tenant_a.admin_key)
    )
    assert (customer["email"], customer["external_id"], customer["name"]) == (
        "ona@example.lt",
        "cust-ona",
        "Ona",
    )

    # Agent replies publicly and adds an internal note.
    api.request(
        "POST",
        f"/v1/tickets/{ticket_id}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "Please send a photo.", "author": {"kind": "agent", "name": "Rasa"}},
    )
    api.request(
        "POST",
        f"/v1/tickets/{ticket_id}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "INTERNAL: customer is on our watch list", "visibility": "internal"},
    )

    listed = body_of(api.request("GET", "/widget/v1/tickets", headers=ona))
    assert [t["id"] for t in listed["items"]] == [ticket_id]
    r = api.request("GET", f"/widget/v1/tickets/{ticket_id}", headers=ona)
    assert r.status_code == 200
    details = body_of(r)
    assert [m["body"] for m in details["messages"]] == ["Please send a photo."]
    assert details["messages"][0]["author_name"] == "Rasa"
    assert b"INTERNAL" not in r.body
    assert b"watch list" not in r.body
    assert set(details) == {
        "id",
        "subject",
        "status",
        "serial_number",
        "created_at",
        "updated_at",
        "description",
        "messages",
    }

    r = api.request(
        "POST",
        f"/widget/v1/tickets/{ticket_id}/messages",
        headers=ona,
        json_body={"message": "Photo attached below."},
    )
    assert r.status_code == 201, r.body
    conversation = body_of(
        api.request("GET", f"/v1/tickets/{ticket_id}/messages", key=tenant_a.admin_key)
    )
    assert conversation["items"][-1]["body"] == "Photo attached below."
    assert conversation["items"][-1]["author"]["kind"] == "customer"
    assert conversation["items"][-1]["visibility"] == "public"


def test_customer_x_never_reads_customer_y_ticket(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, shop: dict[str, str]
) -> None:
    ona = _as(shop, "cust-ona", "ona@example.lt")
    janis = _as(shop, "cust-janis", "janis@example.lv")
    ticket_id = body_of(_open(api, ona))["ticket"]["id"]
    admin_ticket = body_of(
        api.request(
            "POST",
            "/v1/tickets",
            key=tenant_a.admin_key,
            json_body={"subject": "s", "description": "d", "customer_email": "third@x.lt"},
        )
    )["id"]

    for tid in (ticket_id, admin_ticket, "01HZZZZZZZZZZZZZZZZZZZZZZZ", "not-an-id"):
        r = api.request("GET", f"/widget/v1/tickets/{tid}", headers=janis)
        assert r.status_code == 404, tid
        assert body_of(r)["code"] == "ticket_not_found"
        r = api.request(
            "POST",
            f"/widget/v1/tickets/{tid}/messages",
            headers=janis,
            json_body={"message": "hi"},
        )
        assert r.status_code == 404
    assert body_of(api.request("GET", "/widget/v1/tickets", headers=janis))["items"] == []
    # Same external id, but signed by another tenant's secret: refused outright.
    r = api.request("POST", "/v1/widget-secrets", key=tenant_b.admin_key, json_body={"name": "b"})
    forged = sign_identity(body_of(r)["secret"], body_of(r)["kid"], sub="cust-ona")
    r = api.request(
        "GET", f"/widget/v1/tickets/{ticket_id}", headers=widget_headers(shop["key"], token=forged)
    )
    assert r.status_code == 401
    # Without identity or link: 401, not the ticket.
    r = api.request("GET", f"/widget/v1/tickets/{ticket_id}", headers=widget_headers(shop["key"]))
    assert r.status_code == 401
    r = api.request("GET", "/widget/v1/tickets", headers=widget_headers(shop["key"]))
    assert (r.status_code, body_of(r)["code"]) == (401, "identity_required")


def test_anonymous_visitor_gets_a_follow_up_link(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    _verify_sender()
    anonymous = widget_headers(shop["key"])
    r = _open(
        api,
        anonymous,
        name="Alex",
        email="alex@example.com",
        locale="lt",
        page_url=SHOP + "/support?x=1#top",
    )
    assert r.status_code == 201, r.body
    created = body_of(r)
    assert created["follow_up"] == "email"
    ticket_id = created["ticket"]["id"]
    assert b"token" not in r.body  # the link goes to the mailbox only

    sent = [m for m in _sent_emails() if "alex@example.com" in str(m.destinations)]
    assert len(sent) == 1
    assert "Gavome" in sent[0].subject  # the visitor's locale
    link = re.search(
        r"https://shop\.example\.com/support\?x=1&aftersales_ticket=(\S+)", sent[0].body
    )
    assert link, sent[0].body
    from urllib.parse import unquote

    token = unquote(link.group(1))
    with_link = {**anonymous, "X-Ticket-Token": token}
    r = api.request("GET", f"/widget/v1/tickets/{ticket_id}", headers=with_link)
    assert r.status_code == 200, r.body
    r = api.request(
        "POST",
        f"/widget/v1/tickets/{ticket_id}/messages",
        headers=with_link,
        json_body={"message": "Any news?"},
    )
    assert r.status_code == 201
    # The link opens that ticket only, and only in its tenant.
    other = body_of(_open(api, anonymous, name="Alex", email="alex@example.com"))["ticket"]["id"]
    assert api.request("GET", f"/widget/v1/tickets/{other}", headers=with_link).status_code == 404
    tampered = {**anonymous, "X-Ticket-Token": token[:-2] + ("AA" if token[-2:] != "AA" else "BB")}
    r = api.request("GET", f"/widget/v1/tickets/{ticket_id}", headers=tampered)
    assert r.status_code == 404
    # Anonymous visitors must say who they are.
    r = _open(api, anonymous)
    assert r.status_code == 422


def test_honeypot_stores_nothing(api: Api, tenant_a: TenantKeys, shop: dict[str, str]) -> None:
    from chalicelib.store.tickets import TicketsTable

    r = _open(
        api, widget_headers(shop["key"]), name="Bot", email="bot@spam.example", website="http://x"
    )
    assert r.status_code == 201  # looks accepted to the bot
    assert scan_table(TicketsTable.Meta.table_name) == []
    listed = body_of(api.request("GET", "/v1/customers", key=tenant_a.admin_key))
    assert "bot@spam.example" not in {c["email"] for c in listed["items"]}


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "s", "message": "x" * 5001, "name": "A", "email": "a@b.lt"},
        {"subject": "s" * 201, "message": "m", "name": "A", "email": "a@b.lt"},
        {"subject": "s", "message": "m", "name": "A", "email": "not-an-email"},
        {"subject": "s", "message": "m", "name": "A", "email": "a@b.lt", "serial_number": "<x>"},
        {"subject": "s", "message": "m", "name": "A", "email": "a@b.lt", "customer_id": "X"},
        {"subject": "s", "message": "m", "name": "A", "email": "a@b.lt", "priority": "urgent"},
        {"subject": "", "message": "m", "name": "A", "email": "a@b.lt"},
        {"subject": 5, "message": "m", "name": "A", "email": "a@b.lt"},
        [],
    ],
)
def test_bad_input_is_4xx_and_stores_nothing(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str], body: Any
) -> None:
    from chalicelib.store.tickets import TicketsTable

    r = api.request(
        "POST", "/widget/v1/tickets", headers=widget_headers(shop["key"]), json_body=body
    )
    assert 400 <= r.status_code < 500, r.body
    assert r.headers["Access-Control-Allow-Origin"] == SHOP
    assert scan_table(TicketsTable.Meta.table_name) == []


def test_oversized_and_malformed_bodies(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    from chalicelib.store.tickets import TicketsTable

    headers = widget_headers(shop["key"])
    huge = '{"subject": "s", "message": "' + "x" * 20_000 + '"}'
    r = api.request("POST", "/widget/v1/tickets", headers=headers, body=huge)
    assert r.status_code == 413
    r = api.request("POST", "/widget/v1/tickets", headers=headers, body='{"subject": ')
    assert (r.status_code, body_of(r)["code"]) == (400, "malformed_json")
    assert scan_table(TicketsTable.Meta.table_name) == []


def test_feature_switched_off(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={"name": "w", "allowed_origins": [SHOP], "features": ["warranty"]},
    )
    headers = widget_headers(body_of(r)["key"])
    r = _open(api, headers, name="A", email="a@b.lt")
    assert (r.status_code, body_of(r)["code"]) == (403, "feature_disabled")
    assert r.headers["Access-Control-Allow-Origin"] == SHOP


def test_submission_limit_per_client(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("WIDGET_IP_SUBMISSIONS_PER_HOUR", "2")
    reset_settings()
    ona = _as(shop, "cust-ona", "ona@example.lt")
    codes = [_open(api, ona).status_code for _ in range(3)]
    assert codes[:2] == [201, 201]
    refused = _open(api, ona)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert api.request("GET", "/widget/v1/tickets", headers=ona).status_code == 200  # reads go on


def test_idempotent_retry_is_scoped_to_the_caller(
    api: Api, tenant_a: TenantKeys, shop: dict[str, str]
) -> None:
    ona = {**_as(shop, "cust-ona", "ona@example.lt"), "Idempotency-Key": "same-key"}
    janis = {**_as(shop, "cust-janis", "janis@example.lv"), "Idempotency-Key": "same-key"}
    first = body_of(_open(api, ona))["ticket"]["id"]
    assert body_of(_open(api, ona))["ticket"]["id"] == first
    assert body_of(_open(api, janis))["ticket"]["id"] != first


def test_other_tenants_tickets_are_not_found(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, shop: dict[str, str]
) -> None:
    b_ticket = body_of(
        api.request(
            "POST",
            "/v1/tickets",
            key=tenant_b.admin_key,
            json_body={"subject": "s", "description": "d", "customer_email": "ona@example.lt"},
        )
    )["id"]
    ona = _as(shop, "cust-ona", "ona@example.lt")
    r = api.request("GET", f"/widget/v1/tickets/{b_ticket}", headers=ona)
    assert r.status_code == 404
    assert body_of(api.request("GET", "/widget/v1/tickets", headers=ona))["items"] == []


def test_widget_ticket_costs(api: Api, tenant_a: TenantKeys, shop: dict[str, str]) -> None:
    from tests.support.dynamo_calls import recording

    ona = _as(shop, "cust-ona", "ona@example.lt")
    _open(api, ona)  # warms the key cache and creates the customer
    with recording() as opened:
        assert _open(api, ona).status_code == 201
    with recording() as read:
        ticket_id = body_of(api.request("GET", "/widget/v1/tickets", headers=ona))["items"][0]["id"]
    # Measured: open = 3 counters (key, client, submissions) + customer lookup by identity
    # (2 GetItem) + ticket context (1 BatchGetItem) + 1 TransactWriteItems = 7;
    # list = 2 counters + lookup (2) + tickets Query (no SLA view) = 5;
    # detail = 2 counters + lookup (2) + ticket + context + messages' ticket check + Query = 7.
    assert opened.calls.count("UpdateItem") == 3
    assert "Scan" not in opened.calls
    assert opened.count <= 7, opened.calls
    assert read.calls.count("UpdateItem") == 2
    assert read.count <= 5, read.calls
    with recording() as detail:
        api.request("GET", f"/widget/v1/tickets/{ticket_id}", headers=ona)
    assert detail.count <= 7, detail.calls
