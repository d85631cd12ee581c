"""Follow-up rules: kinds, the status machine, claim leases, retry backoff and write sharding.

A follow-up is one planned outreach to an end customer about a subject (a survey after a
ticket closes, a reminder before a warranty expires...). Its life::

    scheduled --claim--> claimed --> sent | skipped | cancelled | failed
        |                   |
        |                   +--> scheduled   (retryable failure, or deferred by the contact
        |                                     budget / quiet hours)
        +--> cancelled                       (its reason went away: a reopened ticket)

``claimed -> cancelled`` is how a worker records that the reason vanished between the sweep
and the send. ``sent``, ``skipped``, ``cancelled`` and ``failed`` are terminal: a failed
follow-up stays visible and is re-planned as a new follow-up, never silently revived.

Index rule for the store (see :func:`index_due_at`): the sparse, write-sharded due-time index
holds scheduled items at their due time **and claimed items at their lease expiry**, so a
claim whose worker died comes back to the sweep by itself once the lease runs out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import Conflict, Invalid, TransitionError
from chalicelib.domain.scores import Metric


class FollowUpKind(StrEnum):
    """What a follow-up does."""

    CSAT_SURVEY = "csat_survey"
    NPS_SURVEY = "nps_survey"
    CES_SURVEY = "ces_survey"
    WARRANTY_EXPIRY_REMINDER = "warranty_expiry_reminder"
    REGISTRATION_REMINDER = "registration_reminder"
    MAINTENANCE_REMINDER = "maintenance_reminder"
    APPOINTMENT_FOLLOW_UP = "appointment_follow_up"
    TICKET_AUTO_CLOSE_NOTICE = "ticket_auto_close_notice"
    CUSTOM = "custom"


class SubjectKind(StrEnum):
    """What a follow-up is about."""

    TICKET = "ticket"
    WARRANTY = "warranty"
    APPOINTMENT = "appointment"
    CUSTOMER = "customer"


class Channel(StrEnum):
    """How a follow-up is delivered."""

    EMAIL = "email"
    WEBHOOK = "webhook"
    EVENT = "event"


class FollowUpStatus(StrEnum):
    """Where a follow-up is in its life."""

    SCHEDULED = "scheduled"
    CLAIMED = "claimed"
    SENT = "sent"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"
    FAILED = "failed"


class KindCategory(StrEnum):
    """How the contact budget treats a kind.

    ``survey`` counts towards the budget and the one-survey-per-S-days throttle; ``reminder``
    counts towards the budget only; ``notice`` is transactional: it is never held back by the
    budget (but does respect consent and quiet hours, and is recorded as a contact).
    """

    SURVEY = "survey"
    REMINDER = "reminder"
    NOTICE = "notice"


@dataclass(frozen=True)
class KindTraits:
    """The fixed properties of a follow-up kind."""

    category: KindCategory
    # Needs the customer's marketing consent (the content promotes something for sale).
    marketing: bool
    subjects: frozenset[SubjectKind]
    metric: Metric | None = None


_ANY_SUBJECT = frozenset(SubjectKind)

KIND_TRAITS: Mapping[FollowUpKind, KindTraits] = {
    FollowUpKind.CSAT_SURVEY: KindTraits(
        KindCategory.SURVEY,
        marketing=False,
        subjects=frozenset({SubjectKind.TICKET, SubjectKind.APPOINTMENT}),
        metric=Metric.CSAT,
    ),
    # Relationship NPS is about the customer; transactional NPS about any touchpoint.
    FollowUpKind.NPS_SURVEY: KindTraits(
        KindCategory.SURVEY, marketing=False, subjects=_ANY_SUBJECT, metric=Metric.NPS
    ),
    FollowUpKind.CES_SURVEY: KindTraits(
        KindCategory.SURVEY,
        marketing=False,
        subjects=frozenset({SubjectKind.TICKET, SubjectKind.APPOINTMENT}),
        metric=Metric.CES,
    ),
    # Carries the extended-plan offer, hence marketing.
    FollowUpKind.WARRANTY_EXPIRY_REMINDER: KindTraits(
        KindCategory.REMINDER, marketing=True, subjects=frozenset({SubjectKind.WARRANTY})
    ),
    # Asks for the proof of purchase of one registration: its link names the warranty.
    FollowUpKind.REGISTRATION_REMINDER: KindTraits(
        KindCategory.REMINDER, marketing=False, subjects=frozenset({SubjectKind.WARRANTY})
    ),
    FollowUpKind.MAINTENANCE_REMINDER: KindTraits(
        KindCategory.REMINDER,
        marketing=False,
        subjects=frozenset({SubjectKind.APPOINTMENT, SubjectKind.WARRANTY, SubjectKind.CUSTOMER}),
    ),
    FollowUpKind.APPOINTMENT_FOLLOW_UP: KindTraits(
        KindCategory.REMINDER, marketing=False, subjects=frozenset({SubjectKind.APPOINTMENT})
    ),
    FollowUpKind.TICKET_AUTO_CLOSE_NOTICE: KindTraits(
        KindCategory.NOTICE, marketing=False, subjects=frozenset({SubjectKind.TICKET})
    ),
    # Free text written by the tenant: we cannot tell an offer from a service message, so it
    # needs marketing consent (sending an offer without consent is the costlier mistake).
    FollowUpKind.CUSTOM: KindTraits(KindCategory.REMINDER, marketing=True, subjects=_ANY_SUBJECT),
}


class MessageKind(StrEnum):
    """What is said to a customer: one typed context model (``schemas/messages.py``) and one
    template per locale (``i18n/``) each.

    A follow-up kind maps to one message kind, except surveys, whose wording depends on what
    they are about (a ticket's request or a service visit).
    """

    TICKET_CSAT_SURVEY = "ticket_csat_survey"
    VISIT_CSAT_SURVEY = "visit_csat_survey"
    NPS_SURVEY = "nps_survey"
    TICKET_CES_SURVEY = "ticket_ces_survey"
    VISIT_CES_SURVEY = "visit_ces_survey"
    WARRANTY_EXPIRY_REMINDER = "warranty_expiry_reminder"
    # The follow-up kind is ``registration_reminder``; the registration exists, only its
    # proof of purchase is missing, and that is what the message asks for.
    PROOF_OF_PURCHASE_REMINDER = "proof_of_purchase_reminder"
    MAINTENANCE_REMINDER = "maintenance_reminder"
    APPOINTMENT_FOLLOW_UP = "appointment_follow_up"
    TICKET_AUTO_CLOSE_NOTICE = "ticket_auto_close_notice"
    CUSTOM = "custom"
    # Ticket automation's own emails (``services/ticket_jobs.py``).
    TICKET_SOLVE_NOTICE = "ticket_solve_notice"
    TICKET_CLOSE_NOTICE = "ticket_close_notice"
    SLA_ALERT = "sla_alert"
    # The widget's email with the link to follow a ticket opened without signing in.
    WIDGET_TICKET_LINK = "widget_ticket_link"


_FOLLOW_UP_MESSAGES: Mapping[FollowUpKind, MessageKind] = {
    FollowUpKind.CSAT_SURVEY: MessageKind.TICKET_CSAT_SURVEY,
    FollowUpKind.NPS_SURVEY: MessageKind.NPS_SURVEY,
    FollowUpKind.CES_SURVEY: MessageKind.TICKET_CES_SURVEY,
    FollowUpKind.WARRANTY_EXPIRY_REMINDER: MessageKind.WARRANTY_EXPIRY_REMINDER,
    FollowUpKind.REGISTRATION_REMINDER: MessageKind.PROOF_OF_PURCHASE_REMINDER,
    FollowUpKind.MAINTENANCE_REMINDER: MessageKind.MAINTENANCE_REMINDER,
    FollowUpKind.APPOINTMENT_FOLLOW_UP: MessageKind.APPOINTMENT_FOLLOW_UP,
    FollowUpKind.TICKET_AUTO_CLOSE_NOTICE: MessageKind.TICKET_AUTO_CLOSE_NOTICE,
    FollowUpKind.CUSTOM: MessageKind.CUSTOM,
}
_VISIT_SURVEYS: Mapping[FollowUpKind, MessageKind] = {
    FollowUpKind.CSAT_SURVEY: MessageKind.VISIT_CSAT_SURVEY,
    FollowUpKind.CES_SURVEY: MessageKind.VISIT_CES_SURVEY,
}


def message_kind(kind: FollowUpKind, subject_kind: SubjectKind | None = None) -> MessageKind:
    """The message a follow-up of ``kind`` about a ``subject_kind`` sends (a survey about a
    service visit is worded for the visit; without a subject kind, the ticket's wording)."""
    if subject_kind is SubjectKind.APPOINTMENT and kind in _VISIT_SURVEYS:
        return _VISIT_SURVEYS[kind]
    return _FOLLOW_UP_MESSAGES[kind]


def traits(kind: FollowUpKind) -> KindTraits:
    """The fixed properties of ``kind``."""
    return KIND_TRAITS[kind]


def is_survey(kind: FollowUpKind) -> bool:
    """Whether ``kind`` is a survey (counts towards the survey throttle)."""
    return KIND_TRAITS[kind].category is KindCategory.SURVEY


def is_transactional(kind: FollowUpKind) -> bool:
    """Whether ``kind`` is a transactional notice that the contact budget never holds back."""
    return KIND_TRAITS[kind].category is KindCategory.NOTICE


def requires_marketing_consent(kind: FollowUpKind) -> bool:
    """Whether sending ``kind`` needs the customer's marketing consent."""
    return KIND_TRAITS[kind].marketing


def survey_metric(kind: FollowUpKind) -> Metric | None:
    """The metric a survey kind asks for; ``None`` for reminders and notices."""
    return KIND_TRAITS[kind].metric


def validate_subject(kind: FollowUpKind, subject_kind: SubjectKind) -> None:
    """Raise ``Invalid(invalid_subject)`` if ``kind`` cannot be about a ``subject_kind``."""
    allowed = KIND_TRAITS[kind].subjects
    if subject_kind not in allowed:
        names = ", ".join(sorted(s.value for s in allowed))
        raise Invalid(
            f"A {kind.value} follow-up cannot be about a {subject_kind.value}; "
            f"allowed subjects: {names}.",
            code="invalid_subject",
        )


# --- status machine ------------------------------------------------------------------------

_TRANSITIONS: Mapping[FollowUpStatus, frozenset[FollowUpStatus]] = {
    FollowUpStatus.SCHEDULED: frozenset({FollowUpStatus.CLAIMED, FollowUpStatus.CANCELLED}),
    FollowUpStatus.CLAIMED: frozenset(
        {
            FollowUpStatus.SENT,
            FollowUpStatus.SKIPPED,
            FollowUpStatus.CANCELLED,
            FollowUpStatus.FAILED,
            FollowUpStatus.SCHEDULED,
        }
    ),
    FollowUpStatus.SENT: frozenset(),
    FollowUpStatus.SKIPPED: frozenset(),
    FollowUpStatus.CANCELLED: frozenset(),
    FollowUpStatus.FAILED: frozenset(),
}

TERMINAL_STATUSES = frozenset(s for s, targets in _TRANSITIONS.items() if not targets)


def allowed_transitions(current: FollowUpStatus) -> frozenset[FollowUpStatus]:
    """The statuses a follow-up in ``current`` may move to."""
    return _TRANSITIONS[current]


def is_terminal(status: FollowUpStatus) -> bool:
    """Whether nothing can happen to a follow-up in ``status`` any more."""
    return status in TERMINAL_STATUSES


def ensure_transition(current: FollowUpStatus, requested: FollowUpStatus) -> FollowUpStatus:
    """Return ``requested`` if ``current -> requested`` is allowed.

    Raises ``Conflict(invalid_transition)`` otherwise. Re-claiming an expired claim is not a
    status change; see :func:`can_claim`.
    """
    allowed = _TRANSITIONS[current]
    if requested not in allowed:
        refused = TransitionError(
            current=current.value,
            requested=requested.value,
            allowed=tuple(sorted(s.value for s in allowed)),
        )
        options = ", ".join(refused.allowed) or "none (final state)"
        raise Conflict(
            f"A follow-up cannot go from {refused.current} to {refused.requested}; "
            f"allowed: {options}.",
            code="invalid_transition",
        )
    return requested


# --- claims and leases ---------------------------------------------------------------------

DEFAULT_LEASE = timedelta(minutes=5)


def lease_expiry(now: datetime, lease: timedelta = DEFAULT_LEASE) -> datetime:
    """When a claim taken at ``now`` stops protecting the follow-up from other workers.

    The lease must outlast the worker's own time limit (the SQS visibility timeout), or two
    workers may hold the same follow-up.
    """
    _require_aware(now)
    if lease <= timedelta(0):
        raise ValueError("a lease must be positive")
    return now + lease


def can_claim(
    status: FollowUpStatus,
    *,
    due_at: datetime,
    lease_expires_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a worker may claim the follow-up now.

    A scheduled follow-up is claimable once due; a claimed one only after its lease expired
    (its worker is presumed dead). This is the condition the store's conditional update
    must express.
    """
    _require_aware(now)
    if status is FollowUpStatus.SCHEDULED:
        return due_at <= now
    if status is FollowUpStatus.CLAIMED:
        return lease_expires_at is None or lease_expires_at <= now
    return False


def ensure_claimable(
    status: FollowUpStatus,
    *,
    due_at: datetime,
    lease_expires_at: datetime | None,
    now: datetime,
) -> None:
    """Raise ``Conflict(not_claimable)`` unless :func:`can_claim` holds."""
    if not can_claim(status, due_at=due_at, lease_expires_at=lease_expires_at, now=now):
        raise Conflict(
            f"The follow-up is {status.value} and cannot be claimed now.", code="not_claimable"
        )


def index_due_at(
    status: FollowUpStatus, *, due_at: datetime, lease_expires_at: datetime | None
) -> datetime | None:
    """The instant under which the due-time index must hold the item, or ``None`` to drop it.

    Scheduled items sit at their due time, claimed ones at their lease expiry (so an abandoned
    claim resurfaces); terminal items leave the sparse index.
    """
    if status is FollowUpStatus.SCHEDULED:
        return due_at
    if status is FollowUpStatus.CLAIMED:
        return lease_expires_at if lease_expires_at is not None else due_at
    return None


# --- retries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with deterministic jitter, then give up.

    The delay after the n-th failed attempt is ``base_delay * multiplier**(n-1)`` stretched by
    a jitter of up to ``jitter`` (a fraction), capped at ``max_delay``. Jitter only stretches,
    and ``multiplier >= 1 + jitter``, so delays never shrink from one attempt to the next.
    """

    base_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=6)
    multiplier: float = 2.0
    jitter: float = 0.5
    max_attempts: int = 8

    def __post_init__(self) -> None:
        """Refuse policies whose delays could shrink, vanish or never stop."""
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise ValueError("need 0 < base_delay <= max_delay")
        if not 0.0 <= self.jitter <= 1.0:
            raise ValueError("jitter is a fraction from 0 to 1")
        if self.multiplier < 1.0 + self.jitter:
            raise ValueError("multiplier must be at least 1 + jitter to keep delays monotonic")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")


def jitter_fraction(followup_id: str, attempt: int) -> float:
    """A fraction in [0, 1) derived from (follow-up id, attempt): stable across processes."""
    digest = hashlib.sha256(f"{followup_id}:{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def retry_delay(policy: RetryPolicy, followup_id: str, attempt: int) -> timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based) before the next."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    base = policy.base_delay.total_seconds()
    cap = policy.max_delay.total_seconds()
    # Bound the exponent so huge attempt numbers cannot overflow the float.
    exponent = min(attempt - 1, 64)
    raw = min(cap, base * policy.multiplier**exponent)
    stretched = raw * (1.0 + policy.jitter * jitter_fraction(followup_id, attempt))
    return timedelta(seconds=round(min(cap, stretched), 3))


@dataclass(frozen=True)
class RetryPlan:
    """What to do with a claimed follow-up whose attempt failed."""

    status: FollowUpStatus
    due_at: datetime | None
    delay: timedelta | None


def plan_retry(
    policy: RetryPolicy,
    followup_id: str,
    *,
    attempts: int,
    now: datetime,
    retryable: bool = True,
) -> RetryPlan:
    """Back to ``scheduled`` at ``now + delay``, or ``failed`` when out of attempts.

    ``attempts`` counts delivery attempts made so far, including the one that just failed.
    A permanent error (``retryable=False``: a hard bounce, a 4xx from a webhook) fails at once.
    A deferral by the contact budget is not a failed attempt and must not come through here.
    """
    _require_aware(now)
    if not retryable or attempts >= policy.max_attempts:
        return RetryPlan(status=FollowUpStatus.FAILED, due_at=None, delay=None)
    delay = retry_delay(policy, followup_id, attempts)
    return RetryPlan(status=FollowUpStatus.SCHEDULED, due_at=now + delay, delay=delay)


# --- write sharding ------------------------------------------------------------------------

MAX_SHARDS = 256
DUE_SHARD_PREFIX = "due"


def _check_shard_count(shard_count: int) -> None:
    if not 1 <= shard_count <= MAX_SHARDS:
        raise ValueError(f"shard_count must be from 1 to {MAX_SHARDS}")


def shard_for(item_id: str, shard_count: int) -> int:
    """The shard (0..shard_count-1) of ``item_id``: a stable hash, uniform for any id format.

    Python's ``hash()`` is salted per process, so a cryptographic digest is used instead.
    """
    _check_shard_count(shard_count)
    digest = hashlib.sha256(item_id.encode()).digest()
    return int.from_bytes(digest[:8], "big") % shard_count


def shard_key(shard: int, prefix: str = DUE_SHARD_PREFIX) -> str:
    """The index partition key of a shard, e.g. ``due#7``.

    Unpadded on purpose: the key of a shard does not depend on the shard count, so raising
    the count later keeps every existing item's key valid.
    """
    if shard < 0:
        raise ValueError("shards are numbered from 0")
    return f"{prefix}#{shard}"


def shard_key_for(item_id: str, shard_count: int, prefix: str = DUE_SHARD_PREFIX) -> str:
    """The index partition key under which ``item_id`` is written."""
    return shard_key(shard_for(item_id, shard_count), prefix)


def sweep_shard_keys(shard_count: int, prefix: str = DUE_SHARD_PREFIX) -> tuple[str, ...]:
    """Every index partition key a sweep must query to see all due items.

    The shard count may only grow: a sweep with a smaller count than items were written with
    would never see the higher shards.
    """
    _check_shard_count(shard_count)
    return tuple(shard_key(shard, prefix) for shard in range(shard_count))


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
