"""Customers: CRUD, uniqueness, lookups, versions, idempotency, paging and per-request cost."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording
from tests.support.scan import all_items


def create(api: Api, tenant: TenantKeys, **fields: Any) -> Any:
    return api.request("POST", "/v1/customers", key=tenant.admin_key, json_body=fields)


def test_full_lifecycle(api: Api, tenant_a: TenantKeys) -> None:
    r = create(
        api,
        tenant_a,
        name="Ona",
        email="ona@example.lt",
        phone="+370 600 00000",
        external_id="crm-1",
        locale="lt",
        time_zone="Europe/Vilnius",
        marketing_consent=True,
    )
    assert r.status_code == 201
    c = body_of(r)
    assert c["version"] == 1
    assert c["contact_consent"] is True
    assert c["created_at"].endswith("Z")

    r = api.request(
        "PATCH",
        f"/v1/customers/{c['id']}",
        key=tenant_a.admin_key,
        headers={"If-Match": '"1"'},
        json_body={"name": "Ona P.", "email": "ona.p@example.lt"},
    )
    assert r.status_code == 200, r.body
    updated = body_of(r)
    assert updated["name"] == "Ona P."
    assert updated["email"] == "ona.p@example.lt"
    assert updated["version"] == 2
    assert r.headers["ETag"] == '"2"'

    # The old email is free again, the new one is taken.
    assert create(api, tenant_a, name="X", email="ona@example.lt").status_code == 201
    r = create(api, tenant_a, name="Y", email="ONA.P@example.lt")
    assert r.status_code == 409
    assert body_of(r)["code"] == "email_taken"

    r = api.request("DELETE", f"/v1/customers/{c['id']}", key=tenant_a.admin_key)
    assert r.status_code == 204
    assert api.request("GET", f"/v1/customers/{c['id']}", key=tenant_a.admin_key).status_code == 404
    # Deleting removed the personal data, including the uniqueness guards.
    assert (
        create(api, tenant_a, name="Z", email="ona.p@example.lt", external_id="crm-1").status_code
        == 201
    )


def test_external_id_is_unique_per_tenant_but_not_across(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    assert create(api, tenant_a, name="A", external_id="E1", email="a@x.lt").status_code == 201
    r = create(api, tenant_a, name="A2", external_id="E1")
    assert r.status_code == 409
    assert body_of(r)["code"] == "external_id_taken"
    assert create(api, tenant_b, name="B", external_id="E1", email="a@x.lt").status_code == 201


def test_lookup_by_email_and_external_id_is_one_query(api: Api, tenant_a: TenantKeys) -> None:
    c = body_of(create(api, tenant_a, name="Ona", email="Ona@Example.lt", external_id="crm-7"))
    create(api, tenant_a, name="Other", email="other@example.lt")
    from chalicelib.services import auth

    api.request("GET", "/v1/customers", key=tenant_a.admin_key)  # warm the key cache
    for query in ("email=ONA@example.LT", "external_id=crm-7"):
        with recording() as log:
            r = api.request("GET", f"/v1/customers?{query}", key=tenant_a.admin_key)
        assert r.status_code == 200
        assert [i["id"] for i in body_of(r)["items"]] == [c["id"]]
        assert log.calls == ["Query"]
    r = api.request("GET", "/v1/customers?email=nobody@example.lt", key=tenant_a.admin_key)
    assert body_of(r) == {"items": [], "next_cursor": None}
    auth.clear_cache()


def test_request_costs_are_bounded(api: Api, tenant_a: TenantKeys) -> None:
    """Counted DynamoDB calls per request, independent of how many customers exist."""
    ids = [
        body_of(create(api, tenant_a, name=f"C{i}", email=f"c{i}@x.lt"))["id"] for i in range(12)
    ]
    api.request("GET", "/v1/customers", key=tenant_a.admin_key)  # warm the key cache
    expected: list[tuple[str, str, Any, list[str]]] = [
        ("GET", f"/v1/customers/{ids[0]}", None, ["GetItem"]),
        ("GET", "/v1/customers?limit=5", None, ["Query"]),
        ("POST", "/v1/customers", {"name": "N", "email": "n@x.lt"}, ["TransactWriteItems"]),
        (
            "PATCH",
            f"/v1/customers/{ids[1]}",
            {"version": 1, "email": "new@x.lt"},
            ["GetItem", "TransactWriteItems"],
        ),
        ("DELETE", f"/v1/customers/{ids[2]}", None, ["GetItem", "TransactWriteItems"]),
    ]
    for method, path, payload, calls in expected:
        with recording() as log:
            r = api.request(method, path, key=tenant_a.admin_key, json_body=payload)
        assert r.status_code < 300, r.body
        assert log.calls == calls, (method, path)


def test_authentication_costs_one_read_then_is_cached(api: Api, tenant_a: TenantKeys) -> None:
    from chalicelib.services import auth

    auth.clear_cache()
    with recording() as log:
        api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert log.calls == ["BatchGetItem", "Query"]
    with recording() as log:
        api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert log.calls == ["Query"]


def test_stale_version_is_409_and_changes_nothing(api: Api, tenant_a: TenantKeys) -> None:
    c = body_of(create(api, tenant_a, name="Ona"))
    path = f"/v1/customers/{c['id']}"
    assert (
        api.request(
            "PATCH", path, key=tenant_a.admin_key, json_body={"version": 1, "name": "v2"}
        ).status_code
        == 200
    )
    r = api.request("PATCH", path, key=tenant_a.admin_key, json_body={"version": 1, "name": "lost"})
    assert r.status_code == 409
    assert body_of(r)["code"] == "version_conflict"
    r = api.request(
        "PATCH",
        path,
        key=tenant_a.admin_key,
        headers={"If-Match": 'W/"1"'},
        json_body={"name": "lost"},
    )
    assert r.status_code == 409
    assert body_of(api.request("GET", path, key=tenant_a.admin_key))["name"] == "v2"


def test_update_without_version_is_428(api: Api, tenant_a: TenantKeys) -> None:
    c = body_of(create(api, tenant_a, name="Ona"))
    r = api.request(
        "PATCH", f"/v1/customers/{c['id']}", key=tenant_a.admin_key, json_body={"name": "x"}
    )
    assert r.status_code == 428
    assert body_of(r)["code"] == "version_required"


def test_concurrent_updates_with_the_same_version_apply_once(
    api: Api, tenant_a: TenantKeys
) -> None:
    """Two writers read version 1; the store refuses the second even if it passed the check."""
    from chalicelib.domain.errors import VersionConflict
    from chalicelib.store import customers as store

    c = body_of(create(api, tenant_a, name="Ona"))
    stale = store.get_customer(tenant_a.tenant_id, c["id"])
    assert stale is not None
    store.update_customer(stale, 1, {"name": "first"})
    with pytest.raises(VersionConflict):
        store.update_customer(stale, 1, {"name": "second"})
    assert (
        body_of(api.request("GET", f"/v1/customers/{c['id']}", key=tenant_a.admin_key))["name"]
        == "first"
    )


def test_concurrent_email_changes_with_the_same_version_apply_once(
    api: Api, tenant_a: TenantKeys
) -> None:
    """A stale writer that also moves the email guard gets 409, and the guards stay right.

    The transaction sends the old guard's delete before the customer's put; the stale
    customer's cancellation reason must still be read as a version conflict.
    """
    from chalicelib.domain.errors import VersionConflict
    from chalicelib.store import customers as store

    c = body_of(create(api, tenant_a, name="Ona", email="ona@x.lt"))
    stale = store.get_customer(tenant_a.tenant_id, c["id"])
    assert stale is not None
    store.update_customer(stale, 1, {"email": "first@x.lt"})
    with pytest.raises(VersionConflict):
        store.update_customer(stale, 1, {"email": "second@x.lt"})
    got = body_of(api.request("GET", f"/v1/customers/{c['id']}", key=tenant_a.admin_key))
    assert got["email"] == "first@x.lt"
    # The refused change left no guard behind: the address it wanted is free, the kept one not.
    assert create(api, tenant_a, name="Other", email="second@x.lt").status_code == 201
    r = create(api, tenant_a, name="Third", email="first@x.lt")
    assert r.status_code == 409
    assert body_of(r)["code"] == "email_taken"


def test_retried_create_with_idempotency_key_returns_first_response(
    api: Api, tenant_a: TenantKeys
) -> None:
    headers = {"Idempotency-Key": "order-42"}
    first = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        headers=headers,
        json_body={"name": "Ona", "email": "ona@x.lt"},
    )
    second = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        headers=headers,
        json_body={"name": "Ona", "email": "ona@x.lt"},
    )
    assert first.status_code == second.status_code == 201
    assert body_of(first) == body_of(second)
    listed = body_of(api.request("GET", "/v1/customers", key=tenant_a.admin_key))
    assert len(listed["items"]) == 1
    # The same key with another body is refused, and stores nothing.
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        headers=headers,
        json_body={"name": "Someone else"},
    )
    assert r.status_code == 422
    assert body_of(r)["code"] == "idempotency_key_reused"
    assert len(body_of(api.request("GET", "/v1/customers", key=tenant_a.admin_key))["items"]) == 1


def test_idempotency_keys_are_per_tenant(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    headers = {"Idempotency-Key": "same"}
    a = api.request(
        "POST", "/v1/customers", key=tenant_a.admin_key, headers=headers, json_body={"name": "A"}
    )
    b = api.request(
        "POST", "/v1/customers", key=tenant_b.admin_key, headers=headers, json_body={"name": "A"}
    )
    assert a.status_code == b.status_code == 201
    assert body_of(a)["id"] != body_of(b)["id"]


def test_failed_create_is_not_cached_by_idempotency(api: Api, tenant_a: TenantKeys) -> None:
    create(api, tenant_a, name="Taken", email="t@x.lt")
    headers = {"Idempotency-Key": "retry-me"}
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        headers=headers,
        json_body={"name": "New", "email": "t@x.lt"},
    )
    assert r.status_code == 409
    # The same retry fails the same way (the failure was not stored as a success).
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        headers=headers,
        json_body={"name": "New", "email": "t@x.lt"},
    )
    assert r.status_code == 409


def test_paging_visits_every_customer_once(api: Api, tenant_a: TenantKeys) -> None:
    ids = [body_of(create(api, tenant_a, name=f"C{i}"))["id"] for i in range(7)]
    seen, cursor = [], None
    while True:
        path = "/v1/customers?limit=3" + (f"&cursor={cursor}" if cursor else "")
        with recording() as log:
            page = body_of(api.request("GET", path, key=tenant_a.admin_key))
        assert log.calls == ["Query"]
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids


def test_cursor_from_another_tenant_or_list_or_forged_is_400(
    api: Api, tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    for i in range(3):
        create(api, tenant_a, name=f"A{i}")
        create(api, tenant_b, name=f"B{i}")
    cursor_a = body_of(api.request("GET", "/v1/customers?limit=1", key=tenant_a.admin_key))[
        "next_cursor"
    ]
    assert cursor_a
    keys_cursor = body_of(api.request("GET", "/v1/api-keys?limit=1", key=tenant_a.admin_key))[
        "next_cursor"
    ]
    body, mac = cursor_a.split(".")
    forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + mac
    for key, cursor in (
        (tenant_b.admin_key, cursor_a),  # another tenant
        (tenant_a.admin_key, forged),  # tampered
        (tenant_a.admin_key, "garbage"),
        (tenant_a.admin_key, "a.b.c"),
    ):
        r = api.request("GET", f"/v1/customers?cursor={cursor}", key=key)
        assert r.status_code == 400, cursor
        assert body_of(r)["code"] == "invalid_cursor"
    if keys_cursor:  # a cursor of another list of the same tenant
        r = api.request("GET", f"/v1/customers?cursor={keys_cursor}", key=tenant_a.admin_key)
        assert r.status_code == 400


def test_refused_writes_store_nothing(api: Api, tenant_a: TenantKeys) -> None:
    create(api, tenant_a, name="Ona", email="ona@x.lt", external_id="E1")
    before = all_items()
    for payload in (
        {"name": "Dup", "email": "ONA@x.lt"},
        {"name": "Dup", "external_id": "E1"},
        {"name": "Half", "email": "fresh@x.lt", "external_id": "E1"},  # guard 1 ok, guard 2 fails
    ):
        assert create(api, tenant_a, **payload).status_code == 409
    assert all_items() == before
