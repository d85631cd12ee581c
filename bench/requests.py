"""Per-request overhead: the real handler in-process against moto, against raw boto3.

For every main operation, each request goes through the Chalice handler (middleware, auth,
validation, services, PynamoDB) against an in-process moto. Every DynamoDB call it makes is
recorded with its parameters; the floor is raw boto3 replaying exactly those calls against the
same moto (write replays may answer with a conditional-check failure, which costs moto the
same work). The ratio is app time / floor time per request, medians over the iterations.

Scenarios are data: add one per new main operation.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bench.harness import Row, Section, use_fake_aws

ITERATIONS = 60
WARMUP = 3

_recording: list[tuple[str, dict[str, Any]]] | None = None


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    if _recording is not None:
        _recording.append((model.name, copy.deepcopy(params)))


@dataclass
class Scenario:
    """One operation: the request to make on iteration ``i`` (method, path, body, headers),
    from the context the world preparation made."""

    name: str
    request: Callable[[dict[str, Any], int], tuple[str, str, Any, dict[str, str]]]
    status: int = 200


def _customer_body(i: int) -> dict[str, Any]:
    return {"name": f"Customer {i}", "email": f"c{i}-{time.time_ns()}@example.com"}


def _idempotent(name: str, i: int) -> dict[str, str]:
    return {"Idempotency-Key": f"bench-{name}-{i}-{time.time_ns()}"}


def _if_match(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


def prepare(call: Callable[..., Any]) -> dict[str, Any]:
    """A tenant with data: 30 customers, 30 tickets with a message, a product, a registration,
    answered surveys (so lists have full pages and reports have counters)."""
    customers = [call("POST", "/v1/customers", _customer_body(n)) for n in range(30)]
    tickets = [
        call(
            "POST",
            "/v1/tickets",
            {"subject": f"Ticket {n}", "description": "Leaks", "customer_id": c["id"]},
        )
        for n, c in enumerate(customers)
    ]
    product = call(
        "POST",
        "/v1/products",
        {
            "sku": "WM-100",
            "name": "Washing machine",
            "category": "laundry",
            "warranty": {"months": 24, "covers": ["parts", "labour"]},
        },
    )
    purchase = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
    warranty = call(
        "POST",
        "/v1/warranties",
        {
            "product_id": product["id"],
            "customer_id": customers[0]["id"],
            "serial_number": "SN-BENCH-1",
            "purchase_date": purchase,
        },
    )
    call("POST", "/v1/surveys", {"kind": "nps", "name": "NPS"})
    return {
        "customer": customers[0],
        "customers": customers,
        "ticket": tickets[0],
        "tickets": tickets,
        "warranty": warranty,
    }


def survey_path(tenant_id: str, customer_id: str) -> str:
    """The public answer URL of a fresh survey link (a new follow-up each time)."""
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.survey_tokens import SurveyGrant, expiry
    from chalicelib.services.survey_links import survey_links

    grant = SurveyGrant(
        tenant_id=tenant_id,
        followup_id=new_id(),
        customer_id=customer_id,
        survey_kind="nps",
        subject_kind="customer",
        subject_id=customer_id,
        expires_at=expiry(datetime.now(UTC), timedelta(days=30)),
        survey_id=None,
    )
    return urlsplit(survey_links(grant).page_url).path


SCENARIOS: list[Scenario] = [
    Scenario(
        "create ticket",
        lambda ctx, i: (
            "POST",
            "/v1/tickets",
            {
                "subject": f"Dryer {i}",
                "description": "Stops after a minute",
                "customer_id": ctx["customers"][i % 30]["id"],
            },
            _idempotent("ticket", i),
        ),
        status=201,
    ),
    Scenario("get ticket", lambda ctx, i: ("GET", f"/v1/tickets/{ctx['ticket']['id']}", None, {})),
    Scenario("list tickets (page of 25)", lambda ctx, i: ("GET", "/v1/tickets?limit=25", None, {})),
    Scenario(
        "update ticket",
        lambda ctx, i: (
            "PATCH",
            f"/v1/tickets/{ctx['tickets'][1]['id']}",
            {"subject": f"Renamed {i}"},
            _if_match(ctx["tickets"][1]["version"] + i),
        ),
    ),
    Scenario(
        "add message",
        lambda ctx, i: (
            "POST",
            f"/v1/tickets/{ctx['tickets'][2]['id']}/messages",
            {"body": f"Reply {i}", "visibility": "public"},
            _idempotent("message", i),
        ),
        status=201,
    ),
    Scenario(
        "create customer",
        lambda ctx, i: ("POST", "/v1/customers", _customer_body(i), _idempotent("customer", i)),
        status=201,
    ),
    Scenario(
        "get customer", lambda ctx, i: ("GET", f"/v1/customers/{ctx['customer']['id']}", None, {})
    ),
    Scenario(
        "list customers (page of 25)", lambda ctx, i: ("GET", "/v1/customers?limit=25", None, {})
    ),
    Scenario(
        "update customer",
        lambda ctx, i: (
            "PATCH",
            f"/v1/customers/{ctx['customer']['id']}",
            {"phone": f"+3706000{i:04d}"},
            _if_match(ctx["customer"]["version"] + i),
        ),
    ),
    Scenario(
        "coverage check (by serial)",
        lambda ctx, i: ("GET", "/v1/warranties/coverage?serial=SN-BENCH-1", None, {}),
    ),
    Scenario(
        "record feedback (public survey link)",
        lambda ctx, i: (
            "POST",
            survey_path(ctx["tenant_id"], ctx["customers"][i % 30]["id"]),
            {"score": 9, "comment": "Quick and friendly"},
            {"Authorization": ""},
        ),
    ),
    Scenario("ticket report", lambda ctx, i: ("GET", "/v1/reports/tickets", None, {})),
    Scenario("feedback report", lambda ctx, i: ("GET", "/v1/reports/feedback", None, {})),
]


def _measure(
    scenario: Scenario,
    ctx: dict[str, Any],
    http: Callable[[str, str, Any, dict[str, str]], Any],
    auth: dict[str, str],
    raw: Any,
) -> Row:
    """App and floor medians of one operation."""
    global _recording
    # The collector off while timing (as timeit does), a full collection between operations:
    # moto's heap, not the app's, would otherwise decide when the cyclic collector runs and
    # which side of the comparison pays for it.
    gc.collect()
    gc.disable()
    app_times: list[float] = []
    floor_times: list[float] = []
    calls_per_request = 0
    try:
        for i in range(WARMUP + ITERATIONS):
            method, path, body, extra = scenario.request(ctx, i)
            headers = {**auth, **extra}
            if not headers.get("Authorization"):
                headers.pop("Authorization", None)  # public routes
            _recording = []
            start = time.perf_counter()
            response = http(method, path, body, headers)
            elapsed = time.perf_counter() - start
            recorded, _recording = _recording, None
            if response.status_code != scenario.status:
                raise AssertionError(f"{scenario.name}: {response.body!r}")
            start = time.perf_counter()
            for operation, params in recorded:
                with contextlib.suppress(raw.exceptions.ClientError):
                    raw._make_api_call(operation, params)
            floor = time.perf_counter() - start
            if i >= WARMUP:
                app_times.append(elapsed)
                floor_times.append(floor)
                calls_per_request = len(recorded)
    finally:
        gc.enable()
    return Row(
        f"{scenario.name} [{calls_per_request}]",
        statistics.median(app_times) * 1000,
        "ms",
        floor=statistics.median(floor_times) * 1000,
        target=1.5,
    )


def run() -> Section:
    """Median app and floor time per request for every scenario."""
    use_fake_aws()
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*", _record))
    from chalice.test import Client
    from moto import mock_aws

    section = Section("Per-request overhead")
    section.text = (
        f"Median over {ITERATIONS} requests per operation through the real Lambda handler "
        "in-process against moto; floor: raw boto3 making the same DynamoDB calls (recorded "
        "from those requests) against the same moto, right after each request. Garbage collection "
        "is paused while timing. DynamoDB calls per request in brackets. Writes replayed by the "
        "floor may fail their condition (the item exists): moto does the same work either way."
    )
    with mock_aws():
        from chalicelib.store.clients import aws_client
        from scripts.provision import provision

        provision()
        import app

        raw = aws_client("dynamodb")
        with Client(app.app, stage_name="bench") as client:

            def http(method: str, path: str, body: Any, headers: dict[str, str]) -> Any:
                payload = json.dumps(body).encode() if body is not None else b""
                return client.http.request(
                    method,
                    path,
                    headers={"Content-Type": "application/json", **headers},
                    body=payload,
                )

            onboarded = json.loads(
                http(
                    "POST",
                    "/platform/tenants",
                    {"name": "Bench Co"},
                    {"Authorization": "Bearer bench-platform-key"},
                ).body
            )
            auth = {"Authorization": f"Bearer {onboarded['admin_api_key']['secret']}"}

            def call(method: str, path: str, body: Any = None) -> Any:
                response = http(method, path, body, auth)
                if response.status_code >= 300:
                    raise RuntimeError(f"{method} {path}: {response.body!r}")
                return json.loads(response.body) if response.body else None

            ctx = {**prepare(call), "tenant_id": onboarded["tenant"]["id"]}
            for scenario in SCENARIOS:
                section.rows.append(_measure(scenario, ctx, http, auth, raw))
    return section
