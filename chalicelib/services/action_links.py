"""Signed customer action links: what a reminder email lets its reader do, and nothing more.

A reminder (warranty expiry, registration, maintenance) carries one link to act on: extend the
cover, book the visit, send the proof of purchase. The link is a sealed, expiring token bound to
one tenant, one customer, one action and one subject (a warranty registration or a service
plan); editing any field breaks the signature, and a token minted for this purpose never
verifies as a survey link, cursor or unsubscribe link (the purpose is part of the MAC and of the
derived key). The pages behind it live under ``/widget/v1/actions/{token}``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, get_args
from urllib.parse import quote

from chalicelib.config import get_settings
from chalicelib.domain.errors import BadRequest, Gone
from chalicelib.domain.sealed import seal, unseal
from chalicelib.services.signing import derived_key

PURPOSE = "customer-action-link"
VALIDITY = timedelta(days=30)
# Tokens longer than this are refused before any decoding (a real one is ~300 characters).
MAX_TOKEN_LENGTH = 2048
_VERSION = 1

Action = Literal["extend_cover", "book_visit", "proof_of_purchase"]
ACTIONS: tuple[str, ...] = get_args(Action)
# What each action's subject id names.
SUBJECT_KINDS: dict[str, str] = {
    "extend_cover": "warranty",
    "book_visit": "service_plan",
    "proof_of_purchase": "warranty",
}


@dataclass(frozen=True)
class ActionGrant:
    """The right of one customer to take one action on one subject until ``expires_at``."""

    tenant_id: str
    customer_id: str
    action: str
    subject_id: str
    expires_at: int  # epoch seconds

    def expired(self, now: datetime) -> bool:
        """Whether the link can no longer be used at ``now``."""
        return now.timestamp() >= self.expires_at


def _key() -> bytes:
    return derived_key(PURPOSE)


def action_token(
    tenant_id: str, customer_id: str, action: str, subject_id: str, now: datetime
) -> str:
    """The sealed token of one action link issued at ``now`` (valid for :data:`VALIDITY`)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown customer action {action!r}; expected one of {ACTIONS}")
    if not (tenant_id and customer_id and subject_id):
        raise ValueError("an action link needs a tenant, a customer and a subject")
    expires_at = int((now.astimezone(UTC) + VALIDITY).timestamp())
    grant = ActionGrant(tenant_id, customer_id, action, subject_id, expires_at)
    return seal(_key(), PURPOSE, {"v": _VERSION, **asdict(grant)})


def action_url(
    tenant_id: str, customer_id: str, action: str, subject_id: str, now: datetime
) -> str:
    """The public URL of the page where the customer takes ``action`` on ``subject_id``.

    ``action`` is ``extend_cover`` or ``proof_of_purchase`` (``subject_id`` = warranty
    registration id) or ``book_visit`` (``subject_id`` = service plan id). The link expires
    :data:`VALIDITY` after ``now``.
    """
    token = action_token(tenant_id, customer_id, action, subject_id, now)
    base = get_settings().public_base_url.rstrip("/")
    return f"{base}/widget/v1/actions/{quote(token, safe='')}"


def verify_action_token(token: str, now: datetime) -> ActionGrant:
    """The grant of a genuine, unexpired action token.

    Raises ``BadRequest(invalid_action_link)`` for anything forged or malformed and
    ``Gone(action_link_expired)`` once it has expired.
    """
    invalid = BadRequest(
        "this link is not valid; use the link from your email", code="invalid_action_link"
    )
    if not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise invalid
    payload = unseal(_key(), PURPOSE, token)
    if payload is None or payload.pop("v", None) != _VERSION:
        raise invalid
    try:
        grant = ActionGrant(**payload)
    except TypeError as exc:
        raise invalid from exc
    if grant.action not in ACTIONS or not isinstance(grant.expires_at, int):
        raise invalid
    if grant.expired(now):
        raise Gone("this link has expired", code="action_link_expired")
    return grant
