"""``/v1/customers/{id}/export`` and ``/erase``: a customer's data-subject requests."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.customer_data import CustomerDataExport, ErasureReport
from chalicelib.services import customer_data

bp = Blueprint(__name__)
TAG = "customers"


@operation(
    bp,
    "GET",
    "/v1/customers/{customer_id}/export",
    summary="Export everything stored about a customer",
    tag=TAG,
    scope="admin",
    response=CustomerDataExport,
)
def export_customer_data(call: Call, customer_id: str) -> CustomerDataExport:
    """One JSON document, a section per area (customer, tickets, feedback...)."""
    return customer_data.export_customer_data(call.tenant_id, customer_id)


@operation(
    bp,
    "POST",
    "/v1/customers/{customer_id}/erase",
    summary="Erase a customer (right to erasure)",
    tag=TAG,
    scope="admin",
    response=ErasureReport,
)
def erase_customer(call: Call, customer_id: str) -> ErasureReport:
    """Tickets anonymised, feedback kept without identity, then the record deleted. Safe to
    repeat if interrupted (the customer is deleted last)."""
    return customer_data.erase_customer(call.tenant_id, customer_id)
