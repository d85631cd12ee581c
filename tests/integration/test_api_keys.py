"""Secret API keys: scopes, listing without secrets, revocation, hashing at rest."""

from __future__ import annotations

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import scan_table


def new_key(api: Api, tenant: TenantKeys, scopes: list[str], name: str = "k") -> dict:
    r = api.request(
        "POST", "/v1/api-keys", key=tenant.admin_key, json_body={"name": name, "scopes": scopes}
    )
    assert r.status_code == 201, r.body
    return body_of(r)


def test_scopes_are_enforced(api: Api, tenant_a: TenantKeys) -> None:
    reader = new_key(api, tenant_a, ["customers:read"])["secret"]
    writer = new_key(api, tenant_a, ["customers:write"])["secret"]
    other = new_key(api, tenant_a, ["tickets:write"])["secret"]

    assert api.request("GET", "/v1/customers", key=reader).status_code == 200
    r = api.request("POST", "/v1/customers", key=reader, json_body={"name": "x"})
    assert r.status_code == 403
    assert body_of(r)["code"] == "insufficient_scope"
    # write implies read
    assert (
        api.request("POST", "/v1/customers", key=writer, json_body={"name": "x"}).status_code == 201
    )
    assert api.request("GET", "/v1/customers", key=writer).status_code == 200
    assert api.request("GET", "/v1/customers", key=other).status_code == 403
    # only admin keys manage keys
    r = api.request(
        "POST", "/v1/api-keys", key=writer, json_body={"name": "n", "scopes": ["admin"]}
    )
    assert r.status_code == 403
    assert len(body_of(api.request("GET", "/v1/customers", key=reader))["items"]) == 1


def test_keys_are_listed_without_secrets_and_stored_hashed(api: Api, tenant_a: TenantKeys) -> None:
    created = new_key(api, tenant_a, ["customers:read", "tickets:read"], name="reporting")
    assert created["secret"].startswith(f"sk_{tenant_a.tenant_id}_{created['id']}_")
    assert created["hint"] == created["secret"][-4:]
    listed = body_of(api.request("GET", "/v1/api-keys", key=tenant_a.admin_key))
    assert [k["name"] for k in listed["items"]] == ["Admin key", "reporting"]
    assert all("secret" not in k for k in listed["items"])
    got = body_of(api.request("GET", f"/v1/api-keys/{created['id']}", key=tenant_a.admin_key))
    assert got["scopes"] == ["customers:read", "tickets:read"]
    from chalicelib.store.tenants import TenantsTable

    raw = str(scan_table(TenantsTable.Meta.table_name))
    secret_part = created["secret"].rsplit("_", 1)[1]
    assert secret_part not in raw
    assert tenant_a.admin_key.rsplit("_", 1)[1] not in raw


def test_revoked_key_is_refused(api: Api, tenant_a: TenantKeys) -> None:
    created = new_key(api, tenant_a, ["customers:read"])
    assert api.request("GET", "/v1/customers", key=created["secret"]).status_code == 200
    r = api.request("DELETE", f"/v1/api-keys/{created['id']}", key=tenant_a.admin_key)
    assert r.status_code == 200
    assert body_of(r)["revoked_at"] is not None
    r = api.request("GET", "/v1/customers", key=created["secret"])
    assert r.status_code == 401
    assert body_of(r)["code"] == "api_key_revoked"
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    # Revoking again keeps the first revocation time.
    again = body_of(api.request("DELETE", f"/v1/api-keys/{created['id']}", key=tenant_a.admin_key))
    assert (
        again["revoked_at"]
        == body_of(
            r := api.request("GET", f"/v1/api-keys/{created['id']}", key=tenant_a.admin_key)
        )["revoked_at"]
    )
    assert r.status_code == 200


def test_revocation_reaches_other_containers_within_cache_lifetime(
    api: Api, tenant_a: TenantKeys
) -> None:
    from chalicelib.services import auth
    from chalicelib.store import tenants as store
    from chalicelib.store.base import utcnow

    created = new_key(api, tenant_a, ["customers:read"])
    assert api.request("GET", "/v1/customers", key=created["secret"]).status_code == 200
    # Revoked by another container: this one still trusts its cache entry...
    store.revoke_api_key(tenant_a.tenant_id, created["id"], utcnow())
    assert api.request("GET", "/v1/customers", key=created["secret"]).status_code == 200
    # ...until it expires (AUTH_CACHE_SECONDS), simulated by clearing it.
    auth.clear_cache()
    assert api.request("GET", "/v1/customers", key=created["secret"]).status_code == 401


def test_wrong_secret_for_a_real_key_id_is_refused(api: Api, tenant_a: TenantKeys) -> None:
    prefix, secret = tenant_a.admin_key.rsplit("_", 1)
    wrong = prefix + "_" + ("0" if secret[0] != "0" else "1") + secret[1:]
    r = api.request("GET", "/v1/customers", key=wrong)
    assert r.status_code == 401
    assert body_of(r)["code"] == "invalid_api_key"


def test_key_scopes_must_be_known_shapes(api: Api, tenant_a: TenantKeys) -> None:
    for scopes in ([], ["everything"], ["customers:delete"], "admin"):
        r = api.request(
            "POST",
            "/v1/api-keys",
            key=tenant_a.admin_key,
            json_body={"name": "n", "scopes": scopes},
        )
        assert r.status_code == 422, scopes
    assert len(body_of(api.request("GET", "/v1/api-keys", key=tenant_a.admin_key))["items"]) == 1
