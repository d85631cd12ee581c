"""Warranty registrations: register, look up by serial, check coverage, extend, void, and
the entitlement that tickets show.

Coverage is always computed by ``domain/coverage.py`` from the registration's own snapshot of
the product's terms and its plans, read in one Query of the registration's partition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.domain import clock
from chalicelib.domain import coverage as rules
from chalicelib.domain.errors import Conflict, Invalid, NotFound, PreconditionRequired
from chalicelib.domain.ids import new_id
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.warranties import (
    Coverage,
    PlanPurchase,
    PurchasedPlan,
    SerialCoverage,
    Upload,
    UploadRequest,
    Warranty,
    WarrantyCreate,
    WarrantyList,
    WarrantyListQuery,
    WarrantyUpdate,
    WarrantyVoid,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store

UPLOAD_AREA = "proof-of-purchase"


def today() -> date:
    """The current UTC date (coverage questions without a date are about today)."""
    return clock.now().date()


def _emit(tenant_id: str, name: str, data: dict[str, Any]) -> None:
    from chalicelib.services.reactions import emit

    emit([DomainEvent(tenant_id, name, data)])


# --- reading a registration ------------------------------------------------------------------


class Loaded:
    """A registration; its extended plans are part of the item (a handful per product)."""

    def __init__(self, item: store.ServiceItem | None, warranty_id: str) -> None:
        if item is None:
            raise NotFound(f"warranty {warranty_id} not found", code="warranty_not_found")
        self.item = item

    @property
    def plans(self) -> list[dict[str, Any]]:
        """The purchased plans, oldest first."""
        plans: list[dict[str, Any]] = self.item.data.get("plans", [])
        return plans

    def registration(self) -> rules.Registration:
        """The domain view coverage is computed from."""
        data = self.item.data
        terms = data["terms"]
        return rules.Registration(
            purchase_date=date.fromisoformat(data["purchase_date"]),
            months=terms["months"],
            starts_from=rules.StartsFrom(terms.get("starts_from", "purchase")),
            delivery_date=_date(data.get("delivery_date")),
            plans=tuple(
                rules.PlanPeriod(
                    plan_id=p["id"],
                    name=p["name"],
                    start=date.fromisoformat(p["starts_on"]),
                    end=date.fromisoformat(p["ends_on"]),
                    active=p["status"] == "active",
                )
                for p in self.plans
            ),
            voided_on=_date(data.get("voided_on")),
        )


def save_with_plan(before: store.ServiceItem, updated: store.ServiceItem, expected: int) -> None:
    """Write the registration's next version; when its cover changed, its active service
    plan is priced again in the same transaction (the maintenance discount holds only while
    the registration is valid and covers the visit)."""
    versioned = [(updated, expected, "warranty"), *plan_repricing(before, updated)]
    store.write_together(versioned=versioned, what="warranty")


def plan_repricing(
    before: store.ServiceItem, updated: store.ServiceItem, *, except_plan: str | None = None
) -> list[tuple[store.ServiceItem, int, str]]:
    """The active service plan's next version when the registration's cover changed (start,
    end or void date), for the caller's transaction; nothing otherwise (no read)."""
    old = Loaded(before, before.record_id).registration()
    new = Loaded(updated, updated.record_id).registration()
    if (old.start, old.coverage_end, old.voided_on, old.plans) == (
        new.start,
        new.coverage_end,
        new.voided_on,
        new.plans,
    ):
        return []
    from chalicelib.services.service_plans import repriced_for_cover

    found = repriced_for_cover(updated.tenant_id, updated.record_id, new, except_plan=except_plan)
    return [(found[0], found[1], "service plan")] if found else []


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def load(tenant_id: str, warranty_id: str) -> Loaded:
    """The registration with its plans (one GetItem), or 404."""
    return Loaded(store.get_record(tenant_id, "warranty", warranty_id), warranty_id)


def coverage_view(warranty_id: str, registration: rules.Registration, on: date) -> Coverage:
    """The API view of coverage on a date."""
    result = rules.coverage_on(registration, on)
    return Coverage(
        warranty_id=warranty_id,
        on=on,
        covered=result.covered,
        status=result.status.value,
        starts_on=result.start,
        standard_ends_on=result.standard_end,
        extended_ends_on=result.extended_end,
        covered_until=result.covered_until,
        plan_id=result.plan_id,
        plan_name=result.plan_name,
        reason=result.reason,
    )


