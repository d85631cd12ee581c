"""Fault injection for AWS calls, through botocore's own event hooks (no stubs, no mocks).

Two levels, matching what can go wrong in AWS:

- ``send`` faults answer one HTTP *attempt* with an error, before moto sees it. botocore's
  retry logic (standard mode) runs as in production: a throttle answered twice and then let
  through shows that the call is retried with backoff.
- ``call`` faults fail the whole *logical call* (all retries exhausted), before anything is
  sent: the application sees the error and must answer cleanly without a half-written state.

``unprocessed`` simulates DynamoDB's partial success of ``BatchWriteItem``/``BatchGetItem``: some
requests are held back from moto and returned as ``UnprocessedItems``/``UnprocessedKeys``.

Installed once for the whole suite (tests/conftest.py); inactive unless a test opens
``inject(...)`` or ``unprocessed(...)``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["send", "call"]

_plans: list[FaultPlan] = []
_installed = False


@dataclass
class FaultPlan:
    """Answer matching calls with an AWS error ``code`` (``times`` None: every time)."""

    service: str
    operations: frozenset[str] | None
    code: str
    level: Level
    times: int | None = None
    status: int = 400
    message: str = "injected fault"
    cancellation_reasons: list[str] | None = None
    nth: int | None = None  # fail only the n-th matching call (1-based)
    when: Callable[[str, dict[str, Any]], bool] | None = None
    seen: int = 0
    hits: int = 0
    hit_operations: list[str] = field(default_factory=list)

    def matches(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        if service != self.service:
            return False
        if self.operations is not None and operation not in self.operations:
            return False
        if self.when is not None and not self.when(operation, params):
            return False
        self.seen += 1
        if self.nth is not None and self.seen != self.nth:
            return False
        if self.times is not None and self.hits >= self.times:
            return False
        self.hits += 1
        self.hit_operations.append(operation)
        return True

    def error_payload(self) -> tuple[bytes, str]:
        """The error body as the service's protocol spells it, and its content type."""
        if self.service in _QUERY_PROTOCOL:
            xml = (
                "<ErrorResponse><Error><Type>Sender</Type>"
                f"<Code>{self.code}</Code><Message>{self.message}</Message>"
                "</Error><RequestId>injected</RequestId></ErrorResponse>"
            )
            return xml.encode(), "text/xml"
        body: dict[str, Any] = {"__type": self.code, "message": self.message}
        if self.cancellation_reasons is not None:
            body["CancellationReasons"] = [
                {"Code": code, "Message": code} for code in self.cancellation_reasons
            ]
        return json.dumps(body).encode(), "application/x-amz-json-1.0"

    def http_response(self) -> Any:
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse

        raw, content_type = self.error_payload()
        return AWSResponse(
            "https://injected.invalid/",
            self.status,
            {"Content-Type": content_type, "x-amzn-RequestId": "injected"},
            MockRawResponse(raw),
        )


_QUERY_PROTOCOL = frozenset({"ses", "sqs"})


def _decoded(body: Any) -> dict[str, Any]:
    if isinstance(body, bytes | str) and body:
        try:
            found = json.loads(body)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}
    return body if isinstance(body, dict) else {}


def _service_of(event_name: str) -> str:
    return event_name.split(".")[1]


_UNREACHABLE = "https://fault-injected.invalid/"


def _before_send(request: Any, event_name: str, **_: Any) -> Any:
    # botocore asks *every* before-send handler and uses the first answer, so moto's stub still
    # sees the request after this one answered. A failed attempt must not reach the service:
    # the request is pointed at an address moto does not serve (and restored for the next
    # attempt, since botocore re-sends the same request object when it retries).
    original = getattr(request, "_fault_original_url", None)
    if original is not None:
        request.url = original
        del request._fault_original_url
    operation = event_name.split(".")[2] if event_name.count(".") >= 2 else ""
    params = _decoded(request.body)
    for plan in list(_plans):
        if plan.level == "send" and plan.matches(_service_of(event_name), operation, params):
            request._fault_original_url = request.url
            request.url = _UNREACHABLE
            return plan.http_response()
    return None


