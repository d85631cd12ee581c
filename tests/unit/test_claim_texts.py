"""Claim and visit texts on tickets: every locale has every text, values are never blank."""

from __future__ import annotations

import re
from datetime import datetime

import pytest

from chalicelib.i18n import claims as texts

RESOLUTIONS = ("repaired", "replaced", "refunded", "no_fault_found")
LEFTOVER = re.compile(r"{[a-z_]*}")


def every_text(locale: texts.Locale) -> list[str]:
    out = [
        texts.claim_ticket_subject(locale, product="FX-600", serial="SN-1"),
        texts.claim_public_note(locale, "approved", billing="covered"),
        texts.claim_public_note(locale, "approved", billing="chargeable"),
        texts.claim_public_note(locale, "rejected", billing="covered", reason="Drėgmė"),
        *(
            texts.claim_public_note(locale, "resolved", billing="covered", resolution=r)
            for r in RESOLUTIONS
        ),
        *(
            texts.claim_internal_note(locale, status, claim_id="C1", notes="N")
            for status in ("approved", "in_repair", "resolved", "rejected", "cancelled")
        ),
    ]
    window = (datetime(2027, 3, 2, 10, 0), datetime(2027, 3, 2, 12, 0))
    out += [
        texts.visit_note(
            locale, status, kind=kind, starts=window[0], ends=window[1], reason="R", outcome="O"
        )
        for status in ("completed", "no_show", "cancelled")
        for kind in ("delivery", "installation", "training", "maintenance", "repair")
    ]
    return out


@pytest.mark.parametrize("locale", texts.LOCALES)
def test_every_text_renders_without_leftovers(locale: texts.Locale) -> None:
    for text in every_text(locale):
        assert text.strip()
        assert not LEFTOVER.search(text), text
        assert "None" not in text, text


def test_a_decision_without_its_detail_is_an_error_not_a_blank() -> None:
    with pytest.raises(KeyError):
        texts.claim_public_note("lt", "rejected", billing="covered")
    with pytest.raises(KeyError):
        texts.claim_public_note("lv", "resolved", billing="covered")


def test_locales_fall_back_from_customer_to_tenant_to_english() -> None:
    assert texts.locale_of("lv", "lt") == "lv"
    assert texts.locale_of(None, "lt") == "lt"
    assert texts.locale_of("de", None) == "en"


def test_visit_windows_are_written_as_each_locale_writes_them() -> None:
    starts, ends = datetime(2027, 3, 2, 10, 0), datetime(2027, 3, 2, 12, 0)
    lines = {
        locale: texts.visit_note(locale, "completed", kind="repair", starts=starts, ends=ends)
        for locale in texts.LOCALES
    }
    assert "Time: 2 March 2027, 10:00\N{EN DASH}12:00" in lines["en"]
    assert "Laikas: 2027-03-02 10:00\N{EN DASH}12:00" in lines["lt"]
    assert "Laiks: 02.03.2027. plkst. 10:00\N{EN DASH}12:00" in lines["lv"]
