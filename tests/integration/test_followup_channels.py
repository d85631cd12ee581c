"""Follow-up channels and opt-outs: signed webhooks (SSRF-safe, retried), unsubscribe links,
the feedback side's survey opt-out honoured by the contact budget."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_engine_clock
from tests.support.followups import (
    Clock,
    Engine,
    new_customer,
    plan_followup,
    sent_emails,
    text_of,
)
from tests.support.webhooks import Receiver


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    # Noon in Vilnius: outside tenant A's quiet hours.
    c = Clock(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    patch_engine_clock(monkeypatch, c)
    return c


@pytest.fixture
def engine(api: Api, clock: Clock) -> Engine:
    from scripts.provision import provision

    provision()
    return Engine(clock)


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    from chalicelib.config import reset_settings

    # Loopback targets are refused on deployed stages; the local stack and this test allow them.
    monkeypatch.setenv("WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    reset_settings()
    r = Receiver()
    yield r
    r.close()
    reset_settings()


def create_webhook(api: Api, tenant: TenantKeys, url: str) -> Any:
    return api.request("POST", "/v1/webhooks", key=tenant.admin_key, json_body={"url": url})


def get(api: Api, tenant: TenantKeys, followup_id: str) -> dict[str, Any]:
    return dict(body_of(api.request("GET", f"/v1/followups/{followup_id}", key=tenant.admin_key)))


# --- webhooks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example.com/x",  # plain http
        "https://127.0.0.1/x",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/x",
        "https://10.1.2.3/x",
        "https://localhost/x",
        "https://user:pw@hooks.example.com/x",
        "ftp://hooks.example.com/x",
    ],
)
def test_webhook_urls_must_be_public_https(api: Api, tenant_a: TenantKeys, url: str) -> None:
    r = create_webhook(api, tenant_a, url)
    assert r.status_code == 422, r.body
    assert body_of(r)["code"] == "invalid_webhook_url"
    assert body_of(api.request("GET", "/v1/webhooks", key=tenant_a.admin_key))["items"] == []


def test_webhook_endpoints_crud_secret_shown_once_and_isolated(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    r = create_webhook(api, tenant_a, "https://hooks.example.com/aftersales")
    assert r.status_code == 201, r.body
    made = body_of(r)
    assert made["secret"].startswith("whsec_")
    assert made["secret_hint"] == made["secret"][-4:]
    listed = body_of(api.request("GET", "/v1/webhooks", key=tenant_a.admin_key))["items"]
    assert [w["id"] for w in listed] == [made["id"]]
    assert "secret" not in listed[0]
    path = f"/v1/webhooks/{made['id']}"
    assert api.request("GET", path, key=tenant_b.admin_key).status_code == 404
    stale = api.request(
        "PATCH", path, key=tenant_a.admin_key, json_body={"enabled": False, "version": 9}
    )
    assert stale.status_code == 409
    rotated = api.request(
        "PATCH",
        path,
        key=tenant_a.admin_key,
        json_body={"rotate_secret": True, "version": made["version"]},
    )
    assert rotated.status_code == 200, rotated.body
    assert body_of(rotated)["secret"] != made["secret"]
    assert api.request("DELETE", path, key=tenant_b.admin_key).status_code == 404
    assert api.request("DELETE", path, key=tenant_a.admin_key).status_code == 204
    assert api.request("GET", path, key=tenant_a.admin_key).status_code == 404


def test_webhook_delivery_is_signed_retried_and_sent_once(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, receiver: Receiver
) -> None:
    from chalicelib.domain.webhook_signing import verify

    hook = body_of(create_webhook(api, tenant_a, receiver.url))
    made = plan_followup(api, tenant_a, clock.now, channel="webhook", webhook_id=hook["id"])
    receiver.answers = [503]
    engine.tick()
    retried = get(api, tenant_a, made["id"])
    assert (retried["status"], retried["reason"]) == ("scheduled", "retry")
    assert retried["last_error"] == "webhook answered 503"
    clock.now = datetime.fromisoformat(retried["due_at"]) + timedelta(seconds=1)
    engine.tick()
    assert get(api, tenant_a, made["id"])["status"] == "sent"
    engine.tick()
    assert len(receiver.requests) == 2  # one failure, one success, nothing after
    headers, raw = receiver.requests[-1]
    assert headers["x-aftersales-delivery"] == made["id"]  # the same on every retry
    assert headers["x-aftersales-event"] == "followup.due"
    secret = hook["secret"].encode()
    # Signed at the real time of sending (the receiver's clock), not the engine's test clock.
    now = datetime.now(UTC)
    assert verify(secret, headers["x-aftersales-signature"], raw, now)
    # Tampering with the body or replaying outside the window fails verification.
    assert not verify(secret, headers["x-aftersales-signature"], raw + b" ", now)
    assert not verify(secret, headers["x-aftersales-signature"], raw, now + timedelta(minutes=6))
    payload = json.loads(raw)
    assert payload["tenant_id"] == tenant_a.tenant_id
    assert payload["data"]["followup_id"] == made["id"]
    assert sent_emails() == []


def test_webhook_redirects_and_client_errors_fail_without_retry(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, receiver: Receiver
) -> None:
    hook = body_of(create_webhook(api, tenant_a, receiver.url))
    redirected = plan_followup(api, tenant_a, clock.now, channel="webhook", webhook_id=hook["id"])
    receiver.answers = [302]
    engine.tick()
    item = get(api, tenant_a, redirected["id"])
    assert item["status"] == "failed"
    assert "redirects are not followed" in item["last_error"]
    assert len(receiver.requests) == 1  # the Location (metadata service) was not followed


def test_webhook_target_resolving_to_a_private_address_is_refused_at_delivery(
    api: Api,
    tenant_a: TenantKeys,
    engine: Engine,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chalicelib.notify import webhooks as http

    answers = {"hooks.example.com": ["93.184.216.34", "10.0.0.7"]}
    connected: list[str] = []
    monkeypatch.setattr(http, "resolve", lambda host, port: answers[host])

    class NoConnection:
        def __init__(self, address: str, **kwargs: Any) -> None:
            connected.append(address)

    monkeypatch.setattr("urllib3.HTTPSConnectionPool", NoConnection)
    hook = body_of(create_webhook(api, tenant_a, "https://hooks.example.com/x"))
    made = plan_followup(api, tenant_a, clock.now, channel="webhook", webhook_id=hook["id"])
    engine.tick()
    item = get(api, tenant_a, made["id"])
    # One public and one internal answer (DNS rebinding bait): refused outright, no retry.
    assert item["status"] == "failed"
    assert "non-public address" in item["last_error"]
    assert connected == []


def test_a_follow_up_needs_an_existing_webhook_of_its_tenant(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, engine: Engine, clock: Clock
) -> None:
    hook = body_of(create_webhook(api, tenant_b, "https://hooks.example.com/b"))
    r = api.request(
        "POST",
        "/v1/followups",
        key=tenant_a.admin_key,
        json_body={
            "customer_id": new_customer(api, tenant_a)["id"],
            "due_at": clock.now.isoformat(),
            "channel": "webhook",
            "webhook_id": hook["id"],
        },
    )
    assert r.status_code == 404, r.body
    assert body_of(r)["code"] == "webhook_not_found"


def test_a_rule_on_the_webhook_channel_needs_an_existing_webhook_of_its_tenant(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    foreign = body_of(create_webhook(api, tenant_b, "https://hooks.example.com/b"))
    before = body_of(api.request("GET", "/v1/settings/followups", key=tenant_a.admin_key))

    def save(webhook_id: str) -> Any:
        rules = {"csat_on_solved": {"channel": "webhook", "webhook_id": webhook_id}}
        return api.request(
            "PUT", "/v1/settings/followups", key=tenant_a.admin_key, json_body={"rules": rules}
        )

    for unknown in (foreign["id"], "01ARZ3NDEKTSV4RRFFQ69G5FAV"):
        r = save(unknown)
        assert r.status_code == 404, r.body
        assert body_of(r)["code"] == "webhook_not_found"
        after = body_of(api.request("GET", "/v1/settings/followups", key=tenant_a.admin_key))
        assert after == before  # nothing stored
    own = body_of(create_webhook(api, tenant_a, "https://hooks.example.com/a"))
    r = save(own["id"])
    assert r.status_code == 200, r.body
    assert body_of(r)["values"]["rules"]["csat_on_solved"]["webhook_id"] == own["id"]


# --- unsubscribe and opt-outs --------------------------------------------------------------


def _solve_and_send(api: Api, tenant: TenantKeys, engine: Engine, clock: Clock) -> str:
    """A solved ticket's CSAT email, sent; returns its text."""
    r = api.request(
        "PUT",
        "/v1/settings/followups",
        key=tenant.admin_key,
        json_body={
            # The ticket is solved at the real time of day: no quiet hours in the way.
            "budget": {"quiet_hours_enabled": False},
            "rules": {"csat_on_solved": {"delay_hours": 1}},
        },
    )
    assert r.status_code == 200, r.body
    ticket = body_of(
        api.request(
            "POST",
            "/v1/tickets",
            key=tenant.admin_key,
            json_body={
                "subject": "Dishwasher leaks",
                "description": "Water on the floor.",
                "customer_email": "ona@example.lt",
                "customer_name": "Ona",
            },
        )
    )
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant.admin_key,
        json_body={"version": ticket["version"], "status": "solved"},
    )
    assert r.status_code == 200, r.body
    clock.now = datetime.fromisoformat(r.json_body["solved_at"]) + timedelta(hours=1, minutes=1)
    before = len(sent_emails())
    engine.tick()
    mails = sent_emails()
    assert len(mails) == before + 1
    return text_of(mails[-1])


