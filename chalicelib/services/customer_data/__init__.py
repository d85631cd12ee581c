"""Data-subject requests for one end customer: export everything, or erase the person.

Each bounded context owns what it stores about a customer, so each registers a module in
``CONTEXTS`` with two functions:

- ``export(tenant_id, customer_id) -> Any`` — its section of the export (JSON-ready);
- ``erase(tenant_id, customer_id, policy) -> int`` — remove or anonymise its items, returning
  how many it changed. It must be idempotent: an interrupted erasure is simply run again.

Erasure runs the contexts in order and the customer record itself last, so until an erasure is
complete the customer still exists and the request can be repeated (the customer id is the only
handle on the rest). A context added later appends one line here; the lifecycle test checks that
every table holding a ``customer_id`` has a registered context.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from chalicelib.domain.errors import NotFound
from chalicelib.domain.ids import is_id
from chalicelib.schemas.customer_data import CustomerDataExport, ErasureReport, PrivacySettings

# (section name, module). The customer record goes last.
CONTEXTS: list[tuple[str, str]] = [
    ("tickets", "chalicelib.services.customer_data.tickets"),
    ("feedback", "chalicelib.services.customer_data.feedback"),
    ("replays", "chalicelib.services.customer_data.replays"),
    ("followups", "chalicelib.services.customer_data.followups"),
    ("appointments", "chalicelib.services.customer_data.appointments"),
    ("customer", "chalicelib.services.customer_data.customers"),
]

ERASED_TEXT = "[erased at the customer's request]"
ERASED_CUSTOMER = "erased"


@dataclass(frozen=True)
class ErasurePolicy:
    """The tenant's choices for records that are kept in some form."""

    registrations: str = "anonymise"


def _module(path: str) -> ModuleType:
    return importlib.import_module(path)


def _require_customer(tenant_id: str, customer_id: str) -> None:
    from chalicelib.store import customers as store

    if not is_id(customer_id) or store.get_customer(tenant_id, customer_id) is None:
        raise NotFound(f"no customer with id {customer_id}", code="customer_not_found")


def export_customer_data(tenant_id: str, customer_id: str) -> CustomerDataExport:
    """One JSON document with every context's data about the customer."""
    from chalicelib.store.base import utcnow

    _require_customer(tenant_id, customer_id)
    sections: dict[str, Any] = {}
    for name, path in CONTEXTS:
        section = _module(path).export(tenant_id, customer_id)
        if section is not None:
            sections[name] = section
    return CustomerDataExport(customer_id=customer_id, exported_at=utcnow(), sections=sections)


def erase_customer(tenant_id: str, customer_id: str) -> ErasureReport:
    """Anonymise or remove the customer's data in every context, the record itself last."""
    from chalicelib.services.settings import section_values

    _require_customer(tenant_id, customer_id)
    privacy = section_values(tenant_id, PrivacySettings, "privacy")
    policy = ErasurePolicy(registrations=privacy.registrations_on_erasure)
    erased = {
        name: int(_module(path).erase(tenant_id, customer_id, policy)) for name, path in CONTEXTS
    }
    return ErasureReport(customer_id=customer_id, status="erased", erased=erased)
