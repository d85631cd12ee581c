"""Business time: working intervals per weekday in a time zone, minus holidays (pure).

A :class:`BusinessCalendar` answers two questions exactly, to the second:

- :func:`add_business_time` — which instant is ``d`` of working time after ``start``?
- :func:`business_time_between` — how much working time lies between two instants?

Working intervals are local wall-clock times; each local day's intervals are turned into UTC
instants through the IANA zone, so a day on which clocks change has the working time it
really has (a 09:00-17:00 day is 8 h; 01:00-05:00 across a spring-forward is 3 h, across a
fall-back 5 h). Wall times that do not exist (the skipped hour) resolve forward, like
zoneinfo's ``fold=0``. Holidays are local dates with no working time at all.

A calendar with no working time at all would never reach a due time: such a question answers
``None`` (no due time) instead of looping forever; so does one whose next working time is
more than :data:`HORIZON_DAYS` away.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 5 * 366
_DAY_MINUTES = 24 * 60

# (start minute, end minute) of local wall time within one day, end may be 1440 (24:00).
Interval = tuple[int, int]


def parse_clock(text: str) -> int:
    """``"09:30"`` → 570 minutes after midnight; ``"24:00"`` → 1440."""
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= _DAY_MINUTES:
        raise ValueError(f"not a time of day: {text}")
    return value


@dataclass(frozen=True)
class BusinessCalendar:
    """When work happens: a time zone, intervals per weekday (Mon..Sun) and holidays.

    ``always_open`` calendars count every second (24/7 SLA policies).
    """

    time_zone: str = "UTC"
    weekly: tuple[tuple[Interval, ...], ...] = field(default_factory=lambda: ((),) * 7)
    holidays: frozenset[date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        """Refuse malformed weeks (wrong length, reversed or overlapping intervals)."""
        if len(self.weekly) != 7:
            raise ValueError("weekly needs 7 days, Monday first")
        for day in self.weekly:
            ordered = sorted(day)
            for start, end in ordered:
                if not 0 <= start < end <= _DAY_MINUTES:
                    raise ValueError(f"bad interval {start}-{end}")
            for (_, end), (start, _) in itertools.pairwise(ordered):
                if start < end:
                    raise ValueError("intervals overlap")

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's IANA zone."""
        return ZoneInfo(self.time_zone)

    @property
    def has_working_time(self) -> bool:
        """Whether any weekday has working time (holidays aside)."""
        return self.always_open or any(self.weekly)

    def periods_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods (UTC) of one local date, in order."""
        if day in self.holidays:
            return []
        zone = self.zone
        periods = []
        for start, end in sorted(self.weekly[day.weekday()]):
            begin = _local(day, start, zone)
            finish = _local(day, end, zone)
            if finish > begin:
                periods.append((begin, finish))
        return periods


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute == _DAY_MINUTES:
        day, minute = day + timedelta(days=1), 0
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    # Round-trip through UTC so a wall time in a spring-forward gap resolves forward.
    return wall.astimezone(UTC)


def always_open() -> BusinessCalendar:
    """The 24/7 calendar."""
    return BusinessCalendar(always_open=True)


def calendar_from_settings(
    time_zone: str,
    weekly: Mapping[str, Sequence[tuple[str, str]]],
    holidays: Iterable[date] = (),
) -> BusinessCalendar:
    """A calendar from ``{"mon": [("09:00", "17:00")], ...}`` (missing days: closed)."""
    days = tuple(
        tuple((parse_clock(s), parse_clock(e)) for s, e in weekly.get(name, ()))
        for name in WEEKDAYS
    )
    return BusinessCalendar(time_zone=time_zone, weekly=days, holidays=frozenset(holidays))


def _require_aware(*instants: datetime) -> None:
    for instant in instants:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("instants must be timezone-aware")


def working_periods(
    calendar: BusinessCalendar, start: datetime, until: datetime | None = None
) -> Iterator[tuple[datetime, datetime]]:
    """Working periods (UTC) from ``start`` on, clipped to [start, until), in order.

    Stops after :data:`HORIZON_DAYS` of local days (or at ``until``).
    """
    _require_aware(start)
    start = start.astimezone(UTC)
    if calendar.always_open:
        yield start, until.astimezone(UTC) if until else start + timedelta(days=HORIZON_DAYS)
        return
    if not calendar.has_working_time:
        return
    # Start one local day early: a period of the previous local date may reach past midnight
    # UTC-wise (e.g. an interval ending at 24:00 in a zone west of UTC).
    day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    for _ in range(HORIZON_DAYS + 2):
        for begin, end in calendar.periods_on(day):
            if until is not None and begin >= until:
                return
            if end <= start:
                continue
            clipped_end = min(end, until) if until is not None else end
            yield max(begin, start), clipped_end
        day += timedelta(days=1)


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end) (zero if end is not after start)."""
    _require_aware(start, end)
    if end <= start:
        return timedelta(0)
    if calendar.always_open:
        return end - start
    total = timedelta(0)
    for begin, finish in working_periods(calendar, start, end):
        total += finish - begin
    return total


def add_business_time(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> datetime | None:
    """The instant at which ``amount`` of working time after ``start`` has passed.

    ``amount`` zero or negative answers ``start`` itself. ``None`` when the calendar never
    accumulates that much working time within the horizon.
    """
    _require_aware(start)
    if amount <= timedelta(0):
        return start.astimezone(UTC)
    if calendar.always_open:
        return start.astimezone(UTC) + amount
    remaining = amount
    for begin, end in working_periods(calendar, start):
        length = end - begin
        if remaining <= length:
            return begin + remaining
        remaining -= length
    return None


def is_working_time(calendar: BusinessCalendar, instant: datetime) -> bool:
    """Whether ``instant`` falls inside a working period."""
    _require_aware(instant)
    if calendar.always_open:
        return True
    for begin, _end in working_periods(calendar, instant, instant + timedelta(seconds=1)):
        return begin <= instant.astimezone(UTC)
    return False
