"""Warranty claims: submitted with coverage decided on the reported date, linked to a ticket,
routed to an authorised service centre, and moved through their state machine."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.domain import claims as rules
from chalicelib.domain import clock, links
from chalicelib.domain import coverage as coverage_rules
from chalicelib.domain.actors import Actor
from chalicelib.domain.errors import Invalid, NotFound, PreconditionRequired
from chalicelib.domain.ids import new_id
from chalicelib.i18n import claims as texts
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.tickets import TicketCreate
from chalicelib.schemas.warranties import (
    Claim,
    ClaimCreate,
    ClaimList,
    ClaimListQuery,
    ClaimTransition,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store


def to_claim(item: store.ServiceItem) -> Claim:
    """The API view of a stored claim."""
    return Claim.model_validate(
        {
            **item.data,
            "id": item.record_id,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


def _load(tenant_id: str, warranty_id: str, claim_id: str) -> store.ServiceItem:
    item = store.get_record(tenant_id, "claim", claim_id, parent_id=warranty_id)
    if item is None:
        raise NotFound(f"claim {claim_id} not found", code="claim_not_found")
    return item


def _new_ticket(
    locale: texts.Locale,
    warranty: dict[str, Any],
    warranty_id: str,
    request: ClaimCreate,
    billing: rules.Billing,
) -> TicketCreate:
    """The warranty-claim ticket opened with a claim that names no existing ticket, its
    subject in the customer's locale (the customer reads it in the widget)."""
    subject = texts.claim_ticket_subject(
        locale,
        product=warranty["product_name"],
        serial=warranty["serial_number"],
    )
    return TicketCreate(
        subject=subject[:200],
        description=request.description,
        customer_id=warranty["customer_id"],
        type="warranty_claim",
        priority="normal",
        product_id=warranty["product_id"],
        warranty_id=warranty_id,
        serial_number=warranty["serial_number"],
        entitlement=billing.value,
    )


def submit_claim(tenant_id: str, warranty_id: str, request: ClaimCreate, *, actor: Actor) -> Claim:
    """Submit a claim. Outside coverage it is accepted as ``chargeable``, never refused."""
    from chalicelib.services import service_centres, ticket_sync, tickets, warranties

    loaded = warranties.load(tenant_id, warranty_id)
    data = loaded.item.data
    reported = request.reported_on or warranties.today()
    if reported > warranties.today():
        raise Invalid("reported_on is in the future", code="reported_in_future")
    if reported < date.fromisoformat(data["purchase_date"]):
        raise Invalid("reported_on precedes the purchase", code="reported_before_purchase")
    cover = coverage_rules.coverage_on(loaded.registration(), reported)
    billing = rules.billing_for(cover)
    # The customer is read once, for whatever needs them: the new ticket's language and, when
    # no region is given, the region of their address.
    needs_customer = not request.ticket_id or not (request.service_centre_id or request.region)
    customer, locale = (
        ticket_sync.customer_with_locale(tenant_id, data["customer_id"])
        if needs_customer
        else (None, texts.FALLBACK)
    )
    if request.service_centre_id:
        centre_id: str | None = service_centres.load_centre(
            tenant_id, request.service_centre_id
        ).record_id
    else:
        # No region given: the customer's address says where they are (not retyped per claim).
        region, country = (
            (request.region, None) if request.region else service_centres.customer_place(customer)
        )
        routed = service_centres.route(
            tenant_id,
            data["product_id"],
            data.get("product_category"),
            region=region,
            country=country,
        )
        centre_id = routed.id if routed else None
    if request.ticket_id:
        attached = tickets.get_ticket(tenant_id, request.ticket_id)  # 404: not this tenant's
        links.ensure_same_customer(data["customer_id"], [links.ticket(attached.customer_id)])
        ticket_id = request.ticket_id
    else:
        ticket_id = new_id()
    claim_id = new_id()
    now = clock.now().isoformat()
    item = store.new_record(
        tenant_id,
        "claim",
        claim_id,
        {
            "warranty_id": warranty_id,
            "product_id": data["product_id"],
            "customer_id": data["customer_id"],
            "description": request.description,
            "reported_on": reported.isoformat(),
            "billing": billing.value,
            "coverage_status": cover.status.value,
            "coverage_reason": cover.reason,
            "status": rules.ClaimStatus.SUBMITTED.value,
            "reason": None,
            "resolution": None,
            "notes": None,
            "ticket_id": ticket_id,
            "service_centre_id": centre_id,
            "history": [{"status": "submitted", "at": now, "by": actor.id}],
        },
        parent_id=warranty_id,
        indexes={
            "gsi2pk": store.kind_index_key(tenant_id, "CLAIM"),
            "gsi2sk": f"{now}#{claim_id}",
        },
    )
    if request.ticket_id:
        store.save_new(item, what="claim")
    else:
        # The claim and its new ticket are one transaction: a retry never finds half of them.
        tickets.open_ticket(
            tenant_id,
            _new_ticket(locale, data, warranty_id, request, billing),
            actor=actor,
            ticket_id=ticket_id,
            also_create=[item],
        )
    _emit(tenant_id, item, previous=None)
    return to_claim(item)


