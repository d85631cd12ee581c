"""``make run``'s program, over real HTTP: health, spec, onboarding, customers, shutdown."""

from __future__ import annotations

import socket

import pytest

from tests.e2e.conftest import Stack, start_stack, stop_stack

pytestmark = pytest.mark.e2e


def test_health_and_openapi(stack: Stack) -> None:
    status, headers, body = stack.call("GET", "/health")
    assert (status, body) == (200, {"status": "ok"})
    assert headers["X-Request-Id"]
    status, _, spec = stack.call("GET", "/openapi.json")
    assert status == 200
    assert "/v1/customers" in spec["paths"]


def test_platform_key_from_environment_onboards(stack: Stack) -> None:
    assert stack.platform_key == "e2e-platform-key"
    status, _, created = stack.call(
        "POST",
        "/platform/tenants",
        key=stack.platform_key,
        body={"name": "E2E Co", "default_locale": "lv"},
    )
    assert status == 201
    key = created["admin_api_key"]["secret"]
    status, _, customer = stack.call(
        "POST", "/v1/customers", key=key, body={"name": "Jānis", "email": "janis@e2e.lv"}
    )
    assert status == 201
    status, headers, fetched = stack.call("GET", f"/v1/customers/{customer['id']}", key=key)
    assert status == 200
    assert fetched == customer
    assert headers["ETag"] == '"1"'


def test_demo_tenant_has_customers(stack: Stack) -> None:
    status, _, listed = stack.call("GET", "/v1/customers", key=stack.admin_key)
    assert status == 200
    assert {c["email"] for c in listed["items"]} == {
        "ona@example.lt",
        "janis@example.lv",
        "alex@example.com",
    }
    status, _, problem = stack.call("GET", "/v1/customers", key="sk_wrong")
    assert status == 401
    assert problem["code"] == "invalid_api_key"


def test_sigterm_stops_everything() -> None:
    own = start_stack()
    status, _, _ = own.call("GET", "/health")
    assert status == 200
    stop_stack(own)  # exits 0 within 20 s, or fails with what the stack printed
    assert own.reader is not None
    own.reader.join(timeout=5)
    # The orderly path ran to its end (the watchdog would have exited 1 instead).
    assert any(line.strip() == "stopped" for line in own.output or ())
    for url in (own.base_url, own.outbox_url, own.widget_url):
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", int(url.rstrip("/").rsplit(":", 1)[1]))) != 0
