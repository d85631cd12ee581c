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
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.harness import Row, Section, use_fake_aws

ITERATIONS = 60
WARMUP = 3

_recording: list[tuple[str, dict[str, Any]]] | None = None


def _record(params: dict[str, Any], model: Any, **_: Any) -> None:
    if _recording is not None:
        _recording.append((model.name, copy.deepcopy(params)))


@dataclass
class Scenario:
    """One operation: what to set up once, and the request to make on iteration ``i``."""

    name: str
    request: Callable[[dict[str, Any], int], tuple[str, str, Any]]
    prepare: Callable[[Callable[..., Any], str], dict[str, Any]] = lambda call, key: {}
    status: int = 200


def _customer_body(i: int) -> dict[str, Any]:
    return {"name": f"Customer {i}", "email": f"c{i}-{time.time_ns()}@example.com"}


def _one_customer(call: Callable[..., Any], key: str) -> dict[str, Any]:
    created = call("POST", "/v1/customers", _customer_body(0))
    for i in range(30):
        call("POST", "/v1/customers", _customer_body(i + 1))
    return {"customer": created}


SCENARIOS: list[Scenario] = [
    Scenario(
        "create customer",
        lambda ctx, i: ("POST", "/v1/customers", _customer_body(i)),
        status=201,
    ),
    Scenario(
        "get customer",
        lambda ctx, i: ("GET", f"/v1/customers/{ctx['customer']['id']}", None),
        _one_customer,
    ),
    Scenario(
        "list customers (page of 25)",
        lambda ctx, i: ("GET", "/v1/customers?limit=25", None),
        _one_customer,
    ),
    Scenario(
        "update customer",
        lambda ctx, i: (
            "PATCH",
            f"/v1/customers/{ctx['customer']['id']}",
            {"phone": f"+3706000{i:04d}", "version": ctx["customer"]["version"] + i},
        ),
        _one_customer,
    ),
]


def run() -> Section:
    """Median app and floor time per request for every scenario."""
    global _recording
    use_fake_aws()
    from botocore.handlers import BUILTIN_HANDLERS

    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.*", _record))
    from chalice.test import Client
    from moto import mock_aws

    section = Section("Per-request overhead")
    section.text = (
        f"Median over {ITERATIONS} requests per operation through the real Lambda handler "
        "in-process against moto; floor: raw boto3 making the same DynamoDB calls (recorded "
        "from those requests) against the same moto. DynamoDB calls per request in brackets."
    )
    with mock_aws():
        from chalicelib.store.clients import aws_client
        from chalicelib.store.tables import ensure_tables

        ensure_tables()
        import app

        raw = aws_client("dynamodb")
        with Client(app.app, stage_name="bench") as client:

            def http(method: str, path: str, body: Any = None, key: str | None = None) -> Any:
                headers = {"Content-Type": "application/json"}
                if key:
                    headers["Authorization"] = f"Bearer {key}"
                response = client.http.request(
                    method, path, headers=headers, body=json.dumps(body).encode() if body else b""
                )
                return response

            onboarded = http(
                "POST", "/platform/tenants", {"name": "Bench Co"}, key="bench-platform-key"
            )
            key = json.loads(onboarded.body)["admin_api_key"]["secret"]

            def call(method: str, path: str, body: Any = None) -> Any:
                response = http(method, path, body, key)
                if response.status_code >= 300:
                    raise RuntimeError(f"{method} {path}: {response.body!r}")
                return json.loads(response.body) if response.body else None

            for scenario in SCENARIOS:
                ctx = scenario.prepare(call, key)
                app_times: list[float] = []
                floor_times: list[float] = []
                calls_per_request = 0
                for i in range(WARMUP + ITERATIONS):
                    method, path, body = scenario.request(ctx, i)
                    _recording = []
                    start = time.perf_counter()
                    response = http(method, path, body, key)
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
                section.rows.append(
                    Row(
                        f"{scenario.name} [{calls_per_request}]",
                        statistics.median(app_times) * 1000,
                        "ms",
                        floor=statistics.median(floor_times) * 1000,
                        target=1.5,
                    )
                )
    return section
