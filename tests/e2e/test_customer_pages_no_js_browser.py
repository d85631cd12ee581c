"""Customer pages with JavaScript switched off, in headless Chromium against the local stack:
the survey page records a score through its form, an action page opens an extension request,
and the proof-of-purchase form uploads a receipt straight to S3 (the stack's moto server) and
comes back to its confirmation (issue 16, defect 16 and the reminder links of defect 1).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A page with JavaScript disabled."""
    context = browser.new_context(locale="lt-LT", java_script_enabled=False)
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def _ok(stack: Stack, method: str, path: str, body: Any = None) -> Any:
    status, _, answer = stack.call(method, path, key=stack.admin_key, body=body)
    assert status < 300, answer
    return answer


def _registration(stack: Stack, serial: str) -> dict[str, Any]:
    products = _ok(stack, "GET", "/v1/products?limit=100")["items"]
    product = next(p for p in products if p["sku"] == "DW-100")  # the demo product
    customer = _ok(
        stack,
        "POST",
        "/v1/customers",
        {"name": "Ona", "email": f"{serial.lower()}@example.lt", "locale": "lt"},
    )
    return dict(
        _ok(
            stack,
            "POST",
            "/v1/warranties",
            {
                "product_id": product["id"],
                "customer_id": customer["id"],
                "serial_number": serial,
                "purchase_date": (date.today() - timedelta(days=20)).isoformat(),
            },
        )
    )


def _action_link(stack: Stack, warranty: dict[str, Any], action: str) -> str:
    from urllib.parse import urlsplit

    from chalicelib.services.action_links import action_url

    url = action_url(
        stack.tenant_id, warranty["customer_id"], action, warranty["id"], datetime.now(UTC)
    )
    return stack.base_url + urlsplit(url).path


def test_survey_page_records_a_score_without_javascript(signed_stack: Stack, page: Any) -> None:
    from urllib.parse import urlsplit

    from chalicelib.domain.ids import new_id
    from chalicelib.domain.survey_tokens import SurveyGrant, expiry
    from chalicelib.i18n import surveys as texts
    from chalicelib.services.survey_links import survey_links

    stack = signed_stack
    customer = _ok(stack, "POST", "/v1/customers", {"name": "Ona", "locale": "lt"})
    grant = SurveyGrant(
        tenant_id=stack.tenant_id,
        followup_id=new_id(),
        customer_id=customer["id"],
        survey_kind="csat",
        subject_kind="customer",
        subject_id=customer["id"],
        expires_at=expiry(datetime.now(UTC), timedelta(days=1)),
    )
    link = urlsplit(survey_links(grant).score_urls[4])
    page.goto(f"{stack.base_url}{link.path}?{link.query}")
    page.locator("#comment").fill("Greitai")
    page.locator('.scale button[value="4"]').click()
    page.get_by_text(texts.page_text("recorded", "lt"), exact=False).wait_for()
    _, _, listed = stack.call("GET", "/v1/feedback", key=stack.admin_key)
    mine = [r for r in listed["items"] if r["customer_id"] == customer["id"]]
    assert [(r["score"], r["comment"]) for r in mine] == [(4, "Greitai")]


def test_extension_request_and_receipt_upload_without_javascript(
    signed_stack: Stack, page: Any, tmp_path: Path
) -> None:
    from chalicelib.i18n import action_pages as texts

    stack = signed_stack
    warranty = _registration(stack, "DW-NOJS-1")
    page.goto(_action_link(stack, warranty, "extend_cover"))
    page.locator('input[name="plan_code"][value="plus1"]').check()
    page.locator("button[type=submit]").click()
    page.get_by_text(texts.text("extend_done", "lt")).wait_for()
    _, _, found = stack.call(
        "GET", f"/v1/tickets?customer_id={warranty['customer_id']}", key=stack.admin_key
    )
    [ticket] = found["items"]
    assert (ticket["type"], ticket["warranty_id"]) == ("request", warranty["id"])

    receipt = tmp_path / "kvitas.pdf"
    receipt.write_bytes(b"%PDF-1.4\n% receipt\n")
    page.goto(_action_link(stack, warranty, "proof_of_purchase"))
    page.locator('input[type="file"][name="file"]').set_input_files(str(receipt))
    page.locator("button[type=submit]").click()
    page.get_by_text(texts.text("proof_done", "lt")).wait_for()
    assert "/receipt?" in page.url
    attached = _ok(stack, "GET", f"/v1/warranties/{warranty['id']}")
    assert attached["proof_of_purchase"].startswith(
        f"{stack.tenant_id}/proof-of-purchase/{warranty['id']}/"
    )
