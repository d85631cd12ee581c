"""The reference widget in headless Chromium (Debian's package) against the real local stack.

Opens the demo page, sends a ticket through the widget, finds it through the admin API, follows
the emailed link back into the widget, and checks that a page on an origin no widget key allows
is refused by CORS.
"""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.e2e.conftest import Stack, free_port

pytestmark = pytest.mark.e2e


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page (no shared storage between tests)."""
    context = browser.new_context(locale="en-GB")
    opened = context.new_page()
    opened.set_default_timeout(20_000)
    yield opened
    context.close()


def _outbox(stack: Stack) -> list[dict[str, Any]]:
    with urllib.request.urlopen(stack.outbox_url + "/outbox.json", timeout=10) as response:
        return list(json.loads(response.read()))


def test_ticket_through_the_widget_then_follow_up_link(stack: Stack, page: Any) -> None:
    page.goto(stack.widget_url)
    widget = page.locator("#aftersales-widget[data-status=ready]")
    widget.wait_for(state="attached")
    page.locator("#aftersales-widget .launcher").click()
    form = page.locator("#aftersales-widget form[data-view=contact]")
    form.locator("[name=name]").fill("Alex Browser")
    form.locator("[name=email]").fill("alex.browser@example.com")
    form.locator("[name=subject]").fill("Oven door will not close")
    form.locator("[name=message]").fill("The hinge broke after a week.")
    form.locator("[name=serial_number]").fill("OV-77-123")
    form.locator("button[type=submit]").click()
    page.locator("#aftersales-widget .notice.ok").wait_for()
    ticket_id = page.locator("#aftersales-widget").get_attribute("data-last-ticket")
    assert ticket_id

    status, _, ticket = stack.call("GET", f"/v1/tickets/{ticket_id}", key=stack.admin_key)
    assert status == 200
    assert ticket["subject"] == "Oven door will not close"
    assert ticket["channel"] == "widget"
    assert ticket["serial_number"] == "OV-77-123"
    status, _, customer = stack.call(
        "GET", f"/v1/customers/{ticket['customer_id']}", key=stack.admin_key
    )
    assert customer["email"] == "alex.browser@example.com"

    # An agent answers; the visitor follows the emailed link back into the widget.
    stack.call(
        "POST",
        f"/v1/tickets/{ticket_id}/messages",
        key=stack.admin_key,
        body={"body": "We will send a technician.", "author": {"kind": "agent", "name": "Rasa"}},
    )
    stack.call(
        "POST",
        f"/v1/tickets/{ticket_id}/messages",
        key=stack.admin_key,
        body={"body": "internal: warranty looks void", "visibility": "internal"},
    )
    mails = [m for m in _outbox(stack) if "alex.browser@example.com" in json.dumps(m["to"])]
    assert len(mails) == 1
    link = re.search(r"http://\S+aftersales_ticket=\S+", str(mails[0]["body"]))
    assert link, mails[0]["body"]
    page.goto(link.group(0))
    view = page.locator(f"#aftersales-widget [data-view=ticket][data-ticket='{ticket_id}']")
    view.locator("text=We will send a technician.").wait_for()
    assert "warranty looks void" not in view.inner_text()
    view.locator("[name=message]").fill("Thank you, any time after 10:00.")
    view.locator("button[type=submit]").click()
    page.locator("#aftersales-widget .msg.mine", has_text="any time after 10:00").wait_for()
    _, _, messages = stack.call("GET", f"/v1/tickets/{ticket_id}/messages", key=stack.admin_key)
    assert messages["items"][-1]["body"] == "Thank you, any time after 10:00."
    assert messages["items"][-1]["author"]["kind"] == "customer"


def test_signed_in_customer_sees_own_requests(stack: Stack, page: Any) -> None:
    page.goto(stack.widget_url)
    page.locator("#aftersales-widget[data-status=ready]").wait_for(state="attached")
    page.locator("#sign-in").click()
    page.locator("#aftersales-widget[data-identified=true]").wait_for(state="attached")
    page.locator("#aftersales-widget .launcher").click()
    form = page.locator("#aftersales-widget form[data-view=contact]")
    assert form.locator("[name=email]").count() == 0  # the identity token says who it is
    form.locator("[name=subject]").fill("Registered fridge is noisy")
    form.locator("[name=message]").fill("Humming at night.")
    form.locator("button[type=submit]").click()
    page.locator("#aftersales-widget .notice.ok").wait_for()
    page.locator("#aftersales-widget nav [data-tab=tickets]").click()
    page.locator(
        "#aftersales-widget [data-view=tickets] li", has_text="Registered fridge"
    ).wait_for()


class _ForeignSite(BaseHTTPRequestHandler):
    page = b""

    def log_message(self, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)


@pytest.fixture
def foreign_site(stack: Stack) -> Iterator[str]:
    """A page on an origin that no widget key allows, embedding the demo key."""
    port = free_port()
    script = stack.widget_url.rstrip("/") + "/aftersales-widget.js"
    _ForeignSite.page = (
        "<!doctype html><meta charset=utf-8><title>Copycat</title><h1>Not the tenant</h1>"
        f'<script src="{script}" data-key="{stack.widget_key}" data-api="{stack.base_url}">'
        "</script>"
    ).encode()
    server = ThreadingHTTPServer(("127.0.0.1", port), _ForeignSite)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()


def test_page_on_a_disallowed_origin_is_refused_by_cors(
    stack: Stack, page: Any, foreign_site: str
) -> None:
    page.goto(foreign_site)
    page.locator("#aftersales-widget[data-status=unavailable]").wait_for(state="attached")
    assert page.locator("#aftersales-widget .launcher").count() == 0
    outcome = page.evaluate(
        """async ([api, key]) => {
            try {
                const r = await fetch(api + "/widget/v1/config", {headers: {"X-Widget-Key": key}});
                return "read " + r.status;
            } catch (e) {
                return "blocked " + e.name;
            }
        }""",
        [stack.base_url, stack.widget_key],
    )
    assert outcome == "blocked TypeError"
    # What the browser saw: the preflight was refused without CORS headers.
    origin = foreign_site.rstrip("/")
    status, headers, _ = stack.call(
        "OPTIONS",
        "/widget/v1/config",
        headers={"Origin": origin, "Access-Control-Request-Method": "GET"},
    )
    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers


def test_warranty_check_and_registration(stack: Stack, page: Any) -> None:
    page.goto(stack.widget_url)
    page.locator("#aftersales-widget[data-status=ready]").wait_for(state="attached")
    page.locator("#aftersales-widget .launcher").click()
    page.locator("#aftersales-widget nav [data-tab=warranty]").click()
    check = page.locator("#aftersales-widget form[data-form=coverage]")
    result = check.locator("[data-result=warranty]")
    check.locator("[name=serial_number]").fill("DW-1001")
    check.locator("[name=email]").fill("someone.else@example.com")
    check.locator("button[type=submit]").click()
    page.wait_for_function(
        "() => document.querySelector('#aftersales-widget').shadowRoot"
        ".querySelector('[data-result=warranty]').textContent.length > 0"
    )
    unknown = result.inner_text()
    check.locator("[name=serial_number]").fill("NO-SUCH-1")
    check.locator("[name=email]").fill("ona@example.lt")
    check.locator("button[type=submit]").click()
    page.wait_for_timeout(500)
    assert result.inner_text() == unknown  # the same words for both misses
    check.locator("[name=serial_number]").fill("DW-1001")
    check.locator("button[type=submit]").click()
    result.locator("text=/Covered until/").wait_for()

    # Signed in: own products and registering one through the warranty rules.
    page.locator("#sign-in").click()
    page.locator("#aftersales-widget[data-identified=true]").wait_for(state="attached")
    page.locator("#aftersales-widget nav [data-tab=warranty]").click()
    page.locator("#aftersales-widget [data-view=registrations] li[data-serial=DW-1001]").wait_for()
    form = page.locator("#aftersales-widget form[data-form=register]")
    form.locator("select[name=product_id] option").first.wait_for(state="attached")
    form.locator("[name=serial_number]").fill("DW-2002")
    form.locator("[name=purchase_date]").fill((date.today() - timedelta(days=10)).isoformat())
    form.locator("button[type=submit]").click()
    page.locator("#aftersales-widget [data-view=registrations] li[data-serial=DW-2002]").wait_for()
    status, _, found = stack.call("GET", "/v1/warranties?serial=DW-2002", key=stack.admin_key)
    assert status == 200
    assert found["items"][0]["product_name"] == "Dishwasher DW-100"
