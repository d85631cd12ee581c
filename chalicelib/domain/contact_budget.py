"""The contact budget: one allowance of outreach per end customer, across every kind.

Survey tools throttle only their own surveys; here every message to a customer (surveys,
reminders, notices) draws on a single budget, so a customer with an open ticket, an expiring
warranty and a maintenance plan is not contacted by three independent schedules.

:func:`decide` answers, for one follow-up about to be sent, **send**, **defer** until an
instant, or **skip** with a stable reason code. The rules, in the order they apply:

1. No contact consent: skip (``no_consent``), whatever the kind, notices included.
2. A survey to a customer unsubscribed from surveys: skip (``unsubscribed``).
3. A marketing kind without marketing consent: skip (``no_marketing_consent``).
4. A survey less than ``survey_interval_days`` after the last survey: skip
   (``survey_throttled``). A late survey is worth less than none, so it is not deferred.
5. Unless the kind is a transactional notice: with ``max_messages`` sends already inside the
   rolling ``window_days``, defer until the oldest counted send leaves the window, if that is
   within ``max_deferral`` (``budget_window``; pushed further past quiet hours if the slot
   frees during them), else skip (``budget_exhausted``).
6. Inside quiet hours in the customer's time zone (the tenant's when the customer has none or
   an unknown one): defer until they end (``quiet_hours``). Notices respect quiet hours too:
   nothing about an auto-close is urgent enough to wake someone.

Transactional notices bypass rules 4-5 but are still *recorded* as contacts by
:func:`record_send`, so they count against the budget of later non-transactional messages.

Concurrency is the caller's: the service must persist the updated :class:`ContactState`
history with a conditional write, or two workers could both spend the last slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.errors import FieldError, Invalid
from chalicelib.domain.followups import (
    FollowUpKind,
    is_survey,
    is_transactional,
    requires_marketing_consent,
)

MAX_MESSAGES_LIMIT = 50
MAX_WINDOW_DAYS = 365
MAX_SURVEY_INTERVAL_DAYS = 365
MAX_DEFERRAL_LIMIT = timedelta(days=30)


@dataclass(frozen=True)
class QuietHours:
    """A daily window of local wall-clock time with no outreach; may cross midnight.

    ``start`` is inclusive, ``end`` exclusive: with 21:00-08:00, 20:59 and 08:00 are fine.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        """Refuse an empty window and times carrying a zone (quiet hours are wall-clock)."""
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise Invalid("Quiet hours are local wall-clock times.", code="invalid_quiet_hours")
        if self.start == self.end:
            raise Invalid(
                "Quiet hours must start and end at different times.", code="invalid_quiet_hours"
            )

    @property
    def crosses_midnight(self) -> bool:
        """Whether the window runs from one day into the next (e.g. 21:00-08:00)."""
        return self.start > self.end

    def contains(self, wall: time) -> bool:
        """Whether the local wall-clock time ``wall`` is inside the window."""
        if self.crosses_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end


@dataclass(frozen=True)
class ContactPolicy:
    """A tenant's contact budget (tenant-configurable; the defaults are the product's)."""

    max_messages: int = 3
    window_days: int = 7
    survey_interval_days: int = 30
    quiet_hours: QuietHours | None = field(
        default_factory=lambda: QuietHours(start=time(21, 0), end=time(8, 0))
    )
    tenant_time_zone: str = "UTC"
    max_deferral: timedelta = timedelta(days=2)

    def __post_init__(self) -> None:
        """Validate every setting, reporting all bad fields at once."""
        errors: list[FieldError] = []
        if not 1 <= self.max_messages <= MAX_MESSAGES_LIMIT:
            errors.append(
                FieldError("max_messages", f"must be from 1 to {MAX_MESSAGES_LIMIT}", "range")
            )
        if not 1 <= self.window_days <= MAX_WINDOW_DAYS:
            errors.append(
                FieldError("window_days", f"must be from 1 to {MAX_WINDOW_DAYS}", "range")
            )
        if not 0 <= self.survey_interval_days <= MAX_SURVEY_INTERVAL_DAYS:
            errors.append(
                FieldError(
                    "survey_interval_days",
                    f"must be from 0 to {MAX_SURVEY_INTERVAL_DAYS}",
                    "range",
                )
            )
        if not timedelta(0) <= self.max_deferral <= MAX_DEFERRAL_LIMIT:
            errors.append(
                FieldError("max_deferral", f"must be from 0 to {MAX_DEFERRAL_LIMIT.days} days")
            )
        if load_time_zone(self.tenant_time_zone) is None:
            errors.append(
                FieldError("tenant_time_zone", "must be an IANA time zone name", "time_zone")
            )
        if errors:
            raise Invalid("The contact policy is invalid.", code="invalid_policy", errors=errors)

    @property
    def window(self) -> timedelta:
        """The rolling window as a duration (absolute time: DST does not stretch it)."""
        return timedelta(days=self.window_days)

    @property
    def survey_interval(self) -> timedelta:
        """The minimum time between two surveys."""
        return timedelta(days=self.survey_interval_days)


