"""Service centres, maintenance plans and appointments: request and response bodies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from chalicelib.schemas.common import ApiModel, Email, ListQuery, Name, Phone, Version
from chalicelib.schemas.warranties import Currency, Id, Label, Price, Text

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


class CentreCreate(ApiModel):
    """An authorised service centre."""

    name: Name
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    country: Country
    regions: list[Label] = Field(
        default_factory=list,
        max_length=50,
        description="Regions served, as ISO 3166-2 codes of the centre's country (LT-57, "
        "LV-RIX, EE-37; a county serves its municipalities); a subdivision name is accepted "
        "and stored as its code",
    )
    product_ids: list[Id] = Field(default_factory=list, max_length=500)
    categories: list[Label] = Field(default_factory=list, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    maintenance_discount_percent: int = Field(default=0, ge=0, le=100)
    active: bool = True


class CentreUpdate(ApiModel):
    """A partial update; ``version`` (or ``If-Match``) is required."""

    name: Name | None = None
    address: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
        | None
    ) = None
    country: Country | None = None
    regions: list[Label] | None = Field(
        default=None, max_length=50, description="Replaces the regions served (codes or names)"
    )
    product_ids: list[Id] | None = Field(default=None, max_length=500)
    categories: list[Label] | None = Field(default=None, max_length=50)
    email: Email | None = None
    phone: Phone | None = None
    maintenance_discount_percent: int | None = Field(default=None, ge=0, le=100)
    active: bool | None = None
    version: Version | None = None


class Centre(ApiModel):
    """An authorised service centre."""

    id: str
    name: str
    address: str
    country: str
    regions: list[str] = Field(description="ISO 3166-2 codes of the regions served")
    legacy_regions: list[str] = Field(
        default_factory=list,
        description="Region names stored before regions were codes that name no known "
        "subdivision: still matched as text (without case or diacritics); replace them with "
        "codes",
    )
    product_ids: list[str]
    categories: list[str]
    email: str | None
    phone: str | None
    maintenance_discount_percent: int
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class CentreList(ApiModel):
    """A page of centres."""

    items: list[Centre]
    next_cursor: str | None


class CentreRouteQuery(ApiModel):
    """Which centre serves a product in a region."""

    product_id: Id
    region: Label | None = Field(
        default=None,
        description="ISO 3166-2 code or a name, compared without case or diacritics "
        "(Riga, RĪGA and rīga are LV-RIX; Vilnius is the Vilnius city municipality LT-57, "
        "also served by a centre for Vilnius County LT-VL)",
    )
    country: Country | None = Field(
        default=None, description="Falls back to any centre of this country"
    )


class ServicePlanCreate(ApiModel):
    """Put a customer's product on a maintenance schedule."""

    customer_id: Id
    product_id: Id
    warranty_id: Id | None = Field(
        default=None, description="The registration serviced (one active plan per registration)"
    )
    start: date = Field(description="Nominal date of the first visit")
    every_months: int | None = Field(
        default=None, ge=1, le=120, description="Defaults to the product's maintenance interval"
    )
    visits: int = Field(ge=1, le=120)
    service_centre_id: Id | None = None
    visit_price: Price | None = Field(default=None, description="List price of one visit")
    currency: Currency | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _price_with_currency(self) -> ServicePlanCreate:
        if (self.visit_price is None) != (self.currency is None):
            raise ValueError("give visit_price and currency together")
        return self


VisitStatusName = Literal["planned", "booked", "completed"]


class PlannedVisitView(ApiModel):
    """One visit of a plan: its nominal date and the working day it is planned on."""

    number: int
    nominal_date: date
    planned_date: date
    shifted: bool = Field(description="Moved off a weekend or holiday of the tenant")
    status: VisitStatusName
    appointment_id: str | None
    discounted: bool = Field(
        description="The centre's maintenance discount applies: the registration is valid and "
        "covered on the planned date"
    )
    price: str | None = Field(description="This visit's price (after the discount if it applies)")


DiscountReasonName = Literal[
    "covered",
    "no_centre",
    "centre_not_authorised",
    "no_registration",
    "warranty_void",
    "not_covered",
]


class ServicePlan(ApiModel):
    """A maintenance plan and its visits."""

    id: str
    customer_id: str
    product_id: str
    warranty_id: str | None
    start: date
    every_months: int
    service_centre_id: str | None
    centre_authorised: bool = Field(
        description="The centre is active and serves this product (or its category)"
    )
    centre_discount_percent: int = Field(
        description="The maintenance discount the authorised centre offers for this product"
    )
    discount_percent: int = Field(
        description="The centre's discount when it applies to a visit of this plan, else 0"
    )
    discount_reason: DiscountReasonName = Field(
        description="covered when some visit is discounted; else why none is"
    )
    visit_price: str | None
    price_after_discount: str | None
    currency: str | None
    notes: str | None
    status: Literal["active", "completed", "cancelled"]
    cancel_reason: str | None
    cancelled_at: datetime | None
    next_visit_on: date | None = Field(description="Planned date of the first unbooked visit")
    visits: list[PlannedVisitView]
    created_at: datetime
    updated_at: datetime
    version: int


