"""Survey link tokens: what a one-click survey link grants, signed and expiring.

A token names exactly one survey invitation (the follow-up that sent it) for one tenant,
customer and subject. It carries no secrets and cannot be widened: editing any field breaks
the signature. Single use is enforced by the feedback store, keyed by ``followup_id``: the
first answer creates the response, a second one within the edit window updates it, later
ones are refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.errors import BadRequest, Gone
from chalicelib.domain.sealed import seal, unseal

PURPOSE = "survey-link"
DEFAULT_VALIDITY = timedelta(days=30)
_VERSION = 1


@dataclass(frozen=True)
class SurveyGrant:
    """The right to answer one survey invitation until ``expires_at`` (epoch seconds)."""

    tenant_id: str
    followup_id: str
    customer_id: str
    survey_kind: str  # csat | nps | ces
    subject_kind: str  # ticket | appointment | warranty | customer
    subject_id: str
    expires_at: int
    survey_id: str | None = None

    def expired(self, now: datetime) -> bool:
        """Whether the link can no longer be used at ``now``."""
        return now.timestamp() >= self.expires_at


def expiry(now: datetime, validity: timedelta = DEFAULT_VALIDITY) -> int:
    """Epoch seconds of a link issued at ``now`` that stays valid for ``validity``."""
    return int((now.astimezone(UTC) + validity).timestamp())


def sign_grant(key: bytes, grant: SurveyGrant) -> str:
    """The URL-safe token for ``grant``."""
    return seal(key, PURPOSE, {"v": _VERSION, **asdict(grant)})


def verify_grant(key: bytes, token: str, now: datetime) -> SurveyGrant:
    """The grant of a genuine, unexpired token.

    Raises ``BadRequest(invalid_survey_link)`` for anything forged or malformed and
    ``Gone(survey_link_expired)`` once it has expired.
    """
    payload = unseal(key, PURPOSE, token)
    invalid = BadRequest(
        "this survey link is not valid; use the link from your email",
        code="invalid_survey_link",
    )
    if payload is None or payload.pop("v", None) != _VERSION:
        raise invalid
    try:
        grant = SurveyGrant(**payload)
    except TypeError as exc:
        raise invalid from exc
    if grant.expired(now):
        raise Gone("this survey link has expired", code="survey_link_expired")
    return grant
