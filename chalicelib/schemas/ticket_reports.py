"""``GET /v1/reports/tickets`` query and response."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from chalicelib.schemas.common import ApiModel


class TicketReportQuery(ApiModel):
    """A UTC date range (inclusive); defaults to the 30 days up to today."""

    from_date: date | None = Field(default=None, alias="from")
    to_date: date | None = Field(default=None, alias="to")


class SlaCompliance(ApiModel):
    """Outcomes of SLA targets whose outcome became known in the range."""

    met: int
    breached: int
    stopped_without_reply: int = Field(
        description="Response targets of tickets solved without a public agent reply: "
        "neither met nor breached, so outside the compliance figure"
    )
    compliance_percent: float | None = Field(description="met / (met + breached); null: none")


class DurationStats(ApiModel):
    """A median of business minutes estimated from fixed buckets (see docs/tickets.md)."""

    count: int
    median_minutes: float | None
    median_bucket_low_minutes: int | None = Field(description="the true median is >= this")
    median_bucket_high_minutes: int | None = Field(description="... and < this (null: open)")


class TicketReport(ApiModel):
    """Ticket counts, SLA compliance and response/resolution medians."""

    from_date: date
    to_date: date
    created: int
    solved: int
    closed: int
    reopened: int
    created_by_priority: dict[str, int]
    created_by_channel: dict[str, int]
    current_by_status: dict[str, int] = Field(description="now, not limited to the range")
    current_open_by_priority: dict[str, int] = Field(description="unresolved tickets, now")
    sla: dict[str, SlaCompliance]
    first_response: DurationStats
    resolution: DurationStats
