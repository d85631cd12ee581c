"""Feedback after a visit is attributed: the CSAT answer to an installation survey carries the
technician (as the agent), the product and the visit kind, so the feedback report by agent
and by product counts it (through the API)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.integration.feedback_support import answer, survey_link

NOW = datetime.now(UTC).replace(microsecond=0)


def call(api: Api, tenant: TenantKeys, method: str, path: str, body: Any = None) -> Any:
    return api.request(method, path, key=tenant.admin_key, json_body=body)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return body_of(response)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def completed_installation(api: Api, tenant: TenantKeys) -> dict[str, Any]:
    """A registered heat pump installed by Rūta; the visit completed."""
    product = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/products",
            {"sku": "HP-9", "name": "Šilumos siurblys HP-9", "warranty": {"months": 24}},
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
                "serial_number": "HP9-1",
                "purchase_date": (NOW.date() - timedelta(days=3)).isoformat(),
            },
        ),
        201,
    )
    visit = ok(
        call(
            api,
            tenant,
            "POST",
            "/v1/appointments",
            {
                "kind": "installation",
                "customer_id": customer["id"],
                "warranty_id": warranty["id"],
                "technician": "Rūta",
                "starts_at": iso(NOW - timedelta(hours=2)),
                "ends_at": iso(NOW - timedelta(hours=1)),
            },
        ),
        201,
    )
    ok(
        call(
            api,
            tenant,
            "POST",
            f"/v1/appointments/{visit['id']}/transitions",
            {"status": "completed", "version": visit["version"]},
        )
    )
    return {"product": product, "customer": customer, "visit": visit}


def test_installation_feedback_counts_for_the_technician_and_the_product(
    api: Api, tenant_a: TenantKeys
) -> None:
    made = completed_installation(api, tenant_a)
    planned = ok(call(api, tenant_a, "GET", "/v1/followups?kind=csat_survey"))["items"]
    [survey] = [f for f in planned if f["subject_id"] == made["visit"]["id"]]
    # Sent surveys are counted per agent from the follow-up: the technician is that agent.
    assert survey["data"]["assignee"] == "Rūta"

    page, _ = survey_link(
        tenant_a.tenant_id,
        made["customer"]["id"],
        kind="csat",
        followup_id=survey["id"],
        subject_kind="appointment",
        subject_id=made["visit"]["id"],
    )
    assert answer(api, page, score=5).status_code == 200

    stored = ok(call(api, tenant_a, "GET", f"/v1/feedback/{survey['id']}"))
    assert stored["agent"] == "Rūta"
    assert stored["product_id"] == made["product"]["id"]
    assert stored["appointment_kind"] == "installation"
    by_agent = ok(call(api, tenant_a, "GET", "/v1/feedback?agent=R%C5%ABta"))["items"]
    assert [r["id"] for r in by_agent] == [survey["id"]]

    grouped = ok(call(api, tenant_a, "GET", "/v1/reports/feedback?group_by=agent&kind=csat"))
    assert [(g["key"], g["csat"]["responses"]) for g in grouped["groups"]] == [("Rūta", 1)]
    by_product = ok(call(api, tenant_a, "GET", "/v1/reports/feedback?group_by=product&kind=csat"))
    assert [(g["key"], g["csat"]["responses"]) for g in by_product["groups"]] == [
        (made["product"]["id"], 1)
    ]
