"""Warranty and service follow-up rules: expiry reminders, registration reminders, maintenance
reminders before planned visits, surveys after completed visits; voiding and cancelling
withdraw them; the contact budget holds them back like any other outreach."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.integration.conftest import Api, TenantKeys, body_of

TODAY = datetime.now(UTC).date()


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    response = api.request(method, path, key=tenant.admin_key, json_body=body)
    assert response.status_code < 300, response.body
    return body_of(response)


def followups(api: Api, tenant: TenantKeys, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = call(api, tenant, "GET", f"/v1/followups{query}")["items"]
    return items


def world(api: Api, tenant: TenantKeys, **warranty: Any) -> dict[str, Any]:
    product = call(
        api,
        tenant,
        "POST",
        "/v1/products",
        {
            "sku": "HP-1",
            "name": "Heat pump",
            "warranty": {"months": 12, "registration_required_within_days": 30},
            "extended_plans": [
                {"code": "plus", "name": "Plus", "months": 12, "price": "99", "currency": "EUR"}
            ],
            "maintenance_interval_months": 6,
        },
    )
    customer = call(api, tenant, "POST", "/v1/customers", {"name": "Ona", "email": "o@example.lt"})
    registration = call(
        api,
        tenant,
        "POST",
        "/v1/warranties",
        {
            "product_id": product["id"],
            "customer_id": customer["id"],
            "serial_number": "HP-77",
            "purchase_date": (TODAY - timedelta(days=10)).isoformat(),
            **warranty,
        },
    )
    return {"product": product, "customer": customer, "warranty": registration}


def at(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["due_at"])


def test_expiry_reminders_30_and_7_days_before_and_void_cancels_them(
    api: Api, tenant_a: TenantKeys
) -> None:
    w = world(api, tenant_a)["warranty"]
    end = date.fromisoformat(w["coverage"]["standard_ends_on"])
    expiry = followups(api, tenant_a, "?kind=warranty_expiry_reminder")
    assert sorted(at(f).date() for f in expiry) == [end - timedelta(days=30), end - timedelta(7)]
    assert {f["subject_id"] for f in expiry} == {w["id"]}
    assert all(f["data"]["plan_offers"] == ["plus"] for f in expiry)
    [reminder] = followups(api, tenant_a, "?kind=registration_reminder")
    assert reminder["data"]["deadline"] == (TODAY + timedelta(days=20)).isoformat()

    call(api, tenant_a, "POST", f"/v1/warranties/{w['id']}/void", {"reason": "x", "version": 1})
    every = followups(api, tenant_a)
    assert {(f["kind"], f["status"], f["reason"]) for f in every} == {
        ("warranty_expiry_reminder", "cancelled", "warranty_voided"),
        ("registration_reminder", "cancelled", "warranty_voided"),
    }


def test_an_extension_moves_the_expiry_reminders(api: Api, tenant_a: TenantKeys) -> None:
    w = world(api, tenant_a)["warranty"]
    extended = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/plans",
        {"plan_code": "plus", "version": 1},
    )
    end = date.fromisoformat(extended["plans"][0]["ends_on"])
    expiry = followups(api, tenant_a, "?kind=warranty_expiry_reminder")
    open_ones = sorted(at(f).date() for f in expiry if f["status"] == "scheduled")
    assert open_ones == [end - timedelta(days=30), end - timedelta(days=7)]
    assert sum(f["reason"] == "coverage_extended" for f in expiry) == 2


def test_proof_of_purchase_completes_the_registration(api: Api, tenant_a: TenantKeys) -> None:
    w = world(api, tenant_a)["warranty"]
    upload = call(
        api,
        tenant_a,
        "POST",
        "/v1/warranties/uploads",
        {"filename": "r.pdf", "content_type": "application/pdf", "size": 10},
    )
    call(
        api,
        tenant_a,
        "PATCH",
        f"/v1/warranties/{w['id']}",
        {"proof_of_purchase": upload["reference"], "version": 1},
    )
    [reminder] = followups(api, tenant_a, "?kind=registration_reminder")
    assert (reminder["status"], reminder["reason"]) == ("cancelled", "registration_completed")


def test_registered_with_proof_plans_no_registration_reminder(
    api: Api, tenant_a: TenantKeys
) -> None:
    upload = call(
        api,
        tenant_a,
        "POST",
        "/v1/warranties/uploads",
        {"filename": "r.pdf", "content_type": "application/pdf", "size": 10},
    )
    world(api, tenant_a, proof_of_purchase=upload["reference"])
    assert followups(api, tenant_a, "?kind=registration_reminder") == []


def test_maintenance_reminders_before_each_visit_and_cancel_with_the_plan(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = world(api, tenant_a)
    start = TODAY + timedelta(days=60)
    plan = call(
        api,
        tenant_a,
        "POST",
        "/v1/service-plans",
        {
            "customer_id": made["customer"]["id"],
            "product_id": made["product"]["id"],
            "warranty_id": made["warranty"]["id"],
            "start": start.isoformat(),
            "visits": 3,
        },
    )
    reminders = followups(api, tenant_a, "?kind=maintenance_reminder")
    planned = {v["number"]: date.fromisoformat(v["planned_date"]) for v in plan["visits"]}
    assert sorted((f["data"]["visit_number"], at(f).date()) for f in reminders) == [
        (n, planned[n] - timedelta(days=7)) for n in (1, 2, 3)
    ]
    call(
        api,
        tenant_a,
        "POST",
        f"/v1/service-plans/{plan['id']}/cancel",
        {"reason": "sold", "version": 1},
    )
    after = followups(api, tenant_a, "?kind=maintenance_reminder")
    assert {(f["status"], f["reason"]) for f in after} == {("cancelled", "service_plan_cancelled")}


def test_completed_visit_plans_a_survey_after_the_delay(api: Api, tenant_a: TenantKeys) -> None:
    made = world(api, tenant_a)
    now = datetime.now(UTC).replace(microsecond=0)
    visit = call(
        api,
        tenant_a,
        "POST",
        "/v1/appointments",
        {
            "kind": "installation",
            "customer_id": made["customer"]["id"],
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
        },
    )
    assert followups(api, tenant_a, "?kind=csat_survey") == []
    done = call(
        api,
        tenant_a,
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "completed", "signed_off_by": "Ona", "version": 1},
    )
    [survey] = followups(api, tenant_a, "?kind=csat_survey")
    assert (survey["subject_kind"], survey["subject_id"]) == ("appointment", visit["id"])
    completed = datetime.fromisoformat(done["completed_at"])
    assert at(survey) - completed == timedelta(hours=24)


def test_reminders_pass_the_contact_budget(
    api: Api, tenant_a: TenantKeys, monkeypatch: Any
) -> None:
    from scripts.provision import provision
    from tests.support.clocks import patch_engine_clock
    from tests.support.followups import Clock, Engine

    provision()
    clock = Clock(datetime.now(UTC).replace(microsecond=0))
    patch_engine_clock(monkeypatch, clock)
    engine = Engine(clock)
    current = call(api, tenant_a, "GET", "/v1/settings/followups")
    body = dict(current["values"])
    body["budget"] = {
        **body["budget"],
        "max_messages": 1,
        "window_days": 30,
        "max_deferral_hours": 1,
        "quiet_hours_enabled": False,
    }
    call(api, tenant_a, "PUT", "/v1/settings/followups", body)
    made = world(api, tenant_a)  # a registration reminder, due in 72 hours
    visit = call(
        api,
        tenant_a,
        "POST",
        "/v1/appointments",
        {
            "kind": "delivery",
            "customer_id": made["customer"]["id"],
            "starts_at": (clock.now - timedelta(hours=2)).isoformat(),
            "ends_at": (clock.now - timedelta(hours=1)).isoformat(),
        },
    )
    call(
        api,
        tenant_a,
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "completed", "version": 1},
    )  # a survey, due in 24 hours
    clock.now += timedelta(days=4)
    engine.tick()
    outcomes = sorted(
        (f["status"], f["reason"])
        for f in followups(api, tenant_a)
        if f["kind"] in ("registration_reminder", "csat_survey")
    )
    # One contact per 30 days for this customer: the second is held back, never sent too.
    assert outcomes == [("sent", None), ("skipped", "budget_exhausted")]
