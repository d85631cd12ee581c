"""One customer's records are never linked to another's: every link of a ticket, claim,
appointment and service plan is checked against its owner, on create and on update, and a
refused link stores nothing (422 ``customer_mismatch``, the field named)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items

TODAY = datetime.now(UTC).date()
WINDOW = {"starts_at": "2027-03-02T08:00:00Z", "ends_at": "2027-03-02T10:00:00Z"}


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None, **kw: Any) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body, **kw)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def refused(response: Any, field: str) -> None:
    """A 422 ``customer_mismatch`` that names the offending link."""
    assert response.status_code == 422, response.body
    problem = body_of(response)
    assert problem["code"] == "customer_mismatch", problem
    assert [e["field"] for e in problem["errors"]] == [field], problem


def customer_with_records(
    api: Api, tenant: TenantKeys, product_id: str, name: str, serial: str
) -> dict[str, Any]:
    """A customer with a registration, a ticket, an appointment and a service plan."""
    customer = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/customers",
            {"name": name, "email": f"{serial.lower()}@example.lt"},
        ),
        201,
    )
    warranty = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/warranties",
            {
                "product_id": product_id,
                "customer_id": customer["id"],
                "serial_number": serial,
                "purchase_date": (TODAY - timedelta(days=20)).isoformat(),
            },
        ),
        201,
    )
    ticket = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/tickets",
            {"subject": "Noise", "description": "Loud", "customer_id": customer["id"]},
        ),
        201,
    )
    appointment = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/appointments",
            {"kind": "installation", "customer_id": customer["id"], **WINDOW},
        ),
        201,
    )
    plan = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/service-plans",
            {
                "customer_id": customer["id"],
                "product_id": product_id,
                "warranty_id": warranty["id"],
                "start": "2027-06-01",
                "every_months": 12,
                "visits": 2,
            },
        ),
        201,
    )
    return {
        "customer": customer,
        "warranty": warranty,
        "ticket": ticket,
        "appointment": appointment,
        "plan": plan,
    }


@pytest.fixture
def two(api: Api, tenant_a: TenantKeys) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ona and Jānis, customers of the same tenant, each with their own records."""
    product = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/products",
            {"sku": "WM-1", "name": "Washer", "warranty": {"months": 24}},
        ),
        201,
    )
    ona = customer_with_records(api, tenant_a, product["id"], "Ona Petraitė", "ONA-1")
    janis = customer_with_records(api, tenant_a, product["id"], "Jānis Bērziņš", "JANIS-1")
    return ona, janis


