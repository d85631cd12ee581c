"""Responses of the public unsubscribe endpoint behind the link in every follow-up email."""

from __future__ import annotations

from typing import Literal

from chalicelib.schemas.common import ApiModel


class UnsubscribeState(ApiModel):
    """What the link does and whether it is done."""

    scope: Literal["surveys", "all"]
    company: str
    locale: Literal["en", "lt", "lv"]
    unsubscribed: bool
    message: str
