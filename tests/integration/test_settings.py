from __future__ import annotations

from tests.integration.conftest import Api, TenantKeys, body_of


def test_defaults_then_versioned_changes(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    overview = body_of(api.request("GET", "/v1/settings", key=tenant_a.admin_key))
    general = overview["sections"]["general"]
    assert general["version"] == 0
    assert general["values"]["brand_color"] == "#1f6feb"

    r = api.request(
        "PUT",
        "/v1/settings/general",
        key=tenant_a.admin_key,
        json_body={"brand_color": "#ff0000", "support_email": "help@a.lt"},
    )
    assert r.status_code == 200, r.body
    assert body_of(r)["version"] == 1
    # Once stored, a change needs the version; a stale one is a 409.
    r = api.request(
        "PUT", "/v1/settings/general", key=tenant_a.admin_key, json_body={"brand_color": "#00ff00"}
    )
    assert r.status_code == 428
    r = api.request(
        "PUT",
        "/v1/settings/general",
        key=tenant_a.admin_key,
        json_body={"brand_color": "#00ff00", "version": 1},
    )
    assert body_of(r)["values"]["brand_color"] == "#00ff00"
    r = api.request(
        "PUT",
        "/v1/settings/general",
        key=tenant_a.admin_key,
        json_body={"brand_color": "#0000ff", "version": 1},
    )
    assert r.status_code == 409
    # Another tenant's settings are untouched.
    other = body_of(api.request("GET", "/v1/settings/general", key=tenant_b.admin_key))
    assert other["version"] == 0
    assert other["values"]["brand_color"] == "#1f6feb"


def test_bad_settings_are_refused(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "PUT", "/v1/settings/general", key=tenant_a.admin_key, json_body={"brand_color": "red"}
    )
    assert r.status_code == 422
    r = api.request("PUT", "/v1/settings/nonsense", key=tenant_a.admin_key, json_body={})
    assert r.status_code in (403, 404)
    assert (
        body_of(api.request("GET", "/v1/settings/general", key=tenant_a.admin_key))["version"] == 0
    )
