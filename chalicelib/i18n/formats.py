"""How values stand in customer-facing text, per locale: dates, visit kinds, lists.

The rules are written down in ``docs/i18n.md``: English dates read "3 March 2027"; Lithuanian
dates are ISO ("2027-03-03", the standard written form); Latvian dates are "03.03.2027." (the
numeric form Latvian business letters use, which needs no case ending wherever it stands).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from chalicelib.domain.maintenance import VisitKind

LOCALES: tuple[str, ...] = ("en", "lt", "lv")
FALLBACK_LOCALE = "en"

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# What a service visit is for, as a label value (nominative, capitalised: "Vizitas: Montavimas").
VISIT_KINDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "delivery": "Delivery",
        "installation": "Installation",
        "training": "Training",
        "maintenance": "Maintenance",
        "repair": "Repair",
    },
    "lt": {
        "delivery": "Pristatymas",
        "installation": "Montavimas",
        "training": "Mokymai",
        "maintenance": "Techninė priežiūra",
        "repair": "Remontas",
    },
    "lv": {
        "delivery": "Piegāde",
        "installation": "Uzstādīšana",
        "training": "Apmācība",
        "maintenance": "Apkope",
        "repair": "Remonts",
    },
}

# Joins the items of a list value ("Plus, Premium").
LIST_SEPARATOR = ", "


def locale_of(locale: str | None) -> str:
    """``locale`` when it ships with the product, else English."""
    return locale if locale in LOCALES else FALLBACK_LOCALE


def format_date(day: date, locale: str | None) -> str:
    """A calendar date as a native writer of ``locale`` writes it."""
    if isinstance(day, datetime):
        day = day.date()
    chosen = locale_of(locale)
    if chosen == "lt":
        return day.isoformat()
    if chosen == "lv":
        return f"{day.day:02d}.{day.month:02d}.{day.year}."
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def visit_kind(kind: str, locale: str | None) -> str:
    """The label of a visit kind in ``locale`` (unknown kinds are shown as stored)."""
    return VISIT_KINDS[locale_of(locale)].get(kind, kind)


def format_time(moment: datetime, locale: str | None) -> str:
    """A date and wall-clock time (already in the zone the reader lives in) in ``locale``."""
    day, clock = format_date(moment, locale), moment.strftime("%H:%M")
    chosen = locale_of(locale)
    if chosen == "lv":
        return f"{day} plkst. {clock}"
    if chosen == "lt":
        return f"{day} {clock}"
    return f"{day}, {clock}"


def format_value(value: object, locale: str | None) -> str:
    """Any context value as text in ``locale``: dates by :func:`format_date`, visit kinds by
    their label, lists joined, everything else as it is (user data is never inflected)."""
    if isinstance(value, datetime):
        return format_time(value, locale)
    if isinstance(value, date):
        return format_date(value, locale)
    if isinstance(value, VisitKind):
        return visit_kind(value.value, locale)
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(format_value(v, locale) for v in value)
    return str(value)
