from __future__ import annotations

from tests.integration.conftest import Api, TenantKeys, body_of


def test_health(api: Api) -> None:
    r = api.request("GET", "/health")
    assert r.status_code == 200
    assert body_of(r) == {"status": "ok"}
    assert r.headers["X-Request-Id"]


def test_create_and_get_customer(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        json_body={"name": "Ona", "email": "Ona@Example.LT"},
    )
    assert r.status_code == 201, r.body
    created = body_of(r)
    assert created["email"] == "Ona@example.lt"
    r = api.request("GET", f"/v1/customers/{created['id']}", key=tenant_a.admin_key)
    assert r.status_code == 200
    assert body_of(r) == created
    assert r.headers["ETag"] == '"1"'
