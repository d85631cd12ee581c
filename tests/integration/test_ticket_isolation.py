"""Tenant B never sees, changes or counts tenant A's tickets, on any ticket route."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items


def _ticket(api: Api, tenant: TenantKeys, subject: str, **fields: Any) -> dict[str, Any]:
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant.admin_key,
        json_body={
            "subject": subject,
            "description": "d",
            "customer_email": "same@example.com",
            "tags": ["shared"],
            "assignee": "ann",
            **fields,
        },
    )
    assert r.status_code == 201, r.body
    return body_of(r)


def test_foreign_tickets_are_404_on_every_route(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    a = _ticket(api, tenant_a, "A's")
    api.request(
        "POST", f"/v1/tickets/{a['id']}/messages", key=tenant_a.admin_key, json_body={"body": "x"}
    )
    _ticket(api, tenant_b, "B's")
    before = all_items()
    base = f"/v1/tickets/{a['id']}"
    for method, path, payload in (
        ("GET", base, None),
        ("PATCH", base, {"version": 2, "status": "solved"}),
        ("GET", f"{base}/messages", None),
        ("POST", f"{base}/messages", {"body": "hi"}),
        ("GET", f"{base}/audit", None),
    ):
        r = api.request(method, path, key=tenant_b.admin_key, json_body=payload)
        assert r.status_code == 404, (method, path, r.body)
        assert body_of(r)["code"] == "ticket_not_found"
    assert all_items() == before
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant_b.admin_key,
        json_body={"subject": "s", "description": "d", "customer_id": a["customer_id"]},
    )
    assert r.status_code == 404


def test_foreign_tickets_never_appear_in_lists(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    a = _ticket(api, tenant_a, "A's")
    b = _ticket(api, tenant_b, "B's")
    for query in (
        "",
        "status=new",
        "priority=normal",
        "assignee=ann",
        "tag=shared",
        f"customer_id={a['customer_id']}",
    ):
        r = api.request("GET", f"/v1/tickets?{query}", key=tenant_b.admin_key)
        assert r.status_code == 200
        ids = [t["id"] for t in body_of(r)["items"]]
        assert a["id"] not in ids, query
    listed = body_of(api.request("GET", "/v1/tickets?tag=shared", key=tenant_b.admin_key))
    assert [t["id"] for t in listed["items"]] == [b["id"]]


def test_a_cursor_of_one_tenant_is_refused_for_another(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    for n in range(3):
        _ticket(api, tenant_a, f"A{n}")
    page = body_of(api.request("GET", "/v1/tickets?limit=1", key=tenant_a.admin_key))
    r = api.request(
        "GET", f"/v1/tickets?limit=1&cursor={page['next_cursor']}", key=tenant_b.admin_key
    )
    assert (r.status_code, body_of(r)["code"]) == (400, "invalid_cursor")