def to_warranty(loaded: Loaded, on: date | None = None) -> Warranty:
    """The API view of a registration, with its coverage today."""
    item = loaded.item
    return Warranty.model_validate(
        {
            **item.data,
            "id": item.record_id,
            "plans": [PurchasedPlan.model_validate(p) for p in loaded.plans],
            "coverage": coverage_view(item.record_id, loaded.registration(), on or today()),
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


# --- registering ------------------------------------------------------------------------------


def register(tenant_id: str, request: WarrantyCreate) -> Warranty:
    """Register a sold product. The serial is unique per product (409 ``serial_taken``)."""
    from chalicelib.services import customers, products

    product = products.load_product(tenant_id, request.product_id)
    customers.get_customer(tenant_id, request.customer_id)  # 404 for unknown customers
    if request.purchase_date > today():
        raise Invalid("the purchase date is in the future", code="purchase_in_future")
    if request.delivery_date and request.delivery_date < request.purchase_date:
        raise Invalid("delivery cannot precede the purchase", code="delivery_before_purchase")
    if request.proof_of_purchase and not _owns_upload(tenant_id, request.proof_of_purchase):
        raise Invalid("proof_of_purchase must be a reference from an upload", code="bad_upload")
    terms = product.data["warranty"]
    deadline = rules.registration_deadline(
        request.purchase_date, terms.get("registration_required_within_days")
    )
    late = deadline is not None and today() > deadline
    if late and not request.allow_late_registration:
        raise Conflict(
            f"this product had to be registered by {deadline}; an admin may register it with "
            "allow_late_registration",
            code="registration_window_closed",
        )
    warranty_id = new_id()
    data = {
        "product_id": request.product_id,
        "product_sku": product.data["sku"],
        "product_name": product.data["name"],
        "product_category": product.data.get("category"),
        "serial_number": request.serial_number.strip(),
        "customer_id": request.customer_id,
        "purchase_date": request.purchase_date.isoformat(),
        "delivery_date": request.delivery_date.isoformat() if request.delivery_date else None,
        "retailer": request.retailer,
        "proof_of_purchase": request.proof_of_purchase,
        "terms": terms,
        "plan_offers": product.data.get("extended_plans", []),
        "late_registration": late,
        "void_reason": None,
        "voided_on": None,
        "plans": [],
    }
    created = clock.now().isoformat()
    item = store.new_record(
        tenant_id,
        "warranty",
        warranty_id,
        data,
        indexes={
            "gsi1pk": store.customer_index_key(tenant_id, request.customer_id, "WARRANTY"),
            "gsi1sk": f"{created}#{warranty_id}",
            "gsi2pk": store.kind_index_key(tenant_id, "WARRANTY"),
            "gsi2sk": f"{created}#{warranty_id}",
            "gsi3pk": store.product_index_key(tenant_id, request.product_id),
            "gsi3sk": f"{created}#{warranty_id}",
        },
    )
    serial = store.serial_item(tenant_id, request.serial_number, request.product_id, warranty_id)
    store.save_new(item, extra=[(serial, "serial")], what="warranty")
    loaded = Loaded(item, warranty_id)
    view = to_warranty(loaded)
    _emit(
        tenant_id,
        "warranty.registered",
        {
            "warranty_id": warranty_id,
            "customer_id": request.customer_id,
            "product_id": request.product_id,
            "serial_number": data["serial_number"],
            "purchase_date": data["purchase_date"],
            "starts_on": view.coverage.starts_on.isoformat(),
            "standard_ends_on": view.coverage.standard_ends_on.isoformat(),
            "plan_offers": [offer["code"] for offer in data["plan_offers"]],
            "late_registration": late,
            "registration_deadline": deadline.isoformat() if deadline else None,
            "has_proof_of_purchase": bool(request.proof_of_purchase),
        },
    )
    return view


def _owns_upload(tenant_id: str, reference: str) -> bool:
    from chalicelib.store.uploads import owns_reference

    return owns_reference(tenant_id, UPLOAD_AREA, reference)


def upload_proof(tenant_id: str, request: UploadRequest) -> Upload:
    """A presigned S3 upload for a proof of purchase (PDF or image, at most 10 MB)."""
    from chalicelib.store.uploads import presigned_upload

    upload = presigned_upload(
        tenant_id,
        UPLOAD_AREA,
        "new",
        filename=request.filename,
        content_type=request.content_type,
        size=request.size,
    )
    return Upload(
        reference=upload.reference,
        upload_url=upload.url,
        method="PUT",
        headers=upload.headers,
        expires_in=upload.expires_in,
    )


def get_warranty(tenant_id: str, warranty_id: str) -> Warranty:
    """One registration with its plans and today's coverage (one GetItem)."""
    return to_warranty(load(tenant_id, warranty_id))


def _expected(version: int | None, if_match: int | None, what: str) -> int:
    expected = version or if_match
    if expected is None:
        raise PreconditionRequired(f"send the {what}'s version (or If-Match) to change it")
    return expected


def update_warranty(
    tenant_id: str, warranty_id: str, request: WarrantyUpdate, if_match: int | None
) -> Warranty:
    """Correct a registration's retailer, proof or delivery date (conditional on its version)."""
    loaded = load(tenant_id, warranty_id)
    expected = _expected(request.version, if_match, "warranty")
    changes = request.model_dump(mode="json", exclude_unset=True, exclude={"version"})
    proof = changes.get("proof_of_purchase")
    if proof and not _owns_upload(tenant_id, proof):
        raise Invalid("proof_of_purchase must be a reference from an upload", code="bad_upload")
    delivery = changes.get("delivery_date")
    if delivery and date.fromisoformat(delivery) < date.fromisoformat(
        loaded.item.data["purchase_date"]
    ):
        raise Invalid("delivery cannot precede the purchase", code="delivery_before_purchase")
    updated = store.copy(loaded.item)
    updated.data = {**loaded.item.data, **changes}
    save_with_plan(loaded.item, updated, expected)
    before, loaded.item = loaded.item, updated
    announce_update(tenant_id, updated_event(before, updated, sorted(changes)))
    return to_warranty(loaded)


def updated_event(
    before: store.ServiceItem, after: store.ServiceItem, changed: list[str], **extra: Any
) -> dict[str, Any]:
    """The data of ``warranty.updated``. When the change moved the end of a valid
    registration's cover (a delivery date on terms that start from delivery), it carries the
    new end as ``ends_on`` (and ``previous_ends_on``, ``starts_on``), so the expiry reminders
    are re-planned for it."""
    data = after.data
    event: dict[str, Any] = {
        "warranty_id": after.record_id,
        "customer_id": data["customer_id"],
        "changed_fields": changed,
        "has_proof_of_purchase": bool(data.get("proof_of_purchase")),
        **extra,
    }
    old = Loaded(before, before.record_id).registration()
    new = Loaded(after, after.record_id).registration()
    if new.coverage_end != old.coverage_end and not data.get("voided_on"):
        event.update(
            product_id=data["product_id"],
            serial_number=data["serial_number"],
            starts_on=new.start.isoformat(),
            ends_on=new.coverage_end.isoformat(),
            previous_ends_on=old.coverage_end.isoformat(),
            plan_offers=[offer["code"] for offer in data.get("plan_offers", [])],
        )
    return event


COVERAGE_FIELDS = (
    "warranty_id",
    "customer_id",
    "product_id",
    "serial_number",
    "starts_on",
    "ends_on",
    "previous_ends_on",
    "plan_offers",
)


def announce_update(tenant_id: str, data: dict[str, Any]) -> None:
    """Emit ``warranty.updated``, and ``warranty.coverage_changed`` when the change moved the
    end of the cover (the expiry reminders are re-planned on that one only, so a corrected
    retailer costs the follow-up engine nothing)."""
    from chalicelib.services.reactions import emit

    events = [DomainEvent(tenant_id, "warranty.updated", data)]
    if data.get("ends_on"):
        moved = {name: data[name] for name in COVERAGE_FIELDS}
        cause = data.get("source") or "delivery_date"
        events.append(
            DomainEvent(tenant_id, "warranty.coverage_changed", {**moved, "cause": cause})
        )
    emit(events)


@dataclass(frozen=True)
class Handover:
    """A registration's next version after a completed delivery or installation (and its
    active service plan priced again for the new cover), to be written in the visit's
    transaction and announced after it."""

    writes: list[tuple[store.ServiceItem, int, str]]  # (item, expected version, what)
    event: dict[str, Any]

    def announce(self) -> None:
        """Emit ``warranty.updated`` (after the write; ``warranty.coverage_changed`` too when
        the cover moved): reminders follow the new cover."""
        announce_update(self.writes[0][0].tenant_id, self.event)


def handover(
    tenant_id: str,
    warranty_id: str,
    kind: str,
    on: date,
    *,
    appointment_id: str,
    except_plan: str | None = None,
) -> Handover | None:
    """What a completed ``kind`` visit on ``on`` changes on the registration: its delivery
    date (domain rule ``coverage.handover_date``), or None (not a handover visit, or the
    registration keeps its date). One GetItem (plus the plan's re-pricing reads when the
    cover moved; ``except_plan`` is the visit's own plan, written by the caller); nothing is
    written here."""
    if kind not in {k.value for k in rules.Handover}:
        return None
    loaded = load(tenant_id, warranty_id)
    day = rules.handover_date(loaded.registration(), rules.Handover(kind), on)
    if day is None:
        return None
    updated = store.copy(loaded.item)
    updated.data = {**loaded.item.data, "delivery_date": day.isoformat()}
    event = updated_event(
        loaded.item, updated, ["delivery_date"], source=kind, appointment_id=appointment_id
    )
    writes = [
        (updated, int(loaded.item.version), "warranty"),
        *plan_repricing(loaded.item, updated, except_plan=except_plan),
    ]
    return Handover(writes, event)


def void_warranty(
    tenant_id: str, warranty_id: str, request: WarrantyVoid, if_match: int | None
) -> Warranty:
    """Void a registration from a date, with a reason. Void is final."""
    loaded = load(tenant_id, warranty_id)
    expected = _expected(request.version, if_match, "warranty")
    if loaded.item.data.get("voided_on"):
        raise Conflict("the warranty is already void", code="warranty_void")
    effective = request.effective_on or today()
    if effective < date.fromisoformat(loaded.item.data["purchase_date"]):
        raise Invalid(
            "a warranty cannot be voided before its purchase", code="void_before_purchase"
        )
    updated = store.copy(loaded.item)
    updated.data = {
        **loaded.item.data,
        "voided_on": effective.isoformat(),
        "void_reason": request.reason,
    }
    save_with_plan(loaded.item, updated, expected)
    loaded.item = updated
    _emit(
        tenant_id,
        "warranty.voided",
        {
            "warranty_id": warranty_id,
            "customer_id": updated.data["customer_id"],
            "voided_on": effective.isoformat(),
            "reason": request.reason,
        },
    )
    return to_warranty(loaded)


def list_warranties(tenant_id: str, query: WarrantyListQuery) -> WarrantyList:
    """Newest first: a customer's, a product's or all registrations; ``serial`` finds one."""
    if query.serial:
        if query.cursor:
            raise Invalid("a lookup by serial has no further pages", code="invalid_cursor")
        found = [
            load(tenant_id, match.warranty_id)
            for match in store.serial_matches(tenant_id, query.serial)
            if query.product_id is None or match.sk == query.product_id
        ]
        if query.customer_id:
            found = [w for w in found if w.item.data["customer_id"] == query.customer_id]
        return WarrantyList(items=[to_warranty(w) for w in found], next_cursor=None)
    if query.customer_id and query.product_id:
        raise Invalid("filter by customer_id or product_id, not both", code="invalid_query")
    if query.customer_id:
        index, hash_key = (
            "by_customer",
            store.customer_index_key(tenant_id, query.customer_id, "WARRANTY"),
        )
    elif query.product_id:
        index, hash_key = "by_product", store.product_index_key(tenant_id, query.product_id)
    else:
        index, hash_key = "by_kind", store.kind_index_key(tenant_id, "WARRANTY")
    scope = f"warranties:{index}:{hash_key}"
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_index(index, hash_key, size, start)
    # Index items project the whole registration, plans included: one Query per page.
    items = [to_warranty(Loaded(item, item.record_id)) for item in page.items]
    return WarrantyList(items=items, next_cursor=next_cursor(tenant_id, scope, page))


# --- coverage ---------------------------------------------------------------------------------


def coverage(tenant_id: str, warranty_id: str, on: date | None) -> Coverage:
    """Coverage of one registration on a date: one GetItem."""
    loaded = load(tenant_id, warranty_id)
    return coverage_view(warranty_id, loaded.registration(), on or today())


def coverage_by_serial(
    tenant_id: str, serial: str, product_id: str | None, on: date | None
) -> SerialCoverage:
    """Coverage of every registration of a serial: 1 Query + 1 GetItem per match."""
    day = on or today()
    matches = []
    for match in store.serial_matches(tenant_id, serial):
        if product_id is not None and match.sk != product_id:
            continue
        loaded = load(tenant_id, match.warranty_id)
        matches.append(coverage_view(match.warranty_id, loaded.registration(), day))
    if not matches:
        raise NotFound(f"no registration of serial {serial}", code="serial_not_found")
    return SerialCoverage(serial=serial, matches=matches)


def ticket_entitlement(tenant_id: str, warranty_id: str) -> str:
    """What a ticket linked to this registration is entitled to today: covered/chargeable
    (404 ``warranty_not_found`` unless it is one of the tenant's registrations)."""
    return entitlement_of(load(tenant_id, warranty_id))


def entitlement_of(loaded: Loaded) -> str:
    """What a ticket linked to this loaded registration is entitled to today."""
    return "covered" if rules.coverage_on(loaded.registration(), today()).covered else "chargeable"


def registration_for_serial(
    tenant_id: str, serial: str, *, product_id: str | None, customer_id: str
) -> tuple[str, str] | None:
    """(warranty id, product id) of the customer's own registration of ``serial``, if exactly
    one matches: a ticket opened with a serial is linked to it (never to another customer's)."""
    found = []
    for match in store.serial_matches(tenant_id, serial):
        if product_id is not None and match.sk != product_id:
            continue
        item = store.get_record(tenant_id, "warranty", match.warranty_id)
        if item is not None and item.data["customer_id"] == customer_id:
            found.append((item.record_id, item.data["product_id"]))
    return found[0] if len(found) == 1 else None


# --- extended plans ---------------------------------------------------------------------------


def _minor(price: str) -> int:
    return int(Decimal(price) * 100)


def _price(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def purchase_plan(
    tenant_id: str, warranty_id: str, request: PlanPurchase, if_match: int | None
) -> Warranty:
    """Buy an extended plan. It starts when current coverage ends, or today when it already
    ended (or on ``starts_on``, never before today), within the product's purchase window (409
    ``extension_window_closed``), and may not overlap an active plan (409 ``plan_overlap``).
    Conditional on the registration's version, so two concurrent purchases cannot both take
    the same period."""
    loaded = load(tenant_id, warranty_id)
    expected = _expected(request.version, if_match, "warranty")
    offers = {o["code"]: o for o in loaded.item.data.get("plan_offers", [])}
    offer = offers.get(request.plan_code)
    if offer is None:
        raise Invalid(
            f"the product has no extended plan {request.plan_code!r}; offered: "
            f"{', '.join(sorted(offers)) or 'none'}",
            code="unknown_plan",
        )
    start, end = rules.plan_period(
        loaded.registration(),
        offer["months"],
        today=today(),
        window_days=loaded.item.data["terms"].get(
            "extension_purchase_window_days", rules.DEFAULT_EXTENSION_WINDOW_DAYS
        ),
        starts_on=request.starts_on,
    )
    plan_id = new_id()
    price = _price(_minor(request.price or offer["price"]))
    plan = {
        "id": plan_id,
        "code": offer["code"],
        "name": offer["name"],
        "starts_on": start.isoformat(),
        "ends_on": end.isoformat(),
        "price": price,
        "currency": offer["currency"],
        "status": "active",
        "created_at": clock.now().isoformat(),
    }
    # The plan is part of the registration, written conditionally on its version: two
    # concurrent purchases cannot both take the same period.
    bumped = store.copy(loaded.item)
    bumped.data = {**loaded.item.data, "plans": [*loaded.plans, plan]}
    save_with_plan(loaded.item, bumped, expected)
    loaded.item = bumped
    _emit(
        tenant_id,
        "warranty.extended",
        {
            "warranty_id": warranty_id,
            "customer_id": bumped.data["customer_id"],
            "plan_id": plan_id,
            "ends_on": end.isoformat(),
            "price": price,
            "currency": offer["currency"],
        },
    )
    return to_warranty(loaded)
