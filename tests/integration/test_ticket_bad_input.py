"""Bad input on every ticket route: a 4xx problem response, and nothing stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items

UNKNOWN = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
GOOD = {"subject": "s", "description": "d", "customer_email": "a@b.lt"}


@pytest.fixture
def ticket(api: Api, tenant_a: TenantKeys) -> dict[str, Any]:
    r = api.request("POST", "/v1/tickets", key=tenant_a.admin_key, json_body=GOOD)
    return body_of(r)


def _cases(t: dict[str, Any]) -> list[tuple[str, str, str, Any, int, str]]:
    base = f"/v1/tickets/{t['id']}"
    v = t["version"]
    return [
        ("create: malformed json", "POST", "/v1/tickets", "{nope", 400, "malformed_json"),
        (
            "create: no customer",
            "POST",
            "/v1/tickets",
            {"subject": "s", "description": "d"},
            422,
            "validation_failed",
        ),
        (
            "create: id and email",
            "POST",
            "/v1/tickets",
            {**GOOD, "customer_id": UNKNOWN},
            422,
            "validation_failed",
        ),
        (
            "create: bad customer id",
            "POST",
            "/v1/tickets",
            {"subject": "s", "description": "d", "customer_id": "x"},
            422,
            "validation_failed",
        ),
        (
            "create: bad email",
            "POST",
            "/v1/tickets",
            {**GOOD, "customer_email": "nope"},
            422,
            "validation_failed",
        ),
        (
            "create: empty subject",
            "POST",
            "/v1/tickets",
            {**GOOD, "subject": " "},
            422,
            "validation_failed",
        ),
        (
            "create: bad priority",
            "POST",
            "/v1/tickets",
            {**GOOD, "priority": "asap"},
            422,
            "validation_failed",
        ),
        (
            "create: bad type",
            "POST",
            "/v1/tickets",
            {**GOOD, "type": "rant"},
            422,
            "validation_failed",
        ),
        (
            "create: bad channel",
            "POST",
            "/v1/tickets",
            {**GOOD, "channel": "fax"},
            422,
            "validation_failed",
        ),
        (
            "create: solved at birth",
            "POST",
            "/v1/tickets",
            {**GOOD, "status": "solved"},
            422,
            "validation_failed",
        ),
        (
            "create: unknown field",
            "POST",
            "/v1/tickets",
            {**GOOD, "colour": "red"},
            422,
            "validation_failed",
        ),
        (
            "create: bad tag",
            "POST",
            "/v1/tickets",
            {**GOOD, "tags": ["a b"]},
            422,
            "validation_failed",
        ),
        (
            "create: too many tags",
            "POST",
            "/v1/tickets",
            {**GOOD, "tags": [f"t{i}" for i in range(21)]},
            422,
            "validation_failed",
        ),
        (
            "create: undefined custom field",
            "POST",
            "/v1/tickets",
            {**GOOD, "custom_fields": {"x": 1}},
            422,
            "invalid_custom_fields",
        ),
        (
            "create: bad entitlement",
            "POST",
            "/v1/tickets",
            {**GOOD, "entitlement": "free"},
            422,
            "validation_failed",
        ),
        (
            "create: wrong types",
            "POST",
            "/v1/tickets",
            {**GOOD, "subject": 5},
            422,
            "validation_failed",
        ),
        ("update: no version", "PATCH", base, {"priority": "high"}, 428, "version_required"),
        (
            "update: bad status",
            "PATCH",
            base,
            {"version": v, "status": "done"},
            422,
            "validation_failed",
        ),
        (
            "update: null subject",
            "PATCH",
            base,
            {"version": v, "subject": None},
            422,
            "validation_failed",
        ),
        (
            "update: null tags",
            "PATCH",
            base,
            {"version": v, "tags": None},
            422,
            "validation_failed",
        ),
        (
            "update: unknown field",
            "PATCH",
            base,
            {"version": v, "nope": 1},
            422,
            "validation_failed",
        ),
        ("update: version 0", "PATCH", base, {"version": 0}, 422, "validation_failed"),
        (
            "update: stale",
            "PATCH",
            base,
            {"version": v + 5, "priority": "high"},
            409,
            "version_conflict",
        ),
        (
            "update: unknown ticket",
            "PATCH",
            f"/v1/tickets/{UNKNOWN}",
            {"version": 1},
            404,
            "ticket_not_found",
        ),
        (
            "update: bad id",
            "PATCH",
            "/v1/tickets/not-an-id",
            {"version": 1},
            404,
            "ticket_not_found",
        ),
        ("message: empty body", "POST", f"{base}/messages", {"body": ""}, 422, "validation_failed"),
        (
            "message: bad visibility",
            "POST",
            f"{base}/messages",
            {"body": "x", "visibility": "secret"},
            422,
            "validation_failed",
        ),
        (
            "message: bad author",
            "POST",
            f"{base}/messages",
            {"body": "x", "author": {"kind": "robot"}},
            422,
            "validation_failed",
        ),
        (
            "message: unknown attachment",
            "POST",
            f"{base}/messages",
            {"body": "x", "attachment_ids": [UNKNOWN]},
            422,
            "attachment_not_found",
        ),
        (
            "message: unknown ticket",
            "POST",
            f"/v1/tickets/{UNKNOWN}/messages",
            {"body": "x"},
            404,
            "ticket_not_found",
        ),
        ("message: json array", "POST", f"{base}/messages", "[1]", 400, "invalid_body"),
        ("list: bad status", "GET", "/v1/tickets?status=done", None, 400, "invalid_query"),
        ("list: bad limit", "GET", "/v1/tickets?limit=0", None, 400, "invalid_query"),
        (
            "list: bad time",
            "GET",
            "/v1/tickets?updated_after=yesterday",
            None,
            400,
            "invalid_query",
        ),
        (
            "list: naive time",
            "GET",
            "/v1/tickets?updated_after=2026-01-01T00:00:00",
            None,
            400,
            "invalid_query",
        ),
        (
            "list: reversed range",
            "GET",
            "/v1/tickets?created_after=2026-02-01T00:00:00Z&created_before=2026-01-01T00:00:00Z",
            None,
            400,
            "invalid_query",
        ),
        ("list: forged cursor", "GET", "/v1/tickets?cursor=abc", None, 400, "invalid_cursor"),
        ("list: unknown param", "GET", "/v1/tickets?colour=red", None, 400, "invalid_query"),
        (
            "messages: unknown ticket",
            "GET",
            f"/v1/tickets/{UNKNOWN}/messages",
            None,
            404,
            "ticket_not_found",
        ),
        ("audit: bad cursor", "GET", f"{base}/audit?cursor=zzz", None, 400, "invalid_cursor"),
        ("get: body given", "GET", base, {"x": 1}, 400, "unexpected_body"),
    ]


def test_every_bad_input_is_a_problem_and_stores_nothing(
    api: Api, tenant_a: TenantKeys, ticket: dict[str, Any]
) -> None:
    before = all_items()
    for name, method, path, payload, status, code in _cases(ticket):
        kwargs: dict[str, Any] = (
            {"body": payload} if isinstance(payload, str) else {"json_body": payload}
        )
        r = api.request(method, path, key=tenant_a.admin_key, **kwargs)
        assert r.status_code == status, (name, r.status_code, r.body)
        problem = body_of(r)
        assert problem["code"] == code, (name, problem)
        assert r.headers["Content-Type"] == "application/problem+json", name
    assert all_items() == before


def test_scopes_are_enforced(api: Api, tenant_a: TenantKeys, ticket: dict[str, Any]) -> None:
    r = api.request(
        "POST",
        "/v1/api-keys",
        key=tenant_a.admin_key,
        json_body={"name": "reader", "scopes": ["tickets:read"]},
    )
    assert r.status_code == 201, r.body
    reader = body_of(r)["secret"]
    assert api.request("GET", f"/v1/tickets/{ticket['id']}", key=reader).status_code == 200
    r = api.request("POST", "/v1/tickets", key=reader, json_body=GOOD)
    assert (r.status_code, body_of(r)["code"]) == (403, "insufficient_scope")
    assert api.request("GET", "/v1/tickets").status_code == 401
