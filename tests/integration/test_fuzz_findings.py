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
