"""SLA clocks (pure): targets per metric, measured in business time, paused while waiting.

Metrics and when their clocks run:

- ``first_response``: from ticket creation to the first public agent reply.
- ``next_response``: from a public customer message (once the first response was given; one
  cycle at a time) to the next public agent reply.
- ``resolution``: from creation to solved; a reopen resumes it with the time already spent.

Every open clock **pauses** while the ticket is ``pending`` (waiting on the customer) and,
when the tenant says so, ``on_hold``; it resumes when the ticket is worked on again. Solving
(or closing) completes the resolution clock. A response clock ends only at a public agent
reply (the first-reply metric of the leading helpdesks): solving without one **stops** it
(``stopped_at``) with no outcome of its own, neither met nor completed: breached if it was
already past due, otherwise "stopped without reply". A reopen resumes a stopped clock with the
time already spent (the time while solved does not count); an agent's public reply after the
solve still completes it. Clocks always measure time, with or without a target: the policy
only decides the target, hence due times, warnings and breaches.

Time is counted on the policy's calendar (business hours, or around the clock for 24/7
policies); ``business_elapsed`` is always counted on the business-hours calendar, so
reports can show business time whatever the policy.

A policy change mid-ticket (priority, type, tier or entitlement changed) keeps the time
already spent and applies the new targets to the clocks still open: a clock already past
its new target is breached at once; completed clocks keep the target they were measured
against. Calendar changes apply from the next segment accrued.

Crossing a threshold is recorded at the instant it happened (not when it was noticed), and
only once: the marks make warning/breach detection idempotent however often it runs. A clock
crosses a threshold when its elapsed time reaches it: at the due instant the target is missed
(a deadline at closing time is breached at closing time, not at the next opening).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.business_time import (
    BusinessCalendar,
    add_business_time,
    business_time_between,
)


class Metric(StrEnum):
    """What an SLA target measures."""

    FIRST_RESPONSE = "first_response"
    NEXT_RESPONSE = "next_response"
    RESOLUTION = "resolution"


class SlaState(StrEnum):
    """A ticket's (or one clock's) SLA standing."""

    NONE = "none"
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


_RANK = {SlaState.NONE: 0, SlaState.OK: 1, SlaState.WARNING: 2, SlaState.BREACHED: 3}
# The clocks only a public agent reply completes.
RESPONSE_METRICS = frozenset({Metric.FIRST_RESPONSE, Metric.NEXT_RESPONSE})


@dataclass(frozen=True)
class Policy:
    """One SLA policy: conditions (None = any) and targets in minutes (None = no target)."""

    name: str
    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None
    priority: str | None = None
    ticket_type: str | None = None
    customer_tier: str | None = None
    entitlement: str | None = None
    business_hours: bool = True

    def target(self, metric: Metric) -> int | None:
        """The target of ``metric`` in minutes."""
        return {
            Metric.FIRST_RESPONSE: self.first_response,
            Metric.NEXT_RESPONSE: self.next_response,
            Metric.RESOLUTION: self.resolution,
        }[metric]

    def matches(
        self, *, priority: str, ticket_type: str, customer_tier: str | None, entitlement: str
    ) -> bool:
        """Whether every condition of the policy holds for the ticket."""
        return (
            (self.priority is None or self.priority == priority)
            and (self.ticket_type is None or self.ticket_type == ticket_type)
            and (self.customer_tier is None or self.customer_tier == customer_tier)
            and (self.entitlement is None or self.entitlement == entitlement)
        )

    @property
    def specificity(self) -> int:
        """How many conditions the policy has (more specific policies win)."""
        return sum(
            v is not None
            for v in (self.priority, self.ticket_type, self.customer_tier, self.entitlement)
        )


def select_policy(
    policies: Sequence[Policy],
    *,
    priority: str,
    ticket_type: str,
    customer_tier: str | None,
    entitlement: str,
) -> Policy | None:
    """The most specific matching policy (ties: the earliest in the list), or None."""
    best: Policy | None = None
    for policy in policies:
        if not policy.matches(
            priority=priority,
            ticket_type=ticket_type,
            customer_tier=customer_tier,
            entitlement=entitlement,
        ):
            continue
        if best is None or policy.specificity > best.specificity:
            best = policy
    return best


@dataclass(frozen=True)
class Calendars:
    """The calendar SLA time is counted on, and the business-hours calendar for reports."""

    policy: BusinessCalendar
    business: BusinessCalendar


@dataclass
class Clock:
    """One metric's clock. Elapsed times are seconds accrued up to ``running_since``."""

    metric: Metric
    started_at: datetime
    target_minutes: int | None = None
    elapsed: float = 0.0
    business_elapsed: float = 0.0
    running_since: datetime | None = None
    completed_at: datetime | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    # A response clock the ticket was solved (or closed) under without a public agent reply.
    stopped_at: datetime | None = None
    # Report bookkeeping (services/ticket_reports.py): the outcome already counted, and where.
    counted: str | None = None
    counted_day: str | None = None

    @property
    def is_open(self) -> bool:
        """Neither completed nor stopped (running or paused)."""
        return self.completed_at is None and self.stopped_at is None

    @property
    def outcome(self) -> str | None:
        """``breached`` once breached, ``met`` once completed in time, ``stopped`` when the
        ticket was solved without the reply it waited for (no target: no outcome), else None."""
        if self.breached_at is not None:
            return "breached"
        if self.target_minutes is None:
            return None
        if self.completed_at is not None:
            return "met"
        if self.stopped_at is not None:
            return "stopped"
        return None

    @property
    def target(self) -> timedelta | None:
        """The target as a duration."""
        return None if self.target_minutes is None else timedelta(minutes=self.target_minutes)


