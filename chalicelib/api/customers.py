"""``/v1/customers``: the tenant's end customers."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.customers import (
    Customer,
    CustomerCreate,
    CustomerList,
    CustomerListQuery,
    CustomerUpdate,
)
from chalicelib.services import customers

bp = Blueprint(__name__)
TAG = "customers"


@operation(
    bp,
    "POST",
    "/v1/customers",
    summary="Create a customer",
    tag=TAG,
    scope="customers:write",
    body=CustomerCreate,
    response=Customer,
    status=201,
    idempotent=True,
)
def create_customer(call: Call) -> Customer:
    """Email and external id are unique per tenant (409 when taken)."""
    return customers.create_customer(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/customers",
    summary="List or find customers",
    tag=TAG,
    scope="customers:read",
    query=CustomerListQuery,
    response=CustomerList,
)
def list_customers(call: Call) -> CustomerList:
    """Oldest first; ``email`` or ``external_id`` find a single customer."""
    return customers.list_customers(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/customers/{customer_id}",
    summary="Get a customer",
    tag=TAG,
    scope="customers:read",
    response=Customer,
)
def get_customer(call: Call, customer_id: str) -> Customer:
    """The ETag header carries the version for conditional updates."""
    return customers.get_customer(call.tenant_id, customer_id)


@operation(
    bp,
    "PATCH",
    "/v1/customers/{customer_id}",
    summary="Update a customer",
    tag=TAG,
    scope="customers:write",
    body=CustomerUpdate,
    response=Customer,
    conditional=True,
)
def update_customer(call: Call, customer_id: str) -> Customer:
    """Conditional on ``version`` or ``If-Match``: a stale version is a 409."""
    return customers.update_customer(call.tenant_id, customer_id, call.body, call.if_match)


@operation(
    bp,
    "DELETE",
    "/v1/customers/{customer_id}",
    summary="Delete a customer",
    tag=TAG,
    scope="customers:write",
    status=204,
)
def delete_customer(call: Call, customer_id: str) -> None:
    """Removes the customer's personal data."""
    customers.delete_customer(call.tenant_id, customer_id)
