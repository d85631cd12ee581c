"""Maintenance (service) plans: a customer's product on a schedule of visits.

A plan lists its visits (at most 120) inside its own item, each with its nominal date and the
working day it is planned on (shifted off the tenant's weekends and holidays, from the
``business_hours`` settings). Visits are *planned* until a dispatcher books one as a
maintenance appointment (``POST /v1/service-plans/{id}/visits/{n}/appointment`` or
``POST /v1/appointments`` with ``service_plan_id`` + ``visit_number``); the appointment's
outcome completes the visit or frees it to be booked again. The ``maintenance_reminder``
follow-up reminds the customer before each planned visit.

Pricing: a plan names a visit price; the centre's maintenance discount applies to a visit
when the centre is *authorised* for the product (active and serving the product or its
category) and the plan's registration is valid and covered on the visit's planned date (rule
``maintenance.visit_discount``). Each visit is marked discounted or not; the discount and the
prices are snapshotted on the plan so later centre changes do not rewrite an agreed price, and
re-priced when the plan's centre, price or schedule changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from chalicelib.domain import clock, links
from chalicelib.domain import maintenance as rules
from chalicelib.domain.coverage import Registration
from chalicelib.domain.errors import Conflict, Invalid, NotFound, PreconditionRequired
from chalicelib.domain.ids import is_id, new_id
from chalicelib.notify.events import DomainEvent
from chalicelib.schemas.service import (
    PlannedVisitView,
    ServicePlan,
    ServicePlanCancel,
    ServicePlanCreate,
    ServicePlanList,
    ServicePlanListQuery,
    ServicePlanUpdate,
)
from chalicelib.services.paging import next_cursor, page_request
from chalicelib.store import service as store

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
NO_DUE = "9999-12-31"


# --- the tenant's working days -----------------------------------------------------------------


def working_day_rule(tenant_id: str, first: date, last: date) -> Callable[[date], bool]:
    """Working days between ``first`` and ``last`` (plus a month's margin for shifts): the
    weekdays with business hours, minus the holiday presets and explicit holidays of the
    tenant's ``business_hours`` settings (one GetItem)."""
    from chalicelib.domain.holidays import preset_dates
    from chalicelib.schemas.ticket_settings import BusinessHoursSettings
    from chalicelib.services.settings import section_values

    hours = section_values(tenant_id, BusinessHoursSettings, "business_hours")
    open_days = [i for i, day in enumerate(WEEKDAYS) if getattr(hours.weekly, day)]
    years = range(first.year, last.year + 2)
    holidays = set(hours.holidays) | set(preset_dates(tuple(hours.holiday_presets), years))
    return rules.working_days(open_days, holidays)


def _span_end(start: date, every_months: int, visits: int) -> date:
    return rules.add_months(start, every_months * (visits - 1))


# --- views ---------------------------------------------------------------------------------------


def visits_of(data: dict[str, Any]) -> list[rules.Visit]:
    """The domain view of a stored plan's visits."""
    return [
        rules.Visit(
            number=v["number"],
            nominal=date.fromisoformat(v["nominal_date"]),
            planned=date.fromisoformat(v["planned_date"]),
            status=rules.VisitStatus(v["status"]),
            appointment_id=v.get("appointment_id"),
            # Plans priced before visits carried the flag had one discount for every visit.
            discounted=v.get("discounted", bool(data.get("discount_percent"))),
        )
        for v in data["visits"]
    ]


def _stored_visits(visits: list[rules.Visit]) -> list[dict[str, Any]]:
    return [
        {
            "number": v.number,
            "nominal_date": v.nominal.isoformat(),
            "planned_date": v.planned.isoformat(),
            "status": v.status.value,
            "appointment_id": v.appointment_id,
            "discounted": v.discounted,
        }
        for v in visits
    ]


def set_visits(item: store.ServiceItem, visits: list[rules.Visit]) -> None:
    """Store ``visits`` on the plan item, with its status and next-visit index key."""
    status = rules.plan_status_after(visits, rules.PlanStatus(item.data["status"]))
    item.data = {**item.data, "visits": _stored_visits(visits), "status": status.value}
    index_next_visit(item)


def index_next_visit(item: store.ServiceItem) -> None:
    """Sort key of the plan on ``by_kind``: the next unbooked visit (last when none)."""
    upcoming = rules.next_open_visit(visits_of(item.data))
    active = item.data["status"] == rules.PlanStatus.ACTIVE.value
    due = upcoming.planned.isoformat() if upcoming and active else NO_DUE
    item.gsi2sk = f"{due}#{item.record_id}"


def to_plan(item: store.ServiceItem) -> ServicePlan:
    """The API view of a stored plan."""
    data = item.data
    visits = visits_of(data)
    upcoming = rules.next_open_visit(visits) if data["status"] == "active" else None
    return ServicePlan.model_validate(
        {
            **data,
            "id": item.record_id,
            "discount_reason": data.get("discount_reason") or _old_reason(data),
            "centre_discount_percent": data.get(
                "centre_discount_percent", data["discount_percent"]
            ),
            "next_visit_on": upcoming.planned if upcoming else None,
            "visits": [
                PlannedVisitView(
                    number=v.number,
                    nominal_date=v.nominal,
                    planned_date=v.planned,
                    shifted=v.nominal != v.planned,
                    status=v.status.value,
                    appointment_id=v.appointment_id,
                    discounted=v.discounted,
                    price=data["price_after_discount"] if v.discounted else data["visit_price"],
                )
                for v in visits
            ],
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )


def load_plan(tenant_id: str, plan_id: str) -> store.ServiceItem:
    """The stored plan, or 404."""
    item = store.get_record(tenant_id, "service_plan", plan_id) if is_id(plan_id) else None
    if item is None:
        raise NotFound(f"service plan {plan_id} not found", code="service_plan_not_found")
    return item


# --- pricing -------------------------------------------------------------------------------------


def _minor(price: str) -> int:
    return int(Decimal(price) * 100)


def _price(minor: int) -> str:
    return f"{Decimal(minor) / 100:.2f}"


def _centre_terms(
    tenant_id: str, centre_id: str | None, product: store.ServiceItem
) -> tuple[bool, int]:
    """Whether the centre is authorised for the product, and the discount it offers then."""
    from chalicelib.services import service_centres

    if centre_id is None:
        return False, 0
    centre = service_centres.load_centre(tenant_id, centre_id)
    if not centre.data.get("active", True):
        raise Invalid("the service centre is inactive", code="service_centre_inactive")
    authorised = service_centres.serves(centre, product.record_id, product.data.get("category"))
    return authorised, int(centre.data.get("maintenance_discount_percent", 0)) if authorised else 0


def _pricing(
    centre_id: str | None,
    terms: tuple[bool, int],
    price: str | None,
    registration: Registration | None,
    visits: list[rules.Visit],
) -> tuple[dict[str, Any], list[rules.Visit]]:
    """The discount rule applied to each visit on its planned date, the plan's discount and
    the price after it; and the visits marked discounted or not."""
    authorised, offered = terms
    priced, reason = rules.price_visits(
        visits,
        lambda day: rules.visit_discount(
            centre_authorised=authorised,
            registration=registration,
            on=day,
            has_centre=centre_id is not None,
        ),
    )
    discount = offered if reason is rules.DiscountReason.COVERED else 0
    after = _price(rules.discounted_price(_minor(price), discount)) if price else None
    return {
        "service_centre_id": centre_id,
        "centre_authorised": authorised,
        "centre_discount_percent": offered,
        "discount_percent": discount,
        "discount_reason": reason.value,
        "visit_price": _price(_minor(price)) if price else None,
        "price_after_discount": after,
    }, priced


def _old_reason(data: dict[str, Any]) -> str:
    """The discount reason of a plan priced before reasons were stored."""
    if data.get("discount_percent"):
        return rules.DiscountReason.COVERED.value
    if data.get("service_centre_id") is None:
        return rules.DiscountReason.NO_CENTRE.value
    if not data.get("centre_authorised"):
        return rules.DiscountReason.CENTRE_NOT_AUTHORISED.value
    return rules.DiscountReason.NOT_COVERED.value


def repriced_for_cover(
    tenant_id: str, warranty_id: str, registration: Registration, *, except_plan: str | None = None
) -> tuple[store.ServiceItem, int] | None:
    """The registration's active plan priced again for its new cover (voided, extended, or
    started on delivery), unsaved, with the version its write is conditional on; None when
    there is no active plan (or it is ``except_plan``) or no visit's price changes. The
    centre's terms stay the plan's snapshot. One GetItem (the plan guard), two with a plan."""
    plan_id = store.active_plan_id(tenant_id, warranty_id)
    if plan_id is None or plan_id == except_plan:
        return None
    plan = store.get_record(tenant_id, "service_plan", plan_id)
    if plan is None or plan.data["status"] != rules.PlanStatus.ACTIVE.value:
        return None
    data = plan.data
    offered = data.get("centre_discount_percent", data["discount_percent"])
    pricing, visits = _pricing(
        data["service_centre_id"],
        (bool(data["centre_authorised"]), int(offered)),
        data["visit_price"],
        registration,
        visits_of(data),
    )
    if visits == visits_of(data) and all(data.get(k) == v for k, v in pricing.items()):
        return None
    updated = store.copy(plan)
    updated.data = {**data, **pricing}
    set_visits(updated, visits)
    return updated, int(plan.version)


def _registration(tenant_id: str, warranty_id: str | None) -> Registration | None:
    """The coverage view of the plan's registration (one GetItem), or None without one."""
    from chalicelib.services import warranties

    return warranties.load(tenant_id, warranty_id).registration() if warranty_id else None


# --- use cases -----------------------------------------------------------------------------------


def _emit(tenant_id: str, name: str, item: store.ServiceItem, **extra: Any) -> None:
    from chalicelib.services.reactions import emit

    data = item.data
    emit(
        [
            DomainEvent(
                tenant_id,
                name,
                {
                    "service_plan_id": item.record_id,
                    "customer_id": data["customer_id"],
                    "product_id": data["product_id"],
                    "warranty_id": data["warranty_id"],
                    "status": data["status"],
                    "visits": [
                        {
                            "number": v["number"],
                            "planned_date": v["planned_date"],
                            "status": v["status"],
                        }
                        for v in data["visits"]
                    ],
                    **extra,
                },
            )
        ]
    )


def create_plan(tenant_id: str, request: ServicePlanCreate) -> ServicePlan:
    """Put a customer's product on a schedule; a registration has at most one active plan
    (409 ``service_plan_exists``)."""
    from chalicelib.services import customers, products, warranties

    customers.get_customer(tenant_id, request.customer_id)
    product = products.load_product(tenant_id, request.product_id)
    registration: Registration | None = None
    if request.warranty_id is not None:
        loaded = warranties.load(tenant_id, request.warranty_id)
        registration = loaded.registration()
        links.ensure_same_customer(
            request.customer_id, [links.registration(loaded.item.data["customer_id"])]
        )
        if loaded.item.data["product_id"] != request.product_id:
            raise Invalid("the registration is of another product", code="warranty_mismatch")
    every = request.every_months or product.data.get("maintenance_interval_months")
    if not every:
        raise Invalid(
            "the product has no maintenance interval; give every_months",
            code="interval_required",
        )
    working = working_day_rule(
        tenant_id, request.start, _span_end(request.start, every, request.visits)
    )
    visits = rules.replan([], request.start, every, request.visits, working)
    centre = request.service_centre_id
    pricing, visits = _pricing(
        centre,
        _centre_terms(tenant_id, centre, product),
        request.visit_price,
        registration,
        visits,
    )
    plan_id = new_id()
    created = clock.now().isoformat()
    data = {
        "customer_id": request.customer_id,
        "product_id": request.product_id,
        "warranty_id": request.warranty_id,
        "start": request.start.isoformat(),
        "every_months": every,
        **pricing,
        "currency": request.currency,
        "notes": request.notes,
        "status": rules.PlanStatus.ACTIVE.value,
        "cancel_reason": None,
        "cancelled_at": None,
        "visits": [],
    }
    item = store.new_record(
        tenant_id,
        "service_plan",
        plan_id,
        data,
        indexes={
            "gsi1pk": store.customer_index_key(tenant_id, request.customer_id, "SERVICE_PLAN"),
            "gsi1sk": f"{created}#{plan_id}",
            "gsi2pk": store.kind_index_key(tenant_id, "SERVICE_PLAN"),
        },
    )
    set_visits(item, visits)
    guards = (
        [(store.plan_guard(tenant_id, request.warranty_id, plan_id), "plan_guard")]
        if request.warranty_id
        else []
    )
    store.write_together(new=[(item, "new")], guards=guards, what="service plan")
    _emit(tenant_id, "service_plan.created", item)
    return to_plan(item)


def get_plan(tenant_id: str, plan_id: str) -> ServicePlan:
    """One plan with its visits (one GetItem)."""
    return to_plan(load_plan(tenant_id, plan_id))


def _expected(version: int | None, if_match: int | None) -> int:
    expected = version or if_match
    if expected is None:
        raise PreconditionRequired("send the service plan's version (or If-Match) to change it")
    return expected


def _require_active(item: store.ServiceItem) -> None:
    if item.data["status"] != rules.PlanStatus.ACTIVE.value:
        raise Conflict(f"the service plan is {item.data['status']}", code="service_plan_not_active")


def update_plan(
    tenant_id: str, plan_id: str, request: ServicePlanUpdate, if_match: int | None
) -> ServicePlan:
    """Change an active plan's schedule, centre, price or notes (conditional on its version)."""
    from chalicelib.services import products

    current = load_plan(tenant_id, plan_id)
    expected = _expected(request.version, if_match)
    _require_active(current)
    changes = request.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        return to_plan(current)  # nothing to change: no write, no event
    data = current.data
    updated = store.copy(current)
    merged = {**data}
    if "notes" in changes:
        merged["notes"] = changes["notes"]
    visits = visits_of(data)
    if {"every_months", "visits"} & changes.keys():
        every = changes.get("every_months") or data["every_months"]
        count = changes.get("visits") or len(data["visits"])
        start = date.fromisoformat(data["start"])
        working = working_day_rule(tenant_id, start, _span_end(start, every, count))
        visits = rules.replan(visits, start, every, count, working)
        merged["every_months"] = every
    if {"service_centre_id", "visit_price", "currency", "every_months", "visits"} & changes.keys():
        # New prices or new visit dates: every visit is priced again against today's cover.
        # The centre's terms are read again only when the centre or the price changes (else
        # the snapshot holds: a centre's later changes do not rewrite an agreed price).
        price = changes.get("visit_price", data["visit_price"])
        currency = changes.get("currency", data["currency"])
        if (price is None) != (currency is None):
            raise Invalid("give visit_price and currency together", code="price_without_currency")
        centre = changes.get("service_centre_id", data["service_centre_id"])
        if {"service_centre_id", "visit_price", "currency"} & changes.keys():
            product = products.load_product(tenant_id, data["product_id"])
            terms = _centre_terms(tenant_id, centre, product)
        else:
            offered = data.get("centre_discount_percent", data["discount_percent"])
            terms = (bool(data["centre_authorised"]), int(offered))
        registration = _registration(tenant_id, data.get("warranty_id"))
        pricing, visits = _pricing(centre, terms, price, registration, visits)
        merged.update(pricing, currency=currency)
    updated.data = merged
    set_visits(updated, visits)
    store.save_version(updated, expected, what="service plan")
    _emit(tenant_id, "service_plan.updated", updated, changed_fields=sorted(changes))
    return to_plan(updated)


def cancel_plan(
    tenant_id: str, plan_id: str, request: ServicePlanCancel, if_match: int | None
) -> ServicePlan:
    """Cancel an active plan. Its still-scheduled appointments are cancelled in the same
    transaction, and its registration may get a new plan."""
    from chalicelib.services import appointments

    current = load_plan(tenant_id, plan_id)
    expected = _expected(request.version, if_match)
    _require_active(current)
    booked = [v.appointment_id for v in visits_of(current.data) if v.appointment_id]
    now = clock.now()
    cancelled_appointments = appointments.cancel_with_plan(
        tenant_id, booked, f"service plan cancelled: {request.reason}", now
    )
    updated = store.copy(current)
    updated.data = {
        **current.data,
        "status": rules.PlanStatus.CANCELLED.value,
        "cancel_reason": request.reason,
        "cancelled_at": now.isoformat(),
    }
    set_visits(
        updated,
        [
            rules.settle_visit([v], v.appointment_id, rules.AppointmentStatus.CANCELLED)[0]
            if v.appointment_id
            else v
            for v in visits_of(current.data)
        ],
    )
    warranty_id = current.data.get("warranty_id")
    deletes = (
        [(store.plan_guard(tenant_id, warranty_id, plan_id), "plan_guard_release")]
        if warranty_id
        else []
    )
    store.write_together(
        versioned=[
            (updated, expected, "service plan"),
            *[(a, v, "appointment") for a, v in cancelled_appointments],
        ],
        deletes=deletes,
        what="service plan",
    )
    _emit(tenant_id, "service_plan.cancelled", updated, reason=request.reason)
    for item, _ in cancelled_appointments:
        appointments.emit_change(tenant_id, item, "appointment.cancelled")
    return to_plan(updated)


def list_plans(tenant_id: str, query: ServicePlanListQuery) -> ServicePlanList:
    """A customer's plans (newest first), or every plan by its next visit to book (soonest
    first; ``due_before`` keeps those with an unbooked visit on or before that day)."""
    if query.customer_id and query.due_before:
        raise Invalid("filter by customer_id or due_before, not both", code="invalid_query")
    status_filter = store.equals_filters(status=query.status)
    if query.customer_id:
        index = "by_customer"
        hash_key = store.customer_index_key(tenant_id, query.customer_id, "SERVICE_PLAN")
        condition, newest_first = None, True
    else:
        index, newest_first = "by_kind", False
        hash_key = store.kind_index_key(tenant_id, "SERVICE_PLAN")
        condition = (
            store.range_to(index, f"{query.due_before.isoformat()}#~") if query.due_before else None
        )
    scope = f"service_plans:{hash_key}:{query.due_before}:{query.status}"
    size, start = page_request(tenant_id, scope, query.limit, query.cursor)
    page = store.list_index(
        index,
        hash_key,
        size,
        start,
        range_condition=condition,
        filter_condition=status_filter,
        newest_first=newest_first,
    )
    return ServicePlanList(
        items=[to_plan(i) for i in page.items], next_cursor=next_cursor(tenant_id, scope, page)
    )
