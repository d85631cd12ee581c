"""Webhook endpoints: tenant URLs that receive signed follow-up deliveries.

Stored in the follow-ups table (they exist for its webhook channel):

| item             | pk                  | sk              |
|------------------|---------------------|-----------------|
| webhook endpoint | ``<tenant>#WEBHOOK`` | ``<webhook id>`` |

Access patterns: get by id (GetItem), list a tenant's endpoints (Query, oldest first), change
(version-conditional Put), delete (Delete). The signing secret is stored encrypted
(AES-256-GCM, bound to tenant and webhook id); see ``services/webhooks.py``.
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, UnicodeAttribute, UTCDateTimeAttribute

from chalicelib.domain.errors import VersionConflict
from chalicelib.store.base import VersionedMixin, key, utcnow
from chalicelib.store.errors import is_condition_failure
from chalicelib.store.followups import FollowUpsTable
from chalicelib.store.paging import Page, StartKey, query_page


class WebhookItem(VersionedMixin, FollowUpsTable):
    """One webhook endpoint of a tenant."""

    webhook_id = UnicodeAttribute()
    url = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    enabled = BooleanAttribute(default=True)
    secret_ciphertext = UnicodeAttribute()
    secret_hint = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()


def webhooks_pk(tenant_id: str) -> str:
    """Partition of a tenant's webhook endpoints."""
    return key(tenant_id, "WEBHOOK")


def new_webhook(
    tenant_id: str,
    webhook_id: str,
    *,
    url: str,
    description: str | None,
    enabled: bool,
    secret_ciphertext: str,
    secret_hint: str,
) -> WebhookItem:
    """Build (not save) a webhook endpoint at version 1."""
    now = utcnow()
    return WebhookItem(
        pk=webhooks_pk(tenant_id),
        sk=webhook_id,
        tenant_id=tenant_id,
        webhook_id=webhook_id,
        url=url,
        description=description,
        enabled=enabled,
        secret_ciphertext=secret_ciphertext,
        secret_hint=secret_hint,
        created_at=now,
        updated_at=now,
        version=1,
    )


def create_webhook(item: WebhookItem) -> WebhookItem:
    """Save a new endpoint."""
    item.save(condition=WebhookItem.pk.does_not_exist())
    return item


def get_webhook(tenant_id: str, webhook_id: str) -> WebhookItem | None:
    """One endpoint (consistent), or None."""
    try:
        return WebhookItem.get(webhooks_pk(tenant_id), webhook_id, consistent_read=True)
    except WebhookItem.DoesNotExist:
        return None


def list_webhooks(tenant_id: str, limit: int, start_key: StartKey | None) -> Page[WebhookItem]:
    """One page of a tenant's endpoints (ids sort by creation)."""
    return query_page(WebhookItem, webhooks_pk(tenant_id), limit=limit, start_key=start_key)


def replace_webhook(item: WebhookItem, expected_version: int) -> WebhookItem:
    """Write ``item`` as the next version if the stored one is ``expected_version``."""
    item.version = expected_version + 1
    item.updated_at = utcnow()
    try:
        item.save(condition=WebhookItem.version == expected_version)
    except Exception as exc:
        if is_condition_failure(exc):
            item.version = expected_version
            raise VersionConflict(
                "the webhook was changed meanwhile; fetch it and retry with its version"
            ) from exc
        raise
    return item


def delete_webhook(tenant_id: str, webhook_id: str) -> bool:
    """Delete an endpoint; False when there was none."""
    try:
        WebhookItem(webhooks_pk(tenant_id), webhook_id).delete(condition=WebhookItem.pk.exists())
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise
    return True
