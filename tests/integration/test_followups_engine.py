"""The follow-up engine end to end: rules, sweep, queue, worker, channels, budget."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.followups import Channel, FollowUpKind, SubjectKind
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_engine_clock
from tests.support.followups import (
    Clock,
    Engine,
    dead_letters,
    html_of,
    plan_followup,
    sent_emails,
    text_of,
)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(datetime.now(UTC).replace(microsecond=0))
    patch_engine_clock(monkeypatch, c)
    return c


@pytest.fixture
def engine(api: Api, clock: Clock) -> Engine:
    from scripts.provision import provision

    provision()
    return Engine(clock)


BUDGET_FIELDS = {
    "max_messages",
    "window_days",
    "survey_interval_days",
    "quiet_hours_enabled",
    "quiet_hours_start",
    "quiet_hours_end",
    "max_deferral_hours",
}


def put_settings(api: Api, tenant: TenantKeys, **values: Any) -> dict[str, Any]:
    """Change some budget fields and rules, keeping the rest of the section."""
    current = body_of(api.request("GET", "/v1/settings/followups", key=tenant.admin_key))
    body = dict(current["values"])
    body["budget"] = {
        **body["budget"],
        **{k: v for k, v in values.items() if k in BUDGET_FIELDS},
    }
    body["rules"] = {**body["rules"], **values.get("rules", {})}
    if current["version"]:
        body["version"] = current["version"]
    r = api.request("PUT", "/v1/settings/followups", key=tenant.admin_key, json_body=body)
    assert r.status_code == 200, r.body
    return body_of(r)


def open_ticket(api: Api, tenant: TenantKeys, email: str = "ona@example.lt") -> dict[str, Any]:
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant.admin_key,
        json_body={
            "subject": "Dishwasher leaks",
            "description": "Water on the floor.",
            "customer_email": email,
            "customer_name": "Ona",
        },
    )
    assert r.status_code == 201, r.body
    return body_of(r)


def set_status(api: Api, tenant: TenantKeys, ticket: dict[str, Any], status: str) -> dict[str, Any]:
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant.admin_key,
        json_body={"version": ticket["version"], "status": status},
    )
    assert r.status_code == 200, r.body
    return body_of(r)


def followups(api: Api, tenant: TenantKeys, query: str = "") -> list[dict[str, Any]]:
    r = api.request("GET", f"/v1/followups{query}", key=tenant.admin_key)
    assert r.status_code == 200, r.body
    items: list[dict[str, Any]] = body_of(r)["items"]
    return items


def quiet_settings(api: Api, tenant: TenantKeys, delay: int = 60) -> None:
    put_settings(
        api,
        tenant,
        quiet_hours_enabled=False,
        rules={"csat_on_solved": {"enabled": True, "delay_hours": delay / 60}},
    )


def test_solved_ticket_yields_exactly_one_csat_email_after_the_delay(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    quiet_settings(api, tenant_a, delay=60)
    ticket = open_ticket(api, tenant_a)
    set_status(api, tenant_a, ticket, "solved")
    [planned] = followups(api, tenant_a)
    assert (planned["kind"], planned["status"], planned["rule"]) == (
        "csat_survey",
        "scheduled",
        "csat_on_solved",
    )
    clock.now += timedelta(minutes=59)
    assert engine.tick() == 0
    assert sent_emails() == []
    clock.now += timedelta(minutes=2)
    assert engine.tick() == 1
    for _ in range(3):  # later sweeps find nothing more
        clock.now += timedelta(minutes=1)
        assert engine.tick() == 0
    [mail] = sent_emails()
    assert mail["To"] == "Ona <ona@example.lt>"
    assert "Dishwasher leaks" in mail["Subject"]
    assert mail["List-Unsubscribe"].startswith("<http")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text, html = text_of(mail), html_of(mail)
    assert "/widget/v1/feedback/" in text
    assert "?score=5" in text
    assert 'href="http' in html
    assert "?score=1" in html
    assert "/widget/v1/unsubscribe/" in text
    [done] = followups(api, tenant_a)
    assert (done["status"], done["attempts"], done["sent_at"] is not None) == ("sent", 1, True)
    assert followups(api, tenant_a, "?status=sent")[0]["id"] == done["id"]
    assert followups(api, tenant_a, "?status=scheduled") == []


def test_solving_twice_in_one_request_retry_plans_one_survey(
    api: Api, tenant_a: TenantKeys, engine: Engine
) -> None:
    from chalicelib.notify.events import DomainEvent
    from chalicelib.services import followup_rules

    quiet_settings(api, tenant_a)
    ticket = set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    event = DomainEvent(
        tenant_a.tenant_id,
        "ticket.solved",
        {
            "ticket_id": ticket["id"],
            "customer_id": ticket["customer_id"],
            "subject": "x",
            "solved_at": ticket["solved_at"],
        },
    )
    followup_rules.on_event(event)  # the same occurrence delivered again
    assert len(followups(api, tenant_a)) == 1


def test_reopening_cancels_the_survey(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    quiet_settings(api, tenant_a)
    ticket = set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    set_status(api, tenant_a, ticket, "open")
    [cancelled] = followups(api, tenant_a)
    assert (cancelled["status"], cancelled["reason"]) == ("cancelled", "ticket_reopened")
    clock.now += timedelta(hours=3)
    assert engine.tick() == 0
    assert sent_emails() == []


def test_reopened_between_claim_and_send_is_cancelled_by_the_worker(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import followup_rules, reactions

    quiet_settings(api, tenant_a)
    ticket = set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    clock.now += timedelta(hours=2)
    engine.sweep()  # claimed and queued
    # The reopen's own cancel misses the claimed item in this race: skip the reaction.
    monkeypatch.setattr(reactions, "SUBSCRIBERS", ())
    set_status(api, tenant_a, ticket, "open")
    engine.drain()
    assert sent_emails() == []
    [item] = followups(api, tenant_a)
    assert (item["status"], item["reason"]) == ("cancelled", "ticket_reopened")
    assert "csat_on_solved" in followup_rules.rules()


def test_duplicate_sweeps_and_deliveries_send_once(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    quiet_settings(api, tenant_a)
    set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    clock.now += timedelta(hours=2)
    first, second = engine.sweep(), engine.sweep()
    assert (first["claimed"], second["claimed"]) == (1, 0)
    got = engine.receive()
    assert len(got) == 1
    # The same SQS message delivered three times (twice in one batch, once later).
    assert engine.deliver([got[0], got[0]], delete=False) == []
    assert engine.deliver(got) == []
    assert len(sent_emails()) == 1


def test_crash_after_claim_is_retried_after_the_lease_and_sends_once(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    from chalicelib.config import get_settings

    quiet_settings(api, tenant_a)
    set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    clock.now += timedelta(hours=2)
    engine.sweep()
    lost = engine.receive()
    assert len(lost) == 1  # the worker that took this message died: never acknowledged
    clock.now += timedelta(minutes=1)
    assert engine.sweep()["claimed"] == 0  # the lease still protects it
    clock.now += timedelta(seconds=get_settings().followup_lease_seconds)
    assert engine.sweep()["claimed"] == 1  # lease expired: claimed again under a new token
    engine.drain()
    # The dead worker's message comes back (visibility timeout) and is stale now.
    assert engine.deliver(lost) == []
    assert len(sent_emails()) == 1
    [item] = followups(api, tenant_a)
    assert item["status"] == "sent"


def _custom(
    api: Api, tenant: TenantKeys, due: datetime, channel: str = "email", **extra: Any
) -> Any:
    return plan_followup(
        api,
        tenant,
        due,
        channel=channel,
        subject="Your filter",
        message="Time to change the filter.",
        **extra,
    )


def test_channel_failure_retries_with_backoff_then_fails_to_the_dead_letter_queue(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import get_settings
    from chalicelib.notify import email
    from chalicelib.notify.errors import DeliveryFailed

    calls: list[str] = []

    def broken(to: str, *args: Any, **kwargs: Any) -> str:
        calls.append(to)
        raise DeliveryFailed("SES throttled")

    monkeypatch.setattr(email, "send_message", broken)
    put_settings(api, tenant_a, quiet_hours_enabled=False)
    made = _custom(api, tenant_a, clock.now)
    limit = get_settings().followup_max_attempts
    due_times = []
    for _ in range(limit):
        engine.tick()
        item = body_of(api.request("GET", f"/v1/followups/{made['id']}", key=tenant_a.admin_key))
        due_times.append(datetime.fromisoformat(item["due_at"]))
        clock.now = max(clock.now, due_times[-1]) + timedelta(seconds=1)
    assert len(calls) == limit
    assert item["status"] == "failed"
    assert item["last_error"] == "SES throttled"
    assert item["attempts"] == limit
    gaps = [b - a for a, b in itertools.pairwise(due_times[:-1])]
    assert all(later > earlier for earlier, later in itertools.pairwise(gaps))
    assert [d["f"] for d in dead_letters()] == [made["id"]]
    engine.tick()
    assert len(calls) == limit  # failed is final


def test_budget_defers_and_skips_with_reasons(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    put_settings(
        api,
        tenant_a,
        quiet_hours_enabled=False,
        max_messages=1,
        window_days=1,
        max_deferral_hours=2,
    )
    first = _custom(api, tenant_a, clock.now)
    customer_id = first["customer_id"]

    def plan(delta: timedelta, kind: str = "custom") -> Any:
        r = api.request(
            "POST",
            "/v1/followups",
            key=tenant_a.admin_key,
            json_body={
                "customer_id": customer_id,
                "kind": kind,
                "due_at": (clock.now + delta).isoformat(),
                "message": "Hello again.",
            },
        )
        assert r.status_code == 201, r.body
        return body_of(r)

    second = plan(timedelta(0))
    engine.tick()
    statuses = {f["id"]: (f["status"], f["reason"]) for f in followups(api, tenant_a)}
    # One slot per day: the first goes, the second would wait ~24 h > 2 h allowed: skipped.
    assert sorted(statuses.values()) == [("sent", None), ("skipped", "budget_exhausted")]
    assert {first["id"], second["id"]} == set(statuses)
    put_settings(api, tenant_a, max_deferral_hours=48)
    third = plan(timedelta(0))
    engine.tick()
    deferred = body_of(api.request("GET", f"/v1/followups/{third['id']}", key=tenant_a.admin_key))
    assert (deferred["status"], deferred["reason"]) == ("scheduled", "budget_window")
    assert datetime.fromisoformat(deferred["due_at"]) > clock.now + timedelta(hours=23)
    clock.now = datetime.fromisoformat(deferred["due_at"]) + timedelta(seconds=1)
    engine.tick()
    sent = body_of(api.request("GET", f"/v1/followups/{third['id']}", key=tenant_a.admin_key))
    assert sent["status"] == "sent"
    assert len(sent_emails()) == 2


def test_quiet_hours_defer_to_the_customers_morning(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    # Tenant A is in Europe/Vilnius (UTC+2 in winter): 23:30 local is inside 21:00-08:00.
    clock.now = datetime(2026, 1, 15, 21, 30, tzinfo=UTC)
    made = _custom(api, tenant_a, clock.now)
    engine.tick()
    item = body_of(api.request("GET", f"/v1/followups/{made['id']}", key=tenant_a.admin_key))
    assert (item["status"], item["reason"]) == ("scheduled", "quiet_hours")
    assert datetime.fromisoformat(item["due_at"]) == datetime(2026, 1, 16, 6, 0, tzinfo=UTC)
    assert sent_emails() == []
    clock.now = datetime(2026, 1, 16, 6, 0, 30, tzinfo=UTC)
    engine.tick()
    assert len(sent_emails()) == 1


def test_no_consent_and_no_marketing_consent_skip(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock
) -> None:
    put_settings(api, tenant_a, quiet_hours_enabled=False)
    customer = body_of(
        api.request(
            "POST",
            "/v1/customers",
            key=tenant_a.admin_key,
            json_body={"name": "Jonas", "email": "jonas@example.lt"},
        )
    )
    offer = {"customer_id": customer["id"], "due_at": clock.now.isoformat(), "message": "An offer."}
    # Planned without consent: refused now, not skipped silently later.
    r = api.request("POST", "/v1/followups", key=tenant_a.admin_key, json_body=offer)
    assert (r.status_code, body_of(r)["code"]) == (422, "no_marketing_consent")
    assert body_of(api.request("GET", "/v1/followups", key=tenant_a.admin_key))["items"] == []
    # Consent given, the follow-up planned, consent withdrawn before it is due: skipped.
    r = api.request(
        "PATCH",
        f"/v1/customers/{customer['id']}",
        key=tenant_a.admin_key,
        json_body={"marketing_consent": True, "version": customer["version"]},
    )
    assert r.status_code == 200, r.body
    made = body_of(api.request("POST", "/v1/followups", key=tenant_a.admin_key, json_body=offer))
    r = api.request(
        "PATCH",
        f"/v1/customers/{customer['id']}",
        key=tenant_a.admin_key,
        json_body={"marketing_consent": False, "version": body_of(r)["version"]},
    )
    assert r.status_code == 200, r.body
    engine.tick()
    item = body_of(api.request("GET", f"/v1/followups/{made['id']}", key=tenant_a.admin_key))
    assert (item["status"], item["reason"]) == ("skipped", "no_marketing_consent")


def test_event_channel_publishes_to_the_bus(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.notify import events

    published: list[Any] = []
    real = events.publish

    def spy(batch: Any) -> int:
        batch = list(batch)
        published.extend(batch)
        return real(batch)

    monkeypatch.setattr(events, "publish", spy)
    put_settings(api, tenant_a, quiet_hours_enabled=False)
    made = _custom(api, tenant_a, clock.now, channel="event")
    engine.tick()
    [event] = [e for e in published if e.name == "followup.due"]
    assert event.tenant_id == tenant_a.tenant_id
    assert event.data["followup_id"] == made["id"]
    assert sent_emails() == []


def test_one_tenants_rules_budget_and_templates_never_affect_another(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, engine: Engine, clock: Clock
) -> None:
    put_settings(
        api,
        tenant_a,
        quiet_hours_enabled=False,
        max_messages=1,
        rules={
            "csat_on_solved": {
                "enabled": True,
                "delay_hours": 0.1,
                "templates": {"lt": {"subject": "A-only wording {company}"}},
            }
        },
    )
    put_settings(
        api,
        tenant_b,
        quiet_hours_enabled=False,
        rules={"csat_on_solved": {"enabled": False, "delay_hours": 0.1}},
    )
    # The same email address is a customer of both tenants.
    for tenant in (tenant_a, tenant_b):
        for n in range(2):
            ticket = open_ticket(api, tenant, email="same@example.com")
            set_status(api, tenant, ticket, "solved")
            del n
    assert len(followups(api, tenant_a)) == 2
    assert followups(api, tenant_b) == []  # B disabled the rule
    clock.now += timedelta(minutes=11)
    engine.tick()
    a_items = followups(api, tenant_a)
    # A's survey throttle (one survey per 30 days) skipped its second survey...
    assert sorted(i["status"] for i in a_items) == ["sent", "skipped"]
    # ...and B's customer still has a full budget: a B follow-up goes out.
    made_b = _custom(api, tenant_b, clock.now)
    engine.tick()
    got_b = body_of(api.request("GET", f"/v1/followups/{made_b['id']}", key=tenant_b.admin_key))
    assert got_b["status"] == "sent"
    subjects = [str(m["Subject"]) for m in sent_emails()]
    assert subjects[0] == "A-only wording Tenant A"  # A's customer reads lt (A's locale)
    assert subjects[1] == "Your filter"  # B's custom wording, untouched by A's templates
    # And B cannot see A's follow-ups.
    r = api.request("GET", f"/v1/followups/{a_items[0]['id']}", key=tenant_b.admin_key)
    assert r.status_code == 404


def test_schedule_validates_the_subject_of_the_kind(api: Api, tenant_a: TenantKeys) -> None:
    from chalicelib import context
    from chalicelib.domain.errors import Invalid
    from chalicelib.services.followups import FollowUpPlan, schedule

    with context.serving_tenant(tenant_a.tenant_id), pytest.raises(Invalid):
        schedule(
            tenant_a.tenant_id,
            FollowUpPlan(
                kind=FollowUpKind.CSAT_SURVEY,
                subject_kind=SubjectKind.WARRANTY,
                subject_id="W",
                customer_id="C",
                due_at=datetime.now(UTC),
                channel=Channel.EMAIL,
            ),
        )


def test_sweep_reports_lag_and_completion_like_the_ticket_sweep(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib import observability

    reported: list[tuple[str, bool, float | None]] = []
    monkeypatch.setattr(
        observability,
        "record_sweep",
        lambda job, *, finished, lag_seconds=None: reported.append((job, finished, lag_seconds)),
    )
    put_settings(api, tenant_a, quiet_hours_enabled=False)
    _custom(api, tenant_a, clock.now - timedelta(seconds=90))
    engine.sweep()
    engine.sweep()
    assert reported[0][:2] == ("followups_sweep", True)
    assert reported[0][2] is not None
    assert 90 <= reported[0][2] < 91
    assert reported[1] == ("followups_sweep", True, None)  # nothing due: no lag to report


# --- a crash after the delivery gate does not spend the follow-up's own budget ---------------
#
# Found by the stateful follow-up machine: the worker reserves the budget slot (and, for a
# survey, the "last survey" mark) at the delivery gate. When it dies before the send, the claim
# comes back after its lease; before the fix the retry counted its own reservation against
# itself and was skipped (``budget_exhausted`` with one real send plus the ghost slot;
# ``survey_throttled`` by its own unsent survey) — a follow-up lost to a crash.


class WorkerDied(BaseException):
    """The worker process dies (nothing in the worker catches a BaseException)."""


def _crash_once_after_the_gate(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services import followup_delivery

    real = followup_delivery.deliver

    def dies(*args: Any, **kwargs: Any) -> str:
        raise WorkerDied

    monkeypatch.setattr(followup_delivery, "deliver", dies)
    assert engine.sweep()["claimed"] == 1
    with pytest.raises(WorkerDied):
        engine.deliver(engine.receive(), delete=False)
    monkeypatch.setattr(followup_delivery, "deliver", real)


def test_a_crashed_attempt_does_not_count_against_its_own_retry_in_the_budget(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import get_settings

    put_settings(
        api,
        tenant_a,
        quiet_hours_enabled=False,
        max_messages=2,
        window_days=1,
        max_deferral_hours=12,
    )
    first = _custom(api, tenant_a, clock.now)
    assert engine.tick() == 1  # one real send: one slot of two left
    second = plan_followup(
        api, tenant_a, clock.now, customer_id=first["customer_id"], message="Hello again."
    )
    _crash_once_after_the_gate(engine, monkeypatch)
    clock.now += timedelta(seconds=get_settings().followup_lease_seconds + 60)
    engine.tick()  # the stale message is acknowledged; the claim is taken again and sent
    got = body_of(api.request("GET", f"/v1/followups/{second['id']}", key=tenant_a.admin_key))
    assert (got["status"], got["reason"], got["attempts"]) == ("sent", None, 2)
    assert len(sent_emails()) == 2


def test_a_crashed_survey_is_not_throttled_by_itself(
    api: Api, tenant_a: TenantKeys, engine: Engine, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import get_settings

    quiet_settings(api, tenant_a)
    set_status(api, tenant_a, open_ticket(api, tenant_a), "solved")
    clock.now += timedelta(hours=2)
    _crash_once_after_the_gate(engine, monkeypatch)
    clock.now += timedelta(seconds=get_settings().followup_lease_seconds + 60)
    engine.tick()
    [survey] = followups(api, tenant_a)
    assert (survey["status"], survey["reason"]) == ("sent", None)
    assert len(sent_emails()) == 1
