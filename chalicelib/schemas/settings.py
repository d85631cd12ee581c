"""Tenant settings sections: each a pydantic model whose fields all have defaults.

Adding a section: define its model (in its context's schema module) and add it to
``SECTIONS`` below. ``GET /v1/settings``, ``GET /v1/settings/<section>`` and
``PUT /v1/settings/<section>`` appear automatically, with their OpenAPI schemas.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from chalicelib.schemas.common import ApiModel, Version
from chalicelib.schemas.customer_data import PrivacySettings
from chalicelib.schemas.feedback import FeedbackSettings
from chalicelib.schemas.followups import FollowUpSettings
from chalicelib.schemas.ticket_settings import (
    BusinessHoursSettings,
    SlaSettings,
    TicketFieldsSettings,
    TicketSettings,
)
from chalicelib.schemas.widget import WidgetSettings


class GeneralSettings(ApiModel):
    """Company-wide settings shown to customers."""

    support_email: str | None = Field(default=None, max_length=254)
    brand_color: str = Field(default="#1f6feb", pattern=r"^#[0-9a-fA-F]{6}$")


SECTIONS: dict[str, type[ApiModel]] = {
    "general": GeneralSettings,
    "tickets": TicketSettings,
    "sla": SlaSettings,
    "business_hours": BusinessHoursSettings,
    "ticket_fields": TicketFieldsSettings,
    "widget": WidgetSettings,
    "feedback": FeedbackSettings,
    "privacy": PrivacySettings,
    "followups": FollowUpSettings,
}


class SettingsEnvelope(ApiModel):
    """One section as stored: its values, version and last change."""

    section: str
    values: dict[str, Any]
    version: int = Field(description="0 while the tenant uses the defaults")
    updated_at: datetime | None


class SettingsOverview(ApiModel):
    """Every section of the tenant's settings (defaults where never changed)."""

    sections: dict[str, SettingsEnvelope]


def update_model(section: str, model: type[ApiModel]) -> type[ApiModel]:
    """The body of ``PUT /v1/settings/<section>``: the section's fields plus ``version``."""
    from pydantic import create_model

    return create_model(
        f"{model.__name__}Update",
        __base__=model,
        version=(Version | None, Field(default=None, description="0/absent: first change")),
    )
