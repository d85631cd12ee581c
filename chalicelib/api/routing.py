"""Declaring API operations: one decorator registers the Chalice route and records the metadata
that the OpenAPI document is generated from.

The wrapper does everything every route needs, in one place: body size limit, JSON parsing,
authentication and scope, pydantic validation of body and query, ``If-Match`` and
``Idempotency-Key`` headers, serialisation, and mapping errors to problem responses. A route
function receives a :class:`Call` and returns a pydantic model (or None for 204).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel, ValidationError

from chalicelib import context
from chalicelib.api.formats import time_format_errors
from chalicelib.api.headers import request_headers
from chalicelib.api.problems import field_errors_from_pydantic, from_domain_error, problem_response
from chalicelib.config import get_settings
from chalicelib.domain.errors import BadRequest, DomainError, Invalid, PayloadTooLarge
from chalicelib.observability import logger

if TYPE_CHECKING:
    from chalicelib.services.auth import Principal
    from chalicelib.services.widget_auth import WidgetPrincipal

AuthKind = Literal["none", "secret", "platform", "widget"]
IdentityMode = Literal["none", "optional", "required"]
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
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
    # Widget operations (auth="widget"): the key feature they need, whether a signed customer
    # identity is read, and whether they count against the stricter per-client submission limit.
    feature: str | None = None
    identity: IdentityMode = "none"
    submission: bool = False
    # Also accepts an HTML form post (its fields are ignored): RFC 8058 one-click unsubscribe,
    # which mail clients send as ``List-Unsubscribe=One-Click`` form data.
    form: bool = False
    # Customer pages posted as HTML forms: renders a refused form post (invalid fields too) as
    # a page, ``(error, headers, path params) -> Response``, instead of a problem document.
    form_problem: Callable[..., Response] | None = None


OPERATIONS: list[Operation] = []
# Widget paths and the methods that serve them (their CORS preflights answer with these).
_WIDGET_METHODS: dict[str, list[str]] = {}


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
    widget: WidgetPrincipal | None = None

    @property
    def tenant_id(self) -> str:
        """The authenticated tenant (the only source of tenant ids)."""
        if self.widget is not None:
            return self.widget.tenant_id
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
    feature: str | None = None,
    identity: IdentityMode = "none",
    submission: bool = False,
    form: bool = False,
    form_problem: Callable[..., Response] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn`` as the handler of ``method path`` (see module docstring).

    Paths under ``/widget/`` also get an ``OPTIONS`` route answering CORS preflights.
    """

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
            feature=feature,
            identity=identity,
            submission=submission,
            form=form,
            form_problem=form_problem,
        )
        OPERATIONS.append(op)
        _register_preflight(bp, path, method)

        def view(**params: str) -> Response:
            return execute(bp.current_request, op, fn, params)

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        bp.route(path, methods=[method], content_types=[JSON, FORM] if form else [JSON])(view)
        return fn

    return register


def _is_form(headers: dict[str, str]) -> bool:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower() == FORM


def _integer_field(annotation: Any) -> bool:
    from typing import get_args

    return annotation is int or int in get_args(annotation)


