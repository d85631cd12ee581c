"""What the reference widget says about cover, in headless Chromium against the local stack
(issue 16, defect 13): the end of an extension already bought, not the standard end; "void
since" for a void unit, never a future "ended on".
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def _ok(stack: Stack, method: str, path: str, body: Any = None, **headers: str) -> Any:
    status, _, answer = stack.call(method, path, key=stack.admin_key, body=body, headers=headers)
    assert status < 300, answer
    return answer


def _unit(stack: Stack) -> dict[str, Any]:
    """An oven (24 months) registered 10 days ago with a 36-month extension already bought."""
    product = _ok(
        stack,
        "POST",
        "/v1/products",
        {
            "sku": "OV-COVER-1",
            "name": "Oven OV-9",
            "warranty": {"months": 24},
            "extended_plans": [
                {
                    "code": "plus3",
                    "name": "Plus 3",
                    "months": 36,
                    "price": "99.00",
                    "currency": "EUR",
                }
            ],
        },
    )
    customer = _ok(
        stack,
        "POST",
        "/v1/customers",
        {"name": "Cover Tester", "email": "cover.tester@example.com"},
    )
    warranty = _ok(
        stack,
        "POST",
        "/v1/warranties",
        {
            "product_id": product["id"],
            "customer_id": customer["id"],
            "serial_number": "OV-9001",
            "purchase_date": (date.today() - timedelta(days=10)).isoformat(),
        },
    )
    return dict(
        _ok(
            stack,
            "POST",
            f"/v1/warranties/{warranty['id']}/plans",
            {"plan_code": "plus3", "version": warranty["version"]},
        )
    )


def _check(page: Any) -> str:
    check = page.locator("#aftersales-widget form[data-form=coverage]")
    result = check.locator("[data-result=warranty]")
    page.evaluate(
        "() => { document.querySelector('#aftersales-widget').shadowRoot"
        ".querySelector('[data-result=warranty]').textContent = ''; }"
    )
    check.locator("[name=serial_number]").fill("OV-9001")
    check.locator("[name=email]").fill("cover.tester@example.com")
    check.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#aftersales-widget').shadowRoot"
        ".querySelector('[data-result=warranty]').textContent.length > 0"
    )
    return str(result.inner_text())


def test_the_widget_tells_the_end_of_the_extension_and_void_since(
    stack: Stack, browser: Any
) -> None:
    warranty = _unit(stack)
    [plan] = warranty["plans"]
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(stack.widget_url)
        page.locator("#aftersales-widget[data-status=ready]").wait_for(state="attached")
        page.locator("#aftersales-widget .launcher").click()
        page.locator("#aftersales-widget nav [data-tab=warranty]").click()
        locale = page.evaluate(
            "() => document.querySelector('#aftersales-widget').getAttribute('lang') || 'en'"
        )

        def shown(day: str) -> str:
            return str(page.evaluate(f"() => new Date('{day}').toLocaleDateString('{locale}')"))

        text = _check(page)
        assert "Covered until" in text
        assert shown(plan["ends_on"]) in text
        assert shown(warranty["coverage"]["standard_ends_on"]) not in text

        current = _ok(stack, "GET", f"/v1/warranties/{warranty['id']}")
        _ok(
            stack,
            "POST",
            f"/v1/warranties/{warranty['id']}/void",
            {"reason": "Tampered seal", "version": current["version"]},
        )
        text = _check(page)
        assert "void since" in text
        assert shown(date.today().isoformat()) in text
        assert "ended on" not in text
    finally:
        context.close()