class ServicePlanUpdate(ApiModel):
    """Change the schedule (still-planned visits move; booked and completed ones stay), the
    centre (discount recomputed) or the price. ``version`` (or ``If-Match``) is required."""

    every_months: int | None = Field(default=None, ge=1, le=120)
    visits: int | None = Field(default=None, ge=1, le=120)
    service_centre_id: Id | None = None
    visit_price: Price | None = None
    currency: Currency | None = None
    notes: Text | None = None
    version: Version | None = None


class ServicePlanCancel(ApiModel):
    """Cancel a plan: its still-scheduled appointments are cancelled with it."""

    reason: Text
    version: Version | None = None


class ServicePlanList(ApiModel):
    """A page of plans."""

    items: list[ServicePlan]
    next_cursor: str | None


class ServicePlanListQuery(ListQuery):
    """A customer's plans (newest first), or every plan by its next visit to book."""

    customer_id: Id | None = None
    due_before: date | None = Field(
        default=None, description="Only plans with an unbooked visit planned on or before"
    )
    status: Literal["active", "completed", "cancelled"] | None = None


VisitKindName = Literal["delivery", "installation", "training", "maintenance", "repair"]
AppointmentStatusName = Literal["scheduled", "completed", "no_show", "cancelled"]
Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


def _check_window(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    if (ends_at - starts_at).days >= 7:
        raise ValueError("a visit window is shorter than a week")


class VisitBooking(ApiModel):
    """Book a planned visit of a service plan as a maintenance appointment."""

    starts_at: datetime
    ends_at: datetime
    technician: Label | None = None
    address: Address | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _window(self) -> VisitBooking:
        _check_window(self.starts_at, self.ends_at)
        return self


class AppointmentCreate(ApiModel):
    """A service visit."""

    kind: VisitKindName
    customer_id: Id
    starts_at: datetime
    ends_at: datetime
    product_id: Id | None = None
    warranty_id: Id | None = None
    ticket_id: Id | None = None
    service_plan_id: Id | None = None
    visit_number: int | None = Field(default=None, ge=1, le=120)
    service_centre_id: Id | None = None
    technician: Label | None = None
    address: Address | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _window(self) -> AppointmentCreate:
        _check_window(self.starts_at, self.ends_at)
        if (self.visit_number is None) != (self.service_plan_id is None):
            raise ValueError("give service_plan_id and visit_number together")
        if self.service_plan_id is not None and self.kind != "maintenance":
            raise ValueError("a service plan's visit is a maintenance appointment")
        return self


class AppointmentUpdate(ApiModel):
    """Reschedule or reassign a scheduled visit; ``version`` (or ``If-Match``) is required."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    technician: Label | None = None
    service_centre_id: Id | None = None
    address: Address | None = None
    notes: Text | None = None
    reschedule_reason: Text | None = None
    version: Version | None = None

    @model_validator(mode="after")
    def _window(self) -> AppointmentUpdate:
        if (self.starts_at is None) != (self.ends_at is None):
            raise ValueError("give starts_at and ends_at together")
        _check_window(self.starts_at, self.ends_at)
        return self


class AppointmentTransition(ApiModel):
    """Record how a visit went: completed (with notes and the customer's sign-off), no_show,
    or cancelled (with a reason)."""

    status: Literal["completed", "no_show", "cancelled"]
    outcome_notes: Text | None = None
    signed_off_by: Name | None = Field(default=None, description="Customer sign-off (completed)")
    cancel_reason: Text | None = None
    version: Version | None = None

    @model_validator(mode="after")
    def _fields_fit(self) -> AppointmentTransition:
        if self.status == "cancelled" and not self.cancel_reason:
            raise ValueError("a cancellation needs cancel_reason")
        if self.status != "cancelled" and self.cancel_reason:
            raise ValueError("cancel_reason is for cancellations")
        if self.status != "completed" and self.signed_off_by:
            raise ValueError("only a completed visit is signed off")
        return self


class RescheduleRecord(ApiModel):
    """One earlier window of an appointment."""

    starts_at: datetime
    ends_at: datetime
    reason: str | None
    at: datetime


class Appointment(ApiModel):
    """A service visit."""

    id: str
    kind: VisitKindName
    customer_id: str
    product_id: str | None
    warranty_id: str | None
    ticket_id: str | None
    service_plan_id: str | None
    visit_number: int | None
    service_centre_id: str | None
    technician: str | None
    address: str | None
    notes: str | None
    starts_at: datetime
    ends_at: datetime
    status: AppointmentStatusName
    outcome_notes: str | None
    signed_off_by: str | None
    signed_off_at: datetime | None
    cancel_reason: str | None
    completed_at: datetime | None
    reschedules: list[RescheduleRecord]
    created_at: datetime
    updated_at: datetime
    version: int


class AppointmentList(ApiModel):
    """A page of appointments."""

    items: list[Appointment]
    next_cursor: str | None


class AppointmentListQuery(ListQuery):
    """Visits by start time: a customer's, a technician's or all, in a time range, filtered."""

    customer_id: Id | None = None
    technician: Label | None = None
    kind: VisitKindName | None = None
    starts_from: datetime | None = Field(default=None, alias="from")
    starts_to: datetime | None = Field(default=None, alias="to")
    status: AppointmentStatusName | None = None
    service_centre_id: Id | None = None
