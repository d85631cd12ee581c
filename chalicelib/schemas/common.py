"""Shared pydantic building blocks for request and response models.

Every model forbids unknown fields and defers building its validator until first use, which keeps
``import app`` (the Lambda cold start) cheap.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Locale = Literal["en", "lt", "lv"]
SUPPORTED_LOCALES: tuple[str, ...] = ("en", "lt", "lv")

_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{3,30}$")


def _email(value: str) -> str:
    local, _, domain = value.partition("@")
    if not _EMAIL.match(value) or len(local) > 64:
        raise ValueError("not a valid email address")
    return f"{local}@{domain.lower()}"


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("not a known IANA time zone (e.g. Europe/Vilnius)") from exc
    return value


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("not a valid phone number (digits, spaces, +()-)")
    return value


Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254), AfterValidator(_email)
]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_phone)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ExternalId = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@/+-]+$")
]
Version = Annotated[int, Field(ge=1, description="The version this change is conditional on")]


class ApiModel(BaseModel):
    """Base of every request and response body."""

    model_config = ConfigDict(extra="forbid", defer_build=True, str_max_length=10_000)


class ListQuery(ApiModel):
    """``?limit=&cursor=`` of every list."""

    limit: int | None = Field(default=None, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class Timestamps(ApiModel):
    """Creation and last-change times (RFC 3339, UTC)."""

    created_at: datetime
    updated_at: datetime


class FieldProblem(ApiModel):
    """One invalid field of a request."""

    field: str
    message: str
    type: str


class Problem(ApiModel):
    """RFC 9457 problem details, as every error response carries them."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldProblem] | None = None


class Health(ApiModel):
    """``GET /health``."""

    status: Literal["ok"]