def _before_call(model: Any, params: dict[str, Any], event_name: str, **_: Any) -> Any:
    for plan in list(_plans):
        if plan.level == "call" and plan.matches(
            _service_of(event_name), model.name, _decoded(params.get("body"))
        ):
            from botocore.parsers import create_parser

            http = plan.http_response()
            parser = create_parser(model.metadata["protocol"])
            raw = {"status_code": plan.status, "headers": http.headers, "body": http.content}
            parsed = parser.parse(raw, model.output_shape)
            # What botocore's endpoint adds for modelled errors (CancellationReasons...).
            error_shape = model.service_model.shape_for_error_code(plan.code)
            if error_shape is not None:
                parsed.update(parser.parse(raw, error_shape))
            return http, parsed
    return None


def install() -> None:
    """Register the hooks for every botocore client created from now on (idempotent)."""
    global _installed
    if _installed:
        return
    from botocore.handlers import BUILTIN_HANDLERS

    # More specific event names run before moto's generic ``before-send`` stub.
    for service in ("dynamodb", "events", "ses", "sesv2", "sqs"):
        BUILTIN_HANDLERS.append((f"before-send.{service}", _before_send))
        BUILTIN_HANDLERS.append((f"before-call.{service}", _before_call))
    BUILTIN_HANDLERS.append(("provide-client-params.dynamodb.BatchWriteItem", _hold_back))
    BUILTIN_HANDLERS.append(("after-call.dynamodb.BatchWriteItem", _report_held_back))
    _installed = True


@contextlib.contextmanager
def inject(
    code: str,
    *,
    service: str = "dynamodb",
    operations: set[str] | None = None,
    level: Level = "call",
    times: int | None = None,
    nth: int | None = None,
    cancellation_reasons: list[str] | None = None,
    when: Callable[[str, dict[str, Any]], bool] | None = None,
) -> Iterator[FaultPlan]:
    """Make matching AWS calls fail with ``code`` while the block runs."""
    plan = FaultPlan(
        service=service,
        operations=frozenset(operations) if operations else None,
        code=code,
        level=level,
        times=times,
        nth=nth,
        cancellation_reasons=cancellation_reasons,
        when=when,
    )
    _plans.append(plan)
    try:
        yield plan
    finally:
        _plans.remove(plan)


# --- BatchWriteItem partial success ------------------------------------------------------------


@dataclass
class HoldBack:
    """Hold back ``per_call`` write requests of each BatchWriteItem, ``rounds`` times."""

    per_call: int
    rounds: int
    held: list[list[dict[str, Any]]] = field(default_factory=list)
    calls: int = 0
    _pending: dict[str, list[dict[str, Any]]] | None = None


_holdbacks: list[HoldBack] = []


def _hold_back(params: dict[str, Any], **_: Any) -> None:
    for hold in _holdbacks:
        hold.calls += 1
        if len(hold.held) >= hold.rounds:
            continue
        pending: dict[str, list[dict[str, Any]]] = {}
        for table, requests in params.get("RequestItems", {}).items():
            count = min(hold.per_call, len(requests) - 1)  # DynamoDB processes at least one
            keep, held = requests[count:], requests[:count]
            params["RequestItems"][table] = keep
            if held:
                pending[table] = held
        hold._pending = pending or None
        if pending:
            hold.held.append([r for rs in pending.values() for r in rs])


def _report_held_back(parsed: dict[str, Any], **_: Any) -> None:
    for hold in _holdbacks:
        if hold._pending:
            unprocessed = parsed.setdefault("UnprocessedItems", {})
            for table, requests in hold._pending.items():
                unprocessed.setdefault(table, []).extend(requests)
            hold._pending = None


@contextlib.contextmanager
def unprocessed(per_call: int = 5, rounds: int = 3) -> Iterator[HoldBack]:
    """BatchWriteItem leaves ``per_call`` requests unprocessed, for ``rounds`` calls."""
    hold = HoldBack(per_call=per_call, rounds=rounds)
    _holdbacks.append(hold)
    try:
        yield hold
    finally:
        _holdbacks.remove(hold)
