"""Platform API: onboarding, reading, suspending, reactivating and offboarding tenants."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.integration.conftest import PLATFORM, Api, TenantKeys, body_of
from tests.support.scan import tenant_item_counts

PLATFORM_AUTH = {"Authorization": PLATFORM["Authorization"]}


def test_onboarding_returns_tenant_and_keys_once(api: Api, tenant_a: TenantKeys) -> None:
    body = tenant_a.body
    assert body["tenant"]["name"] == "Tenant A"
    assert body["tenant"]["status"] == "active"
    assert body["tenant"]["default_locale"] == "lt"
    assert body["tenant"]["time_zone"] == "Europe/Vilnius"
    assert body["admin_api_key"]["scopes"] == ["admin"]
    assert tenant_a.admin_key.startswith(f"sk_{tenant_a.tenant_id}_")
    assert tenant_a.widget_key.startswith(f"pk_{tenant_a.tenant_id}_")
    # The secret is never shown again.
    listed = body_of(api.request("GET", "/v1/api-keys", key=tenant_a.admin_key))
    assert "secret" not in listed["items"][0]
    assert tenant_a.admin_key not in str(listed)


def test_get_and_list_tenants(api: Api, onboard: Callable[..., TenantKeys]) -> None:
    created = [onboard(f"T{i}") for i in range(5)]
    got = body_of(
        api.request("GET", f"/platform/tenants/{created[2].tenant_id}", headers=PLATFORM_AUTH)
    )
    assert got["name"] == "T2"
    seen: list[str] = []
    cursor = None
    while True:
        path = "/platform/tenants?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = body_of(api.request("GET", path, headers=PLATFORM_AUTH))
        assert len(page["items"]) <= 2
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [t.tenant_id for t in created]


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_credentials"),
        ({"Authorization": "Bearer wrong"}, "invalid_api_key"),
        ({"Authorization": "Basic dGVzdA=="}, "invalid_credentials"),
    ],
)
def test_platform_routes_need_the_platform_key(
    api: Api, headers: dict[str, str], code: str
) -> None:
    r = api.request("POST", "/platform/tenants", headers=headers, json_body={"name": "X"})
    assert r.status_code == 401
    assert r.headers["Content-Type"] == "application/problem+json"
    assert body_of(r)["code"] == code
    listed = body_of(api.request("GET", "/platform/tenants", headers=PLATFORM_AUTH))
    assert listed["items"] == []


def test_a_tenant_key_is_not_a_platform_key(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request("GET", "/platform/tenants", key=tenant_a.admin_key)
    assert r.status_code == 401


def test_suspended_tenant_is_refused_and_can_be_reactivated(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        f"/platform/tenants/{tenant_a.tenant_id}/suspend",
        headers=PLATFORM_AUTH,
        json_body={"reason": "unpaid invoice"},
    )
    assert r.status_code == 200
    assert body_of(r)["status"] == "suspended"
    assert body_of(r)["status_reason"] == "unpaid invoice"
    r = api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert r.status_code == 403
    assert body_of(r)["code"] == "tenant_suspended"
    r = api.request(
        "POST", f"/platform/tenants/{tenant_a.tenant_id}/reactivate", headers=PLATFORM_AUTH
    )
    assert body_of(r)["status"] == "active"
    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 200


def test_suspension_reaches_other_containers_within_the_cache_lifetime(
    api: Api, tenant_a: TenantKeys
) -> None:
    """Another container keeps a cached key for at most AUTH_CACHE_SECONDS."""
    from chalicelib.services import auth

    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 200
    api.request("POST", f"/platform/tenants/{tenant_a.tenant_id}/suspend", headers=PLATFORM_AUTH)
    auth.clear_cache()  # what a different container sees once its cache entry expires
    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 403


def test_unknown_tenant_is_404(api: Api) -> None:
    for path in ("/platform/tenants/01ARZ3NDEKTSV4RRFFQ69G5FAV", "/platform/tenants/not-an-id"):
        r = api.request("GET", path, headers=PLATFORM_AUTH)
        assert r.status_code == 404
        assert body_of(r)["code"] == "tenant_not_found"


def test_offboarding_deletes_every_item_of_the_tenant_only(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    for tenant in (tenant_a, tenant_b):
        for i in range(30):
            r = api.request(
                "POST",
                "/v1/customers",
                key=tenant.admin_key,
                headers={"Idempotency-Key": f"k{i}"},
                json_body={"name": f"C{i}", "email": f"c{i}@x.lt", "external_id": f"E{i}"},
            )
            assert r.status_code == 201
        api.request(
            "POST",
            "/v1/api-keys",
            key=tenant.admin_key,
            json_body={"name": "ro", "scopes": ["customers:read"]},
        )
    before_a = tenant_item_counts(tenant_a.tenant_id)
    before_b = tenant_item_counts(tenant_b.tenant_id)
    assert before_a["customers"] == 90  # 30 customers + 30 email guards + 30 external-id guards
    assert before_a["idempotency"] == 30

    r = api.request("DELETE", f"/platform/tenants/{tenant_a.tenant_id}", headers=PLATFORM_AUTH)
    assert r.status_code == 200, r.body
    report = body_of(r)
    assert report["completed"] is True
    # Tables the tenant never wrote to report 0 (other contexts add tables over time).
    deleted = {table: n for table, n in report["deleted"].items() if n}
    # tenants: the tenant, its two keys and its Vilnius holiday calendar (business_hours),
    # plus the admin key made above.
    assert deleted == {"customers": 90, "tenants": 5, "idempotency": 30}

    assert sum(tenant_item_counts(tenant_a.tenant_id).values()) == 0
    assert tenant_item_counts(tenant_b.tenant_id) == before_b
    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 401
    assert api.request("GET", "/v1/customers", key=tenant_b.admin_key).status_code == 200
    r = api.request("GET", f"/platform/tenants/{tenant_a.tenant_id}", headers=PLATFORM_AUTH)
    assert r.status_code == 404


def test_offboarding_resumes_after_its_time_budget(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": f"C{i}"})
    monkeypatch.setenv("OFFBOARDING_TIME_BUDGET_SECONDS", "0.000001")
    from chalicelib.config import reset_settings

    reset_settings()
    first = body_of(
        api.request("DELETE", f"/platform/tenants/{tenant_a.tenant_id}", headers=PLATFORM_AUTH)
    )
    assert first["completed"] is False
    # Keys stop working as soon as offboarding starts.
    r = api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert r.status_code == 403
    assert body_of(r)["code"] == "tenant_offboarding"
    monkeypatch.setenv("OFFBOARDING_TIME_BUDGET_SECONDS", "30")
    reset_settings()
    second = body_of(
        api.request("DELETE", f"/platform/tenants/{tenant_a.tenant_id}", headers=PLATFORM_AUTH)
    )
    assert second["completed"] is True
    assert sum(tenant_item_counts(tenant_a.tenant_id).values()) == 0
