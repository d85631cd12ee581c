"""``/v1/appointments``: delivery, installation, training, maintenance and repair visits."""

from __future__ import annotations

from chalice.app import Blueprint

from chalicelib.api.routing import Call, operation
from chalicelib.schemas.service import (
    Appointment,
    AppointmentCreate,
    AppointmentList,
    AppointmentListQuery,
    AppointmentTransition,
    AppointmentUpdate,
)
from chalicelib.services import appointments

bp = Blueprint(__name__)
TAG = "appointments"


@operation(
    bp,
    "POST",
    "/v1/appointments",
    summary="Schedule a service visit",
    tag=TAG,
    scope="service:write",
    body=AppointmentCreate,
    response=Appointment,
    status=201,
    idempotent=True,
)
def create_appointment(call: Call) -> Appointment:
    """With ``service_plan_id`` + ``visit_number`` it books that planned visit."""
    return appointments.create_appointment(call.tenant_id, call.body)


@operation(
    bp,
    "GET",
    "/v1/appointments",
    summary="List service visits",
    tag=TAG,
    scope="service:read",
    query=AppointmentListQuery,
    response=AppointmentList,
)
def list_appointments(call: Call) -> AppointmentList:
    """By start time; a customer's, a technician's or one ``kind``'s; ``from``/``to``, status,
    centre."""
    return appointments.list_appointments(call.tenant_id, call.query)


@operation(
    bp,
    "GET",
    "/v1/appointments/{appointment_id}",
    summary="Get a service visit",
    tag=TAG,
    scope="service:read",
    response=Appointment,
)
def get_appointment(call: Call, appointment_id: str) -> Appointment:
    """With its earlier windows and outcome."""
    return appointments.get_appointment(call.tenant_id, appointment_id)


@operation(
    bp,
    "PATCH",
    "/v1/appointments/{appointment_id}",
    summary="Reschedule or reassign a visit",
    tag=TAG,
    scope="service:write",
    body=AppointmentUpdate,
    response=Appointment,
    conditional=True,
)
def update_appointment(call: Call, appointment_id: str) -> Appointment:
    """Only a scheduled visit changes; the old window is kept in ``reschedules``."""
    return appointments.update_appointment(call.tenant_id, appointment_id, call.body, call.if_match)


@operation(
    bp,
    "POST",
    "/v1/appointments/{appointment_id}/transitions",
    summary="Record a visit's outcome",
    tag=TAG,
    scope="service:write",
    body=AppointmentTransition,
    response=Appointment,
    conditional=True,
)
def transition_appointment(call: Call, appointment_id: str) -> Appointment:
    """completed (notes, sign-off) / no_show / cancelled (reason); a plan's visit follows."""
    return appointments.transition_appointment(
        call.tenant_id, appointment_id, call.body, call.if_match
    )
