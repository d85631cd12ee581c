"""Warranty coverage checks and product registrations through the widget.

Coverage check: the visitor gives a serial number and the email the product was registered
with. The answer is the same ``{"found": false}`` for "no such serial", "no such email" and
"that serial belongs to someone else", and the lookup path does not depend on the serial at
all: it reads the registrations *of the customer owning that email* (one guard GetItem, one
index Query) and looks for the serial among them. So neither the answer nor the work done
tells a prober whether a serial exists; the per-client submission limit bounds guessing.

Registrations: signed-in customers (verified identity) list their own registrations and
register products through the warranty rules (registration window, serial uniqueness, dates).
Anonymous registration is not offered: without a verified mailbox anyone could claim anyone's
serial number.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.schemas.warranties import Warranty, WarrantyCreate, WarrantyListQuery
from chalicelib.schemas.widget import (
    WidgetCoverage,
    WidgetCoverageCheck,
    WidgetProduct,
    WidgetProductList,
    WidgetRegistration,
    WidgetRegistrationCreate,
    WidgetRegistrationList,
)
from chalicelib.services.widget_auth import WidgetPrincipal
from chalicelib.services.widget_tickets import customer_of_identity

# A customer with more registrations than this is checked against the newest ones only.
_MAX_REGISTRATION_PAGES = 5
NOT_FOUND = WidgetCoverage(found=False)


def _registrations(tenant_id: str, customer_id: str) -> list[Warranty]:
    from chalicelib.services import warranties

    found: list[Warranty] = []
    cursor: str | None = None
    for _ in range(_MAX_REGISTRATION_PAGES):
        page = warranties.list_warranties(
            tenant_id, WarrantyListQuery(customer_id=customer_id, limit=100, cursor=cursor)
        )
        found += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    return found


def cover_end(warranty: Warranty) -> date:
    """The last day of the unbroken chain of cover: the standard warranty and the active plans
    that follow it without a gap.

    ``covered_until`` is the end of the period in force today, which is the standard end while
    an extension that runs longer is already bought: telling the customer that date would
    understate the cover (issue 16, defect 13).
    """
    end = warranty.coverage.standard_ends_on
    active = sorted((p for p in warranty.plans if p.status == "active"), key=lambda p: p.starts_on)
    for plan in active:
        if plan.starts_on <= end + timedelta(days=1):
            end = max(end, plan.ends_on)
    return end


def _coverage(warranty: Warranty) -> WidgetCoverage:
    coverage = warranty.coverage
    void = coverage.status == "void"
    return WidgetCoverage(
        found=True,
        product_name=warranty.product_name,
        serial_number=warranty.serial_number,
        covered=coverage.covered,
        status=coverage.status,
        covered_until=coverage.covered_until,
        standard_ends_on=coverage.standard_ends_on,
        extended_ends_on=coverage.extended_ends_on,
        # A void unit has no end of cover to announce (its dates may lie in the future).
        cover_ends_on=None if void else cover_end(warranty),
        void_since=warranty.voided_on if void else None,
    )


def check_coverage(principal: WidgetPrincipal, request: WidgetCoverageCheck) -> WidgetCoverage:
    """Coverage of the serial if it is registered to this email (or signed-in customer)."""
    from chalicelib.store import customers as customer_store

    if request.website:
        return NOT_FOUND
    if principal.identity is not None:
        customer_id: str | None = customer_of_identity(principal)[0]
    elif request.email:
        customer_id = customer_store.customer_id_by_guard(principal.tenant_id, email=request.email)
    else:
        from chalicelib.domain.errors import Invalid

        raise Invalid("give the email the product was registered with", code="validation_failed")
    if customer_id is None:
        return NOT_FOUND
    serial = request.serial_number.strip().upper()
    for warranty in _registrations(principal.tenant_id, customer_id):
        if warranty.serial_number.strip().upper() == serial:
            return _coverage(warranty)
    return NOT_FOUND


def _registration(warranty: Warranty) -> WidgetRegistration:
    return WidgetRegistration(
        id=warranty.id,
        product_name=warranty.product_name,
        serial_number=warranty.serial_number,
        purchase_date=warranty.purchase_date,
        coverage=_coverage(warranty),
    )


def list_registrations(principal: WidgetPrincipal) -> WidgetRegistrationList:
    """The signed-in customer's registered products, newest first."""
    customer_id, _ = customer_of_identity(principal)
    return WidgetRegistrationList(
        items=[_registration(w) for w in _registrations(principal.tenant_id, customer_id)]
    )


def register_product(
    principal: WidgetPrincipal, request: WidgetRegistrationCreate
) -> WidgetRegistration:
    """Register a product for the signed-in customer, through the warranty rules."""
    from chalicelib.services import customers, products, warranties

    # The product first: an unknown product must not leave a customer record behind.
    products.load_product(principal.tenant_id, request.product_id)
    if request.address is not None:
        customers.address_record(request.address)  # a bad address is refused before any write
    customer_id, _ = customer_of_identity(principal)
    if request.address is not None:
        # Saved first: it is the customer's own detail (saving it again is harmless), so a
        # registration refused below, or retried, never loses it.
        customers.set_address(principal.tenant_id, customer_id, request.address)
    created = warranties.register(
        principal.tenant_id,
        WarrantyCreate(
            product_id=request.product_id,
            serial_number=request.serial_number,
            customer_id=customer_id,
            purchase_date=request.purchase_date,
            retailer=request.retailer,
            delivery_date=request.delivery_date,
        ),
    )
    return _registration(created)


def list_products(principal: WidgetPrincipal, cursor: str | None) -> WidgetProductList:
    """The tenant's products a customer can register (name, SKU, category only)."""
    from chalicelib.services import products

    page = products.list_products(principal.tenant_id, 100, cursor)
    return WidgetProductList(
        items=[
            WidgetProduct(id=p.id, sku=p.sku, name=p.name, category=p.category) for p in page.items
        ],
        next_cursor=page.next_cursor,
    )
