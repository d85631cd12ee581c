"""Declaring API operations: one decorator registers the Chalice route and records the metadata
that the OpenAPI document is generated from.

The wrapper does everything every route needs, in one place: body size limit, JSON parsing,
authentication and scope, pydantic validation of body and query, ``If-Match`` and
``Idempotency-Key`` headers, serialisation, and mapping errors to problem responses. A route
function receives a :class:`Call` and returns a pydantic model (or None for 204).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib import context
from chalicelib.api.problems import field_errors_from_pydantic, from_domain_error, problem_response
from chalicelib.config import get_settings
from chalicelib.domain.errors import BadRequest, DomainError, Invalid, PayloadTooLarge
from chalicelib.observability import logger
from chalicelib.services.auth import Principal, authenticate_platform, authenticate_secret

AuthKind = Literal["none", "secret", "platform"]
JSON = "application/json"
_IF_MATCH = re.compile(r'^\s*(?:W/)?"?([0-9]{1,12})"?\s*$')
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@dataclass(frozen=True)
class Operation:
    """One API operation: route, auth, models, and how it answers."""

    name: str
    method: str
    path: str
    summary: str
    tag: str
    auth: AuthKind
    scope: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    idempotent: bool
    conditional: bool
    description: str = ""


OPERATIONS: list[Operation] = []


def all_operations() -> list[Operation]:
    """Every operation of the API (imports blueprint modules not loaded yet)."""
    from chalicelib.api.lazy_routes import load_all

    load_all()
    return OPERATIONS


@dataclass
class Call:
    """What a route function gets: the caller, the validated input and request metadata."""

    principal: Principal | None
    request_id: str
    body: Any = None
    query: Any = None
    if_match: int | None = None
    idempotency_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        """The authenticated tenant (the only source of tenant ids)."""
        if self.principal is None or self.principal.tenant_id is None:
            raise RuntimeError("tenant_id read on an operation without a tenant principal")
        return self.principal.tenant_id


def operation(
    bp: Blueprint,
    method: str,
    path: str,
    *,
    summary: str,
    tag: str,
    response: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    scope: str | None = None,
    auth: AuthKind = "secret",
    status: int = 200,
    idempotent: bool = False,
    conditional: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the handler of ``method path`` (see module docstring)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(
            name=fn.__name__,
            method=method,
            path=path,
            summary=summary,
            tag=tag,
            auth=auth,
            scope=scope,
            body=body,
            query=query,
            response=response,
            status=status,
            idempotent=idempotent,
            conditional=conditional,
            description=(fn.__doc__ or "").strip(),
        )
        OPERATIONS.append(op)

        def view(**params: str) -> Response:
            return execute(bp.current_request, op, fn, params)

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        bp.route(path, methods=[method], content_types=[JSON])(view)
        return fn

    return register


def _remaining_ms(bp_request: Request) -> int:
    lambda_context = getattr(bp_request, "lambda_context", None)
    getter = getattr(lambda_context, "get_remaining_time_in_millis", None)
    return int(getter()) if callable(getter) else 30_000


def _authenticate(op: Operation, headers: dict[str, str]) -> Principal | None:
    if op.auth == "none":
        return None
    authorization = headers.get("authorization")
    if op.auth == "platform":
        return authenticate_platform(authorization)
    principal = authenticate_secret(authorization)
    context.bind_tenant(principal.tenant_id)
    logger.append_keys(tenant_id=principal.tenant_id)
    if op.scope:
        principal.require(op.scope)
    return principal


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _parse_body(op: Operation, raw: bytes) -> tuple[Any, dict[str, Any] | None]:
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge(f"the request body exceeds {get_settings().max_body_bytes} bytes")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise BadRequest("the body is not valid UTF-8", code="malformed_json") from exc
    if not text.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise BadRequest(f"the body is not valid JSON: {exc}", code="malformed_json") from exc
    if op.body is None:
        if data not in ({}, None):
            raise BadRequest("this operation takes no request body", code="unexpected_body")
        return None, None
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object", code="invalid_body")
    try:
        return op.body.model_validate(data), data
    except ValidationError as exc:
        raise Invalid(
            "the request body is not valid",
            code="validation_failed",
            errors=field_errors_from_pydantic(exc.errors()),
        ) from exc


def _parse_query(op: Operation, request: Request) -> Any:
    params: Any = request.query_params or {}
    if op.query is None:
        if params:
            raise BadRequest("this operation takes no query parameters", code="invalid_query")
        return None
    values: dict[str, Any] = {}
    for name in params:
        got = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        if len(got) > 1:
            raise BadRequest(
                f"query parameter '{name}' is given more than once", code="invalid_query"
            )
        values[name] = got[0]
    try:
        return op.query.model_validate(values)
    except ValidationError as exc:
        raise BadRequest(
            "the query parameters are not valid",
            code="invalid_query",
            errors=field_errors_from_pydantic(exc.errors()),
        ) from exc


def _header_values(headers: dict[str, str]) -> tuple[int | None, str | None]:
    if_match: int | None = None
    raw_if_match = headers.get("if-match")
    if raw_if_match is not None:
        matched = _IF_MATCH.match(raw_if_match)
        if not matched or int(matched.group(1)) < 1:
            raise BadRequest('If-Match must be a version ETag such as "3"', code="invalid_if_match")
        if_match = int(matched.group(1))
    key = headers.get("idempotency-key")
    if key is not None and not _IDEMPOTENCY_KEY.match(key):
        raise BadRequest(
            "Idempotency-Key must be 1-255 printable ASCII characters",
            code="invalid_idempotency_key",
        )
    return if_match, key


def _render(op: Operation, result: Any) -> dict[str, Any]:
    if result is None:
        return {"status": 204, "body": None, "headers": {}}
    body = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    headers: dict[str, str] = {}
    version = body.get("version") if isinstance(body, dict) else None
    if isinstance(version, int):
        headers["ETag"] = f'"{version}"'
    return {"status": op.status, "body": body, "headers": headers}


def execute(
    request: Request, op: Operation, fn: Callable[..., Any], params: dict[str, str]
) -> Response:
    """Run one operation for one request; every failure becomes a problem response."""
    request_id = context.current_request_id() or ""
    headers = {k.lower(): v for k, v in (request.headers or {}).items()}
    instance = request.path if hasattr(request, "path") else op.path
    try:
        principal = _authenticate(op, headers)
        raw_body = request.raw_body or b""
        raw = raw_body.encode() if isinstance(raw_body, str) else raw_body
        body, raw_json = _parse_body(op, raw)
        query = _parse_query(op, request)
        if_match, idempotency_key = _header_values(headers)
        call = Call(
            principal=principal,
            request_id=request_id,
            body=body,
            query=query,
            if_match=if_match,
            idempotency_key=idempotency_key if op.idempotent else None,
            headers=headers,
        )
        if op.idempotent and call.idempotency_key:
            from chalicelib.services.idempotency import run_once

            rendered = run_once(
                tenant_id=principal.tenant_id if principal else None,
                operation=op.name,
                idempotency_key=call.idempotency_key,
                payload={"path": params, "body": raw_json},
                remaining_ms=_remaining_ms(request),
                action=lambda: _render(op, fn(call, **params)),
            )
        else:
            rendered = _render(op, fn(call, **params))
    except DomainError as error:
        return from_domain_error(error, instance=instance, request_id=request_id)
    except Exception as error:
        return unexpected_error(error, instance=instance, request_id=request_id)
    response_headers = {"Content-Type": JSON, **rendered["headers"]}
    body_text = None if rendered["body"] is None else json.dumps(rendered["body"])
    return Response(body=body_text or "", status_code=rendered["status"], headers=response_headers)


def unexpected_error(error: Exception, *, instance: str, request_id: str) -> Response:
    """503 for throttling (safe to retry), 500 for everything else (a bug, logged)."""
    from chalicelib.store.errors import is_throttling

    if is_throttling(error):
        logger.warning("dynamodb throttled", extra={"error": type(error).__name__})
        return problem_response(
            503,
            "temporarily_unavailable",
            "the service is busy; retry after the indicated time",
            instance=instance,
            request_id=request_id,
            retry_after=1,
        )
    logger.exception("unhandled error")
    return problem_response(
        500,
        "internal_error",
        "an unexpected error occurred; it has been logged with this request id",
        instance=instance,
        request_id=request_id,
    )
