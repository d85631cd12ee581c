"""Regressions for what schema-driven fuzzing found (tests/e2e/test_fuzz.py), one test each."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.scan import all_items


@pytest.mark.parametrize(
    "fields",
    [
        {"contact_consent": 0},
        {"marketing_consent": "true"},
        {"marketing_consent": 1.0},
        {"name": ["A"]},
    ],
    ids=["int-as-bool", "string-as-bool", "float-as-bool", "list-as-string"],
)
def test_json_types_must_match_the_schema(
    api: Api, tenant_a: TenantKeys, fields: dict[str, object]
) -> None:
    """Lax coercion accepted ``0`` for a boolean although the schema says boolean."""
    before = all_items()
    r = api.request(
        "POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A", **fields}
    )
    assert r.status_code == 422, r.body
    assert body_of(r)["code"] == "validation_failed"
    assert all_items() == before


def test_strict_bodies_still_take_json_spellings(api: Api, tenant_a: TenantKeys) -> None:
    r = api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        json_body={"name": "A", "marketing_consent": True, "locale": "lv"},
    )
    assert r.status_code == 201, r.body


def test_body_is_required_in_the_spec_only_when_an_empty_one_is_refused(api: Api) -> None:
    """An absent body reads as ``{}``: the spec said "required" where ``{}`` is fine."""
    spec = body_of(api.request("GET", "/openapi.json"))
    suspend = spec["paths"]["/platform/tenants/{tenant_id}/suspend"]["post"]
    assert suspend["requestBody"]["required"] is False
    create = spec["paths"]["/v1/customers"]["post"]
    assert create["requestBody"]["required"] is True


@pytest.mark.parametrize(
    "value", ["0.5", "1700000000", "2026-01-01T10:00:00", "2026-01-01", "yesterday"]
)
def test_time_query_parameters_must_be_rfc_3339(api: Api, tenant_a: TenantKeys, value: str) -> None:
    """``?updated_before=0.5`` was read as a Unix timestamp; naive times broke comparisons."""
    r = api.request("GET", f"/v1/tickets?updated_before={value}", key=tenant_a.admin_key)
    assert r.status_code == 400, r.body
    problem = body_of(r)
    assert problem["code"] == "invalid_query"
    assert problem["errors"][0]["field"] == "updated_before"


def test_rfc_3339_query_times_are_accepted(api: Api, tenant_a: TenantKeys) -> None:
    for value in ("2026-01-01T10:00:00Z", "2026-01-01T10:00:00.123%2B02:00"):
        r = api.request("GET", f"/v1/tickets?updated_before={value}", key=tenant_a.admin_key)
        assert r.status_code == 200, r.body


def test_time_format_check_walks_nested_bodies() -> None:
    from datetime import date, datetime

    from chalicelib.api.formats import time_format_errors
    from chalicelib.schemas.common import ApiModel

    class Slot(ApiModel):
        starts_at: datetime
        day: date | None = None

    class Plan(ApiModel):
        slots: list[Slot]
        by_name: dict[str, Slot] = {}

    bad = {
        "slots": [{"starts_at": "2026-01-01T10:00:00Z"}, {"starts_at": "1700000000"}],
        "by_name": {"x": {"starts_at": "2026-01-01T10:00:00+02:00", "day": "20260101"}},
    }
    fields = [e.field for e in time_format_errors(Plan, bad)]
    assert fields == ["slots.1.starts_at", "by_name.x.day"]


def test_field_errors_do_not_echo_huge_keys(api: Api, tenant_a: TenantKeys) -> None:
    """A 12,000-character custom field key came back whole, breaking the problem schema."""
    customer = body_of(
        api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A"})
    )
    r = api.request(
        "POST",
        "/v1/tickets",
        key=tenant_a.admin_key,
        json_body={
            "subject": "S",
            "description": "D",
            "customer_id": customer["id"],
            "custom_fields": {"k" * 12_000: "v"},
        },
    )
    assert r.status_code in (413, 422), r.body
    if r.status_code == 422:
        for error in body_of(r)["errors"]:
            assert len(error["field"]) <= 300


def test_creates_answer_with_the_location_of_the_new_item(api: Api, tenant_a: TenantKeys) -> None:
    """Without ``Location`` the fuzzer could not link POST /v1/tickets to its item routes."""
    r = api.request("POST", "/v1/customers", key=tenant_a.admin_key, json_body={"name": "A"})
    assert r.headers["Location"] == f"/v1/customers/{body_of(r)['id']}"
    assert api.request("GET", r.headers["Location"], key=tenant_a.admin_key).status_code == 200


def test_a_key_cannot_revoke_itself(api: Api, tenant_a: TenantKeys) -> None:
    """A fuzzer's stateful run revoked the very key it was using and locked itself out."""
    own = tenant_a.body["admin_api_key"]["id"]
    r = api.request("DELETE", f"/v1/api-keys/{own}", key=tenant_a.admin_key)
    assert r.status_code == 409
    assert body_of(r)["code"] == "api_key_in_use"
    assert api.request("GET", "/v1/customers", key=tenant_a.admin_key).status_code == 200