def test_a_ticket_cannot_name_another_customers_registration(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, janis = two
    before = all_items()
    created = call(
        api,
        tenant_a,
        "POST",
        "/v1/tickets",
        {
            "subject": "Leak",
            "description": "Water on the floor",
            "customer_id": ona["customer"]["id"],
            "warranty_id": janis["warranty"]["id"],
        },
    )
    refused(created, "warranty_id")
    ticket = ona["ticket"]
    changed = call(
        api,
        tenant_a,
        "PATCH",
        f"/v1/tickets/{ticket['id']}",
        {"warranty_id": janis["warranty"]["id"], "version": ticket["version"]},
    )
    refused(changed, "warranty_id")
    assert all_items() == before
    still = ok(call(api, tenant_a, "GET", f"/v1/tickets/{ticket['id']}"))
    assert (still["warranty_id"], still["entitlement"]) == (None, "unknown")


def test_a_ticket_cannot_name_another_customers_appointment(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, janis = two
    before = all_items()
    created = call(
        api,
        tenant_a,
        "POST",
        "/v1/tickets",
        {
            "subject": "Install",
            "description": "When?",
            "customer_id": ona["customer"]["id"],
            "appointment_id": janis["appointment"]["id"],
        },
    )
    refused(created, "appointment_id")
    changed = call(
        api,
        tenant_a,
        "PATCH",
        f"/v1/tickets/{ona['ticket']['id']}",
        {"appointment_id": janis["appointment"]["id"], "version": ona["ticket"]["version"]},
    )
    refused(changed, "appointment_id")
    assert all_items() == before


def test_a_claim_cannot_attach_another_customers_ticket(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, janis = two
    before = all_items()
    response = call(
        api,
        tenant_a,
        "POST",
        f"/v1/warranties/{janis['warranty']['id']}/claims",
        {"description": "Drum does not spin", "ticket_id": ona["ticket"]["id"]},
    )
    refused(response, "ticket_id")
    assert all_items() == before


@pytest.mark.parametrize(
    ("link", "field"),
    [
        ("warranty", "warranty_id"),
        ("ticket", "ticket_id"),
        ("plan", "service_plan_id"),
    ],
)
def test_an_appointment_cannot_link_another_customers_records(
    api: Api,
    tenant_a: TenantKeys,
    two: tuple[dict[str, Any], dict[str, Any]],
    link: str,
    field: str,
) -> None:
    ona, janis = two
    body: dict[str, Any] = {
        "kind": "maintenance" if link == "plan" else "repair",
        "customer_id": ona["customer"]["id"],
        field: janis[link]["id"],
        **WINDOW,
    }
    if link == "plan":
        body["visit_number"] = 1
    before = all_items()
    refused(call(api, tenant_a, "POST", "/v1/appointments", body), field)
    assert all_items() == before


def test_a_service_plan_cannot_cover_another_customers_registration(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, janis = two
    before = all_items()
    response = call(
        api,
        tenant_a,
        "POST",
        "/v1/service-plans",
        {
            "customer_id": ona["customer"]["id"],
            "product_id": janis["warranty"]["product_id"],
            "warranty_id": janis["warranty"]["id"],
            "start": "2027-06-01",
            "every_months": 12,
            "visits": 2,
        },
    )
    refused(response, "warranty_id")
    assert all_items() == before


def test_every_link_to_the_customers_own_records_is_accepted(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, _ = two
    ticket = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/tickets",
            {
                "subject": "Leak",
                "description": "Water on the floor",
                "customer_id": ona["customer"]["id"],
                "warranty_id": ona["warranty"]["id"],
                "appointment_id": ona["appointment"]["id"],
            },
        ),
        201,
    )
    assert ticket["entitlement"] == "covered"
    patched = ok(
        call(
            api,
            tenant_a,
            "PATCH",
            f"/v1/tickets/{ona['ticket']['id']}",
            {"warranty_id": ona["warranty"]["id"], "version": ona["ticket"]["version"]},
        )
    )
    assert patched["warranty_id"] == ona["warranty"]["id"]
    claim = ok(
        call(
            api,
            tenant_a,
            "POST",
            f"/v1/warranties/{ona['warranty']['id']}/claims",
            {"description": "Leaks", "ticket_id": ticket["id"]},
        ),
        201,
    )
    assert claim["ticket_id"] == ticket["id"]
    visit = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/appointments",
            {
                "kind": "maintenance",
                "customer_id": ona["customer"]["id"],
                "warranty_id": ona["warranty"]["id"],
                "ticket_id": ticket["id"],
                "service_plan_id": ona["plan"]["id"],
                "visit_number": 1,
                **WINDOW,
            },
        ),
        201,
    )
    assert visit["service_plan_id"] == ona["plan"]["id"]


def test_a_registration_of_another_product_is_still_a_product_mismatch(
    api: Api, tenant_a: TenantKeys, two: tuple[dict[str, Any], dict[str, Any]]
) -> None:
    ona, _ = two
    other = ok(
        call(
            api,
            tenant_a,
            "POST",
            "/v1/products",
            {"sku": "DR-1", "name": "Dryer", "warranty": {"months": 24}},
        ),
        201,
    )
    response = call(
        api,
        tenant_a,
        "POST",
        "/v1/appointments",
        {
            "kind": "repair",
            "customer_id": ona["customer"]["id"],
            "product_id": other["id"],
            "warranty_id": ona["warranty"]["id"],
            **WINDOW,
        },
    )
    assert response.status_code == 422, response.body
    assert body_of(response)["code"] == "warranty_mismatch"
