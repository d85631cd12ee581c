"""Service appointments: delivery, installation, training, maintenance and repair visits.

An appointment has a window (``starts_at`` .. ``ends_at``), optionally a technician and a
service centre, and links to the customer's product, registration, ticket and service-plan
visit. Its life::

    scheduled ──> completed (outcome notes, customer sign-off) | no_show | cancelled (reason)

A scheduled appointment can be rescheduled (its earlier windows are kept) or reassigned. An
appointment that books a service plan's visit settles that visit in the same transaction:
completed completes it, a no-show or a cancellation frees it to be booked again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import clock, links
from chalicelib.domain import maintenance as rules
from chalicelib.domain.errors import Conflict, Invalid, NotFound, PreconditionRequired
from chalicelib.domain.ids import is_id, new_id
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.service import (
    Appointment,
    AppointmentCreate,
    AppointmentList,
    AppointmentListQuery,
    AppointmentTransition,
    AppointmentUpdate,
    VisitBooking,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store

if TYPE_CHECKING:
    from chalicelib.services.warranties import Handover

MAX_RESCHEDULES_KEPT = 50
# A plan cancelled with more scheduled visits than this cannot cancel them in one transaction
# (DynamoDB's limit is 100 items); in practice a plan has one or two booked visits at a time.
MAX_CASCADE = 90


def stamp(moment: datetime) -> str:
    """Fixed-width UTC time: sorts as text in index keys."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def to_appointment(item: store.ServiceItem) -> Appointment:
    """The API view of a stored appointment."""
    return Appointment.model_validate(
        {
            **item.data,
            "id": item.record_id,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


def load_appointment(tenant_id: str, appointment_id: str) -> store.ServiceItem:
    """The stored appointment, or 404."""
    item = (
        store.get_record(tenant_id, "appointment", appointment_id)
        if is_id(appointment_id)
        else None
    )
    if item is None:
        raise NotFound(f"appointment {appointment_id} not found", code="appointment_not_found")
    return item


def _index(item: store.ServiceItem) -> None:
    """Index keys that follow the window, the visit kind and the technician."""
    start = item.data["starts_at"]
    item.gsi1sk = f"{start}#{item.record_id}"
    item.gsi2sk = f"{start}#{item.record_id}"
    item.gsi4pk = store.visit_kind_index_key(item.tenant_id, item.data["kind"])
    item.gsi4sk = f"{start}#{item.record_id}"
    technician = item.data.get("technician")
    if technician:
        item.gsi3pk = store.key(item.tenant_id, "TECHNICIAN", technician.lower())
        item.gsi3sk = f"{start}#{item.record_id}"
    else:
        item.gsi3pk = item.gsi3sk = None


def emit_change(tenant_id: str, item: store.ServiceItem, name: str, **extra: Any) -> None:
    """Publish an ``appointment.*`` event with the appointment as it is now."""
    from chalicelib.services.reactions import emit

    data = item.data
    emit(
        [
            DomainEvent(
                tenant_id,
                name,
                {
                    "appointment_id": item.record_id,
                    "kind": data["kind"],
                    "customer_id": data["customer_id"],
                    "product_id": data["product_id"],
                    "warranty_id": data["warranty_id"],
                    "ticket_id": data["ticket_id"],
                    "service_plan_id": data["service_plan_id"],
                    "visit_number": data["visit_number"],
                    "service_centre_id": data["service_centre_id"],
                    "technician": data["technician"],
                    "starts_at": data["starts_at"],
                    "ends_at": data["ends_at"],
                    "status": data["status"],
                    "completed_at": data["completed_at"],
                    **extra,
                },
            )
        ]
    )


# --- creating ----------------------------------------------------------------------------------


def _check_links(
    tenant_id: str, request: AppointmentCreate, plan_item: store.ServiceItem | None = None
) -> tuple[dict[str, Any], store.ServiceItem | None]:
    """Validate every linked record (404 when missing, 422 ``customer_mismatch`` when it is
    another customer's, ``domain/links.py``) and
    fill the product/registration from the registration or plan when not given. Returns the
    links and the plan item (when a plan's visit is booked)."""
    from chalicelib.services import customers, products, service_centres, tickets, warranties

    customers.get_customer(tenant_id, request.customer_id)
    product_id, warranty_id = request.product_id, request.warranty_id
    if request.service_plan_id is not None:
        from chalicelib.services.service_plans import load_plan

        if plan_item is None or plan_item.record_id != request.service_plan_id:
            plan_item = load_plan(tenant_id, request.service_plan_id)
        plan = plan_item.data
        links.ensure_same_customer(request.customer_id, [links.service_plan(plan["customer_id"])])
        for given, planned, name in (
            (product_id, plan["product_id"], "product_id"),
            (warranty_id, plan["warranty_id"], "warranty_id"),
        ):
            if given is not None and given != planned:
                raise Invalid(f"{name} differs from the service plan's", code="plan_mismatch")
        product_id, warranty_id = plan["product_id"], plan["warranty_id"]
    if warranty_id is not None:
        registration = warranties.load(tenant_id, warranty_id).item.data
        links.ensure_same_customer(
            request.customer_id, [links.registration(registration["customer_id"])]
        )
        if product_id is not None and registration["product_id"] != product_id:
            raise Invalid("the registration is of another product", code="warranty_mismatch")
        product_id = registration["product_id"]
    if product_id is not None:
        products.load_product(tenant_id, product_id)
    if request.ticket_id is not None:
        ticket = tickets.load_ticket(tenant_id, request.ticket_id)
        links.ensure_same_customer(request.customer_id, [links.ticket(ticket.customer_id)])
    if request.service_centre_id is not None:
        centre = service_centres.load_centre(tenant_id, request.service_centre_id)
        if not centre.data.get("active", True):
            raise Invalid("the service centre is inactive", code="service_centre_inactive")
    return {"product_id": product_id, "warranty_id": warranty_id}, plan_item


def create_appointment(
    tenant_id: str, request: AppointmentCreate, *, plan_item: store.ServiceItem | None = None
) -> Appointment:
    """Schedule a visit. With ``service_plan_id`` + ``visit_number`` it books that planned
    visit (409 ``visit_already_booked`` when it is taken), atomically with the plan (the
    caller may pass the plan it already read)."""
    links, plan = _check_links(tenant_id, request, plan_item)
    appointment_id = new_id()
    data = {
        "kind": request.kind,
        "customer_id": request.customer_id,
        **links,
        "ticket_id": request.ticket_id,
        "service_plan_id": request.service_plan_id,
        "visit_number": request.visit_number,
        "service_centre_id": request.service_centre_id,
        "technician": request.technician,
        "address": request.address,
        "notes": request.notes,
        "starts_at": stamp(request.starts_at),
        "ends_at": stamp(request.ends_at),
        "status": rules.AppointmentStatus.SCHEDULED.value,
        "outcome_notes": None,
        "signed_off_by": None,
        "signed_off_at": None,
        "cancel_reason": None,
        "completed_at": None,
        "reschedules": [],
    }
    item = store.new_record(
        tenant_id,
        "appointment",
        appointment_id,
        data,
        indexes={
            "gsi1pk": store.customer_index_key(tenant_id, request.customer_id, "APPOINTMENT"),
            "gsi2pk": store.kind_index_key(tenant_id, "APPOINTMENT"),
        },
    )
    _index(item)
    versioned: list[tuple[store.ServiceItem, int, str]] = []
    if plan is not None and request.visit_number is not None:
        from chalicelib.services import service_plans

        visits = rules.book_visit(
            service_plans.visits_of(plan.data),
            request.visit_number,
            appointment_id,
            rules.PlanStatus(plan.data["status"]),
        )
        booked = store.copy(plan)
        service_plans.set_visits(booked, visits)
        versioned.append((booked, int(plan.version), "service plan"))
    if request.ticket_id is not None:
        from chalicelib.services import ticket_sync

        # The ticket points at its visit (appointment_id), written with it.
        ticket_sync.create_appointment(tenant_id, item, versioned)
    else:
        store.write_together(new=[(item, "new")], versioned=versioned, what="appointment")
    emit_change(tenant_id, item, "appointment.scheduled")
    return to_appointment(item)


def book_plan_visit(
    tenant_id: str, plan_id: str, number: int, request: VisitBooking
) -> Appointment:
    """Turn a planned visit into a maintenance appointment with the plan's customer,
    product, registration and centre."""
    from chalicelib.services.service_plans import load_plan

    item = load_plan(tenant_id, plan_id)
    plan = item.data
    return create_appointment(
        tenant_id,
        AppointmentCreate(
            kind="maintenance",
            customer_id=plan["customer_id"],
            starts_at=request.starts_at,
            ends_at=request.ends_at,
            service_plan_id=plan_id,
            visit_number=number,
            service_centre_id=plan["service_centre_id"],
            technician=request.technician,
            address=request.address,
            notes=request.notes,
        ),
        plan_item=item,
    )


def get_appointment(tenant_id: str, appointment_id: str) -> Appointment:
    """One appointment (one GetItem)."""
    return to_appointment(load_appointment(tenant_id, appointment_id))


# --- changing ------------------------------------------------------------------------------------


def _expected(version: int | None, if_match: int | None) -> int:
    expected = version or if_match
    if expected is None:
        raise PreconditionRequired("send the appointment's version (or If-Match) to change it")
    return expected


def _require_scheduled(item: store.ServiceItem) -> None:
    if item.data["status"] != rules.AppointmentStatus.SCHEDULED.value:
        raise Conflict(
            f"the appointment is {item.data['status']}; only a scheduled one changes",
            code="appointment_not_scheduled",
        )


def update_appointment(
    tenant_id: str, appointment_id: str, request: AppointmentUpdate, if_match: int | None
) -> Appointment:
    """Reschedule (a new window; the old one is kept in ``reschedules``) or reassign a
    scheduled appointment, conditional on its version."""
    from chalicelib.services import service_centres

    current = load_appointment(tenant_id, appointment_id)
    expected = _expected(request.version, if_match)
    _require_scheduled(current)
    changes = request.model_dump(exclude_unset=True, exclude={"version", "reschedule_reason"})
    data = dict(current.data)
    rescheduled = False
    if request.starts_at is not None and request.ends_at is not None:
        window = (stamp(request.starts_at), stamp(request.ends_at))
        if window != (data["starts_at"], data["ends_at"]):
            rescheduled = True
            record = {
                "starts_at": data["starts_at"],
                "ends_at": data["ends_at"],
                "reason": request.reschedule_reason,
                "at": stamp(clock.now()),
            }
            data["reschedules"] = [*data["reschedules"], record][-MAX_RESCHEDULES_KEPT:]
            data["starts_at"], data["ends_at"] = window
    elif request.reschedule_reason is not None:
        raise Invalid("reschedule_reason goes with a new window", code="reason_without_window")
    centre_id = changes.get("service_centre_id")
    if centre_id is not None:
        centre = service_centres.load_centre(tenant_id, centre_id)
        if not centre.data.get("active", True):
            raise Invalid("the service centre is inactive", code="service_centre_inactive")
    for name in ("technician", "service_centre_id", "address", "notes"):
        if name in changes:
            data[name] = changes[name]
    updated = store.copy(current)
    updated.data = data
    _index(updated)
    store.save_version(updated, expected, what="appointment")
    if rescheduled:
        emit_change(
            tenant_id,
            updated,
            "appointment.rescheduled",
            previous_starts_at=current.data["starts_at"],
        )
    else:
        emit_change(tenant_id, updated, "appointment.updated", changed_fields=sorted(changes))
    return to_appointment(updated)


def transition_appointment(
    tenant_id: str, appointment_id: str, request: AppointmentTransition, if_match: int | None
) -> Appointment:
    """Complete (notes, sign-off), mark a no-show, or cancel (reason) a scheduled visit. A
    plan's visit is settled with it, in one transaction."""
    current = load_appointment(tenant_id, appointment_id)
    expected = _expected(request.version, if_match)
    status = rules.AppointmentStatus(current.data["status"])
    target = rules.AppointmentStatus(request.status)
    rules.check_appointment_transition(status, target)
    now = clock.now()
    rules.check_outcome_time(target, datetime.fromisoformat(current.data["starts_at"]), now)
    updated = store.copy(current)
    completed = target is rules.AppointmentStatus.COMPLETED
    updated.data = {
        **current.data,
        "status": target.value,
        "outcome_notes": request.outcome_notes,
        "signed_off_by": request.signed_off_by,
        "signed_off_at": stamp(now) if request.signed_off_by else None,
        "cancel_reason": request.cancel_reason,
        "completed_at": stamp(now) if completed else None,
    }
    versioned = [(updated, expected, "appointment")]
    handover = _handover(tenant_id, updated) if completed else None
    if handover is not None:
        versioned.extend(handover.writes)
    plan_id = current.data.get("service_plan_id")
    if plan_id:
        from chalicelib.services import service_plans

        plan = service_plans.load_plan(tenant_id, plan_id)
        settled = store.copy(plan)
        service_plans.set_visits(
            settled, rules.settle_visit(service_plans.visits_of(plan.data), appointment_id, target)
        )
        versioned.append((settled, int(plan.version), "service plan"))
    from chalicelib.services import ticket_sync

    # With a note on the visit's ticket, if it has one, in the same transaction.
    ticket_sync.settle_appointment(tenant_id, updated, versioned)
    emit_change(tenant_id, updated, f"appointment.{target.value}", previous_status=status.value)
    if handover is not None:
        handover.announce()
    return to_appointment(updated)


def _handover(tenant_id: str, item: store.ServiceItem) -> Handover | None:
    """A completed delivery or installation of a registered product records its date on the
    registration (the warranty may start from it), in the same transaction as the visit."""
    warranty_id = item.data.get("warranty_id")
    if not warranty_id:
        return None
    from chalicelib.services import warranties

    day = datetime.fromisoformat(item.data["starts_at"]).astimezone(UTC).date()
    return warranties.handover(
        tenant_id,
        warranty_id,
        item.data["kind"],
        day,
        appointment_id=item.record_id,
        except_plan=item.data.get("service_plan_id"),
    )


def cancel_with_plan(
    tenant_id: str, appointment_ids: list[str], reason: str, now: datetime
) -> list[tuple[store.ServiceItem, int]]:
    """The still-scheduled appointments among ``appointment_ids``, cancelled (unsaved), each
    with the version its write is conditional on. One BatchGetItem."""
    if not appointment_ids:
        return []
    found = store.get_many(tenant_id, "appointment", appointment_ids)
    scheduled = [a for a in found if a.data["status"] == rules.AppointmentStatus.SCHEDULED.value]
    if len(scheduled) > MAX_CASCADE:
        raise Conflict(
            f"the plan has {len(scheduled)} scheduled appointments; cancel some first",
            code="too_many_appointments",
        )
    result = []
    for item in scheduled:
        cancelled = store.copy(item)
        cancelled.data = {**item.data, "status": "cancelled", "cancel_reason": reason[:5000]}
        result.append((cancelled, int(item.version)))
    return result


# --- lists ------------------------------------------------------------------------------------


def list_appointments(tenant_id: str, query: AppointmentListQuery) -> AppointmentList:
    """By start time: a customer's (``customer_id``), a technician's (``technician``), one
    visit kind's (``kind``) or all, within ``from``/``to``; ``status``, ``service_centre_id``
    (and ``technician`` / ``kind`` alongside a customer or technician) filter. One Query per
    page."""
    technician = query.technician.lower() if query.technician else None
    if query.customer_id:
        index = "by_customer"
        hash_key = store.customer_index_key(tenant_id, query.customer_id, "APPOINTMENT")
    elif technician:
        index, hash_key = "by_product", store.key(tenant_id, "TECHNICIAN", technician)
    elif query.kind:
        index, hash_key = "by_facet", store.visit_kind_index_key(tenant_id, query.kind)
    else:
        index, hash_key = "by_kind", store.kind_index_key(tenant_id, "APPOINTMENT")
    low = stamp(query.starts_from) if query.starts_from else None
    high = f"{stamp(query.starts_to)}#~" if query.starts_to else None
    if low and high and low > high:
        raise Invalid("from is after to", code="invalid_range")
    if low and high:
        condition = store.range_between(index, low, high)
    elif low:
        condition = store.range_from(index, low)
    elif high:
        condition = store.range_to(index, high)
    else:
        condition = None
    filters = store.equals_filters(
        status=query.status,
        centre_id=query.service_centre_id,
        technician=technician if index == "by_customer" else None,
        visit_kind=query.kind if index in ("by_customer", "by_product") else None,
    )
    scope = (
        f"appointments:{hash_key}:{low}:{high}:{query.status}:{query.service_centre_id}:"
        f"{technician}:{query.kind}"
    )
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_index(
        index,
        hash_key,
        size,
        start,
        range_condition=condition,
        filter_condition=filters,
        newest_first=False,
    )
    return AppointmentList(
        items=[to_appointment(i) for i in page.items],
        next_cursor=next_cursor(tenant_id, scope, page),
    )
