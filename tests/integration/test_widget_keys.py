"""Widget key and identity secret management through the admin API."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import scan_table
from tests.support.widget import SHOP, widget_headers


def _create_key(api: Api, tenant: TenantKeys, **fields: object) -> dict[str, object]:
    body = {"name": "Shop", "allowed_origins": [SHOP], **fields}
    r = api.request("POST", "/v1/widget-keys", key=tenant.admin_key, json_body=body)
    assert r.status_code == 201, r.body
    return body_of(r)


def test_create_list_get_update_with_versions(api: Api, tenant_a: TenantKeys) -> None:
    created = _create_key(
        api,
        tenant_a,
        allowed_origins=["HTTPS://Shop.Example.com:443", "https://shop.example.com"],
        features=["contact", "tickets"],
    )
    assert created["allowed_origins"] == [SHOP]  # normalised and de-duplicated
    assert created["features"] == ["contact", "tickets"]
    assert created["status"] == "active"
    assert str(created["key"]).startswith(f"pk_{tenant_a.tenant_id}_")

    listed = body_of(api.request("GET", "/v1/widget-keys", key=tenant_a.admin_key))
    assert [k["id"] for k in listed["items"]] == [
        tenant_a.body["widget_key"]["id"],
        created["id"],
    ]
    path = f"/v1/widget-keys/{created['id']}"
    r = api.request("GET", path, key=tenant_a.admin_key)
    assert r.status_code == 200
    assert r.headers["ETag"] == '"1"'

    no_version = api.request("PATCH", path, key=tenant_a.admin_key, json_body={"name": "x"})
    assert no_version.status_code == 428
    r = api.request(
        "PATCH",
        path,
        key=tenant_a.admin_key,
        json_body={"allowed_origins": ["https://eu.shop.example.com"]},
        headers={"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.body
    assert body_of(r)["allowed_origins"] == ["https://eu.shop.example.com"]
    assert body_of(r)["version"] == 2
    stale = api.request(
        "PATCH", path, key=tenant_a.admin_key, json_body={"name": "late", "version": 1}
    )
    assert stale.status_code == 409
    assert body_of(stale)["code"] == "version_conflict"


def test_origin_rules(api: Api, tenant_a: TenantKeys) -> None:
    def attempt(**fields: object) -> int:
        body = {"name": "k", **fields}
        r = api.request("POST", "/v1/widget-keys", key=tenant_a.admin_key, json_body=body)
        return r.status_code

    assert attempt(allowed_origins=["https://*.example.com"]) == 422  # wildcard needs opt-in
    assert attempt(allowed_origins=["https://*.example.com"], allow_subdomains=True) == 201
    assert attempt(allowed_origins=["https://*.com"], allow_subdomains=True) == 422
    assert attempt(allowed_origins=["http://shop.example.com"]) == 422  # http only on loopback
    assert attempt(allowed_origins=["http://localhost:3000"]) == 201
    assert attempt(allowed_origins=["https://shop.example.com/path"]) == 422
    assert attempt(allowed_origins=["*"]) == 422
    assert attempt(allowed_origins=[]) == 422
    assert attempt(allowed_origins=[SHOP], features=["teleport"]) == 422
    r = api.request(
        "POST",
        "/v1/widget-keys",
        key=tenant_a.admin_key,
        json_body={"name": "k", "allowed_origins": [SHOP, "ftp://x"]},
    )
    assert body_of(r)["errors"][0]["field"] == "allowed_origins.1"


def test_revocation_and_rotation(api: Api, tenant_a: TenantKeys) -> None:
    key = _create_key(api, tenant_a)
    headers = widget_headers(str(key["key"]))
    assert api.request("GET", "/widget/v1/config", headers=headers).status_code == 200

    r = api.request(
        "POST",
        f"/v1/widget-keys/{key['id']}/rotate",
        key=tenant_a.admin_key,
        json_body={"grace_seconds": 3600},
    )
    assert r.status_code == 201, r.body
    successor = body_of(r)
    assert successor["allowed_origins"] == key["allowed_origins"]
    old = body_of(api.request("GET", f"/v1/widget-keys/{key['id']}", key=tenant_a.admin_key))
    assert old["status"] == "expiring"
    assert old["replaced_by"] == successor["id"]
    # Both work during the grace period.
    assert api.request("GET", "/widget/v1/config", headers=headers).status_code == 200
    new_headers = widget_headers(successor["key"])
    assert api.request("GET", "/widget/v1/config", headers=new_headers).status_code == 200

    r = api.request("DELETE", f"/v1/widget-keys/{key['id']}", key=tenant_a.admin_key)
    assert body_of(r)["status"] == "revoked"
    refused = api.request("GET", "/widget/v1/config", headers=headers)
    assert refused.status_code == 401
    assert body_of(refused)["code"] == "widget_key_revoked"
    assert "Access-Control-Allow-Origin" not in refused.headers
    assert api.request("GET", "/widget/v1/config", headers=new_headers).status_code == 200


def test_other_tenants_keys_are_not_found(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    key_b = tenant_b.body["widget_key"]["id"]
    r = api.request("GET", f"/v1/widget-keys/{key_b}", key=tenant_a.admin_key)
    assert r.status_code == 404
    r = api.request("DELETE", f"/v1/widget-keys/{key_b}", key=tenant_a.admin_key)
    assert r.status_code == 404
    r = api.request("GET", "/v1/widget-keys", key=tenant_a.admin_key)
    assert key_b not in {k["id"] for k in body_of(r)["items"]}


def test_identity_secret_shown_once_and_stored_encrypted(
    api: Api, tenant_a: TenantKeys, onboard: Callable[..., TenantKeys]
) -> None:
    r = api.request("POST", "/v1/widget-secrets", key=tenant_a.admin_key, json_body={"name": "web"})
    assert r.status_code == 201
    created = body_of(r)
    secret = created["secret"]
    assert secret.startswith("wsec_")
    assert len(secret) > 40
    listed = body_of(api.request("GET", "/v1/widget-secrets", key=tenant_a.admin_key))
    assert listed["items"][0]["kid"] == created["kid"]
    assert "secret" not in listed["items"][0]
    assert listed["items"][0]["hint"] == secret[-4:]
    from chalicelib.store.tenants import TenantsTable

    stored = json.dumps(scan_table(TenantsTable.Meta.table_name))
    assert secret not in stored
    assert secret[5:25] not in stored

    r = api.request("DELETE", f"/v1/widget-secrets/{created['kid']}", key=tenant_a.admin_key)
    assert body_of(r)["revoked_at"] is not None
    other = onboard("Other")
    r = api.request("GET", f"/v1/widget-secrets/{created['kid']}", key=other.admin_key)
    assert r.status_code == 404


def test_widget_key_routes_need_admin_scope(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        "/v1/api-keys",
        key=tenant_a.admin_key,
        json_body={"name": "ro", "scopes": ["customers:read"]},
    )
    limited = body_of(r)["secret"]
    assert api.request("GET", "/v1/widget-keys", key=limited).status_code == 403
    assert api.request("GET", "/v1/widget-secrets", key=limited).status_code == 403


def test_onboarding_refuses_wildcard_and_plain_http_origins(api: Api) -> None:
    from tests.integration.conftest import PLATFORM

    for origin in ("https://*.example.com", "http://shop.example.com"):
        r = api.request(
            "POST",
            "/platform/tenants",
            headers={"Authorization": PLATFORM["Authorization"]},
            json_body={"name": "X", "widget_origins": [origin]},
        )
        assert r.status_code == 422, origin
        assert body_of(r)["errors"][0]["field"] == "widget_origins.0"