@dataclass
class Sla:
    """A ticket's SLA: the policy in force and its clocks."""

    policy: str | None = None
    business_hours: bool = True
    warning_ratio: float = 0.8
    clocks: list[Clock] = field(default_factory=list)

    def clock(self, metric: Metric) -> Clock | None:
        """The current clock of ``metric`` (the latest cycle)."""
        found = [c for c in self.clocks if c.metric is metric]
        return found[-1] if found else None


@dataclass(frozen=True)
class Crossing:
    """A threshold a clock crossed: ``warning`` or ``breach``, at the instant it happened."""

    metric: Metric
    kind: str
    at: datetime
    target_minutes: int


@dataclass(frozen=True)
class Happening:
    """What a ticket change did, as far as the clocks care."""

    status: str
    previous_status: str | None = None
    customer_replied: bool = False
    agent_replied: bool = False


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError("instants must be timezone-aware")
    return instant.astimezone(UTC)


def _accrue(clock: Clock, calendars: Calendars, now: datetime, ratio: float) -> list[Crossing]:
    """Add the time since ``running_since`` and record thresholds crossed on the way."""
    if clock.running_since is None or now <= clock.running_since:
        return []
    since = clock.running_since
    segment = business_time_between(calendars.policy, since, now).total_seconds()
    business = business_time_between(calendars.business, since, now).total_seconds()
    crossings = _crossings(
        clock, calendars.policy, since=since, before=clock.elapsed, segment=segment, ratio=ratio
    )
    clock.elapsed += segment
    clock.business_elapsed += business
    clock.running_since = now
    return crossings


def _crossings(
    clock: Clock,
    calendar: BusinessCalendar,
    *,
    since: datetime,
    before: float,
    segment: float,
    ratio: float,
) -> list[Crossing]:
    target = clock.target
    if target is None or clock.target_minutes is None:
        return []
    found: list[Crossing] = []
    after = before + segment
    limit = target.total_seconds()
    for kind, threshold in (("warning", limit * ratio), ("breach", limit)):
        mark = clock.warned_at if kind == "warning" else clock.breached_at
        # Reaching the threshold crosses it: the due instant itself is late. (A strict ">"
        # left a clock that stopped exactly at its target — a deadline at closing time —
        # unrecorded with no time left to wait for, so no wake-up ever recorded the breach.)
        if mark is not None or after < threshold:
            continue
        # Crossed in this segment (or earlier, when a new target is already exceeded).
        remaining = timedelta(seconds=max(threshold - before, 0.0))
        at = add_business_time(calendar, since, remaining) or since
        if kind == "warning":
            clock.warned_at = at
        else:
            clock.breached_at = at
        found.append(Crossing(clock.metric, kind, at, clock.target_minutes))
    return found


def _retarget(clock: Clock, target_minutes: int | None, ratio: float) -> None:
    """Apply a (possibly new) target; marks the new target no longer supports are cleared."""
    if target_minutes == clock.target_minutes:
        return
    clock.target_minutes = target_minutes
    if target_minutes is None:
        clock.warned_at = clock.breached_at = None
        return
    limit = target_minutes * 60.0
    if clock.elapsed < limit:
        clock.breached_at = None
    if clock.elapsed < limit * ratio:
        clock.warned_at = None


def _complete(clock: Clock, now: datetime) -> None:
    clock.completed_at = now
    clock.stopped_at = None
    clock.running_since = None


def _stop(clock: Clock, now: datetime) -> None:
    """End a response clock without its reply (the ticket was solved or closed)."""
    clock.stopped_at = now
    clock.running_since = None


