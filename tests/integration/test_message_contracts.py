"""Every customer-facing follow-up message, end to end, in en, lt and lv.

One customer per locale gets every kind of follow-up through the real planning rules (warranty
expiry, proof-of-purchase reminder, maintenance reminder, CSAT after a ticket and after an
installation) or through the API (NPS, CES, appointment follow-up, auto-close notice, custom),
and the real sweep and worker send them. Each email must carry its values (product name,
per-locale date, ticket subject, visit kind, technician) and, for reminders, its signed action
link, with no blank and no leftover placeholder; the proof-of-purchase reminder does not ask to
register a product that is registered.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.i18n.followups import DETAIL_LABELS, KIND_TEXTS
from chalicelib.i18n.formats import format_date, visit_kind
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import freeze
from tests.support.followups import Clock, Engine, html_of, sent_emails, text_of

PRODUCT = "Šilumos siurblys Ūla-9"
TECHNICIAN = "Rūta Žemaitė"
TICKET = "Indaplovė nepila vandens"

# What a blank left behind looks like, in any language: an empty quote, a label or sentence
# with nothing after it, doubled spaces, a placeholder never filled.
BLANKS = (
    re.compile(r"„“|“”|\"\"|''|\(\)"),
    re.compile(r"\{[a-z_]+\}"),
    re.compile(r"[^\s]  +[^\s]"),
    re.compile(r" [.,:;!?]"),
    re.compile(r":\s*$", re.MULTILINE),
)


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    r = api.request(method, path, key=tenant.admin_key, json_body=body)
    assert r.status_code < 300, r.body
    return body_of(r)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0))
    freeze(monkeypatch, c)
    return c


@pytest.fixture
def engine(api: Api, clock: Clock) -> Engine:
    from scripts.provision import provision

    provision()
    return Engine(clock)


def open_settings(api: Api, tenant: TenantKeys) -> None:
    """Every message goes out: no quiet hours, a budget that holds them all; the visit survey
    a month after the visit (one survey a month per customer is the surveys' own throttle)."""
    current = call(api, tenant, "GET", "/v1/settings/followups")
    body = dict(current["values"])
    body["budget"] = {
        **body["budget"],
        "max_messages": 50,
        "window_days": 1,
        "survey_interval_days": 0,
        "quiet_hours_enabled": False,
    }
    body["rules"] = {
        **body["rules"],
        "appointment_survey": {"enabled": True, "delay_hours": 31 * 24},
    }
    if current["version"]:
        body["version"] = current["version"]
    call(api, tenant, "PUT", "/v1/settings/followups", body)


def the_world(api: Api, tenant: TenantKeys, locale: str, now: datetime) -> dict[str, Any]:
    """A customer in ``locale`` with a registered product (no proof of purchase), a
    maintenance plan, a completed installation and a solved ticket."""
    today = now.date()
    product = call(
        api,
        tenant,
        "POST",
        "/v1/products",
        {
            "sku": "HP-9",
            "name": PRODUCT,
            "warranty": {"months": 12, "registration_required_within_days": 30},
            "extended_plans": [
                {"code": "plus", "name": "Plus 24", "months": 12, "price": "99", "currency": "EUR"}
            ],
            "maintenance_interval_months": 6,
        },
    )
    customer = call(
        api,
        tenant,
        "POST",
        "/v1/customers",
        {
            "name": "Ona Petraitė",
            "email": f"ona.{locale}@example.com",
            "locale": locale,
            "marketing_consent": True,
        },
    )
    warranty = call(
        api,
        tenant,
        "POST",
        "/v1/warranties",
        {
            "product_id": product["id"],
            "customer_id": customer["id"],
            "serial_number": "SN-0042",
            "purchase_date": (today - timedelta(days=10)).isoformat(),
        },
    )
    plan = call(
        api,
        tenant,
        "POST",
        "/v1/service-plans",
        {
            "customer_id": customer["id"],
            "product_id": product["id"],
            "warranty_id": warranty["id"],
            "start": (today + timedelta(days=45)).isoformat(),
            "visits": 1,
        },
    )
    visit = call(
        api,
        tenant,
        "POST",
        "/v1/appointments",
        {
            "kind": "installation",
            "customer_id": customer["id"],
            "product_id": product["id"],
            "technician": TECHNICIAN,
            "starts_at": (now - timedelta(hours=3)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    call(
        api,
        tenant,
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "completed", "version": visit["version"]},
    )
    ticket = call(
        api,
        tenant,
        "POST",
        "/v1/tickets",
        {"subject": TICKET, "description": "…", "customer_id": customer["id"]},
    )
    call(
        api,
        tenant,
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        {"version": ticket["version"], "status": "solved"},
    )
    return {
        "customer": customer,
        "warranty": warranty,
        "plan": plan,
        "visit": visit,
        "ticket": ticket,
    }


def plan_through_api(api: Api, tenant: TenantKeys, world: dict[str, Any], now: datetime) -> None:
    """Follow-ups no rule plans: their context is read from the subject when sent."""
    customer_id = world["customer"]["id"]
    plans: dict[str, dict[str, Any]] = {
        "appointment_follow_up": {
            "kind": "appointment_follow_up",
            "subject_kind": "appointment",
            "subject_id": world["visit"]["id"],
            "due_at": now + timedelta(days=2),
        },
        "ticket_auto_close_notice": {
            "kind": "ticket_auto_close_notice",
            "subject_kind": "ticket",
            "subject_id": world["ticket"]["id"],
            "due_at": now + timedelta(days=4),
            "data": {"closes_on": (now + timedelta(days=7)).date().isoformat()},
        },
        "custom": {
            "subject": "Nauja akcija",
            "message": "Filtrų keitimas šį mėnesį nemokamas.",
            "due_at": now + timedelta(days=5),
        },
        "ces_survey": {
            "kind": "ces_survey",
            "subject_kind": "ticket",
            "subject_id": world["ticket"]["id"],
            "due_at": now + timedelta(days=62),
        },
        "nps_survey": {
            "kind": "nps_survey",
            "subject_kind": "customer",
            "due_at": now + timedelta(days=93),
        },
    }
    for body in plans.values():
        body["due_at"] = body["due_at"].isoformat()
        call(api, tenant, "POST", "/v1/followups", {"customer_id": customer_id, **body})


def run_until_done(api: Api, tenant: TenantKeys, engine: Engine, clock: Clock) -> list[Any]:
    """Move time to each follow-up's due time and send it; one email per step."""
    sent: list[tuple[dict[str, Any], Message]] = []
    for _ in range(30):
        pending = call(api, tenant, "GET", "/v1/followups?status=scheduled&limit=100")["items"]
        if not pending:
            return sent
        next_due = min(datetime.fromisoformat(f["due_at"]) for f in pending)
        clock.now = max(clock.now, next_due + timedelta(minutes=1))
        before = len(sent_emails())
        engine.tick()
        engine.tick()
        mails = sent_emails()[before:]
        done = [
            f
            for f in call(api, tenant, "GET", "/v1/followups?limit=100")["items"]
            if f["id"] in {p["id"] for p in pending}
            and f["status"] != "scheduled"
            and datetime.fromisoformat(f["due_at"]) <= clock.now
        ]
        assert all(f["status"] == "sent" for f in done), [
            (f["kind"], f["status"], f["reason"], f["last_error"]) for f in done
        ]
        assert len(mails) == len(done) == 1, [f["kind"] for f in done]
        sent.append((done[0], mails[0]))
    raise AssertionError("follow-ups kept coming")


def subject_of(mail: Message) -> str:
    """The decoded subject line."""
    return str(make_header(decode_header(str(mail["Subject"]))))


def assert_no_blanks(kind: str, mail: Message) -> str:
    subject = subject_of(mail)
    text = text_of(mail)
    for pattern in BLANKS:
        for part in (subject, text):
            found = pattern.search(part)
            assert found is None, f"{kind}: blank {found.group(0)!r} in:\n{part}"
    assert "None" not in text, text
    assert "None" not in subject, subject
    assert "{" not in html_of(mail).split("<body>")[1], html_of(mail)
    return text


@pytest.mark.parametrize("locale", ["en", "lt", "lv"])
def test_every_follow_up_message_renders_complete_in_every_locale(
    api: Api, onboard: Any, engine: Engine, clock: Clock, locale: str
) -> None:
    tenant = onboard("Šviesa UAB", default_locale="lt", time_zone="Europe/Vilnius")
    open_settings(api, tenant)
    start = clock.now
    world = the_world(api, tenant, locale, start)
    plan_through_api(api, tenant, world, start)
    sent = run_until_done(api, tenant, engine, clock)
    by_kind: dict[str, list[tuple[dict[str, Any], str, str]]] = {}
    for followup, mail in sent:
        text = assert_no_blanks(followup["kind"], mail)
        subject = subject_of(mail)
        by_kind.setdefault(followup["subject_kind"] + ":" + followup["kind"], []).append(
            (followup, subject, text)
        )
    assert sorted(by_kind) == [
        "appointment:appointment_follow_up",
        "appointment:csat_survey",
        "customer:custom",
        "customer:nps_survey",
        "ticket:ces_survey",
        "ticket:csat_survey",
        "ticket:ticket_auto_close_notice",
        "warranty:maintenance_reminder",
        "warranty:registration_reminder",
        "warranty:warranty_expiry_reminder",
    ]
    labels = DETAIL_LABELS[locale]
    texts = KIND_TEXTS[locale]
    coverage_end = date.fromisoformat(world["warranty"]["coverage"]["standard_ends_on"])
    planned = date.fromisoformat(world["plan"]["visits"][0]["planned_date"])
    visited = start.date()

    # Warranty expiry, 30 and 7 days before: product, serial, end date, the plans, the link.
    assert len(by_kind["warranty:warranty_expiry_reminder"]) == 2
    for sent, subject, text in by_kind["warranty:warranty_expiry_reminder"]:
        assert PRODUCT in subject
        assert f"{labels['product_name']}: {PRODUCT}" in text
        assert f"{labels['serial_number']}: SN-0042" in text
        assert f"{labels['coverage_ends_on']}: {format_date(coverage_end, locale)}" in text
        assert f"{labels['plan_names']}: Plus 24" in text
        assert_action(text, texts["warranty_expiry_reminder"]["cta"], "extend_cover", sent)

    # Proof of purchase: asked for, with the deadline; never "register" a registered product.
    [(sent, subject, text)] = by_kind["warranty:registration_reminder"]
    assert PRODUCT in subject
    deadline = date.fromisoformat(world["warranty"]["purchase_date"]) + timedelta(days=30)
    assert f"{labels['deadline']}: {format_date(deadline, locale)}" in text
    assert_action(text, texts["proof_of_purchase_reminder"]["cta"], "proof_of_purchase", sent)
    for asks_to_register in ("Register", "register it", "Užregistruokite", "Reģistrējiet"):
        assert asks_to_register not in subject + text

    # Maintenance: product, planned date, the link to book.
    [(sent, subject, text)] = by_kind["warranty:maintenance_reminder"]
    assert PRODUCT in subject
    assert f"{labels['visit_date']}: {format_date(planned, locale)}" in text
    assert_action(text, texts["maintenance_reminder"]["cta"], "book_visit", sent)

    # After the installation (survey by the rule, follow-up through the API): what, when,
    # which product, who.
    for key in ("appointment:csat_survey", "appointment:appointment_follow_up"):
        [(_, _, text)] = by_kind[key]
        assert f"{labels['visit_kind']}: {visit_kind('installation', locale)}" in text
        assert f"{labels['visit_date']}: {format_date(visited, locale)}" in text
        assert f"{labels['product_name']}: {PRODUCT}" in text
        assert f"{labels['technician']}: {TECHNICIAN}" in text
    [(_, _, survey)] = by_kind["appointment:csat_survey"]
    assert "?score=5" in survey

    # Ticket messages name the request; the notice its closing date.
    for key in ("ticket:csat_survey", "ticket:ces_survey", "ticket:ticket_auto_close_notice"):
        [(_, subject, text)] = by_kind[key]
        assert TICKET in subject
        assert TICKET in text
    [(_, _, notice)] = by_kind["ticket:ticket_auto_close_notice"]
    closes = (start + timedelta(days=7)).date()
    assert f"{labels['closes_on']}: {format_date(closes, locale)}" in notice

    [(_, subject, text)] = by_kind["customer:custom"]
    assert subject == "Nauja akcija"
    assert "Filtrų keitimas šį mėnesį nemokamas." in text
    [(_, subject, text)] = by_kind["customer:nps_survey"]
    assert "?score=10" in text

    # Lithuanian and Latvian greet without the name (no vocative from data); English by name.
    for entries in by_kind.values():
        for _, _, text in entries:
            first = text.splitlines()[0]
            expected = {"en": "Hello Ona Petraitė,", "lt": "Sveiki,", "lv": "Labdien!"}[locale]
            assert first == expected


def assert_action(text: str, cta: str, action: str, sent: dict[str, Any]) -> None:
    """The call to action carries a signed link to the right action, valid when sent."""
    match = re.search(re.escape(cta) + r": (\S+)", text)
    assert match, f"no '{cta}' link in:\n{text}"
    url = urlsplit(match.group(1))
    assert url.path.startswith("/widget/v1/actions/"), url
    from urllib.parse import unquote

    from chalicelib.services.action_links import verify_action_token

    sent_at = datetime.fromisoformat(sent["sent_at"])
    grant = verify_action_token(unquote(url.path.rsplit("/", 1)[1]), sent_at)
    assert grant.action == action


def test_a_follow_up_whose_context_cannot_be_completed_fails_visibly(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    """An auto-close notice planned without its closing date: failed with the reason, no
    email with a blank."""
    open_settings(api, tenant_a)
    customer = call(
        api, tenant_a, "POST", "/v1/customers", {"name": "Ona", "email": "ona@example.lt"}
    )
    ticket = call(
        api,
        tenant_a,
        "POST",
        "/v1/tickets",
        {"subject": TICKET, "description": "…", "customer_id": customer["id"]},
    )
    made = call(
        api,
        tenant_a,
        "POST",
        "/v1/followups",
        {
            "customer_id": customer["id"],
            "kind": "ticket_auto_close_notice",
            "subject_kind": "ticket",
            "subject_id": ticket["id"],
            "due_at": clock.now.isoformat(),
        },
    )
    clock.now += timedelta(minutes=1)
    engine.tick()
    got = call(api, tenant_a, "GET", f"/v1/followups/{made['id']}")
    assert (got["status"], got["reason"]) == ("failed", "delivery_failed")
    assert "closes_on" in got["last_error"]
    assert sent_emails() == []


def test_tenant_wording_may_only_name_values_its_message_always_has(
    api: Api, tenant_a: TenantKeys
) -> None:
    current = call(api, tenant_a, "GET", "/v1/settings/followups")
    body = dict(current["values"])
    if current["version"]:
        body["version"] = current["version"]
    body["rules"] = {
        **body["rules"],
        "warranty_expiry": {"templates": {"lt": {"subject": "Baigiasi {date}: {subject}"}}},
    }
    r = api.request("PUT", "/v1/settings/followups", key=tenant_a.admin_key, json_body=body)
    assert r.status_code == 422, r.body
    assert body_of(r)["code"] == "unknown_placeholder"
    assert "{date}" in body_of(r)["detail"]
    assert "{product_name}" in body_of(r)["detail"]
    body["rules"]["warranty_expiry"] = {
        "templates": {"lt": {"subject": "Garantija baigiasi: {product_name}"}}
    }
    r = api.request("PUT", "/v1/settings/followups", key=tenant_a.admin_key, json_body=body)
    assert r.status_code == 200, r.body
