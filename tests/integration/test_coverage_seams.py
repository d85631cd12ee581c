"""Where coverage meets the rest of after-sales, through the API: an extended plan bought
after expiry (it starts on the day it is bought, inside the product's purchase window only),
a completed delivery or installation that starts the warranty (and moves its expiry
reminders), and the authorised-centre maintenance discount that needs a valid, covering
registration on the visit's date."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.coverage import add_months
from tests.integration.conftest import Api, TenantKeys, body_of

SERIALS = itertools.count(1)
NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def product(api: Api, tenant: TenantKeys, sku: str, **warranty: Any) -> dict[str, Any]:
    """A heat pump with a 12-month warranty and a one-year extension on offer."""
    body = {
        "sku": sku,
        "name": "Šilumos siurblys",
        "category": "heating",
        "warranty": {"months": 12, **warranty},
        "extended_plans": [
            {"code": "plus1", "name": "+1 year", "months": 12, "price": "99.00", "currency": "EUR"}
        ],
        "maintenance_interval_months": 6,
    }
    return ok(call(api, tenant, "POST", "/v1/products", body), 201)  # type: ignore[no-any-return]


def customer(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    number = next(SERIALS)
    body = {"name": "Ona Petraitė", "email": f"ona{number}@example.lt", "marketing_consent": True}
    return ok(call(api, tenant, "POST", "/v1/customers", body), 201)  # type: ignore[no-any-return]


def register(
    api: Api, tenant: TenantKeys, made: dict[str, Any], who: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    body = {
        "product_id": made["id"],
        "customer_id": who["id"],
        "serial_number": fields.pop("serial_number", "HP-1"),
        **fields,
    }
    return ok(call(api, tenant, "POST", "/v1/warranties", body), 201)  # type: ignore[no-any-return]


def coverage(api: Api, tenant: TenantKeys, warranty_id: str, on: date) -> dict[str, Any]:
    path = f"/v1/warranties/{warranty_id}/coverage?on={on.isoformat()}"
    return ok(call(api, tenant, "GET", path))  # type: ignore[no-any-return]


def expiry_reminders(api: Api, tenant: TenantKeys) -> list[dict[str, Any]]:
    path = "/v1/followups?kind=warranty_expiry_reminder"
    return ok(call(api, tenant, "GET", path))["items"]  # type: ignore[no-any-return]


def scheduled_days(reminders: list[dict[str, Any]]) -> list[date]:
    return sorted(
        datetime.fromisoformat(r["due_at"]).date() for r in reminders if r["status"] == "scheduled"
    )


# --- defect 2: an extension bought after expiry ------------------------------------------------


def test_an_extension_bought_after_expiry_starts_on_the_day_it_is_bought(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = product(api, tenant_a, "HP-W90", extension_purchase_window_days=90)
    assert made["warranty"]["extension_purchase_window_days"] == 90
    purchase = add_months(TODAY, -12) - timedelta(days=40)  # cover ended 40 days ago
    w = register(api, tenant_a, made, customer(api, tenant_a), purchase_date=purchase.isoformat())
    ended = date.fromisoformat(w["coverage"]["standard_ends_on"])
    assert ended < TODAY - timedelta(days=30)

    path = f"/v1/warranties/{w['id']}/plans"
    bought = ok(
        call(api, tenant_a, "POST", path, {"plan_code": "plus1", "version": w["version"]}), 201
    )
    [plan] = bought["plans"]
    assert plan["starts_on"] == TODAY.isoformat()  # not the day after the old cover ended
    assert plan["ends_on"] == (add_months(TODAY, 12) - timedelta(days=1)).isoformat()
    # The days between the old end and the purchase stay uncovered...
    assert coverage(api, tenant_a, w["id"], ended + timedelta(days=1))["status"] == "expired"
    assert coverage(api, tenant_a, w["id"], TODAY - timedelta(days=1))["status"] == "expired"
    assert coverage(api, tenant_a, w["id"], TODAY)["status"] == "extended"
    # ...so a fault reported before the purchase is chargeable, one reported today covered.
    before = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/claims",
            {"description": "Nešildo", "reported_on": (TODAY - timedelta(days=5)).isoformat()},
        ),
        201,
    )
    assert before["billing"] == "chargeable"
    after = ok(
        call(api, tenant_a, "POST", f"/v1/warranties/{w['id']}/claims", {"description": "Ūžia"}),
        201,
    )
    assert after["billing"] == "covered"
    # The expiry reminders follow the plan's end.
    assert scheduled_days(expiry_reminders(api, tenant_a)) == [
        date.fromisoformat(plan["ends_on"]) - timedelta(days=30),
        date.fromisoformat(plan["ends_on"]) - timedelta(days=7),
    ]


def test_an_extension_is_refused_once_the_purchase_window_has_closed(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = product(api, tenant_a, "HP-W0")  # default window: only until the cover ends
    assert made["warranty"]["extension_purchase_window_days"] == 0
    purchase = add_months(TODAY, -36)
    w = register(api, tenant_a, made, customer(api, tenant_a), purchase_date=purchase.isoformat())
    path = f"/v1/warranties/{w['id']}/plans"
    late = call(api, tenant_a, "POST", path, {"plan_code": "plus1", "version": w["version"]})
    assert late.status_code == 409, late.body
    problem = body_of(late)
    assert problem["code"] == "extension_window_closed"
    assert w["coverage"]["standard_ends_on"] in problem["detail"]
    # Nothing was bought: no plan, same version, still expired everywhere.
    again = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}"))
    assert (again["plans"], again["version"]) == ([], w["version"])
    assert coverage(api, tenant_a, w["id"], purchase + timedelta(days=400))["covered"] is False

    # On the last covered day it can still be bought, and it continues the cover.
    fresh = register(
        api,
        tenant_a,
        made,
        customer(api, tenant_a),
        serial_number="HP-2",
        purchase_date=(add_months(TODAY, -12) + timedelta(days=1)).isoformat(),
    )
    assert fresh["coverage"]["standard_ends_on"] == TODAY.isoformat()
    bought = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{fresh['id']}/plans",
            {"plan_code": "plus1", "version": fresh["version"]},
        ),
        201,
    )
    assert bought["plans"][0]["starts_on"] == (TODAY + timedelta(days=1)).isoformat()


def test_an_extension_cannot_start_in_the_past(api: Api, tenant_a: TenantKeys) -> None:
    made = product(api, tenant_a, "HP-W365", extension_purchase_window_days=365)
    purchase = add_months(TODAY, -13)
    w = register(api, tenant_a, made, customer(api, tenant_a), purchase_date=purchase.isoformat())
    backdated = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/plans",
        {
            "plan_code": "plus1",
            "starts_on": (TODAY - timedelta(days=10)).isoformat(),
            "version": w["version"],
        },
    )
    assert backdated.status_code == 422, backdated.body
    assert body_of(backdated)["code"] == "plan_start_in_past"


def test_the_purchase_window_is_validated(api: Api, tenant_a: TenantKeys) -> None:
    body = {"sku": "X-1", "name": "X", "warranty": {"months": 12}}
    for bad in (-1, 3651, "soon"):
        body["warranty"] = {"months": 12, "extension_purchase_window_days": bad}
        response = call(api, tenant_a, "POST", "/v1/products", body)
        assert response.status_code == 422, (bad, response.body)


# --- defect 7: a completed delivery or installation starts the warranty -----------------------


def appointment(
    api: Api, tenant: TenantKeys, kind: str, w: dict[str, Any], *, day: date
) -> dict[str, Any]:
    body = {
        "kind": kind,
        "customer_id": w["customer_id"],
        "warranty_id": w["id"],
        "starts_at": f"{day.isoformat()}T08:00:00Z",
        "ends_at": f"{day.isoformat()}T10:00:00Z",
        "technician": "Petras",
    }
    return ok(call(api, tenant, "POST", "/v1/appointments", body), 201)  # type: ignore[no-any-return]


def complete(api: Api, tenant: TenantKeys, visit: dict[str, Any]) -> dict[str, Any]:
    body = {"status": "completed", "signed_off_by": "Ona Petraitė", "version": visit["version"]}
    path = f"/v1/appointments/{visit['id']}/transitions"
    return ok(call(api, tenant, "POST", path, body))  # type: ignore[no-any-return]


def test_a_completed_delivery_starts_the_warranty_and_moves_its_reminders(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = product(api, tenant_a, "HP-D", starts_from="delivery")
    purchase = TODAY - timedelta(days=40)
    w = register(api, tenant_a, made, customer(api, tenant_a), purchase_date=purchase.isoformat())
    assert (w["delivery_date"], w["coverage"]["starts_on"]) == (None, purchase.isoformat())
    old_end = date.fromisoformat(w["coverage"]["standard_ends_on"])
    assert scheduled_days(expiry_reminders(api, tenant_a)) == [
        old_end - timedelta(days=30),
        old_end - timedelta(days=7),
    ]

    delivered_on = TODAY - timedelta(days=1)
    complete(api, tenant_a, appointment(api, tenant_a, "delivery", w, day=delivered_on))

    after = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}"))
    assert after["delivery_date"] == delivered_on.isoformat()
    assert after["version"] == w["version"] + 1
    assert after["coverage"]["starts_on"] == delivered_on.isoformat()
    new_end = add_months(delivered_on, 12) - timedelta(days=1)
    assert after["coverage"]["standard_ends_on"] == new_end.isoformat()
    # Before delivery the product was not yet under warranty.
    assert coverage(api, tenant_a, w["id"], purchase)["status"] == "not_started"
    reminders = expiry_reminders(api, tenant_a)
    assert scheduled_days(reminders) == [new_end - timedelta(days=30), new_end - timedelta(7)]
    assert sorted(r["reason"] for r in reminders if r["status"] == "cancelled") == [
        "coverage_changed",
        "coverage_changed",
    ]


def test_a_completed_installation_after_delivery_starts_the_warranty(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = product(api, tenant_a, "HP-I", starts_from="delivery")
    w = register(
        api,
        tenant_a,
        made,
        customer(api, tenant_a),
        purchase_date=(TODAY - timedelta(days=30)).isoformat(),
        delivery_date=(TODAY - timedelta(days=20)).isoformat(),
    )
    installed_on = TODAY - timedelta(days=2)
    complete(api, tenant_a, appointment(api, tenant_a, "installation", w, day=installed_on))
    after = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}"))
    assert after["delivery_date"] == installed_on.isoformat()
    assert after["coverage"]["starts_on"] == installed_on.isoformat()

    # A training visit (or a cancelled installation) changes nothing.
    training = appointment(api, tenant_a, "training", w, day=TODAY)
    complete(api, tenant_a, training)
    assert (
        ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}"))["version"] == after["version"]
    )


def test_correcting_the_delivery_date_moves_the_expiry_reminders(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = product(api, tenant_a, "HP-P", starts_from="delivery")
    w = register(
        api,
        tenant_a,
        made,
        customer(api, tenant_a),
        purchase_date=(TODAY - timedelta(days=30)).isoformat(),
    )
    delivered = TODAY - timedelta(days=3)
    ok(
        call(
            api,
            tenant_a,
            "PATCH",
            f"/v1/warranties/{w['id']}",
            {"delivery_date": delivered.isoformat(), "version": w["version"]},
        )
    )
    new_end = add_months(delivered, 12) - timedelta(days=1)
    assert scheduled_days(expiry_reminders(api, tenant_a)) == [
        new_end - timedelta(days=30),
        new_end - timedelta(days=7),
    ]


# --- defect 8: the maintenance discount needs a valid registration that covers the visit -------


def centre(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    body = {
        "name": "Vilniaus šilumos servisas",
        "address": "Ukmergės g. 1, Vilnius",
        "country": "LT",
        "categories": ["heating"],
        "maintenance_discount_percent": 10,
    }
    return ok(call(api, tenant, "POST", "/v1/service-centres", body), 201)  # type: ignore[no-any-return]


def plan_body(made: dict[str, Any], who: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "customer_id": who["id"],
        "product_id": made["id"],
        "start": (TODAY + timedelta(days=30)).isoformat(),
        "every_months": 6,
        "visits": 2,
        "visit_price": "80.00",
        "currency": "EUR",
        **extra,
    }


def test_no_discount_without_a_registration(api: Api, tenant_a: TenantKeys) -> None:
    made, where = product(api, tenant_a, "HP-N"), centre(api, tenant_a)
    body = plan_body(made, customer(api, tenant_a), service_centre_id=where["id"])
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", body), 201)
    assert plan["centre_authorised"] is True
    assert (plan["discount_percent"], plan["price_after_discount"]) == (0, "80.00")
    assert plan["discount_reason"] == "no_registration"
    assert [(v["discounted"], v["price"]) for v in plan["visits"]] == [
        (False, "80.00"),
        (False, "80.00"),
    ]


def test_no_discount_on_a_void_registration(api: Api, tenant_a: TenantKeys) -> None:
    made, where, who = (
        product(api, tenant_a, "HP-V"),
        centre(api, tenant_a),
        customer(api, tenant_a),
    )
    w = register(api, tenant_a, made, who, purchase_date=(TODAY - timedelta(days=10)).isoformat())
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/void",
            {"reason": "Sugadinta vartotojo", "version": w["version"]},
        )
    )
    body = plan_body(made, who, warranty_id=w["id"], service_centre_id=where["id"])
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", body), 201)
    assert (plan["discount_percent"], plan["price_after_discount"]) == (0, "80.00")
    assert plan["discount_reason"] == "warranty_void"
    assert not any(v["discounted"] for v in plan["visits"])


def test_the_discount_holds_only_for_visits_inside_the_cover(
    api: Api, tenant_a: TenantKeys
) -> None:
    made, where, who = (
        product(api, tenant_a, "HP-C"),
        centre(api, tenant_a),
        customer(api, tenant_a),
    )
    # 12 months from ten months ago: the first visit (in a month) is covered, the second not.
    w = register(api, tenant_a, made, who, purchase_date=add_months(TODAY, -10).isoformat())
    body = plan_body(made, who, warranty_id=w["id"], service_centre_id=where["id"])
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", body), 201)
    assert (plan["discount_percent"], plan["price_after_discount"]) == (10, "72.00")
    assert plan["discount_reason"] == "covered"
    assert [(v["discounted"], v["price"]) for v in plan["visits"]] == [
        (True, "72.00"),
        (False, "80.00"),
    ]
    # An extension (which counts as cover) prices the second visit with the discount too.
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/plans",
            {"plan_code": "plus1", "version": w["version"]},
        ),
        201,
    )
    extended = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    assert [(v["discounted"], v["price"]) for v in extended["visits"]] == [
        (True, "72.00"),
        (True, "72.00"),
    ]
    assert extended["version"] == plan["version"] + 1
    # A new price keeps the rule: every covered visit gets the discount.
    repriced = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            f"/v1/service-plans/{plan['id']}",
            {"visit_price": "90.00", "version": extended["version"]},
        )
    )
    assert [(v["discounted"], v["price"]) for v in repriced["visits"]] == [
        (True, "81.00"),
        (True, "81.00"),
    ]


def test_voiding_the_registration_withdraws_the_discount_of_its_plan(
    api: Api, tenant_a: TenantKeys
) -> None:
    made, where, who = (
        product(api, tenant_a, "HP-X"),
        centre(api, tenant_a),
        customer(api, tenant_a),
    )
    w = register(api, tenant_a, made, who, purchase_date=(TODAY - timedelta(days=10)).isoformat())
    body = plan_body(made, who, warranty_id=w["id"], service_centre_id=where["id"])
    plan = ok(call(api, tenant_a, "POST", "/v1/service-plans", body), 201)
    assert (plan["discount_percent"], plan["price_after_discount"]) == (10, "72.00")
    ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/void",
            {"reason": "Atidarytas neįgalioto meistro", "version": w["version"]},
        )
    )
    after = ok(call(api, tenant_a, "GET", f"/v1/service-plans/{plan['id']}"))
    assert (after["discount_percent"], after["price_after_discount"]) == (0, "80.00")
    assert after["discount_reason"] == "warranty_void"
    assert after["centre_discount_percent"] == 10  # the centre's offer stays on record
    assert [(v["discounted"], v["price"]) for v in after["visits"]] == [
        (False, "80.00"),
        (False, "80.00"),
    ]
