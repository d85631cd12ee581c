"""Webhook endpoints of a tenant and signed deliveries to them (the follow-up webhook channel).

The signing secret (``whsec_...``) is shown once, when the endpoint is created or its secret is
rotated. It is stored encrypted (AES-256-GCM under a key derived for this purpose, bound to
tenant and endpoint id) because signing needs the secret itself. Signature format, replay
window and SSRF rules: ``domain/webhook_signing.py`` and docs/followups.md.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from chalicelib.config import get_settings
from chalicelib.domain import secret_box
from chalicelib.domain.errors import NotFound, PreconditionRequired
from chalicelib.domain.ids import is_id, new_id
from chalicelib.domain.webhook_signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    parse_target,
    sign,
)
from chalicelib.notify.errors import DeliveryFailed
from chalicelib.schemas.webhooks import (
    Webhook,
    WebhookCreate,
    WebhookList,
    WebhookUpdate,
    WebhookWithSecret,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.services.signing import derived_key
from chalicelib.store import webhooks as store
from chalicelib.store.base import utcnow

_PURPOSE = "webhook-signing-secret"
FOLLOWUP_EVENT = "followup.due"


def _associated(tenant_id: str, webhook_id: str) -> bytes:
    return f"{tenant_id}/{webhook_id}".encode()


def _allow_private() -> bool:
    return get_settings().webhook_allow_private_targets


def _new_secret(tenant_id: str, webhook_id: str) -> tuple[str, str]:
    value = "whsec_" + secrets.token_urlsafe(32)
    sealed = secret_box.encrypt(
        derived_key(_PURPOSE), value.encode(), _associated(tenant_id, webhook_id)
    )
    return value, sealed


def to_webhook(item: store.WebhookItem) -> Webhook:
    """Response model of an endpoint (never the secret)."""
    return Webhook(
        id=item.webhook_id,
        url=item.url,
        description=item.description,
        enabled=bool(item.enabled),
        secret_hint=item.secret_hint,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def create_webhook(tenant_id: str, request: WebhookCreate) -> WebhookWithSecret:
    """Create an endpoint (URL form checked now, its addresses at every delivery)."""
    parse_target(request.url, allow_http=_allow_private())
    webhook_id = new_id()
    value, sealed = _new_secret(tenant_id, webhook_id)
    item = store.create_webhook(
        store.new_webhook(
            tenant_id,
            webhook_id,
            url=request.url,
            description=request.description,
            enabled=request.enabled,
            secret_ciphertext=sealed,
            secret_hint=value[-4:],
        )
    )
    return WebhookWithSecret(**to_webhook(item).model_dump(), secret=value)


def _not_found(webhook_id: str) -> NotFound:
    return NotFound(f"no webhook with id {webhook_id}", code="webhook_not_found")


def _load(tenant_id: str, webhook_id: str) -> store.WebhookItem:
    item = store.get_webhook(tenant_id, webhook_id) if is_id(webhook_id) else None
    if item is None:
        raise _not_found(webhook_id)
    return item


def get_webhook(tenant_id: str, webhook_id: str) -> Webhook:
    """One endpoint, or 404 (also for another tenant's id)."""
    return to_webhook(_load(tenant_id, webhook_id))


def require_webhook(tenant_id: str, webhook_id: str) -> None:
    """404 unless the tenant has this endpoint (follow-ups and rules refer to it)."""
    _load(tenant_id, webhook_id)


def list_webhooks(tenant_id: str, limit: int | None, cursor: str | None) -> WebhookList:
    """One page of the tenant's endpoints."""
    size, start = page_request(tenant_id, "webhooks", limit, cursor)
    page = store.list_webhooks(tenant_id, size, start)
    return WebhookList(
        items=[to_webhook(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "webhooks", page),
    )


def update_webhook(
    tenant_id: str, webhook_id: str, request: WebhookUpdate, if_match: int | None
) -> Webhook | WebhookWithSecret:
    """Change URL, description, enabled; rotate the secret (returned once). Version-checked."""
    version = request.version or if_match
    item = _load(tenant_id, webhook_id)
    if version is None:
        raise PreconditionRequired(
            f"send the webhook's version ({item.version}) in If-Match or the body"
        )
    if int(item.version) != version:
        from chalicelib.domain.errors import VersionConflict

        raise VersionConflict(
            f"the webhook is at version {item.version}, not {version}; fetch it and retry"
        )
    if request.url is not None:
        parse_target(request.url, allow_http=_allow_private())
        item.url = request.url
    if request.description is not None:
        item.description = request.description
    if request.enabled is not None:
        item.enabled = request.enabled
    secret: str | None = None
    if request.rotate_secret:
        secret, item.secret_ciphertext = _new_secret(tenant_id, webhook_id)
        item.secret_hint = secret[-4:]
    store.replace_webhook(item, version)
    if secret is not None:
        return WebhookWithSecret(**to_webhook(item).model_dump(), secret=secret)
    return to_webhook(item)


def delete_webhook(tenant_id: str, webhook_id: str) -> None:
    """Delete an endpoint; follow-ups still aimed at it fail visibly (``webhook_not_found``)."""
    if not is_id(webhook_id) or not store.delete_webhook(tenant_id, webhook_id):
        raise _not_found(webhook_id)


def signed_request(
    secret: bytes, body: bytes, *, delivery_id: str, event: str, now: datetime
) -> dict[str, str]:
    """The headers of a signed delivery of ``body``."""
    return {
        SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body),
        DELIVERY_HEADER: delivery_id,
        EVENT_HEADER: event,
    }


def deliver_followup(tenant_id: str, webhook_id: str | None, payload: dict[str, Any]) -> str:
    """POST a due follow-up to the tenant's endpoint, signed; returns ``"<status> <id>"``.

    Raises :class:`DeliveryFailed` (permanent when the endpoint is gone, disabled, refused or
    answers 4xx; retryable for network errors, 429 and 5xx — the engine backs off and retries).
    """
    import json

    from chalicelib.notify import webhooks as http

    item = store.get_webhook(tenant_id, webhook_id) if webhook_id and is_id(webhook_id) else None
    if item is None:
        raise DeliveryFailed("the webhook endpoint no longer exists", retryable=False)
    if not item.enabled:
        raise DeliveryFailed("the webhook endpoint is disabled", retryable=False)
    secret = secret_box.decrypt(
        derived_key(_PURPOSE), item.secret_ciphertext, _associated(tenant_id, item.webhook_id)
    )
    if secret is None:
        raise DeliveryFailed("the webhook secret cannot be read", retryable=False)
    allow_private = _allow_private()
    try:
        target = parse_target(item.url, allow_http=allow_private)
    except Exception as exc:
        raise DeliveryFailed(f"the webhook URL is not allowed: {exc}", retryable=False) from exc
    body = json.dumps(
        {"type": FOLLOWUP_EVENT, "tenant_id": tenant_id, "data": payload},
        separators=(",", ":"),
        default=str,
    ).encode()
    headers = signed_request(
        secret, body, delivery_id=str(payload["followup_id"]), event=FOLLOWUP_EVENT, now=utcnow()
    )
    answer = http.post(target, body, headers, allow_private=allow_private)
    return f"{answer.status} {item.webhook_id}"
