"""Tenant B never sees, changes or counts tenant A's customers and keys."""

from __future__ import annotations

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items


def test_foreign_customers_are_404_for_every_method(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    a_customer = body_of(
        api.request(
            "POST",
            "/v1/customers",
            key=tenant_a.admin_key,
            json_body={"name": "A's", "email": "a@x.lt", "external_id": "EA"},
        )
    )
    api.request("POST", "/v1/customers", key=tenant_b.admin_key, json_body={"name": "B's"})
    before = all_items()
    path = f"/v1/customers/{a_customer['id']}"
    for method, payload in (
        ("GET", None),
        ("PATCH", {"version": 1, "name": "hacked"}),
        ("DELETE", None),
    ):
        r = api.request(method, path, key=tenant_b.admin_key, json_body=payload)
        assert r.status_code == 404, method
        assert body_of(r)["code"] == "customer_not_found"
    assert all_items() == before
    listed = body_of(api.request("GET", "/v1/customers", key=tenant_b.admin_key))
    assert [c["name"] for c in listed["items"]] == ["B's"]
    for query in ("email=a@x.lt", "external_id=EA"):
        assert (
            body_of(api.request("GET", f"/v1/customers?{query}", key=tenant_b.admin_key))["items"]
            == []
        )
    assert body_of(api.request("GET", path, key=tenant_a.admin_key))["name"] == "A's"


def test_foreign_api_keys_are_404(api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys) -> None:
    a_key_id = tenant_a.body["admin_api_key"]["id"]
    for method in ("GET", "DELETE"):
        r = api.request(method, f"/v1/api-keys/{a_key_id}", key=tenant_b.admin_key)
        assert r.status_code == 404
    listed = body_of(api.request("GET", "/v1/api-keys", key=tenant_b.admin_key))
    assert [k["id"] for k in listed["items"]] == [tenant_b.body["admin_api_key"]["id"]]
    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 200


def test_a_key_cannot_claim_another_tenant(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    """Splicing B's tenant id into A's key gives nothing (the record lookup includes the tenant)."""
    _, _, key_id, secret = tenant_a.admin_key.split("_")
    spliced = f"sk_{tenant_b.tenant_id}_{key_id}_{secret}"
    r = api.request("GET", "/v1/customers", key=spliced)
    assert r.status_code == 401


def test_guard_refuses_foreign_keys_while_serving_a_tenant(
    tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    """The botocore guard itself: a repository call naming B's keys while serving A fails."""
    import pytest

    from chalicelib import context
    from chalicelib.store import customers as store
    from chalicelib.store.tenancy_guard import TenancyViolation

    with context.serving_tenant(tenant_a.tenant_id), pytest.raises(TenancyViolation):
        store.get_customer(tenant_b.tenant_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    with context.serving_tenant(tenant_a.tenant_id):
        assert store.get_customer(tenant_a.tenant_id, "01ARZ3NDEKTSV4RRFFQ69G5FAV") is None
