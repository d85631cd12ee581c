"""``/v1/service-plans``: maintenance schedules of customers' products, and booking their
visits as appointments."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.service import (
    Appointment,
    ServicePlan,
    ServicePlanCancel,
    ServicePlanCreate,
    ServicePlanList,
    ServicePlanListQuery,
    ServicePlanUpdate,
    VisitBooking,
)
from chalicelib.services import appointments, service_plans

bp = Blueprint(__name__)
TAG = "service-plans"


@operation(
    bp,
    "POST",
    "/v1/service-plans",
    summary="Put a product on a maintenance schedule",
    tag=TAG,
    scope="service:write",
    body=ServicePlanCreate,
    response=ServicePlan,
    status=201,
    idempotent=True,
)
def create_service_plan(call: Call) -> ServicePlan:
    """Visits every N months from ``start``, moved off the tenant's weekends and holidays;
    an authorised centre's discount applies to the visit price."""
    return service_plans.create_plan(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/service-plans",
    summary="List service plans",
    tag=TAG,
    scope="service:read",
    query=ServicePlanListQuery,
    response=ServicePlanList,
)
def list_service_plans(call: Call) -> ServicePlanList:
    """A customer's plans, newest first; otherwise by the next visit to book, soonest first."""
    return service_plans.list_plans(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/service-plans/{plan_id}",
    summary="Get a service plan",
    tag=TAG,
    scope="service:read",
    response=ServicePlan,
)
def get_service_plan(call: Call, plan_id: str) -> ServicePlan:
    """With its visits and their bookings."""
    return service_plans.get_plan(call.tenant_id, plan_id)


@operation(
    bp,
    "PATCH",
    "/v1/service-plans/{plan_id}",
    summary="Change a service plan",
    tag=TAG,
    scope="service:write",
    body=ServicePlanUpdate,
    response=ServicePlan,
    conditional=True,
)
def update_service_plan(call: Call, plan_id: str) -> ServicePlan:
    """Interval, number of visits (unbooked visits move), centre, price, notes."""
    return service_plans.update_plan(call.tenant_id, plan_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/service-plans/{plan_id}/cancel",
    summary="Cancel a service plan",
    tag=TAG,
    scope="service:write",
    body=ServicePlanCancel,
    response=ServicePlan,
    conditional=True,
)
def cancel_service_plan(call: Call, plan_id: str) -> ServicePlan:
    """Its scheduled appointments are cancelled with it."""
    return service_plans.cancel_plan(call.tenant_id, plan_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/service-plans/{plan_id}/visits/{number}/appointment",
    summary="Book a planned visit",
    tag=TAG,
    scope="service:write",
    body=VisitBooking,
    response=Appointment,
    status=201,
    idempotent=True,
)
def book_visit(call: Call, plan_id: str, number: str) -> Appointment:
    """A maintenance appointment for visit ``number``; 409 when the visit is already booked."""
    return appointments.book_plan_visit(call.tenant_id, plan_id, _visit_number(number), call.body)


def _visit_number(raw: str) -> int:
    from chalicelib.domain.errors import NotFound

    if not raw.isdigit() or not 1 <= int(raw) <= 120:
        raise NotFound(f"the plan has no visit {raw[:20]}", code="unknown_visit")
    return int(raw)
