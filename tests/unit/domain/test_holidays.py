"""Lithuanian and Latvian public holidays, Easter included."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.holidays import easter_sunday, latvia, lithuania, preset_dates

KNOWN_EASTERS = {
    2000: date(2000, 4, 23),
    2019: date(2019, 4, 21),
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2038: date(2038, 4, 25),
    2285: date(2285, 3, 22),
}


@pytest.mark.parametrize(("year", "expected"), sorted(KNOWN_EASTERS.items()))
def test_easter(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


def test_easter_is_always_a_sunday_between_march_22_and_april_25() -> None:
    for year in range(1900, 2200):
        day = easter_sunday(year)
        assert day.weekday() == 6
        assert date(year, 3, 22) <= day <= date(year, 4, 25)


def test_lithuania_2026() -> None:
    days = lithuania(2026)
    assert date(2026, 2, 16) in days
    assert date(2026, 3, 11) in days
    assert date(2026, 4, 5) in days
    assert date(2026, 4, 6) in days
    assert date(2026, 5, 3) in days  # Mother's Day: first Sunday of May
    assert date(2026, 6, 7) in days  # Father's Day: first Sunday of June
    assert date(2026, 11, 2) in days  # All Souls' Day (since 2020)
    assert date(2026, 12, 24) in days
    assert len(days) == 16
    assert date(2019, 11, 2) not in lithuania(2019)


def test_latvia_2026_with_weekend_transfers() -> None:
    days = latvia(2026)
    assert date(2026, 4, 3) in days  # Good Friday
    assert date(2026, 5, 24) in days  # Whitsunday (Easter + 49)
    assert date(2026, 6, 23) in days
    assert date(2026, 6, 24) in days
    assert date(2026, 12, 31) in days
    # 4 May 2026 is a Monday: no transfer; 18 Nov 2026 is a Wednesday: none either.
    assert date(2026, 5, 5) not in days
    # 2025: 18 November is a Tuesday; 2028: 18 November is a Saturday → Monday 20th off.
    assert date(2028, 11, 20) in latvia(2028)
    # 2025: 4 May is a Sunday → Monday 5 May off.
    assert date(2025, 5, 5) in latvia(2025)


def test_presets_over_years() -> None:
    dates = preset_dates(["LT", "LV"], range(2026, 2028))
    assert date(2026, 2, 16) in dates
    assert date(2027, 6, 23) in dates
