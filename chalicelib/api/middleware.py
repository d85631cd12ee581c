"""HTTP middleware: request id, log context, metrics, and problem+json for every error.

Chalice answers some requests itself before a view runs (415 unsupported media type, 405...).
Those responses are rewritten here into problem details so clients see one error format.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib import context
from chalicelib.api.problems import PROBLEM_JSON, problem_response
from chalicelib.domain.ids import new_id
from chalicelib.observability import logger

_CHALICE_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _normalise(response: Response, request_id: str, path: str) -> Response:
    headers = {k.lower(): v for k, v in (response.headers or {}).items()}
    if response.status_code < 400 or headers.get("content-type") == PROBLEM_JSON:
        return response
    if str(headers.get("content-type", "")).startswith("text/html"):
        # A page a view rendered on purpose (an expired survey or unsubscribe link).
        return response
    detail = "the request could not be handled"
    body = response.body
    if isinstance(body, str | bytes):
        try:
            body = json.loads(body)
        except ValueError:
            body = None
    if isinstance(body, dict):
        detail = str(body.get("Message") or body.get("message") or detail)
    status = response.status_code
    code = _CHALICE_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    return problem_response(status, code, detail, instance=path, request_id=request_id)


def http_middleware(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Wrap every HTTP request (registered by ``app.py``)."""
    request_context: dict[str, Any] = getattr(event, "context", None) or {}
    request_id = str(request_context.get("requestId") or new_id())
    context.clear()
    context.bind_request(request_id)
    route = str(request_context.get("resourcePath") or event.path)
    logger.append_keys(request_id=request_id, route=route, tenant_id=None)
    started = time.perf_counter()
    try:
        response = get_response(event)
    except Exception:
        logger.exception("unhandled error outside a view")
        response = problem_response(
            500,
            "internal_error",
            "an unexpected error occurred",
            instance=event.path,
            request_id=request_id,
        )
    response = _normalise(response, request_id, event.path)
    response.headers = {**(response.headers or {}), "X-Request-Id": request_id}
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    logger.info(
        "request",
        extra={
            "method": event.method,
            "path": event.path,
            "status": response.status_code,
            "duration_ms": elapsed_ms,
        },
    )
    _record_metrics(response.status_code, elapsed_ms)
    context.clear()
    logger.remove_keys(["tenant_id", "route", "request_id"])
    return response


def _record_metrics(status: int, elapsed_ms: float) -> None:
    from aws_lambda_powertools.metrics import MetricUnit

    from chalicelib.config import get_settings
    from chalicelib.observability import get_metrics

    metrics = get_metrics()
    tenant = context.current_tenant()
    metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
    metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=elapsed_ms)
    if status >= 500:
        metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
    elif status >= 400:
        metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
    if tenant and get_settings().metrics_tenant_dimension:
        metrics.add_metadata(key="tenant_id", value=tenant)
    metrics.flush_metrics()
    # With POWERTOOLS_METRICS_DISABLED the flush keeps the data points, which then pile up and
    # get printed once a set reaches 100; start each request empty either way.
    metrics.clear_metrics()
