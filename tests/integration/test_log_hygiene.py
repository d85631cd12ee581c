"""No secrets and no personal data in logs.

Everything the application logs (at DEBUG, so nothing is hidden by the level) is captured while
two tenants get one of every resource through the API (tests/support/resources.py), every read
route is called, and requests fail in the usual ways (bad and revoked keys, bad identity tokens,
validation errors, throttling, an unexpected error with its traceback). The log text must not
contain any API key, widget identity secret, identity token, email address, phone number or
customer name — whatever routes are added later, since the world is built from the route table.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from chalicelib.api.lazy_routes import load_all
from chalicelib.api.routing import OPERATIONS
from tests.integration.conftest import Api
from tests.support import faults
from tests.support.resources import CREDENTIALS, NON_TENANT_AUTH, Maker, path_values
from tests.support.world import World, build_world

load_all()
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.")
# Addresses the application may name in logs: none belong to a person.
ALLOWED_EMAILS = {"no-reply@example.com"}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every record of the application's logger, formatted as in production, at DEBUG."""
    from chalicelib.observability import logger

    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(logger.registered_formatter)
    app_logger = logging.getLogger(logger.name)
    root = logging.getLogger()
    level = app_logger.level
    app_logger.addHandler(handler)
    root.addHandler(handler)
    app_logger.setLevel(logging.DEBUG)
    try:
        yield sink
    finally:
        app_logger.removeHandler(handler)
        root.removeHandler(handler)
        app_logger.setLevel(level)


def _secrets(world: World) -> set[str]:
    found: set[str] = set()
    for maker in (world.a, world.b):
        found |= {maker.admin_key, maker.admin_key.rsplit("_", 1)[-1]}
        found |= {v for k, v in maker.extra.items() if k.startswith("secret:")}
        found |= {f"{maker.marker} Customer", "+370 600 00000", f"{maker.marker} loved it"}
    return found


def _exercise(world: World, api: Api) -> None:
    for maker in (world.a, world.b):
        for op in OPERATIONS:
            if op.auth in NON_TENANT_AUTH or op.method != "GET":
                continue
            path = op.path
            for param, value in path_values(maker, op).items():
                path = path.replace("{" + param + "}", value)
            api.request("GET", path, headers=CREDENTIALS[op.auth](maker))
    a: Maker = world.a
    # Failures: a wrong key, a forged identity token, bad input, a duplicate, throttling, a bug.
    api.request("GET", "/v1/customers", key=a.admin_key[:-4] + "0000")
    api.request("GET", "/v1/customers", key="sk_not_even_a_key")
    widget = CREDENTIALS["widget"](a)
    api.request(
        "GET",
        "/widget/v1/tickets",
        headers={**widget, "Authorization": widget["Authorization"][:-6] + "AAAAAA"},
    )
    api.request(
        "POST",
        "/v1/customers",
        key=a.admin_key,
        json_body={"name": "Jonas Jonaitis", "email": "not-an-email", "phone": "+370 611 11111"},
    )
    first = json.loads(
        api.request(
            "POST",
            "/v1/customers",
            key=a.admin_key,
            json_body={"name": "Jonas Jonaitis", "email": "jonas@private.lt"},
        ).body
    )
    api.request(
        "POST",
        "/v1/customers",
        key=a.admin_key,
        json_body={"name": "Jonas Jonaitis", "email": "jonas@private.lt"},
    )
    with faults.inject("ProvisionedThroughputExceededException", operations={"TransactWriteItems"}):
        api.request(
            "PATCH",
            f"/v1/customers/{first['id']}",
            key=a.admin_key,
            json_body={"version": 1, "email": "jonas.new@private.lt"},
        )
    with faults.inject("ValidationException", operations={"TransactWriteItems"}):
        response = api.request(
            "PATCH",
            f"/v1/customers/{first['id']}",
            key=a.admin_key,
            json_body={"version": 1, "name": "Jonas J.", "email": "jonas.new@private.lt"},
        )
        assert response.status_code == 500  # the unexpected-error path, traceback logged


def test_logs_carry_no_secrets_and_no_personal_data(api: Api, captured_logs: io.StringIO) -> None:
    world = build_world(api)
    _exercise(world, api)
    text = captured_logs.getvalue()
    assert "unhandled error" in text, "the audit must see the error path's log"
    assert '"request"' in text or "request" in text
    leaked = sorted(s for s in _secrets(world) if s and s in text)
    assert not leaked, f"secrets or personal data in logs: {leaked}"
    for name in ("Jonas Jonaitis", "+370 611 11111"):
        assert name not in text
    emails = set(EMAIL.findall(text)) - ALLOWED_EMAILS
    assert not emails, f"email addresses in logs: {sorted(emails)}"
    assert not JWT.findall(text), "an identity token was logged"
