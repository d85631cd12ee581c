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
    regions: list[Label] = Field(default_factory=list, max_length=50, description="Served")
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
    regions: list[Label] | None = Field(default=None, max_length=50)
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
    regions: list[str]
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
    region: Label | None = None
    country: Country | None = None


class ServicePlanCreate(ApiModel):
    """Put a customer's product on a maintenance schedule."""

    customer_id: Id
    product_id: Id
    warranty_id: Id | None = None
    start: date
    every_months: int | None = Field(
        default=None, ge=1, le=120, description="Defaults to the product's maintenance interval"
    )
    visits: int = Field(ge=1, le=120)
    service_centre_id: Id | None = None
    visit_price: Price | None = None
    currency: Currency | None = None

    @model_validator(mode="after")
    def _price_with_currency(self) -> ServicePlanCreate:
        if (self.visit_price is None) != (self.currency is None):
            raise ValueError("give visit_price and currency together")
        return self


class PlannedVisitView(ApiModel):
    """One visit of a plan."""

    number: int
    nominal_date: date
    planned_date: date
    shifted: bool
    appointment_id: str | None


class ServicePlan(ApiModel):
    """A maintenance plan and its visits."""

    id: str
    customer_id: str
    product_id: str
    warranty_id: str | None
    start: date
    every_months: int
    service_centre_id: str | None
    visit_price: str | None
    price_after_discount: str | None
    currency: str | None
    discount_percent: int
    status: Literal["active", "cancelled"]
    visits: list[PlannedVisitView]
    created_at: datetime
    updated_at: datetime
    version: int


class ServicePlanUpdate(ApiModel):
    """Cancel a plan (its future visits are no longer planned)."""

    status: Literal["cancelled"]
    version: Version | None = None


class ServicePlanList(ApiModel):
    """A page of plans."""

    items: list[ServicePlan]
    next_cursor: str | None


class ServicePlanListQuery(ListQuery):
    """A customer's plans, or all."""

    customer_id: Id | None = None


VisitKindName = Literal["delivery", "installation", "training", "maintenance", "repair"]
AppointmentStatusName = Literal["scheduled", "completed", "no_show", "cancelled"]


class AppointmentCreate(ApiModel):
    """A service visit."""

    kind: VisitKindName
    customer_id: Id
    starts_at: datetime
    ends_at: datetime
    product_id: Id | None = None
    warranty_id: Id | None = None
    service_plan_id: Id | None = None
    visit_number: int | None = Field(default=None, ge=1, le=120)
    service_centre_id: Id | None = None
    technician: Label | None = None
    address: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    notes: Text | None = None

    @model_validator(mode="after")
    def _window(self) -> AppointmentCreate:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("times need a time zone (RFC 3339, e.g. 2026-05-04T09:00:00Z)")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if (self.ends_at - self.starts_at).days >= 7:
            raise ValueError("a visit window is shorter than a week")
        if (self.visit_number is None) != (self.service_plan_id is None):
            raise ValueError("give service_plan_id and visit_number together")
        return self


class AppointmentUpdate(ApiModel):
    """Reschedule or reassign a scheduled visit, or record how it went."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    technician: Label | None = None
    service_centre_id: Id | None = None
    status: Literal["completed", "no_show", "cancelled"] | None = None
    outcome_notes: Text | None = None
    signed_off_by: Name | None = Field(default=None, description="Customer sign-off (completed)")
    cancel_reason: Text | None = None
    version: Version | None = None


class Appointment(ApiModel):
    """A service visit."""

    id: str
    kind: VisitKindName
    customer_id: str
    product_id: str | None
    warranty_id: str | None
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
    created_at: datetime
    updated_at: datetime
    version: int


class AppointmentList(ApiModel):
    """A page of appointments."""

    items: list[Appointment]
    next_cursor: str | None


class AppointmentListQuery(ListQuery):
    """A customer's visits, or all visits in a time range (by start), optionally filtered."""

    customer_id: Id | None = None
    starts_from: datetime | None = Field(default=None, alias="from")
    starts_to: datetime | None = Field(default=None, alias="to")
    status: AppointmentStatusName | None = None
    technician: Label | None = None
    service_centre_id: Id | None = None