def _answerable(clock: Clock | None) -> bool:
    """Whether a public agent reply completes ``clock``: open, or stopped by a solve."""
    return clock is not None and clock.completed_at is None


def start(now: datetime) -> Sla:
    """The clocks of a new ticket: first response and resolution, running from ``now``."""
    now = _aware(now)
    return Sla(
        clocks=[
            Clock(Metric.FIRST_RESPONSE, started_at=now, running_since=now),
            Clock(Metric.RESOLUTION, started_at=now, running_since=now),
        ]
    )


def _pauses(status: str, pause_on_hold: bool) -> bool:
    return status == "pending" or (status == "on_hold" and pause_on_hold)


def advance(
    sla: Sla,
    happening: Happening,
    *,
    policy: Policy | None,
    calendars: Calendars,
    now: datetime,
    warning_ratio: float = 0.8,
    pause_on_hold: bool = False,
) -> list[Crossing]:
    """Bring ``sla`` to ``now`` and apply what happened; returns thresholds newly crossed.

    Order matters and is fixed: time is accrued under the *old* state first (so a pause
    starts exactly now), then the policy's targets are applied (possibly breaching at once),
    then replies, status effects, and finally pause/resume.
    """
    now = _aware(now)
    crossings: list[Crossing] = []
    for clock in sla.clocks:
        crossings += _accrue(clock, calendars, now, sla.warning_ratio)
    sla.warning_ratio = warning_ratio
    sla.policy = policy.name if policy else None
    sla.business_hours = policy.business_hours if policy else True
    for clock in sla.clocks:
        if clock.is_open:
            _retarget(clock, policy.target(clock.metric) if policy else None, sla.warning_ratio)
            crossings += _crossings(
                clock,
                calendars.policy,
                since=now,
                before=clock.elapsed,
                segment=0.0,
                ratio=sla.warning_ratio,
            )
    first = sla.clock(Metric.FIRST_RESPONSE)
    following = sla.clock(Metric.NEXT_RESPONSE)
    if happening.agent_replied:
        for answered in (first, following):
            if answered is not None and _answerable(answered):
                _complete(answered, now)
    elif (
        happening.customer_replied
        and first is not None
        and first.completed_at is not None
        # A cycle still waiting (or stopped by the solve this message reopens) goes on.
        and (following is None or following.completed_at is not None)
    ):
        sla.clocks = [c for c in sla.clocks if c.metric is not Metric.NEXT_RESPONSE]
        sla.clocks.append(
            Clock(
                Metric.NEXT_RESPONSE,
                started_at=now,
                running_since=now,
                target_minutes=policy.next_response if policy else None,
            )
        )
    _apply_status(sla, happening, now, pause_on_hold)
    return crossings


def _apply_status(sla: Sla, happening: Happening, now: datetime, pause_on_hold: bool) -> None:
    status, previous = happening.status, happening.previous_status
    if status in ("solved", "closed"):
        for clock in sla.clocks:
            if not clock.is_open:
                continue
            if clock.metric in RESPONSE_METRICS:
                _stop(clock, now)
            else:
                _complete(clock, now)
        return
    if previous == "solved":
        resolution = sla.clock(Metric.RESOLUTION)
        if resolution is not None and not resolution.is_open:
            resolution.completed_at = None
        for clock in sla.clocks:
            clock.stopped_at = None
    paused = _pauses(status, pause_on_hold)
    for clock in sla.clocks:
        if not clock.is_open:
            continue
        if paused:
            clock.running_since = None
        elif clock.running_since is None:
            clock.running_since = now


def check(sla: Sla, *, calendars: Calendars, now: datetime) -> list[Crossing]:
    """Accrue every running clock to ``now``; returns thresholds newly crossed (the jobs)."""
    now = _aware(now)
    crossings: list[Crossing] = []
    for clock in sla.clocks:
        crossings += _accrue(clock, calendars, now, sla.warning_ratio)
    return crossings


@dataclass(frozen=True)
class ClockView:
    """One clock as shown at an instant."""

    metric: Metric
    target_minutes: int | None
    status: str  # running | paused | met | breached | completed | stopped
    state: SlaState
    elapsed_seconds: float
    business_elapsed_seconds: float
    due_at: datetime | None
    warning_at: datetime | None
    completed_at: datetime | None
    breached_at: datetime | None
    stopped_at: datetime | None = None


def _due(clock: Clock, calendar: BusinessCalendar, share: float) -> datetime | None:
    target = clock.target
    if target is None or clock.running_since is None:
        return None
    remaining = timedelta(seconds=target.total_seconds() * share - clock.elapsed)
    if remaining <= timedelta(0):
        return None
    return add_business_time(calendar, clock.running_since, remaining)


