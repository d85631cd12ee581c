"""SLA clocks over HTTP and the sweep job: warnings, breaches, pauses, auto-close with notice,
idempotency under duplicate runs, many tickets across tenants, and the report counters."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chalicelib import context
from chalicelib.notify.events import DomainEvent
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_ticket_clock
from tests.support.dynamo_calls import recording

VILNIUS = ZoneInfo("Europe/Vilnius")
MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=VILNIUS)


@dataclass
class Clock:
    now: datetime = MONDAY_9

    def set(self, when: datetime) -> datetime:
        self.now = when
        return when


@dataclass
class Events:
    seen: list[DomainEvent] = field(default_factory=list)

    def names(self, ticket_id: str | None = None) -> list[str]:
        return [
            e.name for e in self.seen if ticket_id is None or e.data.get("ticket_id") == ticket_id
        ]

    def clear(self) -> None:
        self.seen.clear()


@pytest.fixture(autouse=True)
def provisioned(aws: None) -> None:
    """Queues, bus, SES sender identity and buckets, as the local stack and infra create."""
    from scripts.provision import provision

    provision()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    patch_ticket_clock(monkeypatch, lambda: fake.now.astimezone(UTC))
    return fake


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[Events]:
    from chalicelib.services import reactions

    recorded = Events()

    def publish(batch: list[DomainEvent]) -> int:
        recorded.seen.extend(batch)
        return len(batch)

    monkeypatch.setattr(reactions, "publish", publish)
    monkeypatch.setattr(reactions, "SUBSCRIBERS", ())
    return recorded


def sent_emails() -> list[dict[str, Any]]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"]
    return [
        {"to": m.destinations["ToAddresses"], "subject": m.subject, "body": m.body}
        for m in backend.sent_messages
    ]


def sweep(when: datetime, **kwargs: Any) -> dict[str, Any]:
    from chalicelib.services.ticket_jobs import sweep as run

    return run(when, **kwargs).as_dict()


def create(api: Api, tenant: TenantKeys, **fields: Any) -> dict[str, Any]:
    body = {"subject": "Boiler", "description": "No heat", "customer_email": "ona@x.lt", **fields}
    r = api.request("POST", "/v1/tickets", key=tenant.admin_key, json_body=body)
    assert r.status_code == 201, r.body
    return body_of(r)


def get(api: Api, tenant: TenantKeys, ticket_id: str) -> dict[str, Any]:
    return body_of(api.request("GET", f"/v1/tickets/{ticket_id}", key=tenant.admin_key))


def put_settings(api: Api, tenant: TenantKeys, section: str, values: dict[str, Any]) -> None:
    r = api.request("PUT", f"/v1/settings/{section}", key=tenant.admin_key, json_body=values)
    assert r.status_code == 200, r.body


def target(ticket: dict[str, Any], metric: str) -> dict[str, Any]:
    return next(t for t in ticket["sla"]["targets"] if t["metric"] == metric)


def test_ticket_shows_policy_targets_and_business_hours_due_times(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    ticket = create(api, tenant_a, priority="urgent")
    assert ticket["sla"]["policy"] == "Urgent"
    assert ticket["sla"]["state"] == "ok"
    first = target(ticket, "first_response")
    assert first["target_minutes"] == 60
    assert first["status"] == "running"
    assert datetime.fromisoformat(first["due_at"]) == MONDAY_9 + timedelta(hours=1)
    assert datetime.fromisoformat(first["warning_at"]) == MONDAY_9 + timedelta(minutes=48)
    clock.set(MONDAY_9 + timedelta(minutes=30))
    first = target(get(api, tenant_a, ticket["id"]), "first_response")
    assert first["elapsed_minutes"] == first["business_elapsed_minutes"] == 30.0
    assert events.names(ticket["id"]) == ["ticket.created"]
    created = events.seen[0].data
    for name in ("customer_id", "status", "priority", "type", "channel", "entitlement"):
        assert name in created


def test_policies_select_on_type_tier_and_entitlement(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    put_settings(
        api,
        tenant_a,
        "sla",
        {
            "policies": [
                {"name": "Default", "first_response_minutes": 480},
                {
                    "name": "Covered claims",
                    "ticket_type": "warranty_claim",
                    "entitlement": "covered",
                    "first_response_minutes": 30,
                    "business_hours": False,
                },
                {"name": "Gold", "customer_tier": "gold", "first_response_minutes": 120},
            ]
        },
    )
    plain = create(api, tenant_a)
    claim = create(api, tenant_a, type="warranty_claim", entitlement="covered")
    gold = create(api, tenant_a, customer_tier="gold")
    assert [t["sla"]["policy"] for t in (plain, claim, gold)] == [
        "Default",
        "Covered claims",
        "Gold",
    ]
    assert target(claim, "first_response")["business_hours"] is False
    # Changing the entitlement mid-ticket switches the policy, keeping the elapsed time.
    clock.set(MONDAY_9 + timedelta(minutes=40))
    r = api.request(
        "PATCH",
        f"/v1/tickets/{claim['id']}",
        key=tenant_a.admin_key,
        json_body={"version": claim["version"], "entitlement": "chargeable"},
    )
    changed = body_of(r)
    assert changed["sla"]["policy"] == "Default"
    assert target(changed, "first_response")["elapsed_minutes"] == 40.0
    # Under the old policy the 30-minute target was missed at 09:30 (no sweep ran since):
    # that breach is reported with the instant it happened; the new policy's target of
    # 8 hours is not missed, so the ticket's standing is ok again.
    breach = next(e for e in events.seen if e.name == "ticket.sla_breached")
    assert breach.data["target_minutes"] == 30
    assert datetime.fromisoformat(breach.data["crossed_at"]) == MONDAY_9 + timedelta(minutes=30)
    assert changed["sla"]["state"] == "ok"


def test_sweep_warns_then_breaches_once_and_alerts_by_email(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    put_settings(api, tenant_a, "tickets", {"sla_alert_email": "lead@tenant.lt"})
    ticket = create(api, tenant_a, priority="urgent", assignee="ann")
    events.clear()
    assert sweep(MONDAY_9 + timedelta(minutes=47))["examined"] == 0
    report = sweep(MONDAY_9 + timedelta(minutes=50))
    assert (report["examined"], report["acted"], report["alerts"]) == (1, 1, 1)
    assert events.names() == ["ticket.sla_warning"]
    warning = events.seen[0].data
    assert (warning["metric"], warning["target_minutes"], warning["assignee"]) == (
        "first_response",
        60,
        "ann",
    )
    assert get(api, tenant_a, ticket["id"])["sla"]["state"] == "warning"
    # A duplicate run at the same time finds nothing due.
    assert sweep(MONDAY_9 + timedelta(minutes=50))["examined"] == 0
    report = sweep(MONDAY_9 + timedelta(minutes=75))
    assert report["acted"] == 1
    assert events.names() == ["ticket.sla_warning", "ticket.sla_breached"]
    assert events.seen[1].data["crossed_at"].startswith("2026-03-02T08:00:00")  # 10:00 local
    assert sweep(MONDAY_9 + timedelta(minutes=90))["examined"] == 0
    assert events.names().count("ticket.sla_breached") == 1
    current = get(api, tenant_a, ticket["id"])
    assert current["sla"]["state"] == "breached"
    assert target(current, "first_response")["status"] == "breached"
    mails = [m for m in sent_emails() if m["to"] == ["lead@tenant.lt"]]
    assert [m["subject"].split(":")[0] for m in mails] == ["SLA warning", "SLA breach"]
    audit = body_of(
        api.request("GET", f"/v1/tickets/{ticket['id']}/audit", key=tenant_a.admin_key)
    )["items"]
    assert [(e["action"], e["actor"]["kind"]) for e in audit[1:]] == [
        ("sla_check", "system"),
        ("sla_check", "system"),
    ]
    assert audit[2]["changes"] == [{"field": "sla.first_response", "old": None, "new": "breached"}]


def test_duplicate_delivery_of_one_ticket_acts_once(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    from chalicelib.services import ticket_jobs, tickets

    ticket = create(api, tenant_a, priority="urgent")
    events.clear()
    now = MONDAY_9 + timedelta(hours=2)
    first, second = ticket_jobs.SweepReport(), ticket_jobs.SweepReport()
    ticket_jobs.handle_ticket(tenant_a.tenant_id, ticket["id"], now, first)
    ticket_jobs.handle_ticket(tenant_a.tenant_id, ticket["id"], now, second)
    assert (first.acted, second.acted, second.skipped) == (1, 0, 1)
    # Two workers that read the same version: the second commit is refused.
    with context.serving_tenant(tenant_a.tenant_id):
        item, ctx = tickets.load_with_context(tenant_a.tenant_id, ticket["id"])
    assert item is not None
    stale = tickets.copy_item(item)
    item.due_at = now  # pretend both saw it due
    stale.due_at = now
    later = now + timedelta(days=1)
    with context.serving_tenant(tenant_a.tenant_id):
        ticket_jobs._act(item, ctx, later, ticket_jobs.SweepReport())
        with pytest.raises(Exception, match="changed by someone else"):
            ticket_jobs._act(stale, ctx, later, ticket_jobs.SweepReport())
    assert events.names().count("ticket.sla_breached") == 2  # first response + resolution


def test_pending_pauses_the_clock_and_auto_solves_with_notice_then_closes(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    put_settings(
        api,
        tenant_a,
        "tickets",
        {
            "auto_solve_pending_after_days": 3,
            "auto_close_solved_after_days": 2,
            "auto_close_notice_hours": 24,
        },
    )
    ticket = create(api, tenant_a, customer_name="Ona")
    clock.set(MONDAY_9 + timedelta(hours=1))
    r = api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "Which model is it?"},
    )
    assert r.status_code == 201
    current = get(api, tenant_a, ticket["id"])
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant_a.admin_key,
        json_body={"version": current["version"], "status": "pending"},
    )
    pending = body_of(r)
    resolution = target(pending, "resolution")
    assert (resolution["status"], resolution["due_at"]) == ("paused", None)
    events.clear()
    # Paused: no SLA wake-ups; the notice is due 2 days after the pending change.
    assert sweep(MONDAY_9 + timedelta(days=1, hours=2))["examined"] == 0
    report = sweep(MONDAY_9 + timedelta(days=2, hours=1, minutes=1))
    assert (report["acted"], report["notices"]) == (1, 1)
    assert events.names() == ["ticket.auto_close_notice"]
    notice = events.seen[0].data
    assert notice["next_status"] == "solved"
    mail = sent_emails()[-1]
    assert mail["to"] == ["ona@x.lt"]
    assert "išspręsta" in mail["subject"]  # the tenant's (Lithuanian) locale
    messages = body_of(
        api.request("GET", f"/v1/tickets/{ticket['id']}/messages", key=tenant_a.admin_key)
    )["items"]
    assert messages[-1]["author"]["kind"] == "system"
    assert sweep(MONDAY_9 + timedelta(days=2, hours=12))["examined"] == 0
    events.clear()
    report = sweep(MONDAY_9 + timedelta(days=3, hours=1, minutes=2))
    assert report["acted"] == 1
    assert events.names() == ["ticket.status_changed", "ticket.solved"]
    solved = get(api, tenant_a, ticket["id"])
    assert solved["status"] == "solved"
    assert {t["status"] for t in solved["sla"]["targets"]} <= {"met", "completed"}
    # Solved → closing notice after 1 day, closed after 2.
    events.clear()
    sweep(MONDAY_9 + timedelta(days=4, hours=2))
    assert events.names() == ["ticket.auto_close_notice"]
    sweep(MONDAY_9 + timedelta(days=5, hours=2))
    assert events.names()[-2:] == ["ticket.status_changed", "ticket.closed"]
    assert get(api, tenant_a, ticket["id"])["status"] == "closed"
    assert sweep(MONDAY_9 + timedelta(days=30))["examined"] == 0


def test_a_customer_reply_cancels_the_planned_auto_solve(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    put_settings(
        api,
        tenant_a,
        "tickets",
        {"auto_solve_pending_after_days": 2, "auto_close_notice_hours": 24},
    )
    ticket = create(api, tenant_a)
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant_a.admin_key,
        json_body={"version": 1, "status": "pending"},
    )
    assert r.status_code == 200
    clock.set(MONDAY_9 + timedelta(days=1, hours=1))
    sweep(clock.now)  # notice sent
    assert "ticket.auto_close_notice" in events.names()
    clock.set(MONDAY_9 + timedelta(days=1, hours=3))
    r = api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "Still broken!", "author": {"kind": "customer"}},
    )
    assert r.status_code == 201
    assert get(api, tenant_a, ticket["id"])["status"] == "open"
    events.clear()
    sweep(MONDAY_9 + timedelta(days=10))
    assert "ticket.solved" not in events.names()


def _bulk(tenant: TenantKeys, count: int) -> list[str]:
    from chalicelib.domain.actors import agent
    from chalicelib.schemas.tickets import TicketCreate
    from chalicelib.services import customers, tickets

    with context.serving_tenant(tenant.tenant_id):
        customer = customers.find_or_create_customer(
            tenant.tenant_id, email="bulk@x.lt", name="Bulk"
        )
        return [
            tickets.open_ticket(
                tenant.tenant_id,
                TicketCreate(
                    subject=f"T{n}", description="d", customer_id=customer.id, priority="urgent"
                ),
                actor=agent("a1"),
            ).id
            for n in range(count)
        ]


def test_the_sweep_pages_through_the_tickets_of_many_tenants_without_scans(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, clock: Clock, events: Events
) -> None:
    # (moto copies a whole table on every transaction, so this stays small; the paging of
    # the due index itself is exercised with thousands of items below.)
    a_ids = _bulk(tenant_a, 14)
    b_ids = _bulk(tenant_b, 11)
    events.clear()
    with recording() as log:
        report = sweep(MONDAY_9 + timedelta(minutes=50), page_size=2)
    assert report["examined"] == report["acted"] == 25
    assert report["tenants"] == 2
    assert "Scan" not in log.calls
    # One Query per page; per ticket one BatchGetItem (ticket + context) and one transaction.
    assert log.calls.count("Query") == report["pages"] > 25 / 2
    assert log.calls.count("BatchGetItem") == 25
    assert log.calls.count("TransactWriteItems") == 25
    warned = {e.data["ticket_id"] for e in events.seen if e.name == "ticket.sla_warning"}
    assert warned == set(a_ids) | set(b_ids)
    assert {e.tenant_id for e in events.seen if e.data["ticket_id"] in b_ids} == {
        tenant_b.tenant_id
    }
    # A deadline in the past stops the sweep before any work; nothing is lost.
    stopped = sweep(MONDAY_9 + timedelta(hours=2), deadline=0.0)
    assert (stopped["finished"], stopped["examined"]) == (False, 0)
    assert sweep(MONDAY_9 + timedelta(hours=2))["acted"] == 25


def test_the_due_index_pages_through_a_thousand_and_more_tickets(aws: None) -> None:
    """Only due tickets come back, across shards and tenants, page after page, by Query."""
    from chalicelib.domain.followups import sweep_shard_keys
    from chalicelib.services import ticket_sla
    from chalicelib.store import tickets as store

    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    tenants = [f"01TENANT{n:018d}" for n in range(3)]
    due: set[tuple[str, str]] = set()
    with store.TicketItem.batch_write() as batch:
        for n in range(1500):
            tenant = tenants[n % 3]
            ticket_id = f"01TICKET{n:018d}"
            item = store.TicketItem(
                pk=store.ticket_pk(tenant, ticket_id),
                sk=store.TICKET_SK,
                tenant_id=tenant,
                ticket_id=ticket_id,
                subject="s",
                description="d",
                customer_id="c",
                channel="api",
                ticket_type="question",
                priority="normal",
                status="open",
                created_at=now,
                updated_at=now,
                due_at=now + timedelta(minutes=(n % 5) - 3),  # 3 of 5 are due
            )
            if n % 7 == 0:
                item.due_at = None  # not in the sparse index at all
            store.set_index_keys(item, ticket_sla.due_shard_key(ticket_id))
            batch.save(item)
            if item.due_at is not None and item.due_at <= now:
                due.add((tenant, ticket_id))
    found: set[tuple[str, str]] = set()
    with recording() as log:
        for shard in sweep_shard_keys(ticket_sla.DUE_SHARDS, store.DUE_PREFIX):
            start = None
            while True:
                page = store.query_due(shard, now, start, 100)
                found |= {(row.tenant_id, row.ticket_id) for row in page.items}
                if page.next_key is None:
                    break
                start = page.next_key
    assert found == due
    assert set(log.calls) == {"Query"}
    assert len(log.calls) <= len(due) // 100 + ticket_sla.DUE_SHARDS


def test_the_scheduled_handler_runs_the_sweep(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    from app import app

    _bulk(tenant_a, 2)
    handler = next(s for s in app.event_sources if getattr(s, "name", "") == "ticket_sweep")
    assert handler.handler_string == "app.ticket_sweep"
    from app import ticket_sweep

    event = {
        "version": "0",
        "id": "e1",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-03-02T07:50:00Z",
        "region": "eu-west-1",
        "resources": [],
        "detail": {},
    }
    summary = ticket_sweep(event, None)
    assert summary["finished"] is True


def test_a_suspended_tenants_tickets_are_left_alone_and_looked_at_hourly(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    from tests.integration.conftest import PLATFORM

    create(api, tenant_a, priority="urgent")
    r = api.request(
        "POST",
        f"/platform/tenants/{tenant_a.tenant_id}/suspend",
        headers={"Authorization": PLATFORM["Authorization"]},
        json_body={"reason": "unpaid"},
    )
    assert r.status_code == 200, r.body
    events.clear()
    report = sweep(MONDAY_9 + timedelta(minutes=50))
    assert (report["examined"], report["acted"], report["skipped"]) == (1, 0, 1)
    assert events.names() == []
    assert sweep(MONDAY_9 + timedelta(minutes=51))["examined"] == 0  # postponed an hour
    assert sweep(MONDAY_9 + timedelta(minutes=111))["examined"] == 1


def test_a_wake_up_made_stale_by_new_business_hours_only_replans(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events
) -> None:
    ticket = create(api, tenant_a, priority="urgent")  # warning due Monday 09:48
    # Monday becomes a day off: nothing has elapsed by 09:50 any more.
    put_settings(
        api,
        tenant_a,
        "business_hours",
        {"weekly": {"mon": [], "tue": [{"start": "09:00", "end": "17:00"}]}},
    )
    events.clear()
    report = sweep(MONDAY_9 + timedelta(minutes=50))
    assert report["acted"] == 1
    assert events.names() == []
    audit = body_of(
        api.request("GET", f"/v1/tickets/{ticket['id']}/audit", key=tenant_a.admin_key)
    )["items"]
    assert [e["action"] for e in audit] == ["created"]
    assert sweep(MONDAY_9 + timedelta(hours=20))["examined"] == 0
    first = target(get(api, tenant_a, ticket["id"]), "first_response")
    assert datetime.fromisoformat(first["warning_at"]) == MONDAY_9 + timedelta(days=1, minutes=48)


# --- a deadline exactly at closing time (found by the stateful ticket machine) ---------------
#
# An urgent ticket created at opening time has a resolution target of one full business day, so
# its clock reaches the target at closing time and then stands still until the next morning. A
# sweep at the due time, or any time during the night, sees ``elapsed == target``; that must
# record the breach. Before the fix the sweep recorded nothing and, no time being left, planned
# no further wake-up: no ``ticket.sla_breached`` event, no alert, and the report never counted
# the breach the ticket itself showed.


def _breaches(events: Events, ticket_id: str) -> int:
    return sum(
        1
        for e in events.seen
        if e.name == "ticket.sla_breached"
        and e.data.get("ticket_id") == ticket_id
        and e.data.get("metric") == "resolution"
    )


def _resolution_report(api: Api, tenant: TenantKeys) -> dict[str, object]:
    day = MONDAY_9.astimezone(UTC).date()
    r = api.request(
        "GET", f"/v1/reports/tickets?from={day}&to={day + timedelta(days=7)}", key=tenant.admin_key
    )
    assert r.status_code == 200, r.body
    return dict(body_of(r)["sla"]["resolution"])


@pytest.mark.parametrize("late", [timedelta(0), timedelta(hours=14)], ids=["at_due", "overnight"])
def test_sweep_records_a_breach_when_the_clock_stands_exactly_at_the_target(
    api: Api, tenant_a: TenantKeys, clock: Clock, events: Events, late: timedelta
) -> None:
    ticket = create(api, tenant_a, priority="urgent")
    resolution = target(ticket, "resolution")
    assert resolution["target_minutes"] == 480
    due = datetime.fromisoformat(resolution["due_at"])
    # One full working day: the deadline is closing time, the clock stops there.
    assert due == MONDAY_9.replace(hour=17).astimezone(UTC)
    clock.set(due + late)
    report = sweep(due + late)
    assert report["acted"] == 1
    assert _breaches(events, ticket["id"]) == 1
    shown = target(get(api, tenant_a, ticket["id"]), "resolution")
    assert shown["status"] == "breached"
    assert shown["breached_at"] is not None
    assert datetime.fromisoformat(shown["breached_at"]) == due
    assert (
        _resolution_report(api, tenant_a)["met"],
        _resolution_report(api, tenant_a)["breached"],
    ) == (0, 1)
    # Recorded once: later sweeps find nothing left to do on this ticket.
    assert sweep(due + late + timedelta(days=1))["acted"] == 0
    assert _breaches(events, ticket["id"]) == 1
