"""A survey email link clicked in headless Chromium against the real local stack.

The stack runs with the test process's ``APP_SECRET`` so this test can sign survey links the
way the follow-up worker does. A plain HTTP GET (an email scanner) records nothing; the page
in a browser records the link's score by POST, then takes a comment.
"""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def _link(stack: Stack, customer_id: str, kind: str) -> dict[int, str]:
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.survey_tokens import SurveyGrant, expiry
    from chalicelib.services.survey_links import survey_links

    grant = SurveyGrant(
        tenant_id=stack.tenant_id,
        followup_id=new_id(),
        customer_id=customer_id,
        survey_kind=kind,
        subject_kind="customer",
        subject_id=customer_id,
        expires_at=expiry(datetime.now(UTC), timedelta(days=1)),
    )
    urls = survey_links(grant).score_urls
    return {
        score: stack.base_url + urlsplit(u).path + "?" + urlsplit(u).query
        for score, u in urls.items()
    }


def _responses(stack: Stack) -> list[dict[str, Any]]:
    status, _, body = stack.call("GET", "/v1/feedback", key=stack.admin_key)
    assert status == 200
    return list(body["items"])


def test_survey_link_click_records_score_then_comment(signed_stack: Stack, browser: Any) -> None:
    stack = signed_stack
    status, _, customer = stack.call(
        "POST",
        "/v1/customers",
        key=stack.admin_key,
        body={"name": "Laura", "email": "laura.survey@example.com", "locale": "lv"},
    )
    assert status == 201, customer
    before = len(_responses(stack))

    # An email security scanner fetches the link: HTML comes back, nothing is recorded.
    scanned = _link(stack, customer["id"], "nps")[3]
    request = urllib.request.Request(scanned, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/html")
    assert len(_responses(stack)) == before

    # The customer clicks "9" in the email.
    links = _link(stack, customer["id"], "nps")
    context = browser.new_context(locale="lv-LV")
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(links[9])
        page.get_by_text("Paldies! Jūsu atbilde ir reģistrēta.", exact=False).wait_for()
        assert page.locator('.scale button[data-score="9"]').get_attribute("aria-pressed") == "true"
        answered = [r for r in _responses(stack) if r["customer_id"] == customer["id"]]
        assert [(r["kind"], r["score"], r["comment"]) for r in answered] == [("nps", 9, None)]

        page.locator("#comment").fill("Ātri un laipni")
        page.locator("#comment-form button[type=submit]").click()
        page.get_by_text("Paldies par jūsu atsauksmi!").wait_for()
        answered = [r for r in _responses(stack) if r["customer_id"] == customer["id"]]
        assert [(r["score"], r["comment"], r["edit_count"]) for r in answered] == [
            (9, "Ātri un laipni", 1)
        ]
    finally:
        context.close()
