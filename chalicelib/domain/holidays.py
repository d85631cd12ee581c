"""Public holidays of Lithuania, Latvia and Estonia, computed for any year (pure, no data files).

Movable feasts follow Western (Gregorian) Easter, computed with the anonymous Gregorian
algorithm (Meeus/Jones/Butcher). Sources: Lithuanian Labour Code art. 123 (as amended
2020: All Souls' Day), Latvian law "On Public Holidays, Remembrance Days and Celebration
Days" (with the rule that 4 May and 18 November falling on a weekend move the day off to the
next Monday), Estonian Public Holidays and Days of National Importance Act.

A new tenant starts with its country's preset (:func:`preset_for`): from the country when it is
known, else from the time zone its operator chose.
"""

from __future__ import annotations

from datetime import date, timedelta

PRESETS: tuple[str, ...] = ("LT", "LV", "EE")
# The IANA zones of the preset countries (each country has exactly one).
TIME_ZONE_COUNTRIES: dict[str, str] = {
    "Europe/Vilnius": "LT",
    "Europe/Riga": "LV",
    "Europe/Tallinn": "EE",
}


def easter_sunday(year: int) -> date:
    """Western Easter Sunday of ``year`` (valid for every Gregorian year)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_sunday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def lithuania(year: int) -> dict[date, str]:
    """Lithuanian public holidays (non-working days) of ``year``."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "New Year's Day",
        date(year, 2, 16): "Day of Restoration of the State of Lithuania",
        date(year, 3, 11): "Day of Restoration of Independence of Lithuania",
        easter: "Easter Sunday",
        easter + timedelta(days=1): "Easter Monday",
        date(year, 5, 1): "International Labour Day",
        _first_sunday(year, 5): "Mother's Day",
        _first_sunday(year, 6): "Father's Day",
        date(year, 6, 24): "St John's Day (Midsummer)",
        date(year, 7, 6): "Statehood Day",
        date(year, 8, 15): "Assumption Day",
        date(year, 11, 1): "All Saints' Day",
        date(year, 12, 24): "Christmas Eve",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Second Day of Christmas",
    }
    if year >= 2020:
        days[date(year, 11, 2)] = "All Souls' Day"
    return days


def _weekend_moves_to_monday(day: date) -> date | None:
    if day.weekday() == 5:
        return day + timedelta(days=2)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return None


def latvia(year: int) -> dict[date, str]:
    """Latvian public holidays (non-working days) of ``year``, with weekend transfers."""
    easter = easter_sunday(year)
    days = {
        date(year, 1, 1): "New Year's Day",
        easter - timedelta(days=2): "Good Friday",
        easter: "Easter Sunday",
        easter + timedelta(days=1): "Easter Monday",
        date(year, 5, 1): "Labour Day",
        date(year, 5, 4): "Restoration of Independence Day",
        easter + timedelta(days=49): "Whitsunday",
        date(year, 6, 23): "Midsummer Eve (Līgo)",
        date(year, 6, 24): "Midsummer Day (Jāņi)",
        date(year, 11, 18): "Proclamation Day of the Republic of Latvia",
        date(year, 12, 24): "Christmas Eve",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Second Day of Christmas",
        date(year, 12, 31): "New Year's Eve",
    }
    for fixed, name in (
        (date(year, 5, 4), "Restoration of Independence Day"),
        (date(year, 11, 18), "Proclamation Day"),
    ):
        moved = _weekend_moves_to_monday(fixed)
        if moved is not None:
            days[moved] = f"{name} (day off moved from the weekend)"
    return days


def estonia(year: int) -> dict[date, str]:
    """Estonian public holidays (non-working days) of ``year``."""
    easter = easter_sunday(year)
    return {
        date(year, 1, 1): "New Year's Day",
        date(year, 2, 24): "Independence Day",
        easter - timedelta(days=2): "Good Friday",
        easter: "Easter Sunday",
        date(year, 5, 1): "Spring Day",
        easter + timedelta(days=49): "Pentecost",
        date(year, 6, 23): "Victory Day",
        date(year, 6, 24): "Midsummer Day",
        date(year, 8, 20): "Day of Restoration of Independence",
        date(year, 12, 24): "Christmas Eve",
        date(year, 12, 25): "Christmas Day",
        date(year, 12, 26): "Boxing Day",
    }


def public_holidays(country: str, year: int) -> dict[date, str]:
    """The public holidays of a preset country (``LT``, ``LV`` or ``EE``) in ``year``."""
    if country == "LT":
        return lithuania(year)
    if country == "LV":
        return latvia(year)
    if country == "EE":
        return estonia(year)
    raise ValueError(f"no holiday preset for {country}")


def preset_for(country: str | None = None, time_zone: str | None = None) -> str | None:
    """The holiday preset of a tenant: its country's if that has one, else its time zone's."""
    if country and country.upper() in PRESETS:
        return country.upper()
    return TIME_ZONE_COUNTRIES.get(time_zone or "")


def preset_dates(countries: list[str] | tuple[str, ...], years: range) -> frozenset[date]:
    """Every holiday of the given presets over ``years``."""
    return frozenset(
        day for country in countries for year in years for day in public_holidays(country, year)
    )
