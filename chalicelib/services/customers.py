"""A tenant's end customers: create, read, update (version-conditional), delete, list, find."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import Invalid, NotFound, PreconditionRequired, VersionConflict
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.customers import (
    Customer,
    CustomerCreate,
    CustomerList,
    CustomerListQuery,
    CustomerUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import customers as store


def to_customer(item: store.CustomerItem) -> Customer:
    """Response model of a customer record."""
    return Customer(
        id=item.customer_id,
        name=item.name,
        email=item.email,
        phone=item.phone,
        external_id=item.external_id,
        locale=item.locale,  # type: ignore[arg-type]
        time_zone=item.time_zone,
        marketing_consent=item.marketing_consent,
        contact_consent=item.contact_consent,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def _not_found(customer_id: str) -> NotFound:
    return NotFound(f"no customer with id {customer_id}", code="customer_not_found")


def _load(tenant_id: str, customer_id: str) -> store.CustomerItem:
    item = store.get_customer(tenant_id, customer_id) if is_id(customer_id) else None
    if item is None:
        raise _not_found(customer_id)
    return item


def create_customer(tenant_id: str, request: CustomerCreate) -> Customer:
    """Create a customer; a taken email or external id is a 409."""
    item = store.create_customer(tenant_id, new_id(), **request.model_dump())
    return to_customer(item)


def get_customer(tenant_id: str, customer_id: str) -> Customer:
    """One customer, or 404 (also for another tenant's id)."""
    return to_customer(_load(tenant_id, customer_id))


def update_customer(
    tenant_id: str, customer_id: str, request: CustomerUpdate, if_match: int | None
) -> Customer:
    """Apply a partial update conditional on the caller's version (stale → 409)."""
    expected = request.version or if_match
    if expected is None:
        raise PreconditionRequired(
            "send the version you are updating, as 'version' or an If-Match header"
        )
    if request.version and if_match and request.version != if_match:
        raise Invalid("'version' and If-Match disagree", code="version_mismatch")
    current = _load(tenant_id, customer_id)
    if current.version != expected:
        raise VersionConflict(
            f"the customer is at version {current.version}, not {expected}; fetch it and retry"
        )
    changes: dict[str, Any] = request.model_dump(exclude_unset=True, exclude={"version"})
    if "name" in changes and changes["name"] is None:
        raise Invalid("name cannot be removed", code="validation_failed")
    for flag in ("marketing_consent", "contact_consent"):
        if flag in changes and changes[flag] is None:
            raise Invalid(f"{flag} must be true or false", code="validation_failed")
    if not changes:
        return to_customer(current)
    return to_customer(store.update_customer(current, expected, changes))


def delete_customer(tenant_id: str, customer_id: str) -> None:
    """Delete the customer record and its uniqueness guards (their personal data)."""
    store.delete_customer(_load(tenant_id, customer_id))


def list_customers(tenant_id: str, query: CustomerListQuery) -> CustomerList:
    """A page of customers; ``email`` or ``external_id`` narrow it to at most one."""
    if query.email or query.external_id:
        if query.cursor:
            raise Invalid(
                "a lookup by email or external_id has no further pages", code="invalid_cursor"
            )
        found = (
            store.find_by_email(tenant_id, query.email)
            if query.email
            else store.find_by_external_id(tenant_id, query.external_id or "")
        )
        if found and query.external_id and found.external_id != query.external_id:
            found = None
        if found and query.email and (found.email or "").lower() != query.email.lower():
            found = None
        return CustomerList(items=[to_customer(found)] if found else [], next_cursor=None)
    size, start = page_request(tenant_id, "customers", query.limit, query.cursor)
    page = store.list_customers(tenant_id, size, start)
    return CustomerList(
        items=[to_customer(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, "customers", page),
    )