def _emit(tenant_id: str, item: store.ServiceItem, previous: str | None) -> None:
    from chalicelib.services.reactions import emit

    data = item.data
    emit(
        [
            DomainEvent(
                tenant_id,
                "claim.submitted" if previous is None else "claim.status_changed",
                {
                    "claim_id": item.record_id,
                    "warranty_id": data["warranty_id"],
                    "customer_id": data["customer_id"],
                    "product_id": data["product_id"],
                    "ticket_id": data["ticket_id"],
                    "status": data["status"],
                    "previous_status": previous,
                    "billing": data["billing"],
                    "resolution": data["resolution"],
                },
            )
        ]
    )


def get_claim(tenant_id: str, warranty_id: str, claim_id: str) -> Claim:
    """One claim of a registration."""
    return to_claim(_load(tenant_id, warranty_id, claim_id))


def transition_claim(
    tenant_id: str,
    warranty_id: str,
    claim_id: str,
    request: ClaimTransition,
    if_match: int | None,
    *,
    actor: Actor,
) -> Claim:
    """Move a claim (conditional on its version); 409 for a transition the machine forbids.
    Its ticket moves with it (``domain/links.py``): approved / in repair → open, resolved /
    rejected → solved, with a public note in the customer's locale where they should know."""
    from chalicelib.services import ticket_sync

    current = _load(tenant_id, warranty_id, claim_id)
    expected = request.version or if_match
    if expected is None:
        raise PreconditionRequired("send the claim's version (or If-Match) to change it")
    status = rules.ClaimStatus(current.data["status"])
    target = rules.ClaimStatus(request.status)
    resolution = rules.Resolution(request.resolution) if request.resolution else None
    rules.check_transition(status, target, reason=request.reason, resolution=resolution)
    updated = store.copy(current)
    now = clock.now().isoformat()
    updated.data = {
        **current.data,
        "status": target.value,
        "reason": request.reason
        if target is rules.ClaimStatus.REJECTED
        else current.data["reason"],
        "resolution": resolution.value if resolution else current.data["resolution"],
        "notes": request.notes or current.data["notes"],
        "history": [*current.data["history"], {"status": target.value, "at": now, "by": actor.id}],
    }
    # The claim's ticket follows it (status, a note) in the same transaction.
    ticket_sync.save_claim(tenant_id, updated, expected, actor=actor)
    _emit(tenant_id, updated, previous=status.value)
    return to_claim(updated)


def list_claims(tenant_id: str, warranty_id: str, query: ClaimListQuery) -> ClaimList:
    """A registration's claims, newest first, optionally of one status."""
    from chalicelib.services import warranties

    warranties.load(tenant_id, warranty_id)  # 404 for a foreign or unknown registration
    scope = f"claims:{warranty_id}:{query.status or ''}"
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_claims(tenant_id, warranty_id, size, start, status=query.status)
    return ClaimList(
        items=[to_claim(i) for i in page.items], next_cursor=next_cursor(tenant_id, scope, page)
    )
