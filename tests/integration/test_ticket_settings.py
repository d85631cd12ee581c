"""Ticket settings sections: custom fields applied to tickets, calendar and policy validation,
and offboarding removes every ticket item."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import PLATFORM, Api, TenantKeys, body_of
from tests.support.scan import all_items, tenant_item_counts

FIELDS = {
    "fields": [
        {
            "key": "model",
            "label": "Model",
            "type": "select",
            "options": ["X1", "X2"],
            "required": True,
        },
        {"key": "purchased", "label": "Purchased", "type": "date"},
        {"key": "units", "label": "Units", "type": "integer"},
        {"key": "colours", "label": "Colours", "type": "multiselect", "options": ["red", "blue"]},
        {"key": "note", "label": "Note", "type": "text", "max_length": 5},
        {"key": "gift", "label": "Gift", "type": "boolean"},
        {"key": "weight", "label": "Weight", "type": "number"},
    ]
}


def _put(api: Api, tenant: TenantKeys, section: str, values: Any) -> Any:
    return api.request("PUT", f"/v1/settings/{section}", key=tenant.admin_key, json_body=values)


def _create(api: Api, tenant: TenantKeys, **fields: Any) -> Any:
    body = {"subject": "s", "description": "d", "customer_email": "c@x.lt", **fields}
    return api.request("POST", "/v1/tickets", key=tenant.admin_key, json_body=body)


def test_custom_fields_are_typed_and_validated(api: Api, tenant_a: TenantKeys) -> None:
    assert _put(api, tenant_a, "ticket_fields", FIELDS).status_code == 200
    values = {
        "model": "X2",
        "purchased": "2026-01-31",
        "units": 3,
        "colours": ["red"],
        "note": "ok",
        "gift": False,
        "weight": 2.5,
    }
    r = _create(api, tenant_a, custom_fields=values)
    assert r.status_code == 201, r.body
    ticket = body_of(r)
    assert ticket["custom_fields"] == values
    before = all_items()
    r = _create(
        api,
        tenant_a,
        custom_fields={
            "purchased": "31/01/2026",
            "units": 1.5,
            "colours": ["red", "red"],
            "note": "too long",
            "gift": "yes",
            "weight": True,
            "unknown": 1,
        },
    )
    assert r.status_code == 422
    problem = body_of(r)
    assert problem["code"] == "invalid_custom_fields"
    assert {e["field"] for e in problem["errors"]} == {
        "custom_fields.model",
        "custom_fields.purchased",
        "custom_fields.units",
        "custom_fields.colours",
        "custom_fields.note",
        "custom_fields.gift",
        "custom_fields.weight",
        "custom_fields.unknown",
    }
    assert all_items() == before
    # Updates merge; null removes an optional value; a required one cannot be removed.
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant_a.admin_key,
        json_body={"version": 1, "custom_fields": {"units": None, "model": "X1"}},
    )
    assert r.status_code == 200, r.body
    updated = body_of(r)["custom_fields"]
    assert "units" not in updated
    assert updated["model"] == "X1"
    r = api.request(
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        key=tenant_a.admin_key,
        json_body={"version": 2, "custom_fields": {"model": None}},
    )
    assert (r.status_code, body_of(r)["code"]) == (422, "invalid_custom_fields")


@pytest.mark.parametrize(
    ("section", "values"),
    [
        ("business_hours", {"weekly": {"mon": [{"start": "09:00", "end": "08:00"}]}}),
        ("business_hours", {"weekly": {"mon": [{"start": "9:00", "end": "17:00"}]}}),
        (
            "business_hours",
            {
                "weekly": {
                    "mon": [{"start": "09:00", "end": "13:00"}, {"start": "12:00", "end": "17:00"}]
                }
            },
        ),
        ("business_hours", {"time_zone": "Mars/Olympus"}),
        ("business_hours", {"holiday_presets": ["DE"]}),
        ("business_hours", {"holidays": ["2026-02-30"]}),
        ("sla", {"warning_percent": 100}),
        ("sla", {"policies": [{"name": "P", "priority": "asap"}]}),
        ("sla", {"policies": [{"name": "P", "first_response_minutes": 0}]}),
        ("tickets", {"auto_close_notice_hours": 200, "auto_solve_pending_after_days": 3}),
        ("tickets", {"sla_alert_email": "nope"}),
        ("ticket_fields", {"fields": [{"key": "a", "label": "A", "type": "select"}]}),
        (
            "ticket_fields",
            {"fields": [{"key": "a", "label": "A", "type": "text", "options": ["x"]}]},
        ),
        (
            "ticket_fields",
            {"fields": [{"key": "a", "label": "A", "type": "text"}] * 2},
        ),
        ("ticket_fields", {"fields": [{"key": "Bad Key", "label": "A", "type": "text"}]}),
    ],
)
def test_bad_ticket_settings_are_refused(
    api: Api, tenant_a: TenantKeys, section: str, values: dict[str, Any]
) -> None:
    before = all_items()
    r = _put(api, tenant_a, section, values)
    assert r.status_code == 422, (section, values, r.body)
    assert all_items() == before


def test_holiday_presets_shift_due_times(api: Api, tenant_a: TenantKeys) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from chalicelib import context
    from chalicelib.services import ticket_sla, tickets

    r = _put(api, tenant_a, "business_hours", {"holiday_presets": ["LT"]})
    assert r.status_code == 200
    with context.serving_tenant(tenant_a.tenant_id):
        ctx = tickets.load_context(tenant_a.tenant_id)
    now = datetime(2026, 2, 13, 16, 0, tzinfo=ZoneInfo("Europe/Vilnius"))  # Friday
    calendar = ticket_sla.business_calendar(ctx, now)
    # Monday 16 February is Lithuania's Restoration of the State day.
    from datetime import date, timedelta

    from chalicelib.domain.business_time import add_business_time

    assert date(2026, 2, 16) in calendar.holidays
    due = add_business_time(calendar, now, timedelta(hours=2))
    assert due == datetime(2026, 2, 17, 10, 0, tzinfo=ZoneInfo("Europe/Vilnius"))


def test_offboarding_removes_every_ticket_item(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    r = _create(api, tenant_a, tags=["a", "b"])
    ticket = body_of(r)
    api.request(
        "POST",
        f"/v1/tickets/{ticket['id']}/messages",
        key=tenant_a.admin_key,
        json_body={"body": "x"},
    )
    _create(api, tenant_b)
    assert tenant_item_counts(tenant_a.tenant_id)["tickets"] > 5
    before_b = tenant_item_counts(tenant_b.tenant_id)
    r = api.request(
        "DELETE",
        f"/platform/tenants/{tenant_a.tenant_id}",
        headers={"Authorization": PLATFORM["Authorization"]},
    )
    assert r.status_code == 200, r.body
    assert tenant_item_counts(tenant_a.tenant_id)["tickets"] == 0
    assert tenant_item_counts(tenant_b.tenant_id) == before_b
