"""``/health`` and ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import Health

bp = Blueprint(__name__)


@operation(bp, "GET", "/health", summary="Liveness", tag="meta", auth="none", response=Health)
def health(call: Call) -> Health:
    """Always 200 while the function can answer."""
    return Health(status="ok")


@operation(bp, "GET", "/openapi.json", summary="The OpenAPI 3.1 document", tag="meta", auth="none")
def openapi(call: Call) -> dict[str, Any]:
    """Generated from the route table and the request/response models."""
    from chalicelib.api.openapi import openapi_document

    return openapi_document()
