"""Tenant settings sections of the tickets context: ``tickets``, ``sla``, ``business_hours``
and ``ticket_fields`` (registered in ``schemas.settings.SECTIONS``)."""

from __future__ import annotations

import re
from datetime import date
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from chalicelib.schemas.common import ApiModel, Email, TimeZone

PriorityName = Literal["low", "normal", "high", "urgent"]
TypeName = Literal[
    "question",
    "incident",
    "problem",
    "complaint",
    "warranty_claim",
    "maintenance",
    "installation",
    "training",
    "request",
]
_CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")


class TicketSettings(ApiModel):
    """Ticket automation: reopening, auto-close with notice, SLA alert recipients."""

    reopen_window_days: int = Field(
        default=7, ge=0, le=365, description="A solved ticket may be reopened this long"
    )
    auto_close_solved_after_days: int | None = Field(
        default=4, ge=1, le=365, description="Close solved tickets after N days (null: never)"
    )
    auto_solve_pending_after_days: int | None = Field(
        default=7,
        ge=1,
        le=365,
        description="Solve pending tickets without a customer reply after M days (null: never)",
    )
    auto_close_notice_hours: int = Field(
        default=48, ge=1, le=720, description="Notify the customer this long before"
    )
    sla_alert_email: Email | None = Field(
        default=None, description="Where SLA warnings and breaches are emailed"
    )

    @model_validator(mode="after")
    def _notice_fits(self) -> TicketSettings:
        for days in (self.auto_close_solved_after_days, self.auto_solve_pending_after_days):
            if days is not None and self.auto_close_notice_hours >= days * 24:
                raise ValueError(
                    "auto_close_notice_hours must be shorter than the auto-close delay"
                )
        return self


class SlaTargets(ApiModel):
    """Targets in minutes (null: no target for that metric)."""

    first_response_minutes: int | None = Field(default=None, ge=1, le=525_600)
    next_response_minutes: int | None = Field(default=None, ge=1, le=525_600)
    resolution_minutes: int | None = Field(default=None, ge=1, le=5_256_000)


class SlaPolicy(SlaTargets):
    """One policy: which tickets it applies to and its targets.

    The most specific matching policy wins (most conditions given), ties by list order.
    """

    name: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    priority: PriorityName | None = None
    ticket_type: TypeName | None = None
    customer_tier: str | None = Field(default=None, max_length=40)
    entitlement: Literal["covered", "chargeable", "unknown"] | None = None
    business_hours: bool = Field(
        default=True, description="Count business time (false: around the clock)"
    )


def _default_policies() -> list[SlaPolicy]:
    return [
        SlaPolicy(
            name="Urgent",
            priority="urgent",
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=480,
        ),
        SlaPolicy(
            name="High",
            priority="high",
            first_response_minutes=240,
            next_response_minutes=480,
            resolution_minutes=1440,
        ),
        SlaPolicy(
            name="Normal",
            priority="normal",
            first_response_minutes=480,
            next_response_minutes=960,
            resolution_minutes=2880,
        ),
        SlaPolicy(
            name="Low",
            priority="low",
            first_response_minutes=960,
            next_response_minutes=1920,
            resolution_minutes=4800,
        ),
    ]


class SlaSettings(ApiModel):
    """SLA policies and when to warn."""

    enabled: bool = True
    warning_percent: int = Field(
        default=80, ge=1, le=99, description="Warn when this share of a target is used"
    )
    pause_on_hold: bool = Field(
        default=False, description="Also pause the clocks while on hold (always while pending)"
    )
    policies: list[SlaPolicy] = Field(default_factory=_default_policies, max_length=100)


class Interval(ApiModel):
    """Working time within one day, local wall-clock ``HH:MM`` (end ``24:00`` allowed)."""

    start: str
    end: str

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("use HH:MM (00:00-24:00)")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.start >= self.end:
            raise ValueError("an interval must end after it starts")
        return self


def _weekdays() -> list[Interval]:
    return [Interval(start="09:00", end="17:00")]


class WeeklyHours(ApiModel):
    """Working intervals per weekday (empty list: closed)."""

    mon: list[Interval] = Field(default_factory=_weekdays, max_length=6)
    tue: list[Interval] = Field(default_factory=_weekdays, max_length=6)
    wed: list[Interval] = Field(default_factory=_weekdays, max_length=6)
    thu: list[Interval] = Field(default_factory=_weekdays, max_length=6)
    fri: list[Interval] = Field(default_factory=_weekdays, max_length=6)
    sat: list[Interval] = Field(default_factory=list, max_length=6)
    sun: list[Interval] = Field(default_factory=list, max_length=6)

    @model_validator(mode="after")
    def _no_overlap(self) -> WeeklyHours:
        for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"):
            intervals = sorted(getattr(self, day), key=lambda i: i.start)
            for before, after in pairwise(intervals):
                if after.start < before.end:
                    raise ValueError(f"{day}: intervals overlap")
        return self


class BusinessHoursSettings(ApiModel):
    """When the support team works: weekly hours in a time zone, minus holidays."""

    time_zone: TimeZone | None = Field(
        default=None, description="Falls back to the tenant's time zone"
    )
    weekly: WeeklyHours = Field(default_factory=WeeklyHours)
    holiday_presets: list[Literal["LT", "LV", "EE"]] = Field(
        default_factory=list, description="Public holidays computed for every year"
    )
    holidays: list[date] = Field(default_factory=list, max_length=366)


FieldKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class CustomFieldDefinition(ApiModel):
    """One tenant-defined ticket field."""

    key: FieldKey
    label: Annotated[str, StringConstraints(min_length=1, max_length=80)]
    type: Literal["text", "number", "integer", "boolean", "date", "select", "multiselect"]
    required: bool = False
    options: list[Annotated[str, StringConstraints(min_length=1, max_length=80)]] = Field(
        default_factory=list, max_length=100
    )
    max_length: int = Field(default=1000, ge=1, le=10_000)

    @model_validator(mode="after")
    def _options(self) -> CustomFieldDefinition:
        if self.type in ("select", "multiselect") and not self.options:
            raise ValueError("select fields need options")
        if self.type not in ("select", "multiselect") and self.options:
            raise ValueError("only select fields take options")
        if len(set(self.options)) != len(self.options):
            raise ValueError("options must be unique")
        return self


class TicketFieldsSettings(ApiModel):
    """The tenant's custom ticket fields."""

    fields: list[CustomFieldDefinition] = Field(default_factory=list, max_length=50)

    @model_validator(mode="after")
    def _unique(self) -> TicketFieldsSettings:
        keys = [f.key for f in self.fields]
        if len(set(keys)) != len(keys):
            raise ValueError("field keys must be unique")
        return self
