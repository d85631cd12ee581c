"""Business-time arithmetic: weekends, holidays, DST changes, odd intervals, empty calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.business_time import (
    BusinessCalendar,
    add_business_time,
    always_open,
    business_time_between,
    calendar_from_settings,
    is_working_time,
    parse_clock,
)

VILNIUS = ZoneInfo("Europe/Vilnius")
NINE_TO_FIVE = {d: [("09:00", "17:00")] for d in ("mon", "tue", "wed", "thu", "fri")}


def local(*args: int, zone: ZoneInfo = VILNIUS) -> datetime:
    return datetime(*args, tzinfo=zone)  # type: ignore[misc]


def office(**kwargs: object) -> BusinessCalendar:
    return calendar_from_settings("Europe/Vilnius", NINE_TO_FIVE, **kwargs)  # type: ignore[arg-type]


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def test_parse_clock() -> None:
    assert parse_clock("00:00") == 0
    assert parse_clock("09:30") == 570
    assert parse_clock("24:00") == 1440
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock("25:00")


def test_within_one_day() -> None:
    cal = office()
    start = local(2026, 3, 2, 10, 0)  # Monday
    assert add_business_time(cal, start, hours(2)) == local(2026, 3, 2, 12, 0)
    assert business_time_between(cal, start, local(2026, 3, 2, 12, 0)) == hours(2)


def test_before_opening_and_after_closing() -> None:
    cal = office()
    assert add_business_time(cal, local(2026, 3, 2, 6, 0), hours(1)) == local(2026, 3, 2, 10, 0)
    assert add_business_time(cal, local(2026, 3, 2, 18, 0), hours(1)) == local(2026, 3, 3, 10, 0)
    assert business_time_between(cal, local(2026, 3, 2, 17, 0), local(2026, 3, 3, 9, 0)) == hours(0)


def test_exactly_at_closing_lands_at_closing() -> None:
    cal = office()
    assert add_business_time(cal, local(2026, 3, 2, 9, 0), hours(8)) == local(2026, 3, 2, 17, 0)


def test_weekend_is_skipped() -> None:
    cal = office()
    friday_4pm = local(2026, 3, 6, 16, 0)
    assert add_business_time(cal, friday_4pm, hours(2)) == local(2026, 3, 9, 10, 0)
    assert business_time_between(cal, friday_4pm, local(2026, 3, 9, 10, 0)) == hours(2)


def test_holidays_are_skipped() -> None:
    cal = office(holidays=[date(2026, 3, 11)])  # a Wednesday
    start = local(2026, 3, 10, 16, 0)
    assert add_business_time(cal, start, hours(2)) == local(2026, 3, 12, 10, 0)
    assert business_time_between(cal, start, local(2026, 3, 12, 10, 0)) == hours(2)


def test_spring_forward_day_has_its_real_length() -> None:
    # Europe/Vilnius: 2026-03-29 03:00 → 04:00 (a Sunday); open that Sunday 01:00-05:00.
    cal = calendar_from_settings("Europe/Vilnius", {"sun": [("01:00", "05:00")]})
    start = local(2026, 3, 29, 0, 0)
    assert business_time_between(cal, start, local(2026, 3, 30, 0, 0)) == hours(3)
    # 2.5 h after 01:00 is 04:30 local (the 03:00 hour does not exist).
    assert add_business_time(cal, start, hours(2.5)) == local(2026, 3, 29, 4, 30)


def test_fall_back_day_has_its_real_length() -> None:
    # Europe/Vilnius: 2026-10-25 04:00 → 03:00 (a Sunday).
    cal = calendar_from_settings("Europe/Vilnius", {"sun": [("01:00", "05:00")]})
    assert business_time_between(
        cal, local(2026, 10, 25, 0, 0), local(2026, 10, 26, 0, 0)
    ) == hours(5)


def test_office_hours_keep_their_wall_clock_across_dst() -> None:
    cal = office()
    # Friday before the spring change, 2 h before closing, plus 4 h → Monday 11:00 local,
    # which is 08:00 UTC after the change (EEST) — not 09:00 as in winter.
    due = add_business_time(cal, local(2026, 3, 27, 15, 0), hours(4))
    assert due == local(2026, 3, 30, 11, 0)
    assert due is not None
    assert due.astimezone(UTC).hour == 8


def test_multiple_intervals_per_day_and_24h_end() -> None:
    cal = calendar_from_settings(
        "UTC", {"mon": [("08:00", "12:00"), ("13:00", "17:00")], "tue": [("20:00", "24:00")]}
    )
    monday = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
    assert add_business_time(cal, monday, hours(2)) == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert add_business_time(cal, monday, hours(6)) == datetime(2026, 3, 3, 21, 0, tzinfo=UTC)
    assert business_time_between(cal, monday, datetime(2026, 3, 4, tzinfo=UTC)) == hours(9)


def test_zone_west_of_utc_with_late_hours() -> None:
    cal = calendar_from_settings("America/New_York", {"mon": [("18:00", "24:00")]})
    monday_6pm = datetime(2026, 3, 2, 18, 0, tzinfo=ZoneInfo("America/New_York"))
    # Starting from a UTC instant that is already Tuesday in UTC but Monday evening locally.
    due = add_business_time(cal, monday_6pm.astimezone(UTC), hours(1))
    assert due == monday_6pm + hours(1)


def test_always_open() -> None:
    cal = always_open()
    start = datetime(2026, 3, 7, 23, 0, tzinfo=UTC)
    assert add_business_time(cal, start, hours(30)) == start + hours(30)
    assert business_time_between(cal, start, start + hours(5)) == hours(5)


def test_a_calendar_without_working_time_has_no_due_time() -> None:
    closed = calendar_from_settings("UTC", {})
    start = datetime(2026, 3, 2, tzinfo=UTC)
    assert add_business_time(closed, start, hours(1)) is None
    assert business_time_between(closed, start, start + timedelta(days=30)) == hours(0)


def test_a_year_of_holidays_still_terminates() -> None:
    every_day = [date(2026, 1, 1) + timedelta(days=i) for i in range(366)]
    cal = office(holidays=every_day)
    due = add_business_time(cal, local(2026, 1, 1, 9, 0), hours(1))
    assert due == local(2027, 1, 4, 10, 0)


def test_zero_and_negative_amounts() -> None:
    start = local(2026, 3, 7, 12, 0)
    assert add_business_time(office(), start, timedelta(0)) == start
    assert business_time_between(office(), start, start - hours(1)) == timedelta(0)


def test_is_working_time() -> None:
    cal = office()
    assert is_working_time(cal, local(2026, 3, 2, 9, 0))
    assert not is_working_time(cal, local(2026, 3, 2, 17, 0))
    assert not is_working_time(cal, local(2026, 3, 7, 12, 0))


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(office(), datetime(2026, 3, 2, 9, 0), hours(1))


def test_malformed_weeks_are_refused() -> None:
    with pytest.raises(ValueError, match="7 days"):
        BusinessCalendar(weekly=((),) * 6)
    with pytest.raises(ValueError, match="bad interval"):
        BusinessCalendar(weekly=(((600, 540),),) + ((),) * 6)
    with pytest.raises(ValueError, match="overlap"):
        BusinessCalendar(weekly=(((540, 700), (600, 800)),) + ((),) * 6)


_instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(start=_instants, minutes=st.integers(min_value=0, max_value=20_000))
def test_add_and_between_are_inverse(start: datetime, minutes: int) -> None:
    cal = office(holidays=[date(2026, 12, 24), date(2026, 12, 25)])
    amount = timedelta(minutes=minutes)
    due = add_business_time(cal, start, amount)
    assert due is not None
    assert business_time_between(cal, start, due) == amount


@settings(max_examples=100, deadline=None)
@given(a=_instants, b=_instants, c=_instants)
def test_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    x, y, z = sorted((a, b, c))
    cal = office()
    assert business_time_between(cal, x, z) == business_time_between(
        cal, x, y
    ) + business_time_between(cal, y, z)
