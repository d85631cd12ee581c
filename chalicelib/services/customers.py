"""A tenant's end customers: create, read, update (version-conditional), delete, list, find."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import regions
from chalicelib.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    PreconditionRequired,
    VersionConflict,
)
from chalicelib.domain.ids import is_id, new_id
from chalicelib.schemas.customers import (
    Address,
    AddressInput,
    Customer,
    CustomerCreate,
    CustomerList,
    CustomerListQuery,
    CustomerUpdate,
    RegionNames,
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
        address=to_address(item.address),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
    )


def to_address(stored: dict[str, Any] | None) -> Address | None:
    """Response model of a stored address, with its region's names in en, lt and lv."""
    if not stored:
        return None
    region = stored.get("region")
    region_names = regions.names(region) if region else None
    return Address(
        street=stored.get("street"),
        city=stored.get("city"),
        postal_code=stored.get("postal_code"),
        country=stored["country"],
        region=region,
        region_names=RegionNames(**region_names) if region_names else None,
    )


def address_record(address: AddressInput) -> dict[str, Any]:
    """The stored form of an address: country an ISO 3166-1 code, region the ISO 3166-2 code
    of the country's subdivision (a name is resolved to it), postal code in the country's
    written form. Bad parts are 422 ``unknown_country`` / ``unknown_region`` /
    ``region_country_mismatch`` / ``ambiguous_region`` / ``invalid_postal_code``."""
    country = regions.check_country(address.country, field="address.country")
    return {
        "street": address.street,
        "city": address.city,
        "postal_code": (
            regions.postal_code(country, address.postal_code, field="address.postal_code")
            if address.postal_code
            else None
        ),
        "country": country,
        "region": (
            regions.region_code(country, address.region, field="address.region")
            if address.region
            else None
        ),
    }


def _not_found(customer_id: str) -> NotFound:
    return NotFound(f"no customer with id {customer_id}", code="customer_not_found")


def _load(tenant_id: str, customer_id: str) -> store.CustomerItem:
    item = store.get_customer(tenant_id, customer_id) if is_id(customer_id) else None
    if item is None:
        raise _not_found(customer_id)
    return item


def create_customer(tenant_id: str, request: CustomerCreate) -> Customer:
    """Create a customer; a taken email or external id is a 409."""
    fields = request.model_dump(exclude={"address"})
    if request.address is not None:
        fields["address"] = address_record(request.address)
    item = store.create_customer(tenant_id, new_id(), **fields)
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
    if "address" in changes:
        # Replaced as a whole (null removes it): half an old address is nobody's address.
        changes["address"] = address_record(request.address) if request.address else None
    if "name" in changes and changes["name"] is None:
        raise Invalid("name cannot be removed", code="validation_failed")
    for flag in ("marketing_consent", "contact_consent"):
        if flag in changes and changes[flag] is None:
            raise Invalid(f"{flag} must be true or false", code="validation_failed")
    if not changes:
        return to_customer(current)
    return to_customer(store.update_customer(current, expected, changes))


def set_address(tenant_id: str, customer_id: str, address: AddressInput) -> Customer:
    """Replace the customer's address with one they gave themselves (the widget's forms).

    Validated first (422 as in :func:`address_record`); written conditionally on the version
    read, and read again when someone else changed the customer meanwhile: the customer's own
    latest address wins, nothing else of theirs is overwritten.
    """
    record = address_record(address)
    for _attempt in range(3):
        current = _load(tenant_id, customer_id)
        if current.address == record:
            return to_customer(current)
        try:
            return to_customer(
                store.update_customer(current, int(current.version), {"address": record})
            )
        except VersionConflict:
            continue
    raise VersionConflict("the customer is being changed by someone else; try again")


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


def find_or_create_customer(
    tenant_id: str,
    *,
    email: str | None,
    name: str | None,
    external_id: str | None = None,
) -> Customer:
    """The customer with this email (else external id), created when there is none.

    Race-safe: lookups read the uniqueness guard items with consistent reads, and when two
    callers create the same customer at once the loser's transaction is refused by the guard
    and it returns the winner's record. An existing customer's name is not changed.
    """
    if not email and not external_id:
        if not name:
            raise Invalid("a customer needs an email, an external id or a name")
        return create_customer(tenant_id, CustomerCreate(name=name))
    for _attempt in range(3):
        existing = _find_guarded(tenant_id, email=email, external_id=external_id)
        if existing is not None:
            return to_customer(existing)
        fallback = (email.split("@", 1)[0] if email else None) or external_id or "Customer"
        request = CustomerCreate(name=name or fallback, email=email, external_id=external_id)
        try:
            return create_customer(tenant_id, request)
        except Conflict as exc:
            if exc.code not in ("email_taken", "external_id_taken"):
                raise
            # Someone created it meanwhile (or the email and external id belong to two
            # different customers): read again; the email wins.
    raise Conflict(
        "the email and external_id belong to different customers", code="customer_ambiguous"
    )


def _find_guarded(
    tenant_id: str, *, email: str | None, external_id: str | None
) -> store.CustomerItem | None:
    for kind in ("email", "external_id"):
        value = email if kind == "email" else external_id
        if not value:
            continue
        customer_id = (
            store.customer_id_by_guard(tenant_id, email=value)
            if kind == "email"
            else store.customer_id_by_guard(tenant_id, external_id=value)
        )
        if customer_id:
            item = store.get_customer(tenant_id, customer_id)
            if item is not None:
                return item
    return None
