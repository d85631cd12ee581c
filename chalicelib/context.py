"""Per-request context: which tenant is being served and the request id.

Set by the API layer once the caller is authenticated (and by jobs while they work on one
tenant's items). The store's tenancy guard, the idempotency layer and the logger read it; no code
takes a tenant id *from* here to decide what data to touch: tenant ids are passed explicitly.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

_tenant: ContextVar[str | None] = ContextVar("tenant_id", default=None)
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_tenant() -> str | None:
    """The tenant whose request (or job slice) is being served, if any."""
    return _tenant.get()


def current_request_id() -> str | None:
    """The id of the request being served, if any."""
    return _request_id.get()


@contextlib.contextmanager
def serving_tenant(tenant_id: str) -> Iterator[None]:
    """Mark the enclosed work as done on behalf of ``tenant_id``."""
    token = _tenant.set(tenant_id)
    try:
        yield
    finally:
        _tenant.reset(token)


def bind_tenant(tenant_id: str | None) -> None:
    """Set the tenant for the rest of the current request (reset by :func:`clear`)."""
    _tenant.set(tenant_id)


def bind_request(request_id: str) -> None:
    """Set the request id for the rest of the current request."""
    _request_id.set(request_id)


def clear() -> None:
    """Forget the tenant and request id (end of a request)."""
    _tenant.set(None)
    _request_id.set(None)