@dataclass(frozen=True)
class ContactState:
    """What :func:`decide` needs to know about one customer.

    The consent flags and time zone come from the customer; ``recent_sends`` and
    ``last_survey_at`` are the customer's contact history, maintained by :func:`record_send`
    and bounded to ``max_messages`` entries.
    """

    contact_consent: bool = True
    marketing_consent: bool = False
    surveys_unsubscribed: bool = False
    time_zone: str | None = None
    recent_sends: tuple[datetime, ...] = ()
    last_survey_at: datetime | None = None


class Outcome(StrEnum):
    """What to do with the follow-up."""

    SEND = "send"
    DEFER = "defer"
    SKIP = "skip"


class Reason(StrEnum):
    """Why a follow-up was deferred or skipped (stable codes, shown to tenants)."""

    NO_CONSENT = "no_consent"
    UNSUBSCRIBED = "unsubscribed"
    NO_MARKETING_CONSENT = "no_marketing_consent"
    SURVEY_THROTTLED = "survey_throttled"
    BUDGET_EXHAUSTED = "budget_exhausted"
    BUDGET_WINDOW = "budget_window"
    QUIET_HOURS = "quiet_hours"


@dataclass(frozen=True)
class Decision:
    """The verdict of :func:`decide`; ``not_before`` is set exactly when deferring."""

    outcome: Outcome
    reason: Reason | None = None
    not_before: datetime | None = None

    @classmethod
    def send(cls) -> Decision:
        """Send now."""
        return cls(Outcome.SEND)

    @classmethod
    def defer(cls, until: datetime, reason: Reason) -> Decision:
        """Put the follow-up back to scheduled, due at ``until``."""
        return cls(Outcome.DEFER, reason, until)

    @classmethod
    def skip(cls, reason: Reason) -> Decision:
        """Do not send, ever: the follow-up ends as skipped."""
        return cls(Outcome.SKIP, reason)


