"""Service visits of a customer: exported as the API shows them; erased by removing what
locates or names the person.

A visit's ``address`` is where the customer lives or works (personal data, like the address on
the customer record), ``signed_off_by`` is their name and ``notes`` are the instructions given
for the visit (door codes, who to ask for). Erasure removes the address and the sign-off name
and redacts the notes; the visit itself stays (the tenant's service history, a plan's visit
count and the technician's ``outcome_notes`` on the work done remain true), keeping a customer
id that no longer resolves to anyone once the customer record is deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chalicelib.store import service as store

# Tables whose items this context rewrites (the lifecycle test checks every table is covered).
TABLES = ("service",)

_PAGE = 100


def _visits(tenant_id: str, customer_id: str) -> Iterator[store.ServiceItem]:
    """Every appointment of the customer, page by page (Query ``by_customer``)."""
    hash_key = store.customer_index_key(tenant_id, customer_id, "APPOINTMENT")
    start = None
    while True:
        page = store.list_index("by_customer", hash_key, _PAGE, start)
        yield from page.items
        if page.next_key is None:
            return
        start = page.next_key


def export(tenant_id: str, customer_id: str) -> Any:
    """Every visit of the customer as ``GET /v1/appointments/{id}`` shows it."""
    from chalicelib.services.appointments import to_appointment

    visits = [
        to_appointment(item).model_dump(mode="json") for item in _visits(tenant_id, customer_id)
    ]
    return visits or None


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Remove the visit address and sign-off name, redact the notes (idempotent)."""
    from chalicelib.services.customer_data import ERASED_TEXT

    changed = 0
    for item in list(_visits(tenant_id, customer_id)):
        data = item.data
        erased = {
            "address": None,
            "signed_off_by": None,
            "notes": ERASED_TEXT if data.get("notes") else None,
        }
        if all(data.get(name) == value for name, value in erased.items()):
            continue
        updated = store.copy(item)
        updated.data = {**data, **erased}
        store.save_version(updated, int(item.version), what="appointment")
        changed += 1
    return changed