def _form_as_json(model: type[BaseModel], raw: bytes) -> bytes:
    """An HTML form post (``application/x-www-form-urlencoded``) as the JSON body of ``model``.

    Each field once; empty fields are left out (an optional field not filled in); digits
    become integers for integer fields (forms only send strings, the models are strict).
    Unknown fields stay and are refused by the model like any unknown JSON field.
    """
    from urllib.parse import parse_qs

    limit = get_settings().max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge(f"the request body exceeds {limit} bytes")
    try:
        fields = parse_qs(
            raw.decode("utf-8", errors="strict"), max_num_fields=50, strict_parsing=False
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("the form is not valid", code="malformed_form") from exc
    data: dict[str, Any] = {}
    for name, values in fields.items():
        if len(values) > 1:
            raise BadRequest(f"form field '{name}' is given more than once", code="malformed_form")
        value = values[0]
        info = model.model_fields.get(name)
        if (
            info is not None
            and _integer_field(info.annotation)
            and re.fullmatch(r"-?\d{1,9}", value)
        ):
            data[name] = int(value)
        elif value.strip():
            data[name] = value
    return json.dumps(data).encode()


def _register_preflight(bp: Blueprint, path: str, method: str) -> None:
    from chalicelib.api.cors import is_widget_path, preflight

    if not is_widget_path(path):
        return
    methods = _WIDGET_METHODS.setdefault(path, [])
    methods.append(method)
    if len(methods) > 1:
        return

    def answer_preflight(**_params: str) -> Response:
        return preflight(bp.current_request, methods)

    name = "preflight_" + re.sub(r"[^a-z0-9]+", "_", path.lower()).strip("_")
    answer_preflight.__name__ = name
    bp.route(path, methods=["OPTIONS"], content_types=[JSON], name=name)(answer_preflight)


def widget_paths() -> dict[str, list[str]]:
    """Every widget path and its methods (OpenAPI documents their preflights)."""
    all_operations()
    return {path: list(methods) for path, methods in _WIDGET_METHODS.items()}


def _remaining_ms(bp_request: Request) -> int:
    lambda_context = getattr(bp_request, "lambda_context", None)
    getter = getattr(lambda_context, "get_remaining_time_in_millis", None)
    return int(getter()) if callable(getter) else 30_000


def _authenticate(op: Operation, headers: dict[str, str]) -> Principal | None:
    if op.auth == "none":
        return None
    # Imported here: authentication pulls in the store (PynamoDB, botocore); public routes
    # (health, survey pages) and their cold start do without it.
    from chalicelib.services.auth import authenticate_platform, authenticate_secret

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
    settings = get_settings()
    limit = settings.widget_max_body_bytes if op.auth == "widget" else settings.max_body_bytes
    if len(raw) > limit:
        raise PayloadTooLarge(f"the request body exceeds {limit} bytes")
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
    time_errors = time_format_errors(op.body, data)
    if time_errors:
        raise Invalid("the request body is not valid", code="validation_failed", errors=time_errors)
    try:
        # Strict JSON-mode validation: JSON types must match the documented schema (``0`` is
        # not a boolean, ``"5"`` not an integer); JSON-only spellings (RFC 3339 strings for
        # times, strings for enums) still parse.
        return op.body.model_validate_json(text if text.strip() else "{}", strict=True), data
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
    time_errors = time_format_errors(op.query, values)
    if time_errors:
        raise BadRequest(
            "the query parameters are not valid", code="invalid_query", errors=time_errors
        )
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


def _filled(path: str, params: dict[str, str]) -> str:
    from urllib.parse import quote

    for name, value in params.items():
        path = path.replace("{" + name + "}", quote(value, safe=""))
    return path


@functools.cache
def _item_route(collection: str) -> bool:
    """Whether ``GET <collection>/{id}`` exists (then a create answers with ``Location``)."""
    return any(
        o.method == "GET"
        and o.path.startswith(collection + "/{")
        and o.path.endswith("}")
        and "/" not in o.path[len(collection) + 1 :]
        for o in OPERATIONS
    )


def _render(op: Operation, result: Any, request_path: str | None = None) -> dict[str, Any]:
    if isinstance(result, Response):
        # A complete response (e.g. an HTML page for a browser): passed through unchanged.
        return {"response": result}
    if result is None:
        return {"status": 204, "body": None, "headers": {}}
    body = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
    headers: dict[str, str] = {}
    version = body.get("version") if isinstance(body, dict) else None
    if isinstance(version, int):
        headers["ETag"] = f'"{version}"'
    created = body.get("id") if isinstance(body, dict) else None
    if op.status == 201 and isinstance(created, str) and request_path and _item_route(op.path):
        headers["Location"] = f"{request_path.rstrip('/')}/{created}"
    return {"status": op.status, "body": body, "headers": headers}


def _source_ip(request: Request) -> str | None:
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    ip = identity.get("sourceIp")
    return str(ip) if ip else None


def _admit_widget(
    op: Operation, request: Request, headers: dict[str, str], cors: dict[str, str]
) -> WidgetPrincipal:
    """Widget key + origin first (CORS headers only after), then tenant, limits, identity."""
    from chalicelib.api.cors import allow
    from chalicelib.services import widget_auth

    access = widget_auth.resolve(headers.get("x-widget-key"), headers.get("origin"))
    cors.update(allow(access.origin))
    context.bind_tenant(access.tenant_id)
    logger.append_keys(tenant_id=access.tenant_id)
    token = None
    if op.identity != "none" and headers.get("authorization"):
        from chalicelib.services.auth import bearer_token

        token = bearer_token(headers.get("authorization"))
    return widget_auth.admit(
        access,
        feature=op.feature,
        identity_token=token,
        identity_required=op.identity == "required",
        source_ip=_source_ip(request),
        submission=op.submission,
    )


def _public_widget_cors(headers: dict[str, str], cors: dict[str, str]) -> None:
    """Token endpoints under /widget/: readable from origins some widget key allows."""
    from chalicelib.api.cors import allow, origin_known

    origin = headers.get("origin")
    if origin and origin_known(origin):
        cors.update(allow(origin))


def _with_headers(response: Response, extra: dict[str, str]) -> Response:
    if extra:
        response.headers = {**(response.headers or {}), **extra}
    return response


def execute(
    request: Request, op: Operation, fn: Callable[..., Any], params: dict[str, str]
) -> Response:
    """Run one operation for one request; every failure becomes a problem response."""
    request_id = context.current_request_id() or ""
    headers: dict[str, str] = {}
    instance = request.path if hasattr(request, "path") else op.path
    from chalicelib.api.cors import is_widget_path

    widget_path = is_widget_path(op.path)
    cors: dict[str, str] = {"Vary": "Origin"} if widget_path else {}
    try:
        headers = request_headers(request.headers)
        widget: WidgetPrincipal | None = None
        principal: Principal | None = None
        if op.auth == "widget":
            widget = _admit_widget(op, request, headers, cors)
        else:
            if widget_path:
                _public_widget_cors(headers, cors)
            principal = _authenticate(op, headers)
        raw_body = request.raw_body or b""
        raw = raw_body.encode() if isinstance(raw_body, str) else raw_body
        if op.form and _is_form(headers):
            # A form post's fields carry nothing body-less operations read; for the others
            # (no-JavaScript customer pages) they become the JSON object the model validates.
            raw = b"" if op.body is None else _form_as_json(op.body, raw)
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
            widget=widget,
        )
        if op.idempotent and call.idempotency_key:
            from chalicelib.services.idempotency import run_once

            tenant = widget.tenant_id if widget else principal.tenant_id if principal else None
            scoped_key = call.idempotency_key
            if widget is not None:
                # Public callers share a tenant: a retry must come from the same client and
                # customer to replay a response, so nobody can fetch another visitor's answer.
                who = widget.identity.external_id if widget.identity else ""
                scoped_key = f"{widget.client}/{who}/{scoped_key}"
            rendered = run_once(
                tenant_id=tenant,
                operation=op.name,
                idempotency_key=scoped_key,
                payload={"path": params, "body": raw_json},
                remaining_ms=_remaining_ms(request),
                action=lambda: _render(op, fn(call, **params), _filled(op.path, params)),
            )
        else:
            rendered = _render(op, fn(call, **params), _filled(op.path, params))
    except DomainError as error:
        if op.form_problem is not None and op.form and _is_form(headers):
            return _with_headers(op.form_problem(error, headers, **params), cors)
        return _with_headers(
            from_domain_error(error, instance=instance, request_id=request_id), cors
        )
    except Exception as error:
        return _with_headers(
            unexpected_error(error, instance=instance, request_id=request_id), cors
        )
    if "response" in rendered:
        passed: Response = rendered["response"]
        return _with_headers(passed, cors)
    response_headers = {"Content-Type": JSON, **rendered["headers"], **cors}
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
