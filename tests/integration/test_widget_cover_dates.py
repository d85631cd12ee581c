"""What the widget tells a customer about cover (issue 16, defect 13).

An extension already bought runs past the standard warranty: the customer must see the
effective end of cover, not the standard end. A void unit is covered by nothing: the widget
says since when it is void, never a future "ended on" date. Problems are shown by code in the
customer's language.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Api, TenantKeys, body_of
from tests.support.widget import SHOP, widget_headers

CHECK = "/widget/v1/warranty/check"


@pytest.fixture
def unit(api: Api, tenant_a: TenantKeys) -> dict[str, Any]:
    """Ona's dishwasher (24 months, purchased 30 days ago) with a 36-month extension bought."""
    key = body_of(
        api.request(
            "POST",
            "/v1/widget-keys",
            key=tenant_a.admin_key,
            json_body={"name": "Shop", "allowed_origins": [SHOP]},
        )
    )["key"]
    product = body_of(
        api.request(
            "POST",
            "/v1/products",
            key=tenant_a.admin_key,
            json_body={
                "sku": "DW-200",
                "name": "Dishwasher 200",
                "warranty": {"months": 24},
                "extended_plans": [
                    {
                        "code": "plus3",
                        "name": "Plus 3 years",
                        "months": 36,
                        "price": "99.00",
                        "currency": "EUR",
                    }
                ],
            },
        )
    )
    ona = body_of(
        api.request(
            "POST",
            "/v1/customers",
            key=tenant_a.admin_key,
            json_body={"name": "Ona", "email": "ona@example.lt"},
        )
    )
    r = api.request(
        "POST",
        "/v1/warranties",
        key=tenant_a.admin_key,
        json_body={
            "product_id": product["id"],
            "serial_number": "DW-2",
            "customer_id": ona["id"],
            "purchase_date": (date.today() - timedelta(days=30)).isoformat(),
        },
    )
    assert r.status_code == 201, r.body
    warranty = body_of(r)
    r = api.request(
        "POST",
        f"/v1/warranties/{warranty['id']}/plans",
        key=tenant_a.admin_key,
        json_body={"plan_code": "plus3", "version": warranty["version"]},
    )
    assert r.status_code == 201, r.body
    return {"key": key, "warranty": body_of(r)}


def _check(api: Api, unit: dict[str, Any]) -> dict[str, Any]:
    r = api.request(
        "POST",
        CHECK,
        headers=widget_headers(unit["key"]),
        json_body={"serial_number": "DW-2", "email": "ona@example.lt"},
    )
    assert r.status_code == 200, r.body
    return dict(body_of(r))


def test_the_widget_shows_the_end_of_the_extension_not_the_standard_end(
    api: Api, unit: dict[str, Any]
) -> None:
    warranty = unit["warranty"]
    [plan] = warranty["plans"]
    answer = _check(api, unit)
    assert answer["status"] == "under_warranty"
    assert answer["covered_until"] == warranty["coverage"]["standard_ends_on"]
    # What the customer is told: cover runs to the end of the extension.
    assert answer["cover_ends_on"] == plan["ends_on"]
    assert answer["cover_ends_on"] > answer["standard_ends_on"]
    assert answer["void_since"] is None


def test_a_void_unit_is_void_since_a_date_with_no_future_end(
    api: Api, tenant_a: TenantKeys, unit: dict[str, Any]
) -> None:
    warranty = unit["warranty"]
    r = api.request(
        "POST",
        f"/v1/warranties/{warranty['id']}/void",
        key=tenant_a.admin_key,
        json_body={"reason": "Tampered seal", "version": warranty["version"]},
    )
    assert r.status_code == 200, r.body
    answer = _check(api, unit)
    assert (answer["status"], answer["covered"]) == ("void", False)
    assert answer["void_since"] == date.today().isoformat()
    assert answer["cover_ends_on"] is None


def test_widget_strings_say_void_since_and_localise_problems_by_code(
    api: Api, unit: dict[str, Any]
) -> None:
    r = api.request("GET", "/widget/v1/config", headers=widget_headers(unit["key"]))
    assert r.status_code == 200, r.body
    strings = body_of(r)["strings"]
    assert strings["lt"]["warranty_void"] == "Šio gaminio garantija negalioja nuo {date}."
    assert "{date}" in strings["lv"]["warranty_void"]
    assert strings["lt"]["problem_serial_taken"] == "Šis serijos numeris jau užregistruotas."
    for locale in ("en", "lt", "lv"):
        assert set(strings[locale]) == set(strings["en"]), locale
