"""Typed domain errors.

Services and domain code raise these; the HTTP layer maps each *type* to a status code in
exactly one place (``chalicelib.api.problems``). The ``code`` is a stable, machine-readable
identifier that clients may rely on; ``detail`` is for humans.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    """One invalid input field: a dotted/JSON-pointer-like location and a message."""

    field: str
    message: str
    type: str = "invalid"


class DomainError(Exception):
    """Base of every expected, client-caused failure."""

    default_code = "error"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.errors: list[FieldError] = list(errors or [])
        self.retry_after = retry_after


class Invalid(DomainError):
    """The input is well-formed but breaks a rule (422), or is malformed (see BadRequest)."""

    default_code = "validation_failed"


class BadRequest(DomainError):
    """The request cannot be parsed or refers to something nonsensical (400)."""

    default_code = "bad_request"


class Unauthorized(DomainError):
    """Missing or invalid credentials (401)."""

    default_code = "unauthorized"


class Forbidden(DomainError):
    """Credentials are valid but may not do this (403)."""

    default_code = "forbidden"


class NotFound(DomainError):
    """The resource does not exist *for this tenant* (404)."""

    default_code = "not_found"


class Conflict(DomainError):
    """The request conflicts with the current state: duplicates, illegal transitions (409)."""

    default_code = "conflict"


class VersionConflict(Conflict):
    """A conditional update named a version that is no longer current (409)."""

    default_code = "version_conflict"


class Gone(DomainError):
    """The resource existed but can no longer be used: an expired or spent link (410)."""

    default_code = "gone"


class PreconditionRequired(DomainError):
    """An update was sent without the version it is conditional on (428)."""

    default_code = "version_required"


class PayloadTooLarge(DomainError):
    """The request body exceeds the configured limit (413)."""

    default_code = "payload_too_large"


class RateLimited(DomainError):
    """Too many requests; ``retry_after`` seconds tells when to try again (429)."""

    default_code = "rate_limited"


class Unavailable(DomainError):
    """A dependency is temporarily unavailable; safe to retry after ``retry_after`` (503)."""

    default_code = "temporarily_unavailable"


@dataclass(frozen=True)
class TransitionError:
    """Describes a refused state transition, for messages."""

    current: str
    requested: str
    allowed: tuple[str, ...] = field(default_factory=tuple)
