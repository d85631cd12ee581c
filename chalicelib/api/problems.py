"""RFC 9457 problem responses: the one place where errors become HTTP status codes."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from chalice.app import Response

from chalicelib.domain import errors

PROBLEM_JSON = "application/problem+json"

# Exception type → status. Subclasses come before their bases.
_STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.VersionConflict, 409),
    (errors.BadRequest, 400),
    (errors.Invalid, 422),
    (errors.Unauthorized, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.Conflict, 409),
    (errors.Gone, 410),
    (errors.PreconditionRequired, 428),
    (errors.PayloadTooLarge, 413),
    (errors.RateLimited, 429),
    (errors.Unavailable, 503),
)


def status_for(error: errors.DomainError) -> int:
    """The HTTP status of a domain error type."""
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400


def problem_body(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    request_id: str | None = None,
    field_errors: list[errors.FieldError] | None = None,
) -> dict[str, Any]:
    """The JSON body of a problem response."""
    body: dict[str, Any] = {
        "type": f"urn:aftersales:problem:{code}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    if field_errors:
        body["errors"] = [
            {"field": e.field, "message": e.message, "type": e.type} for e in field_errors
        ]
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    request_id: str | None = None,
    field_errors: list[errors.FieldError] | None = None,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A complete problem+json response."""
    all_headers: dict[str, str | list[str]] = {"Content-Type": PROBLEM_JSON, **(headers or {})}
    if request_id:
        all_headers["X-Request-Id"] = request_id
    if retry_after is not None:
        all_headers["Retry-After"] = str(retry_after)
    if status == 401:
        all_headers["WWW-Authenticate"] = 'Bearer realm="aftersales"'
    body = problem_body(
        status, code, detail, instance=instance, request_id=request_id, field_errors=field_errors
    )
    return Response(body=json.dumps(body), status_code=status, headers=all_headers)


def from_domain_error(
    error: errors.DomainError, *, instance: str | None, request_id: str | None
) -> Response:
    """The problem response of a domain error."""
    return problem_response(
        status_for(error),
        error.code,
        error.detail,
        instance=instance,
        request_id=request_id,
        field_errors=error.errors,
        retry_after=error.retry_after,
    )


_PART_MAX = 64


def _loc_part(part: Any) -> str:
    # Locations echo the client's own keys (dict fields): keep them short, a problem response
    # must not grow with the input (nor break the documented schema of problems).
    text = str(part)
    return text if len(text) <= _PART_MAX else text[: _PART_MAX - 1] + "…"


def field_errors_from_pydantic(raw: list[Any], prefix: str = "") -> list[errors.FieldError]:
    """Pydantic ``ValidationError.errors()`` → field errors with dotted locations."""
    found = []
    for err in raw[:50]:
        loc = ".".join(_loc_part(p) for p in err.get("loc", ()) if p != "__root__")
        found.append(
            errors.FieldError(
                field=(prefix + loc) if loc else (prefix.rstrip(".") or "body"),
                message=str(err.get("msg", "invalid"))[:500],
                type=str(err.get("type", "invalid")),
            )
        )
    return found
