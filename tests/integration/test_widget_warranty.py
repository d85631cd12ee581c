"""Warranty coverage checks and registrations through the widget: no enumeration of serials."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.dynamo_calls import recording
from tests.support.widget import SHOP, sign_identity, widget_headers

CHECK = "/widget/v1/warranty/check"


@pytest.fixture
def shop(api: Api, tenant_a: TenantKeys) -> dict[str, Any]:
    """Tenant A's shop key and secret, a product and a registration of serial DW-1 for Ona."""
    key = body_of(
        api.request(
            "POST",
            "/v1/widget-keys",
            key=tenant_a.admin_key,
            json_body={"name": "Shop", "allowed_origins": [SHOP]},
        )
    )["key"]
    secret = body_of(
        api.request("POST", "/v1/widget-secrets", key=tenant_a.admin_key, json_body={"name": "s"})
    )
    product = body_of(
        api.request(
            "POST",
            "/v1/products",
            key=tenant_a.admin_key,
            json_body={"sku": "DW-100", "name": "Dishwasher 100", "warranty": {"months": 24}},
        )
    )
    ona = body_of(
        api.request(
            "POST",
            "/v1/customers",
            key=tenant_a.admin_key,
            json_body={"name": "Ona", "email": "ona@example.lt", "external_id": "cust-ona"},
        )
    )
    purchased = (date.today() - timedelta(days=30)).isoformat()
    r = api.request(
        "POST",
        "/v1/warranties",
        key=tenant_a.admin_key,
        json_body={
            "product_id": product["id"],
            "serial_number": "DW-1",
            "customer_id": ona["id"],
            "purchase_date": purchased,
        },
    )
    assert r.status_code == 201, r.body
    return {"key": key, "kid": secret["kid"], "secret": secret["secret"], "product": product}


def _check(api: Api, shop: dict[str, Any], **body: Any) -> Any:
    return api.request("POST", CHECK, headers=widget_headers(shop["key"]), json_body=body)


def test_matching_serial_and_email_answers_coverage(api: Api, shop: dict[str, Any]) -> None:
    r = _check(api, shop, serial_number="DW-1", email="ONA@example.lt")
    assert r.status_code == 200, r.body
    answer = body_of(r)
    assert answer["found"] is True
    assert answer["covered"] is True
    assert answer["status"] == "under_warranty"
    assert answer["product_name"] == "Dishwasher 100"
    assert answer["covered_until"]


def test_no_serial_and_wrong_email_are_indistinguishable(
    api: Api, shop: dict[str, Any], tenant_a: TenantKeys, tenant_b: TenantKeys
) -> None:
    api.request(
        "POST",
        "/v1/customers",
        key=tenant_a.admin_key,
        json_body={"name": "Jānis", "email": "janis@example.lv"},
    )
    probes = [
        {"serial_number": "NO-SUCH-SERIAL", "email": "ona@example.lt"},  # serial unknown
        {"serial_number": "DW-1", "email": "janis@example.lv"},  # someone else's serial
        {"serial_number": "DW-1", "email": "nobody@example.com"},  # email unknown
        {"serial_number": "NO-SUCH-SERIAL", "email": "nobody@example.com"},
    ]
    _check(api, shop, serial_number="WARM-UP", email="x@example.com")  # key cache
    answers, costs = [], []
    for probe in probes:
        with recording() as calls:
            r = _check(api, shop, **probe)
        answers.append((r.status_code, r.body))
        costs.append([c for c in calls.calls if c != "UpdateItem"])
    assert len(set(answers)) == 1
    assert answers[0] == (
        200,
        b'{"found": false, "product_name": null, "serial_number": null, '
        b'"covered": null, "status": null, "covered_until": null, '
        b'"standard_ends_on": null, "extended_ends_on": null, "cover_ends_on": null, '
        b'"void_since": null}',
    )
    # The work done does not depend on the serial: same calls for a known and an unknown one.
    assert costs[0] == costs[1] == ["GetItem", "Query"]  # email guard, the owner's registrations
    assert costs[2] == costs[3] == ["GetItem"]


def test_signed_in_customer_lists_and_registers_products(
    api: Api, shop: dict[str, Any], tenant_a: TenantKeys
) -> None:
    token = sign_identity(shop["secret"], shop["kid"], sub="cust-ona", email="ona@example.lt")
    ona = widget_headers(shop["key"], token=token)
    listed = body_of(api.request("GET", "/widget/v1/registrations", headers=ona))
    assert [r["serial_number"] for r in listed["items"]] == ["DW-1"]
    products = body_of(api.request("GET", "/widget/v1/products", headers=ona))
    assert [p["sku"] for p in products["items"]] == ["DW-100"]
    assert set(products["items"][0]) == {"id", "sku", "name", "category"}
    r = api.request(
        "POST",
        "/widget/v1/registrations",
        headers=ona,
        json_body={
            "product_id": shop["product"]["id"],
            "serial_number": "DW-2",
            "purchase_date": date.today().isoformat(),
        },
    )
    assert r.status_code == 201, r.body
    assert body_of(r)["coverage"]["covered"] is True
    agent_view = body_of(api.request("GET", "/v1/warranties?serial=DW-2", key=tenant_a.admin_key))[
        "items"
    ][0]
    assert (
        agent_view["customer_id"]
        == body_of(
            api.request("GET", "/v1/customers?email=ona@example.lt", key=tenant_a.admin_key)
        )["items"][0]["id"]
    )
    # The warranty rules apply: a future purchase date is refused, nothing stored.
    r = api.request(
        "POST",
        "/widget/v1/registrations",
        headers=ona,
        json_body={
            "product_id": shop["product"]["id"],
            "serial_number": "DW-3",
            "purchase_date": (date.today() + timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 422
    assert (
        body_of(api.request("GET", "/v1/warranties?serial=DW-3", key=tenant_a.admin_key))["items"]
        == []
    )
    # Anonymous visitors cannot register or list.
    anonymous = widget_headers(shop["key"])
    assert api.request("GET", "/widget/v1/registrations", headers=anonymous).status_code == 401


def test_registrations_never_cross_customers_or_tenants(
    api: Api, shop: dict[str, Any], tenant_b: TenantKeys
) -> None:
    token = sign_identity(shop["secret"], shop["kid"], sub="cust-janis", email="janis@example.lv")
    janis = widget_headers(shop["key"], token=token)
    assert body_of(api.request("GET", "/widget/v1/registrations", headers=janis))["items"] == []
    r = api.request("POST", CHECK, headers=janis, json_body={"serial_number": "DW-1"})
    assert body_of(r)["found"] is False


def test_coverage_checks_are_rate_limited(
    api: Api, shop: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.config import reset_settings

    monkeypatch.setenv("WIDGET_IP_SUBMISSIONS_PER_HOUR", "3")
    reset_settings()
    codes = [
        _check(api, shop, serial_number=f"GUESS-{n}", email="ona@example.lt").status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]
