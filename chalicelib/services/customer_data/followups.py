"""Follow-ups of a customer: exported; on erasure deleted with the contact history.

Planned and past outreach is about the person (their address, what they were asked and when),
so nothing of it is kept: every follow-up to the customer (any status: an in-flight one's
worker finds it gone and stops) and their contact history are removed. The unsubscribe-from-
everything choice goes with the history; the survey opt-out belongs to the feedback context.
"""

from __future__ import annotations

from typing import Any

from chalicelib.store import followups as store

# Tables whose items this context erases (the lifecycle test checks every table is covered).
TABLES = ("followups",)


def export(tenant_id: str, customer_id: str) -> Any:
    """The customer's follow-ups and contact history."""
    items = [
        {
            "id": f.followup_id,
            "kind": f.kind,
            "channel": f.channel,
            "status": f.status,
            "subject_kind": f.subject_kind,
            "subject_id": f.subject_id,
            "due_at": f.due_at.isoformat(),
            "sent_at": f.sent_at.isoformat() if f.sent_at else None,
            "reason": f.reason,
        }
        for f in store.customer_followups(tenant_id, customer_id)
    ]
    contact = store.get_contact(tenant_id, customer_id)
    return {
        "followups": items,
        "contacted_at": sorted((contact.sends or {}).values()) if contact else [],
        "unsubscribed_from_all": bool(contact and contact.all_unsubscribed),
    }


def erase(tenant_id: str, customer_id: str, policy: Any) -> int:
    """Delete every follow-up to the customer and the contact history (idempotent)."""
    changed = 0
    for item in list(store.customer_followups(tenant_id, customer_id)):
        store.delete_followup(tenant_id, item.followup_id)
        changed += 1
    if store.delete_contact(tenant_id, customer_id):
        changed += 1
    return changed
