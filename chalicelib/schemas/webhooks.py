"""Request and response models of ``/v1/webhooks`` (tenant endpoints for follow-up deliveries)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from chalicelib.schemas.common import ApiModel, Version

WebhookUrl = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2048)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class WebhookCreate(ApiModel):
    """A tenant endpoint that receives signed follow-up deliveries (``https`` only)."""

    url: WebhookUrl
    description: Description | None = None
    enabled: bool = True


class WebhookUpdate(ApiModel):
    """Change an endpoint (version-conditional); ``rotate_secret`` issues a new secret."""

    url: WebhookUrl | None = None
    description: Description | None = None
    enabled: bool | None = None
    rotate_secret: bool = False
    version: Version | None = None


class Webhook(ApiModel):
    """A webhook endpoint (its secret is shown once, on create and on rotation)."""

    id: str
    url: str
    description: str | None
    enabled: bool
    secret_hint: str = Field(description="the secret's last four characters")
    created_at: datetime
    updated_at: datetime
    version: int


class WebhookWithSecret(Webhook):
    """A webhook endpoint with its signing secret: store it, it is not shown again."""

    secret: str


class WebhookList(ApiModel):
    """A page of webhook endpoints."""

    items: list[Webhook]
    next_cursor: str | None
