"""Stored responses of idempotent creates (``Idempotency-Key`` replays, kept 24 hours).

A create's response is kept so a retried request gets it back; for a customer it carries their
name and email. Erasure deletes every stored response that mentions the customer (by id, email
or external id). Nothing to export: these are copies of what the other sections hold.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import customer_data as store

TABLES = ("idempotency",)


def export(tenant_id: str, customer_id: str) -> Any:
    """Nothing of its own (copies of other sections, deleted after 24 hours)."""
    return None


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Delete the stored replays that name the customer."""
    from chalicelib.store import customers as customers_store

    item = customers_store.get_customer(tenant_id, customer_id)
    needles = [customer_id]
    if item is not None:
        needles += [v for v in (item.email, item.external_id, item.phone) if v]
    return store.delete_replays(store.replays_mentioning(tenant_id, needles))