def _link(text: str, label: str) -> str:
    match = re.search(re.escape(label) + r": (\S+)", text)
    assert match, text
    return match.group(1)


def test_csat_email_asks_the_surveys_question_with_one_link_per_score(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    text = _solve_and_send(api, tenant_a, engine, clock)
    # Tenant A's customers read Lithuanian: the survey's own question.
    assert "Kaip vertinate mūsų suteiktą pagalbą?" in text
    links = re.findall(r"(\S+/widget/v1/feedback/\S+\?score=(\d))", text)
    assert [int(score) for _, score in links] == [1, 2, 3, 4, 5]
    page = urlsplit(links[0][0])
    r = api.request("GET", f"{page.path}?{page.query}")
    assert r.status_code == 200, r.body
    assert body_of(r)["question"] == "Kaip vertinate mūsų suteiktą pagalbą?"


def test_unsubscribe_from_surveys_is_one_click_and_honoured(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    text = _solve_and_send(api, tenant_a, engine, clock)
    link = urlsplit(_link(text, "Nebegauti apklausų"))
    # GET (what mail scanners do) shows the question and records nothing.
    shown = api.request("GET", link.path)
    assert shown.status_code == 200, shown.body
    assert (body_of(shown)["scope"], body_of(shown)["unsubscribed"]) == ("surveys", False)
    page = api.request("GET", link.path, headers={"Accept": "text/html"})
    assert '<form method="post"' in page.body.decode()
    # RFC 8058 one-click: a form post from the mail client.
    r = api.request(
        "POST",
        link.path,
        body="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.body
    assert body_of(r)["unsubscribed"] is True
    # Recorded where the feedback side keeps it: the tenant sees it in its opt-out list.
    optouts = body_of(api.request("GET", "/v1/survey-opt-outs", key=tenant_a.admin_key))
    [optout] = optouts["items"]
    assert optout["source"] == "email_link"
    # The next survey to this customer is skipped with the reason; a reminder still goes out.
    survey = plan_followup(
        api,
        tenant_a,
        clock.now,
        kind="nps_survey",
        customer_id=optout["customer_id"],
        subject_id=optout["customer_id"],
    )
    engine.tick()
    item = get(api, tenant_a, survey["id"])
    assert (item["status"], item["reason"]) == ("skipped", "unsubscribed")


def test_unsubscribe_from_everything_stops_every_kind(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    first = plan_followup(api, tenant_a, clock.now)
    engine.tick()
    [mail] = sent_emails()
    assert get(api, tenant_a, first["id"])["status"] == "sent"
    link = urlsplit(mail["List-Unsubscribe"].strip("<>"))
    r = api.request("POST", link.path)
    assert r.status_code == 200, r.body
    assert (body_of(r)["scope"], body_of(r)["unsubscribed"]) == ("all", True)
    again = api.request("POST", link.path)  # idempotent
    assert body_of(again)["unsubscribed"] is True
    later = plan_followup(api, tenant_a, clock.now, customer_id=first["customer_id"])
    engine.tick()
    item = get(api, tenant_a, later["id"])
    assert (item["status"], item["reason"]) == ("skipped", "no_consent")
    assert len(sent_emails()) == 1


def test_a_forged_unsubscribe_link_is_refused(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request("POST", "/widget/v1/unsubscribe/not-a-token")
    assert r.status_code == 400
    assert body_of(r)["code"] == "invalid_unsubscribe_link"
    page = api.request("GET", "/widget/v1/unsubscribe/x", headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert "text/html" in page.headers["Content-Type"]


def test_customer_export_and_erasure_cover_follow_ups_and_contact_history(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    sent = plan_followup(api, tenant_a, clock.now)
    engine.tick()
    customer_id = sent["customer_id"]
    pending = plan_followup(api, tenant_a, clock.now + timedelta(days=3), customer_id=customer_id)
    r = api.request("GET", f"/v1/customers/{customer_id}/export", key=tenant_a.admin_key)
    assert r.status_code == 200, r.body
    section = body_of(r)["sections"]["followups"]
    assert {f["id"]: f["status"] for f in section["followups"]} == {
        sent["id"]: "sent",
        pending["id"]: "scheduled",
    }
    assert len(section["contacted_at"]) == 1
    r = api.request("POST", f"/v1/customers/{customer_id}/erase", key=tenant_a.admin_key)
    assert r.status_code == 200, r.body
    assert body_of(r)["erased"]["followups"] == 3  # two follow-ups and the contact history
    for made in (sent, pending):
        path = f"/v1/followups/{made['id']}"
        assert api.request("GET", path, key=tenant_a.admin_key).status_code == 404
    clock.now += timedelta(days=4)
    assert engine.tick() == 0


def test_the_surveys_own_throttle_is_honoured_when_stricter_than_the_budget(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    r = api.request(
        "POST",
        "/v1/surveys",
        key=tenant_a.admin_key,
        json_body={"kind": "nps", "name": "Quarterly NPS", "throttle_days": 90},
    )
    assert r.status_code == 201, r.body
    person = new_customer(api, tenant_a)["id"]
    ask = {"kind": "nps_survey", "customer_id": person, "subject_id": person}
    first = plan_followup(api, tenant_a, clock.now, **ask)
    engine.tick()
    assert get(api, tenant_a, first["id"])["status"] == "sent"
    # 40 days on: past the budget's 30-day survey interval, inside the survey's 90 days.
    clock.now += timedelta(days=40)
    second = plan_followup(api, tenant_a, clock.now, **ask)
    engine.tick()
    item = get(api, tenant_a, second["id"])
    assert (item["status"], item["reason"]) == ("skipped", "survey_throttled")
