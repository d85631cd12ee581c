"""Products, registrations, coverage, plans, claims and centres through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording
from tests.support.scan import all_items

TODAY = datetime.now(UTC).date()


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body, **kw)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def product(api: Api, tenant: TenantKeys, sku: str = "WM-100", **extra: Any) -> dict[str, Any]:
    body = {
        "sku": sku,
        "name": "Washing machine",
        "category": "laundry",
        "warranty": {"months": 24, "covers": ["parts", "labour"]},
        "extended_plans": [
            {
                "code": "plus1",
                "name": "Plus 1 year",
                "months": 12,
                "price": "49.00",
                "currency": "EUR",
            }
        ],
        "maintenance_interval_months": 12,
        **extra,
    }
    return ok(call(api, tenant, "POST", "/v1/products", body), 201)


def customer(api: Api, tenant: TenantKeys, email: str = "ona@example.lt") -> dict[str, Any]:
    return ok(call(api, tenant, "POST", "/v1/customers", {"name": "Ona", "email": email}), 201)


def register(
    api: Api,
    tenant: TenantKeys,
    product_id: str,
    customer_id: str,
    serial: str = "SN-1",
    **extra: Any,
) -> Any:
    body = {
        "product_id": product_id,
        "customer_id": customer_id,
        "serial_number": serial,
        "purchase_date": (TODAY - timedelta(days=30)).isoformat(),
        **extra,
    }
    return call(api, tenant, "POST", "/v1/warranties", body)


def test_register_check_coverage_extend_and_void(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    w = ok(register(api, tenant_a, p["id"], c["id"], retailer="Topo"), 201)
    assert w["coverage"]["status"] == "under_warranty"
    assert w["coverage"]["covered"] is True
    assert w["terms"]["months"] == 24
    purchase = date.fromisoformat(w["purchase_date"])
    standard_end = date.fromisoformat(w["coverage"]["standard_ends_on"])
    assert standard_end.year == purchase.year + 2

    later = (standard_end + timedelta(days=1)).isoformat()
    expired = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}/coverage?on={later}"))
    assert expired["status"] == "expired"
    assert expired["covered"] is False
    assert standard_end.isoformat() in expired["reason"]

    extended = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/plans",
            {"plan_code": "plus1", "version": w["version"]},
        ),
        201,
    )
    plan = extended["plans"][0]
    assert plan["starts_on"] == later
    assert plan["price"] == "49.00"
    assert plan["currency"] == "EUR"
    now_extended = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}/coverage?on={later}"))
    assert now_extended["status"] == "extended"
    assert now_extended["plan_id"] == plan["id"]

    # An explicit start inside the new plan overlaps it.
    overlap = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/plans",
        {"plan_code": "plus1", "starts_on": later, "version": extended["version"]},
    )
    assert overlap.status_code == 409
    assert body_of(overlap)["code"] == "plan_overlap"
    stale = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/plans",
        {"plan_code": "plus1", "version": w["version"]},
    )
    assert stale.status_code == 409
    assert body_of(stale)["code"] == "version_conflict"
    unknown = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/plans",
        {"plan_code": "gold", "version": extended["version"]},
    )
    assert unknown.status_code == 422

    void = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/void",
            {"reason": "tampered seal", "version": extended["version"]},
        )
    )
    assert void["coverage"]["status"] == "void"
    assert void["void_reason"] == "tampered seal"
    again = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{w['id']}/void",
        {"reason": "again", "version": void["version"]},
    )
    assert body_of(again)["code"] == "warranty_void"


def test_uniqueness_and_serial_lookup_per_tenant(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    pa, pa2 = product(api, tenant_a), product(api, tenant_a, sku="WM-200")
    dup = call(
        api,
        tenant_a,
        "POST",
        "/v1/products",
        {"sku": "wm-100", "name": "X", "warranty": {"months": 12}},
    )
    assert dup.status_code == 409
    assert body_of(dup)["code"] == "sku_taken"
    ca = customer(api, tenant_a)
    ok(register(api, tenant_a, pa["id"], ca["id"], serial="ABC-1"), 201)
    taken = register(api, tenant_a, pa["id"], ca["id"], serial="abc-1")
    assert taken.status_code == 409
    assert body_of(taken)["code"] == "serial_taken"
    ok(register(api, tenant_a, pa2["id"], ca["id"], serial="ABC-1"), 201)  # another product

    # Tenant B has the same SKU and serial: both tenants' data stay apart.
    pb = product(api, tenant_b)
    cb = customer(api, tenant_b)
    wb = ok(register(api, tenant_b, pb["id"], cb["id"], serial="ABC-1"), 201)
    found_b = ok(call(api, tenant_b, "GET", "/v1/warranties?serial=ABC-1"))
    assert [w["id"] for w in found_b["items"]] == [wb["id"]]
    found_a = ok(call(api, tenant_a, "GET", "/v1/warranties/coverage?serial=abc-1"))
    assert len(found_a["matches"]) == 2
    assert wb["id"] not in {m["warranty_id"] for m in found_a["matches"]}
    narrowed = ok(
        call(api, tenant_a, "GET", f"/v1/warranties/coverage?serial=ABC-1&product_id={pa2['id']}")
    )
    assert len(narrowed["matches"]) == 1
    missing = call(api, tenant_a, "GET", "/v1/warranties/coverage?serial=NOPE")
    assert missing.status_code == 404

    # Foreign ids are 404 on every route, and B's lists never show A's registrations.
    wa = ok(call(api, tenant_a, "GET", "/v1/warranties"))["items"][0]
    for method, path, body in [
        ("GET", f"/v1/warranties/{wa['id']}", None),
        ("GET", f"/v1/warranties/{wa['id']}/coverage", None),
        ("PATCH", f"/v1/warranties/{wa['id']}", {"retailer": "X", "version": 1}),
        ("POST", f"/v1/warranties/{wa['id']}/void", {"reason": "x", "version": 1}),
        ("POST", f"/v1/warranties/{wa['id']}/plans", {"plan_code": "plus1", "version": 1}),
        ("POST", f"/v1/warranties/{wa['id']}/claims", {"description": "broken"}),
        ("GET", f"/v1/warranties/{wa['id']}/claims", None),
        ("GET", f"/v1/products/{pa['id']}", None),
        ("PATCH", f"/v1/products/{pa['id']}", {"name": "X", "version": 1}),
    ]:
        r = call(api, tenant_b, method, path, body)
        assert r.status_code == 404, (method, path, r.body)
    listed = ok(call(api, tenant_b, "GET", "/v1/warranties"))
    assert [w["id"] for w in listed["items"]] == [wb["id"]]
    by_product = ok(call(api, tenant_b, "GET", f"/v1/warranties?product_id={pa['id']}"))
    assert by_product["items"] == []
    assert ok(call(api, tenant_a, "GET", f"/v1/warranties/{wa['id']}"))["version"] == 1


def test_lookup_and_coverage_costs_are_bounded(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    ids = [
        ok(register(api, tenant_a, p["id"], c["id"], serial=f"S-{i}"), 201)["id"] for i in range(12)
    ]
    call(api, tenant_a, "GET", "/v1/products")  # warm the key cache
    expected = [
        (f"/v1/warranties/{ids[3]}/coverage?on=2030-01-01", ["GetItem"]),
        (f"/v1/warranties/{ids[3]}", ["GetItem"]),
        ("/v1/warranties/coverage?serial=S-7", ["Query", "GetItem"]),
        ("/v1/warranties?serial=S-7", ["Query", "GetItem"]),
        ("/v1/warranties?limit=5", ["Query"]),
        (f"/v1/warranties?customer_id={c['id']}&limit=5", ["Query"]),
    ]
    for path, calls in expected:
        with recording() as log:
            r = call(api, tenant_a, "GET", path)
        assert r.status_code == 200, r.body
        assert log.calls == calls, path


def test_paging_through_registrations(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    made = {
        ok(register(api, tenant_a, p["id"], c["id"], serial=f"P-{i}"), 201)["id"] for i in range(7)
    }
    seen: list[str] = []
    cursor = None
    while True:
        query = f"/v1/warranties?product_id={p['id']}&limit=3" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = ok(call(api, tenant_a, "GET", query))
        seen += [w["id"] for w in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert set(seen) == made
    assert len(seen) == 7
    foreign = call(
        api, tenant_a, "GET", f"/v1/warranties?customer_id={c['id']}&cursor={cursor or 'x'}"
    )
    assert foreign.status_code == 400


def test_claims_route_ticket_and_lifecycle(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    far = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-centres",
            {
                "name": "Far away",
                "address": "Riga",
                "country": "LV",
                "regions": ["Riga"],
                "categories": ["laundry"],
            },
        ),
        201,
    )
    near = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/service-centres",
            {
                "name": "Vilnius service",
                "address": "Vilnius",
                "country": "LT",
                "regions": ["Vilnius"],
                "product_ids": [p["id"]],
                "maintenance_discount_percent": 10,
            },
        ),
        201,
    )
    routed = ok(
        call(api, tenant_a, "GET", f"/v1/service-centres/route?product_id={p['id']}&region=Vilnius")
    )
    assert routed["id"] == near["id"]
    riga = ok(
        call(api, tenant_a, "GET", f"/v1/service-centres/route?product_id={p['id']}&region=riga")
    )
    assert riga["id"] == far["id"]
    nowhere = call(
        api, tenant_a, "GET", f"/v1/service-centres/route?product_id={p['id']}&region=Kaunas"
    )
    assert nowhere.status_code == 404

    w = ok(register(api, tenant_a, p["id"], c["id"]), 201)
    claim = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{w['id']}/claims",
            {"description": "Drum does not spin", "region": "Vilnius"},
        ),
        201,
    )
    assert claim["billing"] == "covered"
    assert claim["status"] == "submitted"
    assert claim["service_centre_id"] == near["id"]
    ticket = ok(call(api, tenant_a, "GET", f"/v1/tickets/{claim['ticket_id']}"))
    assert ticket["type"] == "warranty_claim"
    assert ticket["warranty_id"] == w["id"]
    assert ticket["entitlement"] == "covered"

    # Outside coverage: accepted as chargeable, with an existing ticket attached.
    old = ok(
        register(
            api,
            tenant_a,
            p["id"],
            c["id"],
            serial="OLD-1",
            purchase_date=(TODAY - timedelta(days=900)).isoformat(),
        ),
        201,
    )
    own_ticket = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {"subject": "Old machine", "description": "Noise", "customer_id": c["id"]},
        ),
        201,
    )
    late = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{old['id']}/claims",
            {"description": "Noise", "ticket_id": own_ticket["id"]},
        ),
        201,
    )
    assert late["billing"] == "chargeable"
    assert late["ticket_id"] == own_ticket["id"]
    assert late["coverage_status"] == "expired"

    path = f"/v1/warranties/{w['id']}/claims/{claim['id']}/transitions"
    bad = call(api, tenant_a, "POST", path, {"status": "in_repair", "version": 1})
    assert bad.status_code == 409
    assert body_of(bad)["code"] == "claim_transition_not_allowed"
    no_reason = call(api, tenant_a, "POST", path, {"status": "rejected", "version": 1})
    assert no_reason.status_code == 422
    approved = ok(call(api, tenant_a, "POST", path, {"status": "approved", "version": 1}))
    repairing = ok(
        call(api, tenant_a, "POST", path, {"status": "in_repair", "version": approved["version"]})
    )
    stale = call(
        api, tenant_a, "POST", path, {"status": "cancelled", "version": approved["version"]}
    )
    assert body_of(stale)["code"] == "version_conflict"
    done = ok(
        call(
            api,
            tenant_a,
            "POST",
            path,
            {"status": "resolved", "resolution": "repaired", "version": repairing["version"]},
        )
    )
    assert done["resolution"] == "repaired"
    assert [h["status"] for h in done["history"]] == [
        "submitted",
        "approved",
        "in_repair",
        "resolved",
    ]
    final = call(api, tenant_a, "POST", path, {"status": "cancelled", "version": done["version"]})
    assert final.status_code == 409
    listed = ok(call(api, tenant_a, "GET", f"/v1/warranties/{w['id']}/claims?status=resolved"))
    assert [x["id"] for x in listed["items"]] == [claim["id"]]


def test_ticket_opened_with_a_serial_shows_coverage(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    other = customer(api, tenant_a, email="jonas@example.lt")
    w = ok(register(api, tenant_a, p["id"], c["id"], serial="T-9"), 201)
    mine = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {
                "subject": "Leak",
                "description": "Water",
                "customer_id": c["id"],
                "serial_number": "T-9",
            },
        ),
        201,
    )
    assert mine["warranty_id"] == w["id"]
    assert mine["entitlement"] == "covered"
    theirs = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {
                "subject": "Leak",
                "description": "Water",
                "customer_id": other["id"],
                "serial_number": "T-9",
            },
        ),
        201,
    )
    assert theirs["warranty_id"] is None
    assert theirs["entitlement"] == "unknown"


def test_registration_window(api: Api, tenant_a: TenantKeys) -> None:
    p = product(
        api, tenant_a, sku="REG-1", warranty={"months": 12, "registration_required_within_days": 14}
    )
    c = customer(api, tenant_a)
    late = register(api, tenant_a, p["id"], c["id"])
    assert late.status_code == 409
    assert body_of(late)["code"] == "registration_window_closed"
    allowed = ok(register(api, tenant_a, p["id"], c["id"], allow_late_registration=True), 201)
    assert allowed["late_registration"] is True


def test_delivery_start(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a, sku="INST-1", warranty={"months": 12, "starts_from": "delivery"})
    c = customer(api, tenant_a)
    delivery = TODAY + timedelta(days=10)
    w = ok(register(api, tenant_a, p["id"], c["id"], delivery_date=delivery.isoformat()), 201)
    assert w["coverage"]["status"] == "not_started"
    assert w["coverage"]["starts_on"] == delivery.isoformat()


def test_proof_of_purchase_upload(api: Api, tenant_a: TenantKeys) -> None:
    upload = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/warranties/uploads",
            {"filename": "receipt.pdf", "content_type": "application/pdf", "size": 2048},
        ),
        201,
    )
    assert upload["reference"].startswith(f"{tenant_a.tenant_id}/proof-of-purchase/")
    assert upload["method"] == "PUT"
    assert "X-Amz-Signature" in upload["upload_url"]
    p = product(api, tenant_a)
    c = customer(api, tenant_a)
    w = ok(register(api, tenant_a, p["id"], c["id"], proof_of_purchase=upload["reference"]), 201)
    assert w["proof_of_purchase"] == upload["reference"]
    forged = register(
        api, tenant_a, p["id"], c["id"], serial="F-1", proof_of_purchase="OTHER/proof-of-purchase/x"
    )
    assert forged.status_code == 422
    too_big = call(
        api,
        tenant_a,
        "POST",
        "/v1/warranties/uploads",
        {"filename": "a.exe", "content_type": "application/x-msdownload", "size": 1},
    )
    assert too_big.status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/products", {"sku": "has space", "name": "X", "warranty": {"months": 12}}),
        ("/v1/products", {"sku": "A", "name": "X", "warranty": {"months": 0}}),
        ("/v1/products", {"sku": "A", "name": "X", "warranty": {"months": 12}, "price": 1}),
        (
            "/v1/products",
            {
                "sku": "A",
                "name": "X",
                "warranty": {"months": 12},
                "extended_plans": [
                    {"code": "a", "name": "A", "months": 12, "price": "1.999", "currency": "EUR"}
                ],
            },
        ),
        (
            "/v1/warranties",
            {
                "product_id": "not-an-id",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "serial_number": "X",
                "purchase_date": "2025-01-01",
            },
        ),
        (
            "/v1/warranties",
            {
                "product_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "customer_id": "01HZZZZZZZZZZZZZZZZZZZZZZZ",
                "serial_number": "X",
                "purchase_date": "2025-02-30",
            },
        ),
        ("/v1/service-centres", {"name": "C", "address": "A", "country": "Lithuania"}),
        (
            "/v1/service-centres",
            {"name": "C", "address": "A", "country": "LT", "maintenance_discount_percent": 150},
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


def test_unknown_references_are_404_and_store_nothing(api: Api, tenant_a: TenantKeys) -> None:
    p = product(api, tenant_a)
    before = all_items()
    r = register(api, tenant_a, p["id"], "01HZZZZZZZZZZZZZZZZZZZZZZZ")
    assert r.status_code == 404
    future = register(
        api,
        tenant_a,
        p["id"],
        customer(api, tenant_a)["id"],
        purchase_date=(TODAY + timedelta(days=3)).isoformat(),
    )
    assert future.status_code == 422
    before["test-customers"] = all_items()["test-customers"]
    assert all_items() == before
