"""Every kind of bad input gets the right 4xx problem response and stores nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items

VALID_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture
def existing(api: Api, tenant_a: TenantKeys) -> dict[str, Any]:
    r = api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "Ona"})
    return body_of(r)


def cases(tenant: TenantKeys, customer_id: str) -> list[tuple[str, dict[str, Any], int, str]]:
    key = tenant.admin_key
    path = f"/v1/customers/{customer_id}"
    big = "x" * 70_000
    return [
        (
            "malformed json",
            {"method": "POST", "path": "/v1/customers", "key": key, "body": "{not json"},
            400,
            "malformed_json",
        ),
        (
            "json array",
            {"method": "POST", "path": "/v1/customers", "key": key, "body": "[1, 2]"},
            400,
            "invalid_body",
        ),
        (
            "NaN",
            {"method": "POST", "path": "/v1/customers", "key": key, "body": '{"name": NaN}'},
            400,
            "malformed_json",
        ),
        (
            "not utf-8",
            {"method": "POST", "path": "/v1/customers", "key": key, "body": b"\xff\xfe{}"},
            400,
            "malformed_json",
        ),
        (
            "empty body",
            {"method": "POST", "path": "/v1/customers", "key": key, "body": ""},
            422,
            "validation_failed",
        ),
        (
            "wrong type",
            {"method": "POST", "path": "/v1/customers", "key": key, "json_body": {"name": 42}},
            422,
            "validation_failed",
        ),
        (
            "bad email",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "json_body": {"name": "A", "email": "nope"},
            },
            422,
            "validation_failed",
        ),
        (
            "bad locale",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "json_body": {"name": "A", "locale": "de"},
            },
            422,
            "validation_failed",
        ),
        (
            "bad time zone",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "json_body": {"name": "A", "time_zone": "Mars/Base"},
            },
            422,
            "validation_failed",
        ),
        (
            "unknown field",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "json_body": {"name": "A", "tenant_id": "X"},
            },
            422,
            "validation_failed",
        ),
        (
            "blank name",
            {"method": "POST", "path": "/v1/customers", "key": key, "json_body": {"name": "   "}},
            422,
            "validation_failed",
        ),
        (
            "oversized body",
            {"method": "POST", "path": "/v1/customers", "key": key, "json_body": {"name": big}},
            413,
            "payload_too_large",
        ),
        (
            "bad cursor",
            {"method": "GET", "path": "/v1/customers?cursor=abc", "key": key},
            400,
            "invalid_cursor",
        ),
        (
            "bad limit",
            {"method": "GET", "path": "/v1/customers?limit=0", "key": key},
            400,
            "invalid_query",
        ),
        (
            "huge limit",
            {"method": "GET", "path": "/v1/customers?limit=100000", "key": key},
            400,
            "invalid_query",
        ),
        (
            "unknown query",
            {"method": "GET", "path": "/v1/customers?foo=1", "key": key},
            400,
            "invalid_query",
        ),
        (
            "bad id",
            {"method": "GET", "path": "/v1/customers/not-an-id", "key": key},
            404,
            "customer_not_found",
        ),
        (
            "unknown id",
            {"method": "GET", "path": f"/v1/customers/{VALID_ID}", "key": key},
            404,
            "customer_not_found",
        ),
        (
            "bad id patch",
            {"method": "PATCH", "path": "/v1/customers/x", "key": key, "json_body": {"version": 1}},
            404,
            "customer_not_found",
        ),
        ("missing key", {"method": "GET", "path": "/v1/customers"}, 401, "missing_credentials"),
        (
            "wrong key",
            {"method": "GET", "path": "/v1/customers", "key": "sk_nope"},
            401,
            "invalid_api_key",
        ),
        (
            "platform key on tenant api",
            {"method": "GET", "path": "/v1/customers", "key": "test-platform-key"},
            401,
            "invalid_api_key",
        ),
        (
            "wrong scheme",
            {
                "method": "GET",
                "path": "/v1/customers",
                "headers": {"Authorization": f"Token {key}"},
            },
            401,
            "invalid_credentials",
        ),
        (
            "bad If-Match",
            {
                "method": "PATCH",
                "path": path,
                "key": key,
                "headers": {"If-Match": "abc"},
                "json_body": {"name": "x"},
            },
            400,
            "invalid_if_match",
        ),
        (
            "version mismatch",
            {
                "method": "PATCH",
                "path": path,
                "key": key,
                "headers": {"If-Match": '"1"'},
                "json_body": {"name": "x", "version": 2},
            },
            422,
            "version_mismatch",
        ),
        (
            "null name",
            {
                "method": "PATCH",
                "path": path,
                "key": key,
                "json_body": {"name": None, "version": 1},
            },
            422,
            "validation_failed",
        ),
        (
            "zero version",
            {"method": "PATCH", "path": path, "key": key, "json_body": {"version": 0}},
            422,
            "validation_failed",
        ),
        (
            "bad idempotency key",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "headers": {"Idempotency-Key": "x" * 300},
                "json_body": {"name": "A"},
            },
            400,
            "invalid_idempotency_key",
        ),
        (
            "body on bodiless op",
            {"method": "DELETE", "path": path, "key": key, "json_body": {"really": True}},
            400,
            "unexpected_body",
        ),
        (
            "wrong content type",
            {
                "method": "POST",
                "path": "/v1/customers",
                "key": key,
                "headers": {"Content-Type": "text/plain"},
                "body": "name=x",
            },
            415,
            "unsupported_media_type",
        ),
    ]


def test_bad_input_gets_problem_and_stores_nothing(
    api: Api, tenant_a: TenantKeys, existing: dict[str, Any]
) -> None:
    before = all_items()
    for name, request, status, code in cases(tenant_a, existing["id"]):
        r = api.request(**request)
        assert r.status_code == status, (name, r.status_code, r.body)
        problem = body_of(r)
        assert r.headers["Content-Type"] == "application/problem+json", name
        assert problem["code"] == code, (name, problem)
        assert problem["status"] == status
        assert problem["detail"]
        assert problem["request_id"] == r.headers["X-Request-Id"]
        assert problem["type"] == f"urn:aftersales:problem:{code}"
    assert all_items() == before


def test_validation_errors_name_the_fields(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        json_body={"name": "", "email": "bad", "extra": 1},
    )
    problem = body_of(r)
    fields = {e["field"] for e in problem["errors"]}
    assert fields == {"name", "email", "extra"}


def test_unexpected_errors_are_500_problems_without_internals(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import customers

    def boom(*_: Any) -> None:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(customers, "list_customers", boom)
    r = api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert r.status_code == 500
    assert body_of(r)["code"] == "internal_error"
    assert "secret internal detail" not in r.body.decode()


def test_throttling_is_a_503_with_retry_after(
    api: Api, tenant_a: TenantKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from botocore.exceptions import ClientError

    from chalicelib.services import customers

    def throttled(*_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
            "Query",
        )

    monkeypatch.setattr(customers, "list_customers", throttled)
    r = api.request("GET", "/v1/customers", key=tenant_a.admin_key)
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "1"
