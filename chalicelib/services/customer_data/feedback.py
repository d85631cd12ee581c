"""Feedback of a customer: exported; on erasure kept without identity (scores and reports stay).

Each response keeps its score, comment and report buckets but loses its customer id (and so
leaves the customer index); the customer's survey opt-out record is removed.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import customer_data as store

# Tables whose items this context erases (the lifecycle test checks every table is covered).
TABLES = ("feedback",)


def export(tenant_id: str, customer_id: str) -> Any:
    """The customer's survey answers and whether they opted out of surveys."""
    responses = [
        {
            "kind": r.kind,
            "score": int(r.score),
            "comment": r.comment,
            "subject_kind": r.subject_kind,
            "subject_id": r.subject_id,
            "answered_at": r.answered_at.isoformat(),
        }
        for r in store.customer_responses(tenant_id, customer_id)
    ]
    optout = store.optout(tenant_id, customer_id)
    return {"responses": responses, "surveys_opted_out": optout is not None}


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Detach every response from the customer and drop the opt-out record (idempotent)."""
    from chalicelib.services.customer_data import ERASED_CUSTOMER

    changed = 0
    for response in list(store.customer_responses(tenant_id, customer_id)):
        store.detach_response(response, ERASED_CUSTOMER)
        changed += 1
    if store.delete_optout(tenant_id, customer_id):
        changed += 1
    return changed
