"""``/v1/webhooks``: tenant endpoints that receive signed follow-up deliveries."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.common import ListQuery
from chalicelib.schemas.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookList,
    WebhookUpdate,
    WebhookWithSecret,
)
from chalicelib.services import webhooks

bp = Blueprint(__name__)
TAG = "webhooks"


@operation(
    bp,
    "POST",
    "/v1/webhooks",
    summary="Add a webhook endpoint",
    tag=TAG,
    scope="webhooks:write",
    body=WebhookCreate,
    response=WebhookWithSecret,
    status=201,
    idempotent=True,
)
def create_webhook(call: Call) -> WebhookWithSecret:
    """``https`` only; the signing secret is in this response only (docs/followups.md)."""
    return webhooks.create_webhook(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/webhooks",
    summary="List webhook endpoints",
    tag=TAG,
    scope="webhooks:read",
    query=ListQuery,
    response=WebhookList,
)
def list_webhooks(call: Call) -> WebhookList:
    """Oldest first, without secrets."""
    return webhooks.list_webhooks(call.tenant_id, call.query.limit, call.query.cursor)


@operation(
    bp,
    "GET",
    "/v1/webhooks/{webhook_id}",
    summary="Get a webhook endpoint",
    tag=TAG,
    scope="webhooks:read",
    response=Webhook,
)
def get_webhook(call: Call, webhook_id: str) -> Webhook:
    """The ETag header carries the version for conditional updates."""
    return webhooks.get_webhook(call.tenant_id, webhook_id)


@operation(
    bp,
    "PATCH",
    "/v1/webhooks/{webhook_id}",
    summary="Change a webhook endpoint or rotate its secret",
    tag=TAG,
    scope="webhooks:write",
    body=WebhookUpdate,
    response=Webhook,
    conditional=True,
)
def update_webhook(call: Call, webhook_id: str) -> Webhook:
    """Version-conditional; with ``rotate_secret`` the response carries the new secret."""
    return webhooks.update_webhook(call.tenant_id, webhook_id, call.body, call.if_match)


@operation(
    bp,
    "DELETE",
    "/v1/webhooks/{webhook_id}",
    summary="Delete a webhook endpoint",
    tag=TAG,
    scope="webhooks:write",
    status=204,
)
def delete_webhook(call: Call, webhook_id: str) -> None:
    """Follow-ups still aimed at it fail visibly instead of being sent elsewhere."""
    webhooks.delete_webhook(call.tenant_id, webhook_id)