def load_time_zone(name: str | None) -> ZoneInfo | None:
    """The zone called ``name``, or ``None`` when it is empty or not an IANA name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        # ValueError: names that are not even well-formed keys (absolute paths, "..").
        return None


def customer_time_zone(policy: ContactPolicy, state: ContactState) -> ZoneInfo:
    """The customer's time zone, falling back to the tenant's when unknown or invalid."""
    zone = load_time_zone(state.time_zone) or load_time_zone(policy.tenant_time_zone)
    return zone or ZoneInfo("UTC")


def decide(  # noqa: PLR0911 - one return per rule reads as the rule list above
    policy: ContactPolicy, state: ContactState, kind: FollowUpKind, now: datetime
) -> Decision:
    """Send, defer or skip one follow-up of ``kind`` to this customer at ``now``."""
    _require_aware(now)
    if not state.contact_consent:
        return Decision.skip(Reason.NO_CONSENT)
    survey = is_survey(kind)
    if survey and state.surveys_unsubscribed:
        return Decision.skip(Reason.UNSUBSCRIBED)
    if requires_marketing_consent(kind) and not state.marketing_consent:
        return Decision.skip(Reason.NO_MARKETING_CONSENT)
    if (
        survey
        and state.last_survey_at is not None
        and now < state.last_survey_at + policy.survey_interval
    ):
        return Decision.skip(Reason.SURVEY_THROTTLED)

    zone = customer_time_zone(policy, state)
    if not is_transactional(kind):
        free_at = slot_free_at(policy, state.recent_sends, now)
        if free_at is not None:
            if free_at - now > policy.max_deferral:
                return Decision.skip(Reason.BUDGET_EXHAUSTED)
            return Decision.defer(_outside_quiet_hours(policy, zone, free_at), Reason.BUDGET_WINDOW)

    quiet_end = quiet_hours_end(policy.quiet_hours, zone, now)
    if quiet_end is not None:
        return Decision.defer(quiet_end, Reason.QUIET_HOURS)
    return Decision.send()


def sends_in_window(
    policy: ContactPolicy, recent_sends: tuple[datetime, ...], now: datetime
) -> list[datetime]:
    """The sends that count against the budget at ``now``, oldest first.

    A send at ``t`` counts while ``now < t + window``: at exactly ``t + window`` its slot is
    free again.
    """
    return sorted(t for t in recent_sends if now < t + policy.window)


def slot_free_at(
    policy: ContactPolicy, recent_sends: tuple[datetime, ...], now: datetime
) -> datetime | None:
    """``None`` if a message may be sent at ``now``, else when the next slot frees up."""
    counted = sends_in_window(policy, recent_sends, now)
    if len(counted) < policy.max_messages:
        return None
    # The count drops below the limit once the max_messages-th newest send leaves the window.
    return counted[-policy.max_messages] + policy.window


def record_send(
    policy: ContactPolicy, state: ContactState, kind: FollowUpKind, sent_at: datetime
) -> ContactState:
    """The state after sending a ``kind`` at ``sent_at``.

    The history keeps only the ``max_messages`` newest sends still inside the window: older
    ones can never decide anything again. (If a tenant later raises ``max_messages``, the
    trimmed history undercounts for at most one window, which errs towards sending.)
    """
    _require_aware(sent_at)
    counted = sends_in_window(policy, (*state.recent_sends, sent_at), sent_at)
    last_survey = state.last_survey_at
    if is_survey(kind) and (last_survey is None or sent_at > last_survey):
        last_survey = sent_at
    return replace(
        state,
        recent_sends=tuple(counted[-policy.max_messages :]),
        last_survey_at=last_survey,
    )


# --- quiet hours ---------------------------------------------------------------------------


def quiet_hours_end(quiet: QuietHours | None, zone: ZoneInfo, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or ``None`` if ``now`` is not in them.

    The end is the next time the local clock reads ``quiet.end``, resolved on the right local
    date with that date's UTC offset, so nights across a DST change are an hour shorter or
    longer. If that wall time does not exist (it falls in a spring-forward gap), quiet hours
    end at the instant the clocks jump; if it occurs twice (fall back), at the first one.
    """
    _require_aware(now)
    if quiet is None:
        return None
    local = now.astimezone(zone)
    wall = local.time().replace(tzinfo=None)
    if not quiet.contains(wall):
        return None
    end_date = local.date()
    if quiet.crosses_midnight and wall >= quiet.start:
        end_date += timedelta(days=1)
    end = resolve_wall_time(end_date, quiet.end, zone)
    if end <= now:
        # ``now`` is in the repeated hour after a fall back and the end's first occurrence is
        # already past: the clock reads ``quiet.end`` once more, later this same hour.
        naive = datetime.combine(end_date, quiet.end)
        end = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return end


def _outside_quiet_hours(policy: ContactPolicy, zone: ZoneInfo, instant: datetime) -> datetime:
    end = quiet_hours_end(policy.quiet_hours, zone, instant)
    return instant if end is None else end


def resolve_wall_time(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """The first UTC instant at which the clock in ``zone`` reads ``wall`` on ``day`` or later.

    Ambiguous wall times (fall back) resolve to their first occurrence; nonexistent ones
    (spring forward) to the end of the gap, the first instant whose local time is past them.
    """
    naive = datetime.combine(day, wall)
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == naive:
        return first
    # In a gap, fold=0 reads the wall time with the offset before the jump and fold=1 with the
    # offset after it; the jump itself lies between the two readings.
    low = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    # Smallest instant in (low, high] whose local wall time is not before ``naive``.
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high


def _require_aware(instant: datetime) -> None:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
