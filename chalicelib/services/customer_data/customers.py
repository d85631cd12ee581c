"""The customer record: exported as the API shows it; erased by deleting it and its guards."""

from __future__ import annotations

from typing import Any

from chalicelib.store import customers as store

# Tables whose items this context erases (the lifecycle test checks every table is covered).
TABLES = ("customers",)


def export(tenant_id: str, customer_id: str) -> Any:
    """The customer record as ``GET /v1/customers/{id}`` shows it."""
    from chalicelib.services.customers import to_customer

    item = store.get_customer(tenant_id, customer_id)
    return None if item is None else to_customer(item).model_dump(mode="json")


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Delete the record and its email / external-id guards (nothing left to link to)."""
    item = store.get_customer(tenant_id, customer_id)
    if item is None:
        return 0
    store.delete_customer(item)
    return 1 + int(bool(item.email)) + int(bool(item.external_id))