def view(clock: Clock, *, calendars: Calendars, now: datetime, ratio: float) -> ClockView:
    """The clock as of ``now`` (elapsed includes the running segment; nothing is mutated)."""
    now = _aware(now)
    projected = replace(clock)
    crossed = _accrue(projected, calendars, now, ratio) if projected.running_since else []
    del crossed
    if clock.completed_at is not None:
        status = "breached" if clock.breached_at else ("met" if clock.target else "completed")
    elif clock.stopped_at is not None:
        status = "breached" if clock.breached_at else "stopped"
    elif projected.breached_at is not None:
        status = "breached"
    else:
        status = "running" if clock.running_since is not None else "paused"
    if clock.target_minutes is None:
        state = SlaState.NONE
    elif projected.breached_at is not None:
        state = SlaState.BREACHED
    elif clock.completed_at is not None:
        state = SlaState.OK
    elif clock.stopped_at is not None:
        # Neither met nor missed: no standing to report.
        state = SlaState.NONE
    elif projected.warned_at is not None:
        state = SlaState.WARNING
    else:
        state = SlaState.OK
    return ClockView(
        metric=clock.metric,
        target_minutes=clock.target_minutes,
        status=status,
        state=state,
        elapsed_seconds=projected.elapsed,
        business_elapsed_seconds=projected.business_elapsed,
        due_at=_due(clock, calendars.policy, 1.0) if clock.is_open else None,
        warning_at=_due(clock, calendars.policy, ratio) if clock.is_open else None,
        completed_at=clock.completed_at,
        breached_at=projected.breached_at,
        stopped_at=clock.stopped_at,
    )


def overall(views: Sequence[ClockView], *, ticket_active: bool) -> SlaState:
    """The ticket's standing: the worst of its clocks that still matter.

    While the ticket is active every clock counts (a missed first response stays visible);
    once solved, the worst outcome recorded.
    """
    del ticket_active
    worst = SlaState.NONE
    for clock_view in views:
        if _RANK[clock_view.state] > _RANK[worst]:
            worst = clock_view.state
    return worst


def next_wakeup(sla: Sla, *, calendars: Calendars) -> datetime | None:
    """The earliest instant a running clock will cross a threshold not yet recorded."""
    candidates: list[datetime] = []
    for clock in sla.clocks:
        if not clock.is_open or clock.running_since is None or clock.target is None:
            continue
        if clock.warned_at is None:
            at = _due(clock, calendars.policy, sla.warning_ratio)
        elif clock.breached_at is None:
            at = _due(clock, calendars.policy, 1.0)
        else:
            continue
        if at is not None:
            candidates.append(at)
    return min(candidates, default=None)


# --- storage form ------------------------------------------------------------------------


def _text(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(UTC).isoformat()


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def to_json(sla: Sla) -> dict[str, Any]:
    """A JSON document of the SLA (stored on the ticket)."""
    return {
        "policy": sla.policy,
        "business_hours": sla.business_hours,
        "warning_ratio": sla.warning_ratio,
        "clocks": [
            {
                "metric": c.metric.value,
                "started_at": _text(c.started_at),
                "target_minutes": c.target_minutes,
                "elapsed": round(c.elapsed, 3),
                "business_elapsed": round(c.business_elapsed, 3),
                "running_since": _text(c.running_since),
                "completed_at": _text(c.completed_at),
                "warned_at": _text(c.warned_at),
                "breached_at": _text(c.breached_at),
                "stopped_at": _text(c.stopped_at),
                "counted": c.counted,
                "counted_day": c.counted_day,
            }
            for c in sla.clocks
        ],
    }


def from_json(data: dict[str, Any] | None) -> Sla | None:
    """The inverse of :func:`to_json` (None for tickets without SLA data)."""
    if not data or "clocks" not in data:
        return None
    clocks = []
    for c in data["clocks"]:
        started = _instant(c["started_at"])
        if started is None:
            continue
        clocks.append(
            Clock(
                metric=Metric(c["metric"]),
                started_at=started,
                target_minutes=c.get("target_minutes"),
                elapsed=float(c.get("elapsed", 0.0)),
                business_elapsed=float(c.get("business_elapsed", 0.0)),
                running_since=_instant(c.get("running_since")),
                completed_at=_instant(c.get("completed_at")),
                warned_at=_instant(c.get("warned_at")),
                breached_at=_instant(c.get("breached_at")),
                stopped_at=_instant(c.get("stopped_at")),
                counted=c.get("counted"),
                counted_day=c.get("counted_day"),
            )
        )
    return Sla(
        policy=data.get("policy"),
        business_hours=bool(data.get("business_hours", True)),
        warning_ratio=float(data.get("warning_ratio", 0.8)),
        clocks=clocks,
    )
