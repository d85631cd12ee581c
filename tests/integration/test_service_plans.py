"""Service plans and appointments through the API: schedules shifted off the tenant's
holidays, authorised-centre discounts, booking visits, outcomes, rescheduling, cancelling,
lists, isolation, version conflicts, bad input and call costs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.notify.events import DomainEvent
from chalicelib.services import reactions
from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording
from tests.support.scan import all_items

NOW = datetime.now(UTC).replace(microsecond=0)
SEEN: list[DomainEvent] = []


def record(event: DomainEvent) -> None:
    SEEN.append(event)


@pytest.fixture(autouse=True)
def events(monkeypatch: pytest.MonkeyPatch) -> list[DomainEvent]:
    SEEN.clear()
    monkeypatch.setattr(reactions, "SUBSCRIBERS", (*reactions.SUBSCRIBERS, f"{__name__}:record"))
    return SEEN


def names(events: list[DomainEvent]) -> list[str]:
    return [e.name for e in events]


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body, **kw)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def setup(api: Api, tenant: TenantKeys, serial: str = "SN-1") -> dict[str, Any]:
    """A product, a customer with a registration, an authorised centre and LT holidays."""
    product = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/products",
            {
                "sku": "HP-1",
                "name": "Heat pump",
                "category": "heating",
                "warranty": {"months": 24},
                "maintenance_interval_months": 12,
            },
        ),
        201,
    )
    customer = ok(
        call(api, tenant, "POST", "/v1/customers", {"name": "Ona", "email": "ona@example.lt"}),
        201,
    )
    warranty = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/warranties",
            {
                "product_id": product["id"],
                "customer_id": customer["id"],
                "serial_number": serial,
                "purchase_date": (NOW.date() - timedelta(days=10)).isoformat(),
            },
        ),
        201,
    )
    centre = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/service-centres",
            {
                "name": "Vilnius heat",
                "address": "Vilnius",
                "country": "LT",
                "categories": ["heating"],
                "maintenance_discount_percent": 15,
            },
        ),
        201,
    )
    ok(call(api, tenant, "PUT", "/v1/settings/business_hours", {"holiday_presets": ["LT"]}))
    return {"product": product, "customer": customer, "warranty": warranty, "centre": centre}


def plan_body(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": world["customer"]["id"],
        "product_id": world["product"]["id"],
        "warranty_id": world["warranty"]["id"],
        "start": "2027-01-01",
        "every_months": 6,
        "visits": 4,
        "service_centre_id": world["centre"]["id"],
        "visit_price": "80.00",
        "currency": "EUR",
        **extra,
    }


def test_schedule_is_shifted_off_holidays_and_weekends_and_priced_with_the_discount(
    api: Api, tenant_a: TenantKeys, events: list[DomainEvent]
) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    assert [(v["nominal_date"], v["planned_date"], v["shifted"]) for v in plan["visits"]] == [
        ("2027-01-01", "2027-01-04", True),  # New Year's Day (Fri) → Monday
        ("2027-07-01", "2027-07-01", False),
        ("2028-01-01", "2028-01-03", True),  # Saturday → Monday
        ("2028-07-01", "2028-07-03", True),  # Saturday → Monday
    ]
    assert plan["status"] == "active"
    assert plan["next_visit_on"] == "2027-01-04"
    assert plan["centre_authorised"] is True
    assert plan["discount_percent"] == 15
    assert (plan["visit_price"], plan["price_after_discount"]) == ("80.00", "68.00")
    assert names(events)[-1] == "service_plan.created"
    assert events[-1].data["visits"][0]["planned_date"] == "2027-01-04"

    # The interval defaults to the product's; 6 July (Statehood Day) moves to the 7th.
    other = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-plans",
            plan_body(world, warranty_id=None, every_months=None, start="2026-07-06", visits=2),
        ),
        201,
    )
    assert other["every_months"] == 12
    assert [v["planned_date"] for v in other["visits"]] == ["2026-07-07", "2027-07-07"]

    # A centre that does not serve the product gives no discount.
    stranger = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-centres",
            {"name": "TV shop", "address": "Kaunas", "country": "LT", "categories": ["tv"]},
        ),
        201,
    )
    plain = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-plans",
            plan_body(world, warranty_id=None, service_centre_id=stranger["id"]),
        ),
        201,
    )
    assert (plain["centre_authorised"], plain["discount_percent"]) == (False, 0)
    assert plain["price_after_discount"] == "80.00"


def test_one_active_plan_per_registration(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    before = all_items()
    again = call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world))
    assert again.status_code == 409
    assert body_of(again)["code"] == "service_plan_exists"
    assert all_items() == before
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{plan['id']}/cancel",
            {"reason": "moved house", "version": plan["version"]},
        )
    )
    ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)


def test_booking_completing_and_freeing_visits(
    api: Api, tenant_a: TenantKeys, events: list[DomainEvent]
) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    window = {"starts_at": iso(NOW - timedelta(hours=2)), "ends_at": iso(NOW - timedelta(hours=1))}
    first = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{plan['id']}/visits/1/appointment",
            {**window, "technician": "Jonas"},
        ),
        201,
    )
    assert first["kind"] == "maintenance"
    assert first["warranty_id"] == world["warranty"]["id"]
    assert first["service_centre_id"] == world["centre"]["id"]
    assert names(events)[-1] == "appointment.scheduled"
    taken = call(
        api, tenant_a, "POST", f"/v1/service-plans/{plan['id']}/visits/1/appointment", window
    )
    assert taken.status_code == 409
    assert body_of(taken)["code"] == "visit_already_booked"
    missing = call(
        api, tenant_a, "POST", f"/v1/service-plans/{plan['id']}/visits/9/appointment", window
    )
    assert missing.status_code == 422
    second = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/appointments",
            {
                "kind": "maintenance",
                "customer_id": world["customer"]["id"],
                "service_plan_id": plan["id"],
                "visit_number": 2,
                "starts_at": "2027-07-01T08:00:00Z",
                "ends_at": "2027-07-01T10:00:00Z",
            },
        ),
        201,
    )
    plan = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    assert [(v["status"], v["appointment_id"]) for v in plan["visits"][:3]] == [
        ("booked", first["id"]),
        ("booked", second["id"]),
        ("planned", None),
    ]
    assert plan["next_visit_on"] == "2028-01-03"

    # A visit in the future cannot be completed yet; one that began can, with a sign-off.
    early = call(
        api,
        tenant_a,
        "POST",
        f"/v1/appointments/{second['id']}/transitions",
        {"status": "completed", "version": second["version"]},
    )
    assert early.status_code == 409
    assert body_of(early)["code"] == "appointment_not_started"
    done = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{first['id']}/transitions",
            {
                "status": "completed",
                "outcome_notes": "Filters cleaned",
                "signed_off_by": "Ona Onaitė",
                "version": first["version"],
            },
        )
    )
    assert done["status"] == "completed"
    assert done["signed_off_by"] == "Ona Onaitė"
    assert done["signed_off_at"]
    assert done["completed_at"]
    assert names(events)[-1] == "appointment.completed"
    again = call(
        api,
        tenant_a,
        "POST",
        f"/v1/appointments/{first['id']}/transitions",
        {"status": "cancelled", "cancel_reason": "x", "version": done["version"]},
    )
    assert again.status_code == 409
    cancelled = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{second['id']}/transitions",
            {"status": "cancelled", "cancel_reason": "customer away", "version": 1},
        )
    )
    assert cancelled["cancel_reason"] == "customer away"
    plan = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    assert [(v["status"], v["appointment_id"]) for v in plan["visits"][:2]] == [
        ("completed", first["id"]),
        ("planned", None),
    ]
    assert plan["next_visit_on"] == "2027-07-01"
    # The freed visit is booked again.
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{plan['id']}/visits/2/appointment",
            {"starts_at": "2027-07-02T08:00:00Z", "ends_at": "2027-07-02T09:00:00Z"},
        ),
        201,
    )


def test_a_plan_whose_visits_are_all_done_is_completed(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    plan = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-plans",
            plan_body(world, start=(NOW.date() - timedelta(days=40)).isoformat(), visits=1),
        ),
        201,
    )
    window = {"starts_at": iso(NOW - timedelta(hours=3)), "ends_at": iso(NOW - timedelta(hours=2))}
    visit = ok(
        call(api, tenant_a, "POST", f"/v1/service-plans/{plan['id']}/visits/1/appointment", window),
        201,
    )
    missed = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{visit['id']}/transitions",
            {"status": "no_show", "outcome_notes": "nobody home", "version": 1},
        )
    )
    assert missed["status"] == "no_show"
    assert ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))["status"] == "active"
    visit = ok(
        call(api, tenant_a, "POST", f"/v1/service-plans/{plan['id']}/visits/1/appointment", window),
        201,
    )
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{visit['id']}/transitions",
            {"status": "completed", "version": 1},
        )
    )
    done = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    assert (done["status"], done["next_visit_on"]) == ("completed", None)
    changed = call(
        api, tenant_a, "PATCH", f"/v1/service-plans/{plan['id']}", {"visits": 3, "version": 4}
    )
    assert changed.status_code == 409
    assert body_of(changed)["code"] == "service_plan_not_active"


def test_changing_and_cancelling_a_plan(
    api: Api, tenant_a: TenantKeys, events: list[DomainEvent]
) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    booked = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{plan['id']}/visits/2/appointment",
            {"starts_at": "2027-07-01T08:00:00Z", "ends_at": "2027-07-01T10:00:00Z"},
        ),
        201,
    )
    plan = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    path = f"/v1/service-plans/{plan['id']}"
    dropping = call(api, tenant_a, "PATCH", path, {"visits": 1, "version": plan["version"]})
    assert dropping.status_code == 409
    assert body_of(dropping)["code"] == "visit_in_progress"
    stale = call(api, tenant_a, "PATCH", path, {"visits": 6, "version": plan["version"] - 1})
    assert stale.status_code == 409
    assert body_of(stale)["code"] == "version_conflict"
    unversioned = call(api, tenant_a, "PATCH", path, {"visits": 6})
    assert unversioned.status_code == 428
    longer = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            path,
            {"visits": 5, "every_months": 3, "version": plan["version"]},
        )
    )
    # Visit 2 is booked: it keeps its date; planned visits move to the 3-month rhythm.
    assert [(v["planned_date"], v["status"]) for v in longer["visits"]] == [
        ("2027-01-04", "planned"),
        ("2027-07-01", "booked"),
        ("2027-07-01", "planned"),
        ("2027-10-01", "planned"),
        ("2028-01-03", "planned"),
    ]
    assert names(events)[-1] == "service_plan.updated"
    repriced = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            path,
            {"visit_price": "100", "version": longer["version"]},
            headers={"If-Match": str(longer["version"])},
        )
    )
    assert repriced["price_after_discount"] == "85.00"

    cancelled = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"{path}/cancel",
            {"reason": "sold the house", "version": repriced["version"]},
        )
    )
    assert (cancelled["status"], cancelled["cancel_reason"]) == ("cancelled", "sold the house")
    assert cancelled["next_visit_on"] is None
    assert all(v["status"] == "planned" for v in cancelled["visits"])
    appointment = ok(call(api, tenant_a, "GET", f"/v1/appointments/{booked['id']}"))
    assert appointment["status"] == "cancelled"
    assert appointment["cancel_reason"] == "service plan cancelled: sold the house"
    assert names(events)[-2:] == ["service_plan.cancelled", "appointment.cancelled"]
    twice = call(
        api, tenant_a, "POST", f"{path}/cancel", {"reason": "x", "version": cancelled["version"]}
    )
    assert twice.status_code == 409


def test_rescheduling_and_reassigning(
    api: Api, tenant_a: TenantKeys, events: list[DomainEvent]
) -> None:
    world = setup(api, tenant_a)
    ticket = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {"subject": "Install", "description": "Please", "customer_id": world["customer"]["id"]},
        ),
        201,
    )
    made = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/appointments",
            {
                "kind": "installation",
                "customer_id": world["customer"]["id"],
                "warranty_id": world["warranty"]["id"],
                "ticket_id": ticket["id"],
                "starts_at": "2027-03-01T08:00:00+02:00",
                "ends_at": "2027-03-01T12:00:00+02:00",
                "technician": "Jonas",
                "address": "Gedimino pr. 1, Vilnius",
            },
        ),
        201,
    )
    assert made["starts_at"] == "2027-03-01T06:00:00Z"
    assert made["product_id"] == world["product"]["id"]  # filled from the registration
    path = f"/v1/appointments/{made['id']}"
    moved = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            path,
            {
                "starts_at": "2027-03-02T08:00:00Z",
                "ends_at": "2027-03-02T10:00:00Z",
                "reschedule_reason": "customer asked",
                "technician": "Petras",
                "version": 1,
            },
        )
    )
    assert moved["starts_at"] == "2027-03-02T08:00:00Z"
    assert moved["technician"] == "Petras"
    assert [(r["starts_at"], r["reason"]) for r in moved["reschedules"]] == [
        ("2027-03-01T06:00:00Z", "customer asked")
    ]
    assert names(events)[-1] == "appointment.rescheduled"
    assert events[-1].data["previous_starts_at"] == "2027-03-01T06:00:00Z"
    stale = call(api, tenant_a, "PATCH", path, {"notes": "x", "version": 1})
    assert stale.status_code == 409
    assert body_of(stale)["code"] == "version_conflict"
    half = call(api, tenant_a, "PATCH", path, {"starts_at": "2027-03-02T08:00:00Z", "version": 2})
    assert half.status_code == 422
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"{path}/transitions",
            {"status": "cancelled", "cancel_reason": "not needed", "version": 2},
        )
    )
    frozen = call(api, tenant_a, "PATCH", path, {"notes": "late", "version": 3})
    assert frozen.status_code == 409
    assert body_of(frozen)["code"] == "appointment_not_scheduled"


def test_lists_by_customer_technician_time_and_status(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    other = ok(
        call(api, tenant_a, "POST", "/v1/customers", {"name": "Ieva", "email": "ieva@example.lt"}),
        201,
    )
    made = []
    for day, customer, technician in [
        (3, world["customer"], "Jonas"),
        (1, other, "Jonas"),
        (2, world["customer"], "Petras"),
        (5, other, None),
    ]:
        made.append(
            ok(
                call(
                    api,
                    tenant_a,
                    "POST",
                    "/v1/appointments",
                    {
                        "kind": "delivery",
                        "customer_id": customer["id"],
                        "starts_at": f"2027-02-0{day}T08:00:00Z",
                        "ends_at": f"2027-02-0{day}T09:00:00Z",
                        "technician": technician,
                        "service_centre_id": world["centre"]["id"] if day == 2 else None,
                    },
                ),
                201,
            )
        )
    by_day = {int(a["starts_at"][8:10]): a["id"] for a in made}

    def listed(query: str) -> list[int]:
        items = ok(call(api, tenant_a, "GET", f"/v1/appointments?{query}"))["items"]
        return [int(a["starts_at"][8:10]) for a in items]

    assert listed("") == [1, 2, 3, 5]
    assert listed(f"customer_id={world['customer']['id']}") == [2, 3]
    assert listed("technician=jonas") == [1, 3]
    assert listed(f"technician=Jonas&customer_id={other['id']}") == [1]
    assert listed("from=2027-02-02T00:00:00Z&to=2027-02-03T08:00:00Z") == [2, 3]
    assert listed("from=2027-02-03T00:00:00Z") == [3, 5]
    assert listed(f"service_centre_id={world['centre']['id']}") == [2]
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/appointments/{by_day[3]}/transitions",
            {"status": "cancelled", "cancel_reason": "x", "version": 1},
        )
    )
    assert listed("status=scheduled") == [1, 2, 5]
    assert listed("status=cancelled&technician=Jonas") == [3]

    seen, cursor = [], None
    while True:
        page = ok(
            call(
                api,
                tenant_a,
                "GET",
                "/v1/appointments?limit=3" + (f"&cursor={cursor}" if cursor else ""),
            )
        )
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [by_day[d] for d in (1, 2, 3, 5)]
    wrong = call(
        api, tenant_a, "GET", "/v1/appointments?from=2027-02-05T00:00:00Z&to=2027-02-01T00:00:00Z"
    )
    assert wrong.status_code == 422

    # Plans: a customer's, and every plan by the next visit to book.
    near = ok(
        call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world, start="2026-12-01")),
        201,
    )
    far = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-plans",
            {**plan_body(world, start="2028-03-01", warranty_id=None), "customer_id": other["id"]},
        ),
        201,
    )
    every = ok(call(api, tenant_a, "GET", "/v1/service-plans"))["items"]
    assert [p["id"] for p in every] == [near["id"], far["id"]]
    due = ok(call(api, tenant_a, "GET", "/v1/service-plans?due_before=2027-01-31"))["items"]
    assert [p["id"] for p in due] == [near["id"]]
    mine = ok(call(api, tenant_a, "GET", f"/v1/service-plans?customer_id={other['id']}"))
    assert [p["id"] for p in mine["items"]] == [far["id"]]
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{near['id']}/cancel",
            {"reason": "x", "version": 1},
        )
    )
    active = ok(call(api, tenant_a, "GET", "/v1/service-plans?status=active"))["items"]
    assert [p["id"] for p in active] == [far["id"]]
    assert ok(call(api, tenant_a, "GET", "/v1/service-plans?due_before=2027-01-31"))["items"] == []


def test_costs_are_bounded(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    window = {"starts_at": "2027-01-04T08:00:00Z", "ends_at": "2027-01-04T09:00:00Z"}

    def costs(method: str, path: str, body: Any, *, reminders: int = 0) -> tuple[Any, list[str]]:
        """The request's own calls; the follow-up rules it triggers (maintenance reminders, one
        per visit) add at most a settings read and three calls per reminder, after them."""
        with recording() as log:
            response = call(api, tenant_a, method, path, body)
        assert response.status_code < 300, response.body
        own = log.calls
        if reminders:
            first_followup = next(
                (i for i, c in enumerate(own) if i > 0 and own[i - 1] == "TransactWriteItems"),
                len(own),
            )
            own, planning = own[:first_followup], own[first_followup:]
            assert len(planning) <= 1 + 3 * reminders, planning
        return body_of(response), own

    # Writes: reads of every linked record (customer, product, registration, the business
    # hours settings, centre), then one transaction.
    plan, calls = costs("POST", "/v1/service-plans", plan_body(world), reminders=4)
    assert calls == ["GetItem"] * 5 + ["TransactWriteItems"]
    visit, calls = costs("POST", f"/v1/service-plans/{plan['id']}/visits/1/appointment", window)
    # The plan (once), customer, registration, product, centre; appointment + plan together.
    assert calls == ["GetItem"] * 5 + ["TransactWriteItems"]
    _, calls = costs(
        "PATCH", f"/v1/appointments/{visit['id']}", {"technician": "Jonas", "version": 1}
    )
    assert calls == ["GetItem", "TransactWriteItems"]
    _, calls = costs(
        "PATCH",
        f"/v1/service-plans/{plan['id']}",
        {"visits": 5, "version": plan["version"] + 1},
        reminders=5,
    )
    # + business hours, + the registration (new visits are priced against its cover)
    assert calls == ["GetItem", "GetItem", "GetItem", "TransactWriteItems"]
    _, calls = costs(
        "POST",
        f"/v1/appointments/{visit['id']}/transitions",
        {"status": "cancelled", "cancel_reason": "x", "version": 2},
    )
    assert calls == ["GetItem", "GetItem", "TransactWriteItems"]  # + the plan it frees
    visit, _ = costs(
        "POST",
        f"/v1/service-plans/{plan['id']}/visits/1/appointment",
        {**window, "technician": "Jonas"},
    )
    expected = [
        (f"/v1/service-plans/{plan['id']}", ["GetItem"]),
        ("/v1/service-plans?limit=5", ["Query"]),
        (f"/v1/service-plans?customer_id={world['customer']['id']}", ["Query"]),
        (f"/v1/appointments/{visit['id']}", ["GetItem"]),
        ("/v1/appointments?from=2027-01-01T00:00:00Z", ["Query"]),
        ("/v1/appointments?technician=Jonas", ["Query"]),
    ]
    for path, expected_calls in expected:
        with recording() as log:
            ok(call(api, tenant_a, "GET", path))
        assert log.calls == expected_calls, path
    # Cancelling a plan: the plan, its booked appointments in one BatchGetItem, one transaction.
    current = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    _, calls = costs(
        "POST",
        f"/v1/service-plans/{plan['id']}/cancel",
        {"reason": "x", "version": current["version"]},
        reminders=5,  # its reminders are withdrawn
    )
    assert calls == ["GetItem", "BatchGetItem", "TransactWriteItems"]


def test_foreign_ids_are_404_and_change_nothing(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    visit = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/service-plans/{plan['id']}/visits/1/appointment",
            {"starts_at": "2027-01-04T08:00:00Z", "ends_at": "2027-01-04T09:00:00Z"},
        ),
        201,
    )
    b_customer = ok(
        call(api, tenant_b, "POST", "/v1/customers", {"name": "B", "email": "b@example.lv"}), 201
    )
    before = all_items()
    window = {"starts_at": "2027-01-04T08:00:00Z", "ends_at": "2027-01-04T09:00:00Z"}
    for method, path, body in [
        ("GET", f"/v1/service-plans/{plan['id']}", None),
        ("PATCH", f"/v1/service-plans/{plan['id']}", {"visits": 2, "version": 2}),
        ("POST", f"/v1/service-plans/{plan['id']}/cancel", {"reason": "x", "version": 2}),
        ("POST", f"/v1/service-plans/{plan['id']}/visits/2/appointment", window),
        ("GET", f"/v1/appointments/{visit['id']}", None),
        ("PATCH", f"/v1/appointments/{visit['id']}", {"notes": "x", "version": 1}),
        (
            "POST",
            f"/v1/appointments/{visit['id']}/transitions",
            {"status": "cancelled", "cancel_reason": "x", "version": 1},
        ),
        # A's ids inside B's bodies.
        ("POST", "/v1/service-plans", plan_body(world) | {"customer_id": b_customer["id"]}),
        (
            "POST",
            "/v1/appointments",
            {
                "kind": "maintenance",
                "customer_id": b_customer["id"],
                **window,
                "service_plan_id": plan["id"],
                "visit_number": 2,
            },
        ),
        (
            "POST",
            "/v1/appointments",
            {"kind": "repair", "customer_id": world["customer"]["id"], **window},
        ),
    ]:
        r = call(api, tenant_b, method, path, body)
        assert r.status_code == 404, (method, path, r.body)
    assert ok(call(api, tenant_b, "GET", "/v1/service-plans"))["items"] == []
    assert ok(call(api, tenant_b, "GET", "/v1/appointments"))["items"] == []
    assert ok(call(api, tenant_b, "GET", "/v1/appointments?technician=Jonas"))["items"] == []
    customer_a = world["customer"]["id"]
    assert (
        ok(call(api, tenant_b, "GET", f"/v1/appointments?customer_id={customer_a}"))["items"] == []
    )
    after = all_items()
    after.pop("test-customers")
    before.pop("test-customers")
    assert after == before


def test_mismatched_links_are_refused(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    other = ok(
        call(api, tenant_a, "POST", "/v1/customers", {"name": "Ieva", "email": "ieva@example.lt"}),
        201,
    )
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    window = {"starts_at": "2027-01-04T08:00:00Z", "ends_at": "2027-01-04T09:00:00Z"}
    before = all_items()
    for path, body, code in [
        ("/v1/service-plans", plan_body(world, customer_id=other["id"]), "customer_mismatch"),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": other["id"],
                "warranty_id": world["warranty"]["id"],
                **window,
            },
            "customer_mismatch",
        ),
        (
            "/v1/appointments",
            {
                "kind": "maintenance",
                "customer_id": other["id"],
                "service_plan_id": plan["id"],
                "visit_number": 2,
                **window,
            },
            "customer_mismatch",
        ),
    ]:
        r = call(api, tenant_a, "POST", path, body)
        assert r.status_code == 422, r.body
        assert body_of(r)["code"] == code
    assert all_items() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/service-plans", {"customer_id": "x"}),
        (
            "/v1/service-plans",
            {
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "product_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "start": "2027-01-01",
                "visits": 0,
            },
        ),
        (
            "/v1/service-plans",
            {
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "product_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "start": "2027-01-01",
                "visits": 2,
                "visit_price": "10",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "party",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "starts_at": "2027-01-04T08:00:00Z",
                "ends_at": "2027-01-04T09:00:00Z",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "starts_at": "2027-01-04T08:00:00Z",
                "ends_at": "2027-01-04T07:00:00Z",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "starts_at": "2027-01-04T08:00:00",
                "ends_at": "2027-01-04T09:00:00",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "starts_at": "2027-01-04T08:00:00Z",
                "ends_at": "2027-01-14T09:00:00Z",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "service_plan_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "visit_number": 1,
                "starts_at": "2027-01-04T08:00:00Z",
                "ends_at": "2027-01-04T09:00:00Z",
            },
        ),
        (
            "/v1/appointments",
            {
                "kind": "repair",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "starts_at": "2027-01-04T08:00:00Z",
                "ends_at": "2027-01-04T09:00:00Z",
            },
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    api: Api, tenant_a: TenantKeys, path: str, body: dict[str, Any]
) -> None:
    before = all_items()
    r = call(api, tenant_a, "POST", path, body)
    assert 400 <= r.status_code < 500, r.body
    assert r.headers["Content-Type"] == "application/problem+json"
    assert all_items() == before


def test_bad_transitions_and_visit_numbers(api: Api, tenant_a: TenantKeys) -> None:
    world = setup(api, tenant_a)
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", plan_body(world)), 201)
    window = {"starts_at": "2027-01-04T08:00:00Z", "ends_at": "2027-01-04T09:00:00Z"}
    visit = ok(
        call(api, tenant_a, "POST", f"/v1/service-plans/{plan['id']}/visits/1/appointment", window),
        201,
    )
    before = all_items()
    for path, body in [
        (f"/v1/service-plans/{plan['id']}/visits/abc/appointment", window),
        (f"/v1/service-plans/{plan['id']}/visits/0/appointment", window),
        (f"/v1/appointments/{visit['id']}/transitions", {"status": "cancelled", "version": 1}),
        (f"/v1/appointments/{visit['id']}/transitions", {"status": "scheduled", "version": 1}),
        (
            f"/v1/appointments/{visit['id']}/transitions",
            {"status": "no_show", "signed_off_by": "Ona", "version": 1},
        ),
        ("/v1/appointments/not-an-id/transitions", {"status": "no_show", "version": 1}),
    ]:
        r = call(api, tenant_a, "POST", path, body)
        assert 400 <= r.status_code < 500, (path, r.body)
    assert all_items() == before


def test_service_scopes(api: Api, tenant_a: TenantKeys) -> None:
    created = ok(
        call(
            api, tenant_a, "POST", "/v1/api-keys", {"name": "dispatch", "scopes": ["service:read"]}
        ),
        201,
    )
    reader = created["secret"]
    listed = api.request("GET", "/v1/appointments", key=reader)
    assert listed.status_code == 200
    centres = api.request("GET", "/v1/service-centres", key=reader)
    assert centres.status_code == 200
    refused = api.request(
        "POST",
        "/v1/service-centres",
        key=reader,
        json_body={"name": "C", "address": "A", "country": "LT"},
    )
    assert refused.status_code == 403


def test_warranty_and_claim_events(
    api: Api, tenant_a: TenantKeys, events: list[DomainEvent]
) -> None:
    world = setup(api, tenant_a)
    product = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/products",
            {
                "sku": "WIN-1",
                "name": "Window",
                "warranty": {"months": 12, "registration_required_within_days": 30},
                "extended_plans": [
                    {"code": "x", "name": "X", "months": 12, "price": "10", "currency": "EUR"}
                ],
            },
        ),
        201,
    )
    purchase = NOW.date() - timedelta(days=5)
    events.clear()
    w = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/warranties",
            {
                "product_id": product["id"],
                "customer_id": world["customer"]["id"],
                "serial_number": "WIN-77",
                "purchase_date": purchase.isoformat(),
            },
        ),
        201,
    )
    (registered,) = [e for e in events if e.name == "warranty.registered"]
    assert registered.data["registration_deadline"] == (purchase + timedelta(days=30)).isoformat()
    assert registered.data["has_proof_of_purchase"] is False
    assert registered.data["plan_offers"] == ["x"]
    assert registered.data["standard_ends_on"] == w["coverage"]["standard_ends_on"]
    upload = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/warranties/uploads",
            {"filename": "r.pdf", "content_type": "application/pdf", "size": 10},
        ),
        201,
    )
    path = f"/v1/warranties/{w['id']}"
    ok(call(api, tenant_a, "PATCH", path, {"proof_of_purchase": upload["reference"], "version": 1}))
    assert events[-1].name == "warranty.updated"
    assert events[-1].data["changed_fields"] == ["proof_of_purchase"]
    assert events[-1].data["has_proof_of_purchase"] is True
    ok(call(api, tenant_a, "POST", f"{path}/plans", {"plan_code": "x", "version": 2}), 201)
    assert events[-1].name == "warranty.extended"
    claim = ok(call(api, tenant_a, "POST", f"{path}/claims", {"description": "Draught"}), 201)
    assert names(events)[-2:] == ["ticket.created", "claim.submitted"]
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"{path}/claims/{claim['id']}/transitions",
            {"status": "approved", "version": 1},
        )
    )
    assert events[-1].name == "claim.status_changed"
    assert events[-1].data["previous_status"] == "submitted"
    ok(call(api, tenant_a, "POST", f"{path}/void", {"reason": "resold", "version": 3}))
    assert events[-1].name == "warranty.voided"
