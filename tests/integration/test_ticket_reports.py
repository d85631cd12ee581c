"""``/v1/reports/tickets``: counters kept on write give counts, compliance and medians."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.clocks import patch_ticket_clock
from tests.support.dynamo_calls import recording

START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 09:00 in Vilnius


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    now = [START]
    patch_ticket_clock(monkeypatch, lambda: now[0])
    return now


def _create(api: Api, tenant: TenantKeys, **fields: Any) -> dict[str, Any]:
    body = {"subject": "s", "description": "d", "customer_email": "c@x.lt", **fields}
    r = api.request("POST", "/v1/tickets", key=tenant.admin_key, json_body=body)
    assert r.status_code == 201, r.body
    return body_of(r)


def _reply(api: Api, tenant: TenantKeys, ticket_id: str) -> None:
    r = api.request(
        "POST", f"/v1/tickets/{ticket_id}/messages", key=tenant.admin_key, json_body={"body": "x"}
    )
    assert r.status_code == 201, r.body


def _status(api: Api, tenant: TenantKeys, ticket_id: str, status: str) -> dict[str, Any]:
    current = body_of(api.request("GET", f"/v1/tickets/{ticket_id}", key=tenant.admin_key))
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket_id}",
        key=tenant.admin_key,
        json_body={"version": current["version"], "status": status},
    )
    assert r.status_code == 200, r.body
    return body_of(r)


def _report(api: Api, tenant: TenantKeys, query: str = "from=2026-03-01&to=2026-03-31") -> Any:
    r = api.request("GET", f"/v1/reports/tickets?{query}", key=tenant.admin_key)
    assert r.status_code == 200, r.body
    return body_of(r)


def test_counts_compliance_and_medians(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys, clock: list[datetime]
) -> None:
    # Three urgent tickets (first response target 60 business minutes).
    tickets = [_create(api, tenant_a, priority="urgent", channel="phone") for _ in range(3)]
    _create(api, tenant_a, priority="low")
    _create(api, tenant_b, priority="high")
    clock[0] = START + timedelta(minutes=10)
    _reply(api, tenant_a, tickets[0]["id"])  # 10 min: met
    clock[0] = START + timedelta(minutes=40)
    _reply(api, tenant_a, tickets[1]["id"])  # 40 min: met
    clock[0] = START + timedelta(minutes=100)
    _reply(api, tenant_a, tickets[2]["id"])  # 100 min: breached
    clock[0] = START + timedelta(minutes=120)
    _status(api, tenant_a, tickets[0]["id"], "solved")  # resolution 120 min: met (480)
    report = _report(api, tenant_a)
    assert report["created"] == 4
    assert report["created_by_priority"] == {"low": 1, "urgent": 3}
    assert report["created_by_channel"] == {"api": 1, "phone": 3}
    assert report["solved"] == 1
    assert report["current_by_status"] == {"new": 1, "open": 2, "solved": 1}
    assert report["current_open_by_priority"] == {"low": 1, "urgent": 2}
    first = report["sla"]["first_response"]
    assert (first["met"], first["breached"]) == (2, 1)
    assert first["compliance_percent"] == pytest.approx(66.67)
    assert report["sla"]["resolution"] == {
        "met": 1,
        "breached": 0,
        "stopped_without_reply": 0,
        "compliance_percent": 100.0,
    }
    assert report["sla"]["overall"]["met"] == 3
    frt = report["first_response"]
    assert frt["count"] == 3
    # The true median is 40 minutes: it lies in the reported bucket.
    assert frt["median_bucket_low_minutes"] <= 40 < frt["median_bucket_high_minutes"]
    assert report["resolution"]["count"] == 1
    # Tenant B sees only its own ticket.
    other = _report(api, tenant_b)
    assert (other["created"], other["current_by_status"]) == (1, {"new": 1})
    # Outside the range: nothing created, but the present's gauges still show.
    empty = _report(api, tenant_a, "from=2026-04-01&to=2026-04-30")
    assert empty["created"] == 0
    assert empty["current_by_status"] == {"new": 1, "open": 2, "solved": 1}


def test_reopen_and_a_later_breach_move_the_counts(
    api: Api, tenant_a: TenantKeys, clock: list[datetime]
) -> None:
    ticket = _create(api, tenant_a, priority="urgent")
    clock[0] = START + timedelta(minutes=5)
    _reply(api, tenant_a, ticket["id"])
    clock[0] = START + timedelta(minutes=60)
    _status(api, tenant_a, ticket["id"], "solved")  # resolution met at 60 of 480 min
    assert _report(api, tenant_a)["sla"]["resolution"]["met"] == 1
    clock[0] = START + timedelta(minutes=70)
    _status(api, tenant_a, ticket["id"], "open")  # reopened: resolution clock resumes
    clock[0] = START + timedelta(days=1, hours=3)  # Tuesday 12:00 in Vilnius
    # 60 + 410 (Monday 10:10-17:00) + 180 (Tuesday 09:00-12:00) = 650 > 480: breached.
    _status(api, tenant_a, ticket["id"], "solved")
    report = _report(api, tenant_a)
    assert report["reopened"] == 1
    assert report["solved"] == 2
    assert report["sla"]["resolution"] == {
        "met": 0,
        "breached": 1,
        "stopped_without_reply": 0,
        "compliance_percent": 0.0,
    }
    assert report["current_by_status"] == {"solved": 1}
    assert report["current_open_by_priority"] == {}


def test_report_cost_does_not_depend_on_ticket_count(
    api: Api, tenant_a: TenantKeys, clock: list[datetime]
) -> None:
    for _ in range(12):
        _create(api, tenant_a)
    _report(api, tenant_a)
    with recording() as log:
        _report(api, tenant_a)
    assert log.calls == ["Query", "Query"]  # the days of the range, and the gauges


@pytest.mark.parametrize(
    "query",
    ["from=2026-03-10&to=2026-03-01", "from=2024-01-01&to=2026-01-01", "from=yesterday", "x=1"],
)
def test_bad_report_queries(api: Api, tenant_a: TenantKeys, query: str) -> None:
    r = api.request("GET", f"/v1/reports/tickets?{query}", key=tenant_a.admin_key)
    assert r.status_code == 400
    assert body_of(r)["code"] == "invalid_query"
